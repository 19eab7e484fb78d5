/** Delivers cross-process events (NOTIFY on PostgreSQL or PGlite) to the handlers of this process. */
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { busEvent, EVENTS_CHANNEL, type BusEvent } from '../db/events.js';

export class EventBus {
  private readonly handlers = new Set<(e: BusEvent) => void>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(private readonly logger: Logger) {}

  async start(database: Database): Promise<void> {
    this.stopListening = await database.listen(EVENTS_CHANNEL, (payload) => this.dispatch(payload));
  }

  /** Adds a handler; returns the function that removes it. */
  on(handler: (e: BusEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  private dispatch(payload: string) {
    let parsed;
    try {
      parsed = busEvent.safeParse(JSON.parse(payload));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.logger.warn({ channel: EVENTS_CHANNEL }, 'ignored a malformed event');
      return;
    }
    for (const h of this.handlers) {
      try {
        h(parsed.data);
      } catch (e) {
        this.logger.error({ err: { message: e instanceof Error ? e.message : String(e) } }, 'event handler failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.handlers.clear();
    await this.stopListening?.();
  }
}
