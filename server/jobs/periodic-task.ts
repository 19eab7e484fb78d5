/**
 * Runs one pass of some work every interval in this process (the sweeps). A
 * pass never overlaps the previous one (the next is scheduled when it ends),
 * a failure is logged and the next pass tries again, and the timer never keeps
 * the process alive. The first pass runs one interval after the start, or
 * `firstDelayMs` after it.
 */
import type { Logger } from 'pino';
import { safeError } from '../logger.js';

export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<void>,
    private readonly opts: { intervalMs: number; logger: Logger; firstDelayMs?: number },
  ) {}

  start(): this {
    this.stopped = false;
    this.schedule(this.opts.firstDelayMs);
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs = this.opts.intervalMs) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick() {
    if (this.running || this.stopped) return;
    this.running = this.pass().catch((e) => this.opts.logger.error({ err: safeError(e), task: this.name }, 'periodic task failed'));
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule();
  }
}
