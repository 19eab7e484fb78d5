/** Admins edit service-level targets, report recipients and publication (page and API). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function indicatorSettingsRoutes(_app: FastifyInstance, _ctx: AppContext) {}
