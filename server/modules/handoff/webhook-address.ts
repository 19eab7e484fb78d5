/**
 * Where a webhook may point (SSRF guard). Unless WEBHOOK_ALLOW_PRIVATE is set
 * (local tests), a webhook must be https and its host must resolve only to
 * public addresses: loopback, private (10/8, 172.16/12, 192.168/16), link-local
 * (169.254/16, fe80::/10), CGNAT (100.64/10), unique-local (fc00::/7),
 * unspecified, multicast and reserved ranges are refused — every address a
 * name resolves to, IPv4-mapped IPv6 included. The check runs when an admin
 * saves the URL and again when a delivery connects: `guardedLookup` is the
 * connection's own DNS lookup, so the address checked is the address
 * connected to (a name re-pointed between the check and the connection —
 * DNS rebinding — cannot slip through).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, as text) is one a webhook may not reach (BlockList applies the IPv4 ranges to IPv4-mapped IPv6 too). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return true; // not an address at all
  return blocked.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** A URL host that is an IP literal and private (names are checked where they are resolved: `assertPublicHost`, `guardedLookup`). */
export function isPrivateLiteral(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 && isPrivateAddress(bare);
}

/** A destination the guard refused (private address, unresolvable name). */
export class AddressRefused extends Error {
  readonly code = 'EADDRREFUSED';
  constructor() {
    super('webhook address refused');
    this.name = 'AddressRefused';
  }
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, list) => (err ? reject(err) : resolve(list))));
}

/** Every address `hostname` (a URL's hostname) stands for is public; otherwise throws AddressRefused. */
export async function assertPublicHost(hostname: string): Promise<void> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare)) {
    if (isPrivateLiteral(bare)) throw new AddressRefused();
    return;
  }
  let list: LookupAddress[];
  try {
    list = await resolveAll(bare);
  } catch {
    throw new AddressRefused();
  }
  if (list.length === 0 || list.some((a) => isPrivateAddress(a.address))) throw new AddressRefused();
}

/** A `lookup` for the connection: resolves, refuses when any address is private, and connects to what it checked. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  resolveAll(hostname).then(
    (list) => {
      const wanted = options.family === 4 || options.family === 6 ? list.filter((a) => a.family === options.family) : list;
      if (wanted.length === 0 || list.some((a) => isPrivateAddress(a.address))) return callback(new AddressRefused() as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, l: LookupAddress[]) => void)(null, wanted);
      callback(null, wanted[0]!.address, wanted[0]!.family);
    },
    () => callback(new AddressRefused() as NodeJS.ErrnoException, '', 0),
  );
};
