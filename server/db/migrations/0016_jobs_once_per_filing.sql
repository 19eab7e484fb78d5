-- At most one open (pending or running) build, delivery or seal job per filing: two supervisors pressing
-- "retry", or an admin saving the webhook while a delivery is queued, cannot queue a second one
-- (enqueueJob(..., { unique: true }) answers "not queued").
CREATE UNIQUE INDEX "jobs_one_open_per_filing" ON "jobs" USING btree ("type", ("payload"->>'filingId'))
  WHERE "status" IN ('pending','running') AND "type" IN ('seal_receipt','build_package','deliver_package');--> statement-breakpoint
-- The package's audit trail reads the entries about a filing (as 0009 indexes those about an attention).
CREATE INDEX "audit_log_filing_idx" ON "audit_log" USING btree ("tenant_id",("subjects"->>'filing')) WHERE ("subjects"->>'filing') IS NOT NULL;
