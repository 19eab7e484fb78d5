/**
 * The virus-scan hook: a small client of clamd's INSTREAM command (documented
 * in clamd(8)), used when CLAMD_URL is set. The plain bytes are streamed as
 * `zINSTREAM\0`, then chunks each prefixed by their length (uint32 BE), then a
 * zero length; clamd answers `stream: OK`, `stream: <signature> FOUND` or
 * `… ERROR`. A library (clamscan) was considered, but it probes local binaries
 * and config files at start-up; this needs only a socket.
 *
 * clamd refuses streams longer than its StreamMaxLength (default 25 MB): set
 * it at least to UPLOAD_MAX_BYTES, else large files are refused with
 * scan_unavailable rather than stored unscanned.
 */
import net from 'node:net';
import { AppError } from '../../../shared/errors.js';

export type ScanVerdict = { clean: true } | { clean: false; signature: string };

/** Something that tells whether bytes carry malware (clamd, or nothing when not configured). */
export type Scanner = { scan(source: AsyncIterable<Uint8Array>): Promise<ScanVerdict> };

const MAX_CHUNK = 1024 * 1024;

/** `tcp://host:port` or `unix:///path/to/clamd.ctl`. */
export function parseClamdUrl(url: string): net.NetConnectOpts {
  const u = new URL(url);
  if (u.protocol === 'unix:') return { path: u.pathname };
  if (u.protocol === 'tcp:' && u.hostname && u.port) return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
  throw new Error('CLAMD_URL must be tcp://host:port or unix:///path');
}

export class ClamdScanner implements Scanner {
  constructor(
    private readonly target: net.NetConnectOpts,
    private readonly timeoutMs = 60_000,
  ) {}

  static fromUrl(url: string, timeoutMs?: number): ClamdScanner {
    return new ClamdScanner(parseClamdUrl(url), timeoutMs);
  }

  async scan(source: AsyncIterable<Uint8Array>): Promise<ScanVerdict> {
    const socket = net.connect(this.target);
    socket.setTimeout(this.timeoutMs);
    let reply = '';
    let failed: Error | null = null;
    const done = new Promise<string>((resolve, reject) => {
      socket.on('data', (d) => (reply += d.toString('utf8')));
      socket.on('end', () => resolve(reply));
      socket.on('close', () => resolve(reply));
      socket.on('timeout', () => socket.destroy(new Error('clamd timeout')));
      socket.on('error', (e) => {
        failed = e;
        reject(e);
      });
    });
    done.catch(() => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      await write(socket, Buffer.from('zINSTREAM\0', 'ascii'));
      for await (const raw of source) {
        const piece = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
        for (let off = 0; off < piece.length && !failed && !reply; off += MAX_CHUNK) {
          const part = piece.subarray(off, Math.min(piece.length, off + MAX_CHUNK));
          const len = Buffer.alloc(4);
          len.writeUInt32BE(part.length);
          await write(socket, len);
          await write(socket, part);
        }
        // clamd answers early (and closes) when the stream exceeds its limit.
        if (failed || reply) break;
      }
      if (!reply && !failed) await write(socket, Buffer.alloc(4));
      const answer = (await done).replace(/\0/g, '').trim();
      return verdictOf(answer);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('scan_unavailable');
    } finally {
      socket.destroy();
    }
  }
}

/** clamd's answer → a verdict; anything but OK/FOUND (size limit, errors) means the file could not be checked. */
export function verdictOf(answer: string): ScanVerdict {
  const m = /^stream: (.+?)( FOUND| OK| ERROR)?$/.exec(answer);
  if (m && answer === 'stream: OK') return { clean: true };
  if (m && m[2] === ' FOUND') return { clean: false, signature: m[1].slice(0, 200) };
  throw new AppError('scan_unavailable');
}

function write(socket: net.Socket, buf: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return reject(new Error('clamd socket closed'));
    const ok = socket.write(buf, (e) => (e ? reject(e) : undefined));
    if (ok) resolve();
    else socket.once('drain', resolve);
  });
}
