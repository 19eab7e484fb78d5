-- Tenant isolation held by the database: a row can only refer to rows of its own town hall.
-- Each referenced table gets a (tenant_id, id) key; each reference also names the tenant.
-- (Hand-written: drizzle keeps the single-column references; these come on top.)
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_tenant_key" UNIQUE ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "procedures" ADD CONSTRAINT "procedures_tenant_key" UNIQUE ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_tenant_key" UNIQUE ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "typologies" ADD CONSTRAINT "typologies_tenant_key" UNIQUE ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_tenant_key" UNIQUE ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_tenant_key" UNIQUE ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_same_tenant_procedure" FOREIGN KEY ("tenant_id", "procedure_id") REFERENCES "procedures" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_same_tenant_agent" FOREIGN KEY ("tenant_id", "agent_id") REFERENCES "staff" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "agent_presence" ADD CONSTRAINT "agent_presence_same_tenant_staff" FOREIGN KEY ("tenant_id", "staff_id") REFERENCES "staff" ("tenant_id", "id") ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_same_tenant_appointment" FOREIGN KEY ("tenant_id", "appointment_id") REFERENCES "appointments" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_same_tenant_procedure" FOREIGN KEY ("tenant_id", "procedure_id") REFERENCES "procedures" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_same_tenant_agent" FOREIGN KEY ("tenant_id", "agent_id") REFERENCES "staff" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "attentions" ADD CONSTRAINT "attentions_same_tenant_typology" FOREIGN KEY ("tenant_id", "typology_id") REFERENCES "typologies" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "room_passes" ADD CONSTRAINT "room_passes_same_tenant_appointment" FOREIGN KEY ("tenant_id", "appointment_id") REFERENCES "appointments" ("tenant_id", "id") ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE "room_passes" ADD CONSTRAINT "room_passes_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE "call_attempts" ADD CONSTRAINT "call_attempts_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE "call_attempts" ADD CONSTRAINT "call_attempts_same_tenant_agent" FOREIGN KEY ("tenant_id", "agent_id") REFERENCES "staff" ("tenant_id", "id");
--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_same_tenant_attention" FOREIGN KEY ("tenant_id", "attention_id") REFERENCES "attentions" ("tenant_id", "id") ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE "recording_chunks" ADD CONSTRAINT "recording_chunks_same_tenant_recording" FOREIGN KEY ("tenant_id", "recording_id") REFERENCES "recordings" ("tenant_id", "id") ON DELETE CASCADE;
