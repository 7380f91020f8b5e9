import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface HostPolicy {
  /** Host names (and addresses) requests may name in their Host header, lower case, without port. */
  allowed: ReadonlySet<string>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The names a Host header may carry: the configured public names, the
 * address bound to, and — when bound to every interface — this machine's
 * addresses. Anything else (a DNS-rebinding page's own name) is refused, so
 * a web page in the operator's browser cannot talk to EdgeCab as if it were
 * EdgeCab's own origin.
 */
export function hostPolicy(bindHost: string, publicNames: readonly string[]): HostPolicy {
  const allowed = new Set<string>(publicNames.map((name) => name.toLowerCase()));
  const bind = bindHost.toLowerCase();
  if (bind === '0.0.0.0' || bind === '::') {
    for (const name of LOOPBACK_NAMES) allowed.add(name);
    for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) allowed.add(address.address.toLowerCase());
  } else {
    allowed.add(bind);
    if (isLoopback(bind)) for (const name of LOOPBACK_NAMES) allowed.add(name);
  }
  return { allowed };
}

/** The host part of a Host header ("[::1]:4780" → "::1", "edgecab.example:443" → "edgecab.example"). */
export function hostOf(header: string | undefined): string | null {
  if (!header || header.length > 300) return null;
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    return end > 0 ? trimmed.slice(1, end) : null;
  }
  const colon = trimmed.lastIndexOf(':');
  const host = colon > -1 && isIP(trimmed) !== 6 ? trimmed.slice(0, colon) : trimmed;
  return /^[a-z0-9.:_-]+$/.test(host) ? host : null;
}

export function hostAllowed(policy: HostPolicy, header: string | undefined): boolean {
  const host = hostOf(header);
  return host !== null && policy.allowed.has(host);
}
