/** Monthly reports: list, generate on demand, download (pages and API). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function reportRoutes(_app: FastifyInstance, _ctx: AppContext) {}
