import type { Database } from 'better-sqlite3';
import { STALE_AFTER_MS, worseState, type MapSite, type SiteState } from '../../../../shared/domain/map.js';

interface LatestRow {
  site_id: string;
  status: string;
  observed_at: string;
}

const READING_STATE: Record<string, SiteState> = { ok: 'ok', warning: 'warning', critical: 'critical', unreachable: 'unreachable' };

/** Every site with the worst state of its devices' latest readings, for the map. */
export class MapService {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  private snapshot: { changeKey: string; validUntil: number; sites: readonly MapSite[] } | null = null;

  private states(siteId?: string): { bySite: Map<string, { state: SiteState; lastSeen: string | null }>; nextStaleAt: number } {
    const rows = this.db
      .prepare(
        `SELECT c.site_id, st.status, st.observed_at
         FROM device_state st
         JOIN devices d ON d.id = st.device_id
         JOIN cabinets c ON c.id = d.cabinet_id${siteId ? ' WHERE c.site_id = ?' : ''}`,
      )
      .all(...(siteId ? [siteId] : [])) as LatestRow[];
    const nowIso = this.now().toISOString();
    const inMaintenance = new Set(
      this.db.prepare(`SELECT site_id FROM maintenance_windows WHERE device_id IS NULL AND starts_at <= ? AND ends_at > ?${siteId ? ' AND site_id = ?' : ''}`).pluck().all(nowIso, nowIso, ...(siteId ? [siteId] : [])) as string[],
    );
    const staleBefore = this.now().getTime() - STALE_AFTER_MS;
    const result = new Map<string, { state: SiteState; lastSeen: string | null }>();
    let nextStaleAt = Number.POSITIVE_INFINITY;
    for (const row of rows) {
      const current = result.get(row.site_id) ?? { state: 'unknown' as SiteState, lastSeen: null };
      const observedAt = Date.parse(row.observed_at);
      const fresh = observedAt >= staleBefore;
      if (fresh) nextStaleAt = Math.min(nextStaleAt, observedAt + STALE_AFTER_MS);
      // An unreachable device keeps its last good time; it is unreachable, not merely stale.
      const state = row.status === 'unreachable' ? 'unreachable' : fresh ? (READING_STATE[row.status] ?? 'unknown') : 'stale';
      result.set(row.site_id, {
        state: worseState(current.state, state),
        lastSeen: current.lastSeen === null || row.observed_at > current.lastSeen ? row.observed_at : current.lastSeen,
      });
    }
    // A whole site in maintenance shows as such rather than as a problem nobody needs to chase.
    for (const id of inMaintenance) result.set(id, { state: 'maintenance', lastSeen: result.get(id)?.lastSeen ?? null });
    return { bySite: result, nextStaleAt };
  }

  /**
   * Every site, from a snapshot kept until the database changes or a reading
   * in it turns stale: each open map asks for all sites after every bulk
   * change, and building the list for 100,000 sites costs far more than
   * checking whether anything changed.
   */
  all(): readonly MapSite[] {
    const changeKey = this.changeKey();
    if (this.snapshot && this.snapshot.changeKey === changeKey && this.now().getTime() < this.snapshot.validUntil) return this.snapshot.sites;
    const { bySite, nextStaleAt } = this.states();
    const rows = this.db.prepare('SELECT id, code, name, latitude, longitude, region_id FROM sites').raw().all() as [string, string, string, number, number, number | null][];
    const sites = rows.map(([id, code, name, latitude, longitude, regionId]): MapSite => {
      const state = bySite.get(id);
      return [id, code, name, latitude, longitude, regionId, state?.state ?? 'unknown', state?.lastSeen ?? null];
    });
    this.snapshot = { changeKey, validUntil: nextStaleAt, sites };
    return sites;
  }

  /**
   * Changes through the core's connection (total_changes) and through any
   * other connection to the file (data_version, e.g. a CLI run meanwhile).
   */
  private changeKey(): string {
    const changes = this.db.prepare('SELECT total_changes()').pluck().get() as number;
    const version = this.db.pragma('data_version', { simple: true }) as number;
    return `${changes}:${version}`;
  }

  one(id: string): MapSite | null {
    const row = this.db.prepare('SELECT id, code, name, latitude, longitude, region_id FROM sites WHERE id = ?').raw().get(id) as
      | [string, string, string, number, number, number | null]
      | undefined;
    if (!row) return null;
    const state = this.states(id).bySite.get(id);
    return [...row, state?.state ?? 'unknown', state?.lastSeen ?? null];
  }
}
