import type { Database } from 'better-sqlite3';
import { bandHours, hourBalance, localDay, localHour, Tariff, type EnergyRole, type RoleHour } from '../../../../shared/domain/energy.js';
import type { Migration } from '../migrate.js';

/**
 * A site's balance decided hour by hour (issue 18): per site and local day,
 * the kWh of the cabinet's input as each hour's best meter measured it, with
 * its tariff bands and cost, the IT load, and the part of the day where both
 * were measured completely (from which efficiency and losses come). And
 * standing power caps per site and per cabinet model, with what each
 * server's BMC showed when its cap was last applied.
 */
export const energySiteHours: Migration = {
  version: 26,
  name: 'energy per site and day as hour-by-hour balance (input billed per hour, efficiency only from completely metered hours); standing power caps per site and cabinet model',
  up: (db) => {
    db.exec(`
      CREATE TABLE energy_site_daily (
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        input_kwh REAL NOT NULL,
        peak_kwh REAL NOT NULL,
        flat_kwh REAL NOT NULL,
        valley_kwh REAL NOT NULL,
        cost REAL,
        currency TEXT,
        it_kwh REAL,
        -- Over the hours where both the input and the IT load were measured completely, by different meters.
        compared_input_kwh REAL NOT NULL,
        compared_it_kwh REAL NOT NULL,
        hours INTEGER NOT NULL,
        compared_hours INTEGER NOT NULL,
        PRIMARY KEY (site_id, day)
      ) WITHOUT ROWID;
      CREATE INDEX energy_site_daily_day ON energy_site_daily (day);

      -- Standing power caps: every server of a site, or in a cabinet of a model, held to cap_watts (the site's wins).
      CREATE TABLE energy_site_caps (
        site_id TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
        cap_watts INTEGER NOT NULL CHECK (cap_watts BETWEEN 50 AND 100000),
        updated_at TEXT NOT NULL
      );
      CREATE TABLE energy_model_caps (
        template_id TEXT PRIMARY KEY,
        cap_watts INTEGER NOT NULL CHECK (cap_watts BETWEEN 50 AND 100000),
        updated_at TEXT NOT NULL
      );
      -- How far each energy counter's readings have been counted (its last reading, or the value at the end of the hour
      -- rolled last): the next hour counts from there, so a step across a polling gap is counted once, never lost.
      CREATE TABLE energy_counter_cursors (
        series_id INTEGER PRIMARY KEY REFERENCES metric_series(id) ON DELETE CASCADE,
        t INTEGER NOT NULL,
        kwh REAL NOT NULL
      );
      -- What each server's BMC showed when its cap was last applied or checked, and the limit it had before the first cap.
      CREATE TABLE energy_cap_states (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        -- The limit before the first cap (null: none) once it was read (previous_known), and what EdgeCab last had the BMC hold.
        previous_watts REAL,
        previous_known INTEGER NOT NULL DEFAULT 0 CHECK (previous_known IN (0, 1)),
        set_watts REAL,
        cap_watts INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'unsupported', 'failed', 'held')),
        limit_watts REAL,
        detail TEXT,
        checked_at TEXT NOT NULL
      );
    `);
    rebuildDays(db);
  },
};

const HOUR = 3600;
const COMPLETE_SECONDS = 0.9 * HOUR;
const KINDS_OF_ROLE: Partial<Record<EnergyRole, readonly string[]>> = { it: ['server', 'storage', 'switch'], pdu: ['pdu'], 'ups-input': ['ups'], 'ups-output': ['ups'] };

/**
 * Until now a closed hour was rolled again on every tick of the timer until
 * the next hour closed, so days were added up several times over; hours were
 * kept once (replaced, never added). Every day is rebuilt from the hours,
 * per role and as the new balance, at each region's tariff of today. A
 * version-25 database is at most days old, and hours are kept a year, so
 * the hours hold every day there is. Frozen here (not the rollup's code),
 * so a later schema the rollup writes to cannot break this step.
 */
function rebuildDays(db: Database): void {
  db.exec('DELETE FROM energy_daily');
  const tariffs = new Map<number | null, Tariff | null>();
  const tariffOf = (regionId: number | null): Tariff | null => {
    if (tariffs.has(regionId)) return tariffs.get(regionId)!;
    let found: Tariff | null = null;
    for (let id = regionId, depth = 0; id !== null && depth < 64; depth += 1) {
      const row = db.prepare('SELECT tariff FROM energy_tariffs WHERE region_id = ?').pluck().get(id) as string | undefined;
      if (row !== undefined) {
        const parsed = Tariff.safeParse(safeJson(row));
        found = parsed.success ? parsed.data : null;
        break;
      }
      id = (db.prepare('SELECT parent_id FROM regions WHERE id = ?').pluck().get(id) as number | null | undefined) ?? null;
    }
    tariffs.set(regionId, found);
    return found;
  };
  const devices = new Map<string, Map<string, number>>();
  for (const [siteId, kind, count] of db
    .prepare("SELECT c.site_id, d.kind, count(*) FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE d.kind IN ('server', 'storage', 'switch', 'pdu', 'ups') GROUP BY c.site_id, d.kind")
    .raw()
    .all() as [string, string, number][]) {
    let kinds = devices.get(siteId);
    if (!kinds) devices.set(siteId, (kinds = new Map()));
    kinds.set(kind, count);
  }
  const hourRows = db
    .prepare(
      `SELECT e.t, c.site_id, st.region_id, f.role, e.kwh, e.covered FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id JOIN devices d ON d.id = f.device_id
       JOIN cabinets c ON c.id = d.cabinet_id JOIN sites st ON st.id = c.site_id ORDER BY e.t`,
    )
    .raw()
    // All at once: the connection cannot write while it iterates (a version-25 database holds days of hours at most).
    .all() as [number, string, number | null, EnergyRole, number, number][];
  const addDay = db.prepare(
    `INSERT INTO energy_daily (site_id, day, role, kwh, peak_kwh, flat_kwh, valley_kwh, cost, currency, covered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (site_id, day, role) DO UPDATE SET kwh = kwh + excluded.kwh, peak_kwh = peak_kwh + excluded.peak_kwh, flat_kwh = flat_kwh + excluded.flat_kwh, valley_kwh = valley_kwh + excluded.valley_kwh,
       cost = CASE WHEN cost IS NULL AND excluded.cost IS NULL THEN NULL ELSE coalesce(cost, 0) + coalesce(excluded.cost, 0) END, currency = coalesce(excluded.currency, currency), covered = covered + excluded.covered`,
  );
  const addSiteDay = db.prepare(
    `INSERT INTO energy_site_daily (site_id, day, input_kwh, peak_kwh, flat_kwh, valley_kwh, cost, currency, it_kwh, compared_input_kwh, compared_it_kwh, hours, compared_hours)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
     ON CONFLICT (site_id, day) DO UPDATE SET input_kwh = input_kwh + excluded.input_kwh, peak_kwh = peak_kwh + excluded.peak_kwh, flat_kwh = flat_kwh + excluded.flat_kwh, valley_kwh = valley_kwh + excluded.valley_kwh,
       cost = CASE WHEN cost IS NULL AND excluded.cost IS NULL THEN NULL ELSE coalesce(cost, 0) + coalesce(excluded.cost, 0) END, currency = coalesce(excluded.currency, currency),
       it_kwh = CASE WHEN it_kwh IS NULL AND excluded.it_kwh IS NULL THEN NULL ELSE coalesce(it_kwh, 0) + coalesce(excluded.it_kwh, 0) END,
       compared_input_kwh = compared_input_kwh + excluded.compared_input_kwh, compared_it_kwh = compared_it_kwh + excluded.compared_it_kwh,
       hours = hours + excluded.hours, compared_hours = compared_hours + excluded.compared_hours`,
  );
  const flush = (t: number, sites: Map<string, { regionId: number | null; roles: Map<EnergyRole, { kwh: number; feeds: number; complete: number; covered: number }> }>) => {
    for (const [siteId, site] of sites) {
      const tariff = tariffOf(site.regionId);
      const period = tariff ? tariff.periods[bandHours(tariff.periods).hours[localHour(t, tariff.timeZone)] ?? 0]! : null;
      const day = localDay(t, tariff?.timeZone ?? 'Asia/Shanghai');
      const band = (kwh: number) => [period?.band === 'peak' ? kwh : 0, period?.band === 'flat' ? kwh : 0, period?.band === 'valley' ? kwh : 0] as const;
      const kinds = devices.get(siteId);
      const byRole: Partial<Record<EnergyRole, RoleHour>> = {};
      for (const [role, total] of site.roles) {
        const expected = (KINDS_OF_ROLE[role] ?? []).reduce((sum, kind) => sum + (kinds?.get(kind) ?? 0), 0);
        byRole[role] = { kwh: total.kwh, complete: total.complete === total.feeds && total.feeds >= expected };
        addDay.run(siteId, day, role, total.kwh, ...band(total.kwh), period ? total.kwh * period.price : null, tariff?.currency ?? null, total.covered);
      }
      const balance = hourBalance(byRole);
      if (balance.inputKwh === null) continue;
      const input = balance.inputKwh;
      addSiteDay.run(siteId, day, input, ...band(input), period ? input * period.price : null, tariff?.currency ?? null, balance.itKwh, balance.compared ? input : 0, balance.compared ? balance.itKwh : 0, balance.compared ? 1 : 0);
    }
  };
  let current: number | null = null;
  let sites = new Map<string, { regionId: number | null; roles: Map<EnergyRole, { kwh: number; feeds: number; complete: number; covered: number }> }>();
  for (const [t, siteId, regionId, role, kwh, covered] of hourRows) {
    if (t !== current) {
      if (current !== null) flush(current, sites);
      current = t;
      sites = new Map();
    }
    let site = sites.get(siteId);
    if (!site) sites.set(siteId, (site = { regionId, roles: new Map() }));
    const total = site.roles.get(role) ?? { kwh: 0, feeds: 0, complete: 0, covered: 0 };
    total.kwh += kwh;
    total.feeds += 1;
    if (covered >= COMPLETE_SECONDS) total.complete += 1;
    total.covered = Math.max(total.covered, covered);
    site.roles.set(role, total);
  }
  if (current !== null) flush(current, sites);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
