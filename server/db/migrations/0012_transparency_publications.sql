CREATE TABLE "transparency_publications" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"payload" jsonb NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transparency_publications_pk" PRIMARY KEY("tenant_id","month"),
	CONSTRAINT "transparency_publications_month_start" CHECK (extract(day from "transparency_publications"."month") = 1),
	CONSTRAINT "transparency_publications_payload_object" CHECK (jsonb_typeof("transparency_publications"."payload") = 'object')
);
--> statement-breakpoint
ALTER TABLE "transparency_publications" ADD CONSTRAINT "transparency_publications_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- A published month never changes (hand-written): UPDATE is refused, whoever
-- asks. A row may still go (its tenant's deletion, or an operator withdrawing
-- a publication); the next request then publishes the month again.
CREATE OR REPLACE FUNCTION fin_transparency_publication_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'transparency_publications: a published month never changes (UPDATE refused)'
    USING HINT = 'Delete the row to publish the month again from the rollups.';
END
$$;
--> statement-breakpoint
CREATE TRIGGER transparency_publications_no_update BEFORE UPDATE ON transparency_publications
  FOR EACH ROW EXECUTE FUNCTION fin_transparency_publication_frozen();
