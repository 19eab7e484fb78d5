CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"appointment_id" uuid,
	"attention_id" uuid,
	"kind" text NOT NULL,
	"requirement" smallint,
	"upload_id" text,
	"file_name" text NOT NULL,
	"declared_bytes" bigint NOT NULL,
	"content_type" text,
	"bytes" bigint,
	"sha256" text,
	"storage_key" text,
	"status" text DEFAULT 'uploading' NOT NULL,
	"refused_code" text,
	"reject_reason" text,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"uploaded_by" uuid,
	"completed_at" timestamp with time zone,
	"purged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_space" CHECK ("documents"."appointment_id" IS NOT NULL OR "documents"."attention_id" IS NOT NULL),
	CONSTRAINT "documents_kind_known" CHECK ("documents"."kind" IN ('citizen','handout','id_front','id_back')),
	CONSTRAINT "documents_status_known" CHECK ("documents"."status" IN ('uploading','pending','accepted','rejected','refused','purged')),
	CONSTRAINT "documents_file_name_length" CHECK (char_length("documents"."file_name") BETWEEN 1 AND 200),
	CONSTRAINT "documents_declared_bytes" CHECK ("documents"."declared_bytes" >= 0),
	CONSTRAINT "documents_stored" CHECK ("documents"."status" NOT IN ('pending','accepted','rejected') OR ("documents"."storage_key" IS NOT NULL AND "documents"."sha256" IS NOT NULL AND "documents"."bytes" IS NOT NULL AND "documents"."content_type" IS NOT NULL)),
	CONSTRAINT "documents_rejected_reason" CHECK ("documents"."status" <> 'rejected' OR "documents"."reject_reason" IS NOT NULL),
	CONSTRAINT "documents_refused_code" CHECK ("documents"."status" <> 'refused' OR "documents"."refused_code" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "filing_consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"form_sha256" text NOT NULL,
	"language" text NOT NULL,
	"text_shown" text NOT NULL,
	"given_at" timestamp with time zone NOT NULL,
	"recording_id" uuid,
	"recording_offset_ms" bigint,
	"otp_channel" text,
	"otp_hash" text,
	"otp_expires_at" timestamp with time zone,
	"otp_attempts" integer DEFAULT 0 NOT NULL,
	"otp_verified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "filing_consents_sha" CHECK ("filing_consents"."form_sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "filing_consents_otp_channel" CHECK ("filing_consents"."otp_channel" IS NULL OR "filing_consents"."otp_channel" = 'email')
);
--> statement-breakpoint
CREATE TABLE "filings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"procedure_id" uuid NOT NULL,
	"identity_check_id" uuid NOT NULL,
	"consent_id" uuid NOT NULL,
	"official_id" uuid NOT NULL,
	"register_entry_id" uuid NOT NULL,
	"form_data" jsonb,
	"form_sha256" text NOT NULL,
	"language" text NOT NULL,
	"csv_hash" text NOT NULL,
	"status" text DEFAULT 'registered' NOT NULL,
	"receipt_key" text,
	"receipt_sha256" text,
	"sealed_at" timestamp with time zone,
	"anonymised_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "filings_status_known" CHECK ("filings"."status" IN ('registered','sealed')),
	CONSTRAINT "filings_sealed" CHECK ("filings"."status" <> 'sealed' OR ("filings"."receipt_key" IS NOT NULL AND "filings"."receipt_sha256" IS NOT NULL AND "filings"."sealed_at" IS NOT NULL)),
	CONSTRAINT "filings_sha" CHECK ("filings"."form_sha256" ~ '^[0-9a-f]{64}$' AND "filings"."csv_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "handoffs" (
	"filing_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"manifest_key" text,
	"manifest_sha256" text,
	"manifest_seal_key" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_attempt_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"delivered_via" text,
	"purge_after" timestamp with time zone,
	"purged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "handoffs_status_known" CHECK ("handoffs"."status" IN ('pending','delivered','failed','purged')),
	CONSTRAINT "handoffs_delivered_via" CHECK ("handoffs"."delivered_via" IS NULL OR "handoffs"."delivered_via" IN ('webhook','pull')),
	CONSTRAINT "handoffs_delivered" CHECK ("handoffs"."status" NOT IN ('delivered','purged') OR ("handoffs"."delivered_at" IS NOT NULL AND "handoffs"."purge_after" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "identity_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"attention_id" uuid NOT NULL,
	"full_name" text,
	"id_kind" text NOT NULL,
	"id_number" text,
	"face_confirmed" boolean NOT NULL,
	"front_document_id" uuid,
	"back_document_id" uuid,
	"checked_by" uuid NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"anonymised_at" timestamp with time zone,
	CONSTRAINT "identity_checks_kind_known" CHECK ("identity_checks"."id_kind" IN ('dni','nie','cif')),
	CONSTRAINT "identity_checks_face" CHECK ("identity_checks"."face_confirmed"),
	CONSTRAINT "identity_checks_present" CHECK ("identity_checks"."anonymised_at" IS NOT NULL OR ("identity_checks"."full_name" IS NOT NULL AND "identity_checks"."id_number" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"webhook_url" text,
	"webhook_secret_enc" text,
	"pull_token_hash" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "documents_reopened_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "anonymised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "procedures" ADD COLUMN "request_schema" jsonb;--> statement-breakpoint
ALTER TABLE "procedures" ADD COLUMN "retention_days" integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_reviewed_by_staff_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_uploaded_by_staff_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filing_consents" ADD CONSTRAINT "filing_consents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filing_consents" ADD CONSTRAINT "filing_consents_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filing_consents" ADD CONSTRAINT "filing_consents_recording_id_recordings_id_fk" FOREIGN KEY ("recording_id") REFERENCES "public"."recordings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_procedure_id_procedures_id_fk" FOREIGN KEY ("procedure_id") REFERENCES "public"."procedures"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_identity_check_id_identity_checks_id_fk" FOREIGN KEY ("identity_check_id") REFERENCES "public"."identity_checks"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_consent_id_filing_consents_id_fk" FOREIGN KEY ("consent_id") REFERENCES "public"."filing_consents"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_official_id_staff_id_fk" FOREIGN KEY ("official_id") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_register_entry_id_register_entries_id_fk" FOREIGN KEY ("register_entry_id") REFERENCES "public"."register_entries"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_filing_id_filings_id_fk" FOREIGN KEY ("filing_id") REFERENCES "public"."filings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_front_document_id_documents_id_fk" FOREIGN KEY ("front_document_id") REFERENCES "public"."documents"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_back_document_id_documents_id_fk" FOREIGN KEY ("back_document_id") REFERENCES "public"."documents"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_checked_by_staff_id_fk" FOREIGN KEY ("checked_by") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_upload_id" ON "documents" USING btree ("upload_id");--> statement-breakpoint
CREATE INDEX "documents_appointment_idx" ON "documents" USING btree ("tenant_id","appointment_id") WHERE "documents"."appointment_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "documents_attention_idx" ON "documents" USING btree ("tenant_id","attention_id") WHERE "documents"."attention_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "filing_consents_attention_idx" ON "filing_consents" USING btree ("tenant_id","attention_id","given_at");--> statement-breakpoint
CREATE UNIQUE INDEX "filings_attention" ON "filings" USING btree ("attention_id");--> statement-breakpoint
CREATE UNIQUE INDEX "filings_register_entry" ON "filings" USING btree ("register_entry_id");--> statement-breakpoint
CREATE UNIQUE INDEX "filings_csv_hash" ON "filings" USING btree ("csv_hash");--> statement-breakpoint
CREATE INDEX "filings_tenant_created_idx" ON "filings" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "handoffs_tenant_status_idx" ON "handoffs" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "handoffs_purge_idx" ON "handoffs" USING btree ("purge_after") WHERE "handoffs"."status" = 'delivered';--> statement-breakpoint
CREATE INDEX "identity_checks_attention_idx" ON "identity_checks" USING btree ("tenant_id","attention_id");--> statement-breakpoint
ALTER TABLE "procedures" ADD CONSTRAINT "procedures_retention" CHECK ("procedures"."retention_days" BETWEEN 0 AND 3650);--> statement-breakpoint
ALTER TABLE "procedures" ADD CONSTRAINT "procedures_request_schema_object" CHECK ("procedures"."request_schema" IS NULL OR jsonb_typeof("procedures"."request_schema") = 'object');--> statement-breakpoint
-- every reference stays inside one town hall (by hand, as in 0004)
ALTER TABLE "documents" ADD CONSTRAINT "documents_tenant_key" UNIQUE ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_same_tenant_appointment" FOREIGN KEY ("tenant_id", "appointment_id") REFERENCES "appointments" ("tenant_id", "id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_same_tenant_reviewer" FOREIGN KEY ("tenant_id", "reviewed_by") REFERENCES "staff" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_same_tenant_uploader" FOREIGN KEY ("tenant_id", "uploaded_by") REFERENCES "staff" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_tenant_key" UNIQUE ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_same_tenant_front" FOREIGN KEY ("tenant_id", "front_document_id") REFERENCES "documents" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_same_tenant_back" FOREIGN KEY ("tenant_id", "back_document_id") REFERENCES "documents" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "identity_checks" ADD CONSTRAINT "identity_checks_same_tenant_staff" FOREIGN KEY ("tenant_id", "checked_by") REFERENCES "staff" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filing_consents" ADD CONSTRAINT "filing_consents_tenant_key" UNIQUE ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filing_consents" ADD CONSTRAINT "filing_consents_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_tenant_key" UNIQUE ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_same_tenant_procedure" FOREIGN KEY ("tenant_id", "procedure_id") REFERENCES "procedures" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_same_tenant_identity" FOREIGN KEY ("tenant_id", "identity_check_id") REFERENCES "identity_checks" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_same_tenant_consent" FOREIGN KEY ("tenant_id", "consent_id") REFERENCES "filing_consents" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_same_tenant_official" FOREIGN KEY ("tenant_id", "official_id") REFERENCES "staff" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_tenant_key" UNIQUE ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_same_tenant_entry" FOREIGN KEY ("tenant_id", "register_entry_id") REFERENCES "register_entries" ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_same_tenant_filing" FOREIGN KEY ("tenant_id", "filing_id") REFERENCES "filings" ("tenant_id", "id") ON DELETE CASCADE;
