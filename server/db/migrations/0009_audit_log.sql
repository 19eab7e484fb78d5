CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"event" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_staff_id" uuid,
	"subjects" jsonb NOT NULL,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_tenant_seq" UNIQUE("tenant_id","seq"),
	CONSTRAINT "audit_log_seq_positive" CHECK ("audit_log"."seq" >= 1),
	CONSTRAINT "audit_log_at_milliseconds" CHECK ("audit_log"."at" = date_trunc('milliseconds', "audit_log"."at")),
	CONSTRAINT "audit_log_event_known" CHECK ("audit_log"."event" IN ('recording_consent_given','identity_checked','consent_given','document_accepted','document_rejected','entry_registered','receipt_sealed','package_delivered','data_purged')),
	CONSTRAINT "audit_log_actor_known" CHECK ("audit_log"."actor_kind" IN ('staff','citizen','system')),
	CONSTRAINT "audit_log_actor_staff" CHECK (("audit_log"."actor_kind" = 'staff') = ("audit_log"."actor_staff_id" IS NOT NULL)),
	CONSTRAINT "audit_log_subjects_object" CHECK (jsonb_typeof("audit_log"."subjects") = 'object'),
	CONSTRAINT "audit_log_data_object" CHECK (jsonb_typeof("audit_log"."data") = 'object'),
	CONSTRAINT "audit_log_hash_format" CHECK ("audit_log"."hash" ~ '^[0-9a-f]{64}$' AND "audit_log"."prev_hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "audit_log_genesis" CHECK (("audit_log"."seq" = 1) = ("audit_log"."prev_hash" = '0000000000000000000000000000000000000000000000000000000000000000'))
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_attention_idx" ON "audit_log" USING btree ("tenant_id",("subjects"->>'attention')) WHERE ("audit_log"."subjects"->>'attention') IS NOT NULL;