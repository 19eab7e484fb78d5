ALTER TABLE "appointments" DROP CONSTRAINT "appointments_contact";--> statement-breakpoint
ALTER TABLE "attentions" DROP CONSTRAINT "attentions_queue_contact";--> statement-breakpoint
ALTER TABLE "attentions" ADD COLUMN "anonymised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_contact" CHECK ("appointments"."email" IS NOT NULL OR "appointments"."phone" IS NOT NULL OR "appointments"."anonymised_at" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_queue_contact" CHECK ("attentions"."appointment_id" IS NOT NULL OR "attentions"."anonymised_at" IS NOT NULL OR ("attentions"."citizen_name" IS NOT NULL AND ("attentions"."email" IS NOT NULL OR "attentions"."phone" IS NOT NULL)));