CREATE TABLE "survey_invitations" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"liked" smallint NOT NULL,
	"easy" smallint NOT NULL,
	"again" boolean NOT NULL,
	"comment" text,
	"language" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_responses_attention" UNIQUE("attention_id"),
	CONSTRAINT "survey_responses_liked_range" CHECK ("survey_responses"."liked" BETWEEN 0 AND 10),
	CONSTRAINT "survey_responses_easy_range" CHECK ("survey_responses"."easy" BETWEEN 0 AND 10),
	CONSTRAINT "survey_responses_comment_length" CHECK ("survey_responses"."comment" IS NULL OR char_length("survey_responses"."comment") <= 2000),
	CONSTRAINT "survey_responses_language_known" CHECK ("survey_responses"."language" IN ('ca','es','en'))
);
--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "survey_invitations_attention_idx" ON "survey_invitations" USING btree ("attention_id");--> statement-breakpoint
CREATE INDEX "survey_responses_tenant_created_idx" ON "survey_responses" USING btree ("tenant_id","created_at");--> statement-breakpoint
-- Hand-written (as in 0004): an invitation or an answer refers only to an attention of its own town hall.
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;
