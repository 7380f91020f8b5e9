import fc from 'fast-check';
import { isIP } from 'node:net';

/**
 * Where generated requests may point EdgeCab: loopback addresses, names
 * that cannot resolve (RFC 6761 .invalid), and strings that are not a usable
 * host at all (which must be refused, not crash). Nothing here leads off
 * this machine, whatever the network policy says.
 */

const octet = fc.integer({ min: 0, max: 255 });
/** 127.77.x.y: loopback addresses nothing listens on (lab fleets use 127.100.x.y). */
export const silentLoopback = fc.tuple(octet, fc.integer({ min: 1, max: 254 })).map(([a, b]) => `127.77.${a}.${b}`);
const invalidName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).map((label) => `${label}.invalid`);

/** Host strings that break URL or address parsing in ways a careless handler does not expect. */
export const BROKEN_HOSTS = ['[', ']', '[::1', '::1]', '[]', ':', '::', ':::', '1:2:3', '-', '..', '.', '_', '127.0.0.1:', '127.0.0.1:99999', '[::ffff:7f00:1]', '0', '127.1', '0x7f.1', '999.1.1.1', '1.2.3.4.5'];

const SAFE_FALLBACK = 'https://127.77.0.9:1';

/** Keeps a generated URL's host to loopback or .invalid; a URL that does not parse is kept as it is (it must be refused). */
function tameUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) ? host.startsWith('127.') || host === '::1' : host.endsWith('.invalid') || host === 'localhost') return url;
  // The URL parser reads shorthand like "1.2.3" as 1.2.0.3: rewrite the parsed host, never the text.
  parsed.hostname = isIP(host) ? '127.77.0.9' : `${host}.invalid`;
  const again = new URL(parsed.href).hostname;
  return again === '127.77.0.9' || again.endsWith('.invalid') ? parsed.href.replace(/\/$/, '') : SAFE_FALLBACK;
}

/**
 * A BMC URL: the lab BMC, silent loopback, unresolvable names, and
 * pattern-valid strings that are no URL. `outside` adds addresses beyond
 * loopback, for probes only: they check the network policy before
 * connecting, while a stored connection is reached without it.
 */
export function redfishUrl(labBmcUrl: string, outside = false): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(labBmcUrl) },
    { weight: 2, arbitrary: silentLoopback.map((host) => `https://${host}:1`) },
    { weight: 1, arbitrary: invalidName.map((host) => `https://${host}`) },
    { weight: 1, arbitrary: fc.constantFrom('http://127.0.0.1:1', 'https://localhost:1/', 'https://[::1]:1', ...(outside ? ['https://10.1.2.3:443', 'https://0.0.0.0:1', 'https://[fe80::1]:1'] : [])) },
    { weight: 2, arbitrary: fc.constantFrom(...BROKEN_HOSTS).map((host) => `https://${host}`) },
    { weight: 2, arbitrary: fc.stringMatching(/^https?:\/\/[A-Za-z0-9.:[\]_-]+(:\d{1,5})?\/?$/).map(tameUrl) },
  );
}

/** An SNMP agent host: the lab agent's address, silent loopback, unresolvable names and broken strings (`outside`: also beyond loopback, for probes). */
export function snmpHost(outside = false): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant('127.0.0.1') },
    { weight: 1, arbitrary: silentLoopback },
    { weight: 1, arbitrary: invalidName },
    { weight: 1, arbitrary: fc.constantFrom('localhost', '::1', ...(outside ? ['10.9.8.7', 'fe80::1'] : [])) },
    { weight: 2, arbitrary: fc.constantFrom(...BROKEN_HOSTS) },
  );
}

/** A URL template for the online tile source. */
export const tileUrlTemplate: fc.Arbitrary<string | null> = fc.oneof(
  fc.constant(null),
  fc.constantFrom('https://127.0.0.1:1/{z}/{x}/{y}.png', 'https://tiles.invalid/{z}/{x}/{y}', 'https://10.1.1.1/{z}/{x}/{y}.png', 'http://[/{z}/{x}/{y}', 'https://127.0.0.1:99999/{z}/{x}/{y}', 'https://{z}.invalid/{x}/{y}', 'https://[::1]:1/{z}/{x}/{y}'),
  fc.constantFrom(...BROKEN_HOSTS).map((host) => `https://${host}/{z}/{x}/{y}`),
);

/** Addresses for the wizard's discovery: only the lab agent's address answers, so a search is quick. Invalid texts are refused before anything is reached. */
export const discoveryRanges: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('127.0.0.1') },
  { weight: 3, arbitrary: fc.constantFrom('10.0.0.0/8', '127.0.0.1/33', '127.0.0.2-127.0.0.1', '::1', 'a-b', '1.2.3', ',,,', '127.0.0.0/15', '256.1.1.1', '0.0.0.0/0') },
);

/** Management subnets for the wizard's pre-flight: loopback only (it probes up to 64 addresses on 443 and 8443). */
export const managementSubnet: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('127.77.0.0/30', '127.77.1.0/29', '127.77.2.1/32') },
  { weight: 2, arbitrary: fc.constantFrom('10.0.0.0/8', '127.77.0.0/33', '127.77.0.0', 'abc', '127.77.0.0/15', '1.2.3.4/-1', ' ') },
);

/** Network policies that keep EdgeCab on loopback (an accepted empty list, which lifts the restriction, is undone after each case). */
export const loopbackNetworks: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom<string[]>(['127.0.0.0/8'], ['127.0.0.1/32'], ['127.0.0.0/8', '::1/128'], ['127.0.0.0/8', '127.0.0.0/8']),
  fc.constantFrom<string[]>(['127.0.0.0/33'], ['nonsense'], ['127.0.0.0/8', ''], ['::ffff:127.0.0.1/200'], ['127.0.0.1/32 ']),
);
