/** Liveness (the process answers) and readiness (database migrated and reachable). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/health/live', { schema: { tags: ['health'] } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { tags: ['health'] } }, async (_req, reply) => {
    const ok = await ctx.database.ping();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', database: ctx.database.kind });
  });
}
