-- The audit log is append-only, held by the database (hand-written).
-- UPDATE and DELETE of an entry and TRUNCATE of the table are refused, whoever
-- asks, so that even a bug cannot rewrite history. One exception: when a
-- tenant is deleted, the foreign key's ON DELETE CASCADE takes that tenant's
-- chain with it (the cascade runs after the tenant row is gone, which is how
-- the trigger tells it from a plain DELETE). See docs/AUDIT.md.
CREATE OR REPLACE FUNCTION fin_audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING HINT = 'Audit entries are never changed or removed; append a new entry instead.';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION fin_audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION fin_audit_log_append_only();
