/** The supervisors' indicators dashboard page. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function indicatorsPages(_app: FastifyInstance, _ctx: AppContext) {}
