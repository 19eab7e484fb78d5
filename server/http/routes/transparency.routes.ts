/** The public transparency panel, the open-data API and the operator's cross-tenant view. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function transparencyRoutes(_app: FastifyInstance, _ctx: AppContext) {}
