import type { Database } from 'better-sqlite3';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { formatNetwork, isAllowedAddress, NetworkPolicy, parseNetwork, type IpNetwork } from '../../../../shared/domain/network.js';
import { readJsonSetting, writeSetting } from '../../db/settings.js';

const SETTING = 'network.policy';

/** EdgeCab was asked to reach an address outside the networks it may reach. */
export class NetworkNotAllowedError extends Error {
  readonly code = 'ENETPOLICY';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly allowedNetworks: readonly string[],
  ) {
    super(
      `EdgeCab may not reach ${host}${address === host ? '' : ` (${address})`}: it is outside the networks EdgeCab may reach (${allowedNetworks.join(', ')}). ` +
        'Change them under the network policy (PUT /api/v1/network/policy).',
    );
    this.name = 'NetworkNotAllowedError';
  }
}

/** A host name that did not resolve while a network policy is in force: its addresses cannot be checked, so it is not reached. */
export class HostUnresolvedError extends Error {
  constructor(
    readonly host: string,
    cause: unknown,
  ) {
    super(`${host} did not resolve (${cause instanceof Error ? cause.message : String(cause)}); with a network policy in force EdgeCab reaches only addresses it has checked`);
    this.name = 'HostUnresolvedError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** IPv6 literals come bracketed out of URL.hostname. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * "Networks EdgeCab may reach": a list of CIDR blocks stored in the settings.
 * Empty means no restriction (EdgeCab reaches whatever it is pointed at).
 * Probes and online tile fetches check every address a name resolves to
 * before connecting, and connect to a checked address only.
 */
export class NetworkPolicyService {
  private policy: NetworkPolicy;
  private networks: IpNetwork[];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {
    this.policy = readJsonSetting(db, SETTING, NetworkPolicy, { allowedNetworks: [] });
    this.networks = this.policy.allowedNetworks.flatMap((text) => parseNetwork(text) ?? []);
  }

  get(): NetworkPolicy {
    return { allowedNetworks: [...this.policy.allowedNetworks] };
  }

  /** Stores the policy in canonical form (host bits cleared, duplicates dropped). */
  set(policy: NetworkPolicy): NetworkPolicy {
    const networks: IpNetwork[] = [];
    const seen = new Set<string>();
    for (const text of NetworkPolicy.parse(policy).allowedNetworks) {
      const network = parseNetwork(text)!;
      const canonical = formatNetwork(network);
      if (seen.has(canonical)) continue;
      seen.add(canonical);
      networks.push(network);
    }
    this.policy = { allowedNetworks: [...seen] };
    this.networks = networks;
    writeSetting(this.db, SETTING, JSON.stringify(this.policy), this.now());
    for (const listener of this.listeners) listener();
    return this.get();
  }

  /** Called after every change, so holders of open connections can drop them. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get restricted(): boolean {
    return this.networks.length > 0;
  }

  /** Whether an address literal may be reached (always, without a policy). */
  allows(address: string): boolean {
    return isAllowedAddress(this.networks, bare(address));
  }

  private refuse(host: string, address: string): NetworkNotAllowedError {
    return new NetworkNotAllowedError(host, address, this.policy.allowedNetworks);
  }

  /**
   * The addresses of a host, every one of them allowed; [] when no policy is
   * in force (nothing is resolved then: today's behaviour). Throws
   * NetworkNotAllowedError or HostUnresolvedError.
   */
  async check(host: string): Promise<string[]> {
    if (!this.restricted) return [];
    const name = bare(host);
    if (isIP(name)) {
      if (!this.allows(name)) throw this.refuse(host, name);
      return [name];
    }
    let addresses: LookupAddress[];
    try {
      addresses = await lookup(name, { all: true, verbatim: true });
    } catch (error) {
      throw new HostUnresolvedError(host, error);
    }
    const refused = addresses.find((each) => !this.allows(each.address));
    if (refused) throw this.refuse(host, refused.address);
    if (addresses.length === 0) throw new HostUnresolvedError(host, new Error('no addresses'));
    return addresses.map((each) => each.address);
  }

  /**
   * The URL to connect to: unchanged without a policy; else with its host
   * name replaced by a checked address, so a name that answers differently
   * the second time (DNS rebinding) cannot lead the connection elsewhere.
   */
  async reachableUrl(url: string): Promise<URL> {
    const target = new URL(url);
    const addresses = await this.check(target.hostname);
    const first = addresses[0];
    if (first && first !== bare(target.hostname)) target.hostname = isIP(first) === 6 ? `[${first}]` : first;
    return target;
  }

  /** The host to send to: unchanged without a policy; else a checked address (IPv4 first, for UDP-over-IPv4 clients). */
  async reachableHost(host: string): Promise<string> {
    const addresses = await this.check(host);
    return addresses.find((address) => isIP(address) === 4) ?? addresses[0] ?? host;
  }

  /**
   * A `lookup` for sockets (net.connect, undici's connector): resolves as
   * usual and fails the connection when any answer is outside the policy.
   * Address literals never reach a lookup; callers check those with allows().
   */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((each) => !this.allows(each.address));
      if (refused) return callback(this.refuse(hostname, refused.address), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname}: no addresses`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
