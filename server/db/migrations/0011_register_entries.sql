CREATE TABLE "register_counters" (
	"tenant_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"last_number" integer NOT NULL,
	CONSTRAINT "register_counters_pk" PRIMARY KEY("tenant_id","year"),
	CONSTRAINT "register_counters_year_range" CHECK ("register_counters"."year" BETWEEN 1000 AND 9999),
	CONSTRAINT "register_counters_last_number_positive" CHECK ("register_counters"."last_number" >= 1)
);
--> statement-breakpoint
CREATE TABLE "register_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"number" integer NOT NULL,
	"code" text NOT NULL,
	"registered_at" timestamp with time zone NOT NULL,
	"attention_id" uuid,
	"procedure_id" uuid NOT NULL,
	"official_id" uuid NOT NULL,
	"request_sha256" text NOT NULL,
	CONSTRAINT "register_entries_tenant_year_number" UNIQUE("tenant_id","year","number"),
	CONSTRAINT "register_entries_tenant_code" UNIQUE("tenant_id","code"),
	CONSTRAINT "register_entries_year_range" CHECK ("register_entries"."year" BETWEEN 1000 AND 9999),
	CONSTRAINT "register_entries_number_positive" CHECK ("register_entries"."number" >= 1),
	CONSTRAINT "register_entries_code_format" CHECK ("register_entries"."code" = 'E/' || "register_entries"."year"::text || '/' || lpad("register_entries"."number"::text, greatest(6, length("register_entries"."number"::text)), '0')),
	CONSTRAINT "register_entries_request_sha256_format" CHECK ("register_entries"."request_sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "register_counters" ADD CONSTRAINT "register_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_attention_id_attentions_id_fk" FOREIGN KEY ("attention_id") REFERENCES "public"."attentions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_procedure_id_procedures_id_fk" FOREIGN KEY ("procedure_id") REFERENCES "public"."procedures"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_official_id_staff_id_fk" FOREIGN KEY ("official_id") REFERENCES "public"."staff"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "register_entries_attention_idx" ON "register_entries" USING btree ("tenant_id","attention_id") WHERE "register_entries"."attention_id" IS NOT NULL;--> statement-breakpoint
-- Hand-written (as in 0004): an entry refers only to an attention, a procedure and an official of its own town hall.
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_same_tenant_procedure" FOREIGN KEY ("tenant_id", "procedure_id") REFERENCES "procedures" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "register_entries" ADD CONSTRAINT "register_entries_same_tenant_official" FOREIGN KEY ("tenant_id", "official_id") REFERENCES "staff" ("tenant_id", "id");
--> statement-breakpoint
-- Hand-written (as in 0010): the register is append-only. UPDATE and DELETE of an
-- entry and TRUNCATE are refused, whoever asks; a counter only grows by one, and
-- is never removed. One exception: a tenant's deletion takes its counters and
-- entries with it (the cascade runs after the tenant row is gone). See docs/REGISTER.md.
CREATE OR REPLACE FUNCTION fin_register_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
      RETURN OLD;
    END IF;
  ELSIF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'register_counters' THEN
    IF NEW.tenant_id = OLD.tenant_id AND NEW.year = OLD.year AND NEW.last_number = OLD.last_number + 1 THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'register_counters only grow by one: UPDATE refused'
      USING HINT = 'Register numbers are taken by registerEntry, never set by hand.';
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING HINT = 'Register entries and counters are never changed or removed.';
END
$$;
--> statement-breakpoint
CREATE TRIGGER register_entries_no_update_delete BEFORE UPDATE OR DELETE ON register_entries
  FOR EACH ROW EXECUTE FUNCTION fin_register_append_only();
--> statement-breakpoint
CREATE TRIGGER register_entries_no_truncate BEFORE TRUNCATE ON register_entries
  FOR EACH STATEMENT EXECUTE FUNCTION fin_register_append_only();
--> statement-breakpoint
CREATE TRIGGER register_counters_step BEFORE UPDATE OR DELETE ON register_counters
  FOR EACH ROW EXECUTE FUNCTION fin_register_append_only();
--> statement-breakpoint
CREATE TRIGGER register_counters_no_truncate BEFORE TRUNCATE ON register_counters
  FOR EACH STATEMENT EXECUTE FUNCTION fin_register_append_only();
