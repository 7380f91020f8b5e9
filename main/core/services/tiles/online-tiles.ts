import { readSetting, writeSetting } from '../../db/settings.js';
import type { Database, Statement } from 'better-sqlite3';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import type { z } from 'zod';
import type { OnlineTiles, OnlineTilesStatus } from '../../../../shared/domain/map.js';
import { InvalidInputError } from '../../errors.js';
import { HostUnresolvedError, NetworkNotAllowedError, type NetworkPolicyService } from '../network/network-policy.js';
import { MAX_ONLINE_TILE_BYTES } from './limits.js';

const SETTING = 'map.onlineTiles';
const DEFAULTS: OnlineTiles = { urlTemplate: null, datum: 'wgs84', maxCacheMb: 512 };
const FETCH_TIMEOUT_MS = 5000;

/** What a fetch returned, or null: not fetched (offline, refused, too large, not an image). */
type Fetched = { data: Buffer; contentType: string } | null;

/**
 * An optional online tile source. Every tile fetched is kept in SQLite for
 * later offline use, within a size bound, least recently used evicted first.
 * Offline, cached tiles are still served and missing ones are simply absent.
 * Fetches go only to addresses the network policy allows (checked on every
 * connection's DNS answer too) and each answer is bounded while it streams.
 */
export class OnlineTileCache {
  private readonly read: Statement;
  private readonly touch: Statement;
  private readonly insert: Statement;
  private lastUse = 0;
  private agent: Agent;
  private warned = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    private readonly network: NetworkPolicyService,
  ) {
    this.read = db.prepare('SELECT data, content_type FROM tile_cache WHERE z = ? AND x = ? AND y = ?');
    this.touch = db.prepare('UPDATE tile_cache SET last_used = ? WHERE z = ? AND x = ? AND y = ?');
    this.insert = db.prepare('INSERT OR REPLACE INTO tile_cache (z, x, y, data, content_type, size, last_used) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.agent = this.newAgent();
    // Connections opened under the old policy must not outlive it.
    network.onChange(() => {
      const old = this.agent;
      this.agent = this.newAgent();
      this.warned.clear();
      void old.close().catch(() => undefined);
    });
  }

  private newAgent(): Agent {
    return new Agent({ connect: { lookup: this.network.lookup, timeout: FETCH_TIMEOUT_MS }, headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS, connections: 8 });
  }

  /** Strictly increasing use stamps, so LRU order holds even within one millisecond. */
  private useStamp(): number {
    this.lastUse = Math.max(this.lastUse + 1, Date.now() * 1000);
    return this.lastUse;
  }

  settings(): OnlineTiles {
    const stored = readSetting(this.db, SETTING);
    return stored ? { ...DEFAULTS, ...(JSON.parse(stored) as Partial<OnlineTiles>) } : DEFAULTS;
  }

  status(): z.infer<typeof OnlineTilesStatus> {
    const stats = this.db.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM tile_cache').get() as { n: number; bytes: number };
    return { ...this.settings(), cachedTiles: stats.n, cachedBytes: stats.bytes };
  }

  /** Sets the source, refusing one whose host the network policy does not allow (when its addresses can be known now). */
  async setSource(settings: OnlineTiles): Promise<z.infer<typeof OnlineTilesStatus>> {
    if (settings.urlTemplate && this.network.restricted) {
      const host = new URL(settings.urlTemplate.replace(/\{[zxy]\}/g, '0')).hostname;
      try {
        await this.network.check(host);
      } catch (error) {
        if (error instanceof NetworkNotAllowedError) throw new InvalidInputError([{ field: 'urlTemplate', code: 'network_not_allowed', message: error.message }]);
        // Unresolvable now (offline): accepted; every fetch is checked anyway.
        if (!(error instanceof HostUnresolvedError)) throw error;
      }
    }
    return this.configure(settings);
  }

  configure(settings: OnlineTiles): z.infer<typeof OnlineTilesStatus> {
    const previous = this.settings();
    writeSetting(this.db, SETTING, JSON.stringify(settings), this.now());
    // Tiles from another source must not be mixed in.
    if (previous.urlTemplate !== settings.urlTemplate) this.clear();
    this.evict();
    return this.status();
  }

  clear(): void {
    this.db.prepare('DELETE FROM tile_cache').run();
  }

  private evict(): void {
    const limit = this.settings().maxCacheMb * 1024 * 1024;
    let total = (this.db.prepare('SELECT coalesce(sum(size), 0) AS bytes FROM tile_cache').get() as { bytes: number }).bytes;
    if (total <= limit) return;
    const oldest = this.db.prepare('SELECT z, x, y, size FROM tile_cache ORDER BY last_used ASC').iterate() as IterableIterator<{ z: number; x: number; y: number; size: number }>;
    const remove = this.db.prepare('DELETE FROM tile_cache WHERE z = ? AND x = ? AND y = ?');
    const victims: { z: number; x: number; y: number }[] = [];
    for (const row of oldest) {
      if (total <= limit) break;
      victims.push(row);
      total -= row.size;
    }
    this.db.transaction(() => victims.forEach((row) => remove.run(row.z, row.x, row.y)))();
  }

  /** Says once per host (until the policy changes) why its tiles are not fetched. */
  private refused(error: NetworkNotAllowedError): null {
    if (!this.warned.has(error.host)) {
      this.warned.add(error.host);
      console.warn(`edgecab: online tiles not fetched: ${error.message}`);
    }
    return null;
  }

  /** Fetches one tile, the answer bounded as it streams: a body past the limit is dropped, never buffered. */
  private async fetchTile(url: string): Promise<Fetched> {
    const { hostname } = new URL(url);
    // Address literals never reach the connector's lookup: check them here.
    if (isIP(hostname.replace(/^\[|\]$/g, '')) && !this.network.allows(hostname)) return this.refused(new NetworkNotAllowedError(hostname, hostname, this.network.get().allowedNetworks));
    // One deadline for the whole exchange (a server dripping bytes must not hold a fetch open), cleared when done so it never fires on a finished body.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), FETCH_TIMEOUT_MS);
    try {
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(url, { dispatcher: this.agent, signal: deadline.signal, maxRedirections: 0 });
      } catch (error) {
        // undici passes the connector's lookup failure through, sometimes as the cause.
        const refusal = [error, error instanceof Error ? error.cause : undefined].find((each): each is NetworkNotAllowedError => each instanceof NetworkNotAllowedError);
        return refusal ? this.refused(refusal) : null;
      }
      const { statusCode, headers, body } = response;
      body.on('error', () => undefined);
      const header = (name: string) => {
        const value = headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const contentType = header('content-type') ?? '';
      if (statusCode !== 200 || !/^image\//.test(contentType) || Number(header('content-length') ?? 0) > MAX_ONLINE_TILE_BYTES) {
        body.destroy();
        return null;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of body) {
          size += (chunk as Buffer).length;
          if (size > MAX_ONLINE_TILE_BYTES) {
            body.destroy();
            return null;
          }
          chunks.push(chunk as Buffer);
        }
      } catch {
        return null;
      }
      return size > 0 ? { data: Buffer.concat(chunks, size), contentType } : null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A tile from the cache, or fetched (and cached) when online; null when neither has it. */
  async tile(z: number, x: number, y: number): Promise<{ data: Buffer; contentType: string; cached: boolean } | null> {
    if (z < 0 || z > 22 || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) return null;
    const hit = this.read.get(z, x, y) as { data: Buffer; content_type: string } | undefined;
    if (hit) {
      this.touch.run(this.useStamp(), z, x, y);
      return { data: hit.data, contentType: hit.content_type, cached: true };
    }
    const { urlTemplate } = this.settings();
    if (!urlTemplate) return null;
    const fetched = await this.fetchTile(urlTemplate.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)));
    if (!fetched) return null;
    this.insert.run(z, x, y, fetched.data, fetched.contentType, fetched.data.length, this.useStamp());
    this.evict();
    return { ...fetched, cached: false };
  }

  /** Closes the connections to the tile server. */
  close(): Promise<void> {
    return this.agent.close().catch(() => undefined);
  }
}
