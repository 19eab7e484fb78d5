/** A real SMTP server on 127.0.0.1 (smtp-server) that records what it receives; parse with mailparser. */
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { from: string; to: string[]; raw: string };

export async function startSmtp(opts: { failFirst?: number } = {}) {
  const received: ReceivedMail[] = [];
  let failures = opts.failFirst ?? 0;
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures--;
          const err = Object.assign(new Error('try later'), { responseCode: 451 });
          return cb(err);
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        waiters.splice(0).forEach((w) => w());
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Resolves once `n` messages have arrived, or rejects after `ms`. */
    async waitFor(n: number, ms = 15_000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} emails, got ${received.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return received;
    },
    /** Resolves once `n` messages to `to` have arrived (other tests may share this server), or rejects after `ms`. */
    async waitForTo(to: string, n = 1, ms = 15_000) {
      const until = Date.now() + ms;
      const mine = () => received.filter((m) => m.to.includes(to));
      while (mine().length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} emails to one recipient, got ${mine().length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return mine();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
