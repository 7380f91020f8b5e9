import { readSetting, writeSetting } from '../../db/settings.js';
import type { Database, Statement } from 'better-sqlite3';
import type { z } from 'zod';
import type { OnlineTiles, OnlineTilesStatus } from '../../../../shared/domain/map.js';

const SETTING = 'map.onlineTiles';
const DEFAULTS: OnlineTiles = { urlTemplate: null, datum: 'wgs84', maxCacheMb: 512 };
const FETCH_TIMEOUT_MS = 5000;
const MAX_TILE_BYTES = 2 * 1024 * 1024;

/**
 * An optional online tile source. Every tile fetched is kept in SQLite for
 * later offline use, within a size bound, least recently used evicted first.
 * Offline, cached tiles are still served and missing ones are simply absent.
 */
export class OnlineTileCache {
  private readonly read: Statement;
  private readonly touch: Statement;
  private readonly insert: Statement;
  private lastUse = 0;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {
    this.read = db.prepare('SELECT data, content_type FROM tile_cache WHERE z = ? AND x = ? AND y = ?');
    this.touch = db.prepare('UPDATE tile_cache SET last_used = ? WHERE z = ? AND x = ? AND y = ?');
    this.insert = db.prepare('INSERT OR REPLACE INTO tile_cache (z, x, y, data, content_type, size, last_used) VALUES (?, ?, ?, ?, ?, ?, ?)');
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
    const url = urlTemplate.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
    } catch {
      return null;
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.ok || !/^image\//.test(contentType)) return null;
    const data = Buffer.from(await response.arrayBuffer());
    if (data.length === 0 || data.length > MAX_TILE_BYTES) return null;
    this.insert.run(z, x, y, data, contentType, data.length, this.useStamp());
    this.evict();
    return { data, contentType, cached: false };
  }
}
