CREATE TABLE "agent_presence" (
	"staff_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"state" text NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_presence_state_known" CHECK ("agent_presence"."state" IN ('available','busy','pause','offline'))
);
--> statement-breakpoint
CREATE TABLE "attentions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"appointment_id" uuid,
	"procedure_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'waiting' NOT NULL,
	"priority" smallint DEFAULT 0 NOT NULL,
	"priority_reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"citizen_name" text,
	"email" text,
	"phone" text,
	"language" text NOT NULL,
	"agent_id" uuid,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"taken_at" timestamp with time zone,
	"connected_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"typology_id" uuid,
	"outcome" text,
	"notes" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attentions_status_known" CHECK ("attentions"."status" IN ('waiting','in_progress','closed','no_show','not_reached','abandoned')),
	CONSTRAINT "attentions_channel_known" CHECK ("attentions"."channel" IN ('video','phone','callback')),
	CONSTRAINT "attentions_outcome_known" CHECK ("attentions"."outcome" IS NULL OR "attentions"."outcome" IN ('resolved','follow_up','missing_documents','other')),
	CONSTRAINT "attentions_queue_contact" CHECK ("attentions"."appointment_id" IS NOT NULL OR ("attentions"."citizen_name" IS NOT NULL AND ("attentions"."email" IS NOT NULL OR "attentions"."phone" IS NOT NULL))),
	CONSTRAINT "attentions_in_progress_agent" CHECK ("attentions"."status" <> 'in_progress' OR ("attentions"."agent_id" IS NOT NULL AND "attentions"."taken_at" IS NOT NULL)),
	CONSTRAINT "attentions_closed_fields" CHECK ("attentions"."status" <> 'closed' OR ("attentions"."closed_at" IS NOT NULL AND "attentions"."outcome" IS NOT NULL AND "attentions"."typology_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "call_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "call_attempts_outcome_known" CHECK ("call_attempts"."outcome" IN ('answered','no_answer','busy','wrong_number'))
);
--> statement-breakpoint
CREATE TABLE "chat_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"author_role" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_messages_role_known" CHECK ("chat_messages"."author_role" IN ('agent','citizen','guest')),
	CONSTRAINT "chat_messages_length" CHECK (char_length("chat_messages"."body") BETWEEN 1 AND 2000)
);
--> statement-breakpoint
CREATE TABLE "recording_chunks" (
	"recording_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"tenant_id" uuid NOT NULL,
	"bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recording_chunks_seq" CHECK ("recording_chunks"."seq" >= 0 AND "recording_chunks"."seq" < 100000)
);
--> statement-breakpoint
CREATE TABLE "recordings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"consent_at" timestamp with time zone NOT NULL,
	"consent_text" text NOT NULL,
	"status" text DEFAULT 'recording' NOT NULL,
	"mime_type" text,
	"chunks" integer DEFAULT 0 NOT NULL,
	"bytes" integer DEFAULT 0 NOT NULL,
	"sha256" text,
	"storage_key" text,
	"started_at" timestamp with time zone,
	"last_chunk_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recordings_status_known" CHECK ("recordings"."status" IN ('recording','assembling','complete','failed'))
);
--> statement-breakpoint
CREATE TABLE "room_passes" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"role" text NOT NULL,
	"appointment_id" uuid,
	"attention_id" uuid,
	"label" text,
	"used_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "room_passes_role_known" CHECK ("room_passes"."role" IN ('citizen','guest','invite')),
	CONSTRAINT "room_passes_target" CHECK ("room_passes"."appointment_id" IS NOT NULL OR "room_passes"."attention_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "typologies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "typologies_tenant_code" UNIQUE("tenant_id","code"),
	CONSTRAINT "typologies_code_format" CHECK ("typologies"."code" ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$')
);
--> statement-breakpoint
ALTER TABLE "agent_presence" ADD CONSTRAINT "agent_presence_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_presence" ADD CONSTRAINT "agent_presence_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_procedure_id_procedures_id_fk" FOREIGN KEY ("procedure_id") REFERENCES "public"."procedures"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_agent_id_staff_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_typology_id_typologies_id_fk" FOREIGN KEY ("typology_id") REFERENCES "public"."typologies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_attempts" ADD CONSTRAINT "call_attempts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_attempts" ADD CONSTRAINT "call_attempts_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_attempts" ADD CONSTRAINT "call_attempts_agent_id_staff_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recording_chunks" ADD CONSTRAINT "recording_chunks_recording_id_recordings_id_fk" FOREIGN KEY ("recording_id") REFERENCES "public"."recordings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recording_chunks" ADD CONSTRAINT "recording_chunks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_passes" ADD CONSTRAINT "room_passes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_passes" ADD CONSTRAINT "room_passes_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_passes" ADD CONSTRAINT "room_passes_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "typologies" ADD CONSTRAINT "typologies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_presence_tenant_idx" ON "agent_presence" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "attentions_appointment" ON "attentions" USING btree ("appointment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "attentions_one_per_agent" ON "attentions" USING btree ("agent_id") WHERE "attentions"."status" = 'in_progress';--> statement-breakpoint
CREATE INDEX "attentions_waiting_idx" ON "attentions" USING btree ("tenant_id","priority","due_at") WHERE "attentions"."status" = 'waiting';--> statement-breakpoint
CREATE INDEX "attentions_tenant_closed_idx" ON "attentions" USING btree ("tenant_id","closed_at");--> statement-breakpoint
CREATE INDEX "call_attempts_attention_idx" ON "call_attempts" USING btree ("attention_id");--> statement-breakpoint
CREATE INDEX "chat_messages_attention_idx" ON "chat_messages" USING btree ("attention_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "recording_chunks_pk" ON "recording_chunks" USING btree ("recording_id","seq");--> statement-breakpoint
CREATE INDEX "recordings_attention_idx" ON "recordings" USING btree ("attention_id");--> statement-breakpoint
CREATE INDEX "room_passes_attention_idx" ON "room_passes" USING btree ("attention_id");