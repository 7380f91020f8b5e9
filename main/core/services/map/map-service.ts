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

  private states(siteId?: string): Map<string, { state: SiteState; lastSeen: string | null }> {
    const rows = this.db
      .prepare(
        `SELECT c.site_id, r.status, r.observed_at
         FROM device_readings r
         JOIN devices d ON d.id = r.device_id
         JOIN cabinets c ON c.id = d.cabinet_id
         WHERE r.id IN (SELECT max(id) FROM device_readings GROUP BY device_id)${siteId ? ' AND c.site_id = ?' : ''}`,
      )
      .all(...(siteId ? [siteId] : [])) as LatestRow[];
    const staleBefore = this.now().getTime() - STALE_AFTER_MS;
    const result = new Map<string, { state: SiteState; lastSeen: string | null }>();
    for (const row of rows) {
      const current = result.get(row.site_id) ?? { state: 'unknown' as SiteState, lastSeen: null };
      const fresh = Date.parse(row.observed_at) >= staleBefore;
      const state = fresh ? (READING_STATE[row.status] ?? 'unknown') : 'stale';
      result.set(row.site_id, {
        state: worseState(current.state, state),
        lastSeen: current.lastSeen === null || row.observed_at > current.lastSeen ? row.observed_at : current.lastSeen,
      });
    }
    return result;
  }

  all(): MapSite[] {
    const states = this.states();
    const rows = this.db.prepare('SELECT id, code, name, latitude, longitude, region_id FROM sites').raw().all() as [string, string, string, number, number, number | null][];
    return rows.map(([id, code, name, latitude, longitude, regionId]) => {
      const state = states.get(id);
      return [id, code, name, latitude, longitude, regionId, state?.state ?? 'unknown', state?.lastSeen ?? null];
    });
  }

  one(id: string): MapSite | null {
    const row = this.db.prepare('SELECT id, code, name, latitude, longitude, region_id FROM sites WHERE id = ?').raw().get(id) as
      | [string, string, string, number, number, number | null]
      | undefined;
    if (!row) return null;
    const state = this.states(id).get(id);
    return [...row, state?.state ?? 'unknown', state?.lastSeen ?? null];
  }
}
