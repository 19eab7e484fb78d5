/**
 * Child processes of a benchmark, talking over IPC: started with a ready
 * handshake, asked questions by id, and always killed when the benchmark exits
 * (normally, on an error or at its hard time limit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of alive) c.kill('SIGKILL');
});

type Message = { type?: string; id?: number; [k: string]: unknown };

export type Child = {
  name: string;
  pid: number;
  /** What the child announced in its `ready` message (a server's `url`). */
  ready: Message;
  /** Sends `{id, …msg}` and resolves with the `reply` that carries the same id. */
  ask<T = Message>(msg: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Sends a message and resolves with the next message of `type`. */
  request<T = Message>(msg: Record<string, unknown>, type: string, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop, then kills it if it has not gone within `ms`. */
  stop(ms?: number): Promise<void>;
};

/** Starts `node [nodeArgs] script` in the repository root with an IPC channel and waits for `{type:'ready'}`. */
export function startChild(name: string, nodeArgs: string[], script: string, env: Record<string, string> = {}, readyMs = 60_000): Promise<Child> {
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  alive.add(proc);
  let exited = false;
  const exitedP = new Promise<void>((resolve) =>
    proc.on('exit', () => {
      exited = true;
      alive.delete(proc);
      resolve();
    }),
  );
  let nextId = 1;
  const byId = new Map<number, (m: Message) => void>();
  const byType = new Map<string, Array<(m: Message) => void>>();
  proc.on('message', (m: Message) => {
    if (m.type === 'reply' && typeof m.id === 'number') {
      byId.get(m.id)?.(m);
      byId.delete(m.id);
    } else if (m.type) {
      byType.get(m.type)?.shift()?.(m);
    }
  });
  const waitType = (type: string, ms: number) =>
    new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no '${type}' within ${ms} ms`)), ms);
      const list = byType.get(type) ?? [];
      byType.set(type, list);
      list.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
      void exitedP.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name}: exited while waiting for '${type}'`));
      });
    });

  return waitType('ready', readyMs).then((ready) => ({
    name,
    pid: proc.pid!,
    ready,
    ask<T>(msg: Record<string, unknown>, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no reply to ${String(msg.cmd)} within ${timeoutMs} ms`)), timeoutMs);
        byId.set(id, (m) => {
          clearTimeout(timer);
          resolve(m as T);
        });
        proc.send({ ...msg, id });
      });
    },
    request<T>(msg: Record<string, unknown>, type: string, timeoutMs = 30_000) {
      const p = waitType(type, timeoutMs);
      proc.send(msg);
      return p as Promise<T>;
    },
    async stop(ms = 8000) {
      if (exited) return;
      if (proc.connected) proc.send({ cmd: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
      await exitedP;
      clearTimeout(timer);
    },
  }));
}

/** Resident set size of a process, from /proc (bytes); NaN when unreadable. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The soft limit on open files of this process (children inherit it); Infinity when unknown. */
export function openFilesLimit(): number {
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return !m || m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Busy and total jiffies of all CPUs (/proc/stat), to compute how busy the machine was between two readings. */
export function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - v[3] - (v[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

export function busyFraction(a?: { busy: number; total: number }, b?: { busy: number; total: number }): number {
  if (!a || !b || b.total === a.total) return Number.NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}

/** CPU time (ms) used so far by every process whose command name is `comm` (e.g. the PostgreSQL backends), from /proc. */
export function cpuMsOfCommand(comm: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== comm) continue;
      const f = stat.slice(close + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone meanwhile */
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** CPU time (ms) used so far by one process, from /proc; NaN when it is gone. */
export function cpuMsOfPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
