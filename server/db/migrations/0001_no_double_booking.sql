-- No double booking, ever: an agent cannot hold two booked appointments whose
-- occupied ranges (start to end plus buffer) overlap. Held by the database so it
-- is true across any number of server processes.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "blocked" tstzrange GENERATED ALWAYS AS (tstzrange("starts_at", "blocked_until", '[)')) STORED;
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_no_overlap" EXCLUDE USING gist ("agent_id" WITH =, "blocked" WITH &&) WHERE ("status" = 'booked' AND "agent_id" IS NOT NULL);
