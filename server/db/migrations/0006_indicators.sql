CREATE TABLE "indicator_rollups" (
	"tenant_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"agent_key" uuid NOT NULL,
	"period_start" date NOT NULL,
	"procedure_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "indicator_rollups_pk" PRIMARY KEY("tenant_id","grain","agent_key","period_start","procedure_id","channel"),
	CONSTRAINT "indicator_rollups_grain_known" CHECK ("indicator_rollups"."grain" IN ('day','month'))
);
--> statement-breakpoint
CREATE TABLE "monthly_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"language" text NOT NULL,
	"pdf" "bytea" NOT NULL,
	"trigger" text NOT NULL,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monthly_reports_month_language" UNIQUE("tenant_id","month","language"),
	CONSTRAINT "monthly_reports_trigger_known" CHECK ("monthly_reports"."trigger" IN ('schedule','manual')),
	CONSTRAINT "monthly_reports_language_known" CHECK ("monthly_reports"."language" IN ('ca','es','en'))
);
--> statement-breakpoint
ALTER TABLE "survey_responses" ALTER COLUMN "liked" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "survey_responses" ALTER COLUMN "easy" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "survey_responses" ALTER COLUMN "again" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD COLUMN "answers" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "indicator_rollups" ADD CONSTRAINT "indicator_rollups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monthly_reports" ADD CONSTRAINT "monthly_reports_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;