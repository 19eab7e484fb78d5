/** The indicators JSON API for supervisors (period indicators, the live picture, CSV export). Filled in by the indicators work. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function indicatorsApi(_app: FastifyInstance, _ctx: AppContext) {}
