CREATE TABLE "authorised_officials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"appointment_act" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "authorised_officials_act_length" CHECK (char_length("authorised_officials"."appointment_act") BETWEEN 1 AND 200),
	CONSTRAINT "authorised_officials_until_after_from" CHECK ("authorised_officials"."valid_until" IS NULL OR "authorised_officials"."valid_until" >= "authorised_officials"."valid_from")
);
--> statement-breakpoint
ALTER TABLE "authorised_officials" ADD CONSTRAINT "authorised_officials_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authorised_officials" ADD CONSTRAINT "authorised_officials_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "authorised_officials_one_current" ON "authorised_officials" USING btree ("tenant_id","staff_id") WHERE "authorised_officials"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "authorised_officials_tenant_idx" ON "authorised_officials" USING btree ("tenant_id","created_at");--> statement-breakpoint
-- the official is staff of the same town hall (by hand, as in 0004)
ALTER TABLE "authorised_officials" ADD CONSTRAINT "authorised_officials_same_tenant_staff" FOREIGN KEY ("tenant_id", "staff_id") REFERENCES "staff" ("tenant_id", "id");
