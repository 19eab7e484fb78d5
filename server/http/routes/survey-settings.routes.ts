/** Admins edit the satisfaction survey's questions (page and API). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function surveySettingsRoutes(_app: FastifyInstance, _ctx: AppContext) {}
