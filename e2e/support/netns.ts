/**
 * Cutting the call's media path on purpose: inside the end-to-end network namespace (only `lo`,
 * as CI runs it — scripts/test-all.sh), UDP on loopback is refused with policy-routing rules while
 * TCP (pages, sockets, SMTP) keeps working. Never touches a machine's real network: every change
 * needs E2E_NETNS=1, root, and a namespace whose only interface is `lo`.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Why UDP cannot be cut here, or null when it can. */
export function whyUdpCannotBeCut(): string | null {
  if (process.env.E2E_NETNS !== '1') return 'not inside the end-to-end network namespace (E2E_NETNS is not 1)';
  if (process.getuid?.() !== 0) return 'not root';
  const interfaces = Object.keys(os.networkInterfaces());
  if (interfaces.some((name) => name !== 'lo')) return `interfaces other than lo are present (${interfaces.join(', ')}): not the test namespace`;
  return null;
}

function ip(...args: string[]) {
  execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function rules(): string {
  return execFileSync('ip', ['rule', 'show'], { encoding: 'utf8' });
}

/** Loopback UDP is refused from now on (the `local` table moves behind a `prohibit` rule for UDP). */
export function cutUdp() {
  if (!/^100:/m.test(rules())) ip('rule', 'add', 'pref', '100', 'lookup', 'local');
  if (/^0:/m.test(rules())) ip('rule', 'del', 'pref', '0');
  if (!/^10:/m.test(rules())) ip('rule', 'add', 'pref', '10', 'ipproto', 'udp', 'prohibit');
}

/** UDP flows again. */
export function restoreUdp() {
  if (/^10:/m.test(rules())) ip('rule', 'del', 'pref', '10');
}

/** The namespace's rules as they were before `cutUdp` (idempotent; safe in a `finally`). */
export function restoreRules() {
  restoreUdp();
  if (!/^0:/m.test(rules())) ip('rule', 'add', 'pref', '0', 'lookup', 'local');
  if (/^100:/m.test(rules())) ip('rule', 'del', 'pref', '100');
}
