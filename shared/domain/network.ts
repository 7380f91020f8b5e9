import { z } from 'zod';

/**
 * The networks EdgeCab may reach: addresses and CIDR blocks, IPv4 and IPv6.
 * Pure parsing and matching (no node:net here), shared by the core that
 * enforces the policy and the UI that edits it.
 */

export interface IpAddress {
  family: 4 | 6;
  /** The address as a 32- or 128-bit number. */
  value: bigint;
}

export interface IpNetwork extends IpAddress {
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Dotted IPv4 only; leading zeros are refused ("010" is octal to some parsers, decimal to others). */
export function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** RFC 4291 text forms: hex groups, one "::", an IPv4 tail. Zone ids (fe80::1%eth0) are refused. */
export function parseIpv6(text: string): bigint | null {
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return null;
  let tail: bigint | null = null;
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (tail === null) return null;
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return tail === null ? value : (value & ~0xffffffffn) | tail;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** An address in any text form; an IPv4-mapped IPv6 address (::ffff:10.0.0.1) counts as the IPv4 address it carries. */
export function parseIp(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(bare);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 - MAPPED_PREFIX };
  return { family: 6, value: v6 };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** "10.20.0.0/16", "fd00::/8", or a single address (a /32 or /128). Host bits are cleared. */
export function parseNetwork(text: string): IpNetwork | null {
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || address === undefined) return null;
  const parsed = parseIp(address);
  if (!parsed) return null;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  // A mapped IPv6 network (::ffff:10.0.0.0/104) is an IPv4 one: its prefix counts the 96 mapping bits too.
  const offset = parsed.family === 4 && address.includes(':') ? 96 : 0;
  const prefix = prefixText === undefined ? BITS[parsed.family] : Number(prefixText) - offset;
  if (prefix < 0 || prefix > BITS[parsed.family]) return null;
  return { family: parsed.family, prefix, value: parsed.value & mask(parsed.family, prefix) };
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(16 * (7 - index))) & 0xffffn));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > best.length && end - start >= 2) best = { start, length: end - start };
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

export function formatAddress(address: IpAddress): string {
  if (address.family === 6) return formatIpv6(address.value);
  return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join('.');
}

/** The canonical text of a network: "10.20.0.0/16", "fd00::/8". */
export function formatNetwork(network: IpNetwork): string {
  return `${formatAddress(network)}/${network.prefix}`;
}

export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  return network.family === address.family && (address.value & mask(network.family, network.prefix)) === network.value;
}

/** Whether an address is inside one of the networks; an empty list allows everything. Text that is not an address is never allowed. */
export function isAllowedAddress(networks: readonly IpNetwork[], address: string): boolean {
  if (networks.length === 0) return true;
  const parsed = parseIp(address);
  return parsed !== null && networks.some((network) => networkContains(network, parsed));
}

export const MAX_ALLOWED_NETWORKS = 256;

export const NetworkPolicy = z.object({
  /**
   * Networks EdgeCab may open connections to for probes and the online tile
   * source (CIDR, IPv4 or IPv6; a bare address is one host). Empty: no restriction.
   */
  allowedNetworks: z
    .array(
      z
        .string()
        .trim()
        .max(64)
        .refine((text) => parseNetwork(text) !== null, { error: 'A network in CIDR notation (10.20.0.0/16, fd00::/8) or one address' }),
    )
    .max(MAX_ALLOWED_NETWORKS, { error: `At most ${MAX_ALLOWED_NETWORKS} networks` }),
});
export type NetworkPolicy = z.infer<typeof NetworkPolicy>;
