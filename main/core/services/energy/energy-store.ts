import type { Database, Statement } from 'better-sqlite3';
import type { EnergyRole } from '../../../../shared/domain/energy.js';

export interface PowerSeries {
  seriesId: number;
  deviceId: string;
  key: string;
  unit: string;
  kind: string;
  siteId: string;
  regionId: number | null;
}

export interface HourRow {
  deviceId: string;
  role: EnergyRole;
  t: number;
  kwh: number;
  covered: number;
  counter: boolean;
}

export interface DayTotals {
  kwh: number;
  peak: number;
  flat: number;
  valley: number;
  cost: number | null;
  currency: string | null;
  covered: number;
}

/** The SQL of energy: series to read, hourly and daily rows, tariffs, problems. Statements prepared once. */
export class EnergyStore {
  private readonly statements: Record<
    'series' | 'samples' | 'putHour' | 'addDay' | 'tariff' | 'setTariff' | 'dropTariff' | 'regionParent' | 'addProblem' | 'trimProblems' | 'siteDays' | 'siteHours' | 'siteDevices' | 'siteProblems' | 'fleetDays' | 'fleetSites' | 'lastHour' | 'dropOld',
    Statement
  >;

  constructor(private readonly db: Database) {
    this.statements = {
      // Power (W) and energy counter (kWh) series of devices in a cabinet, with where they are.
      series: db.prepare(
        `SELECT s.id AS seriesId, s.device_id AS deviceId, s.key, s.unit, d.kind, c.site_id AS siteId, st.region_id AS regionId
         FROM metric_series s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id JOIN sites st ON st.id = c.site_id
         WHERE s.unit IN ('W', 'kWh')`,
      ),
      samples: db.prepare('SELECT series_id, t, v FROM metric_raw WHERE t >= ? AND t < ? ORDER BY series_id, t').raw(),
      putHour: db.prepare('INSERT OR REPLACE INTO energy_hourly (device_id, role, t, kwh, covered, counter) VALUES (?, ?, ?, ?, ?, ?)'),
      addDay: db.prepare(
        `INSERT INTO energy_daily (device_id, role, day, kwh, peak_kwh, flat_kwh, valley_kwh, cost, currency, covered) VALUES (@deviceId, @role, @day, @kwh, @peak, @flat, @valley, @cost, @currency, @covered)
         ON CONFLICT (device_id, role, day) DO UPDATE SET kwh = kwh + excluded.kwh, peak_kwh = peak_kwh + excluded.peak_kwh, flat_kwh = flat_kwh + excluded.flat_kwh, valley_kwh = valley_kwh + excluded.valley_kwh,
           cost = CASE WHEN cost IS NULL AND excluded.cost IS NULL THEN NULL ELSE coalesce(cost, 0) + coalesce(excluded.cost, 0) END, currency = coalesce(excluded.currency, currency), covered = covered + excluded.covered`,
      ),
      tariff: db.prepare('SELECT tariff, updated_at FROM energy_tariffs WHERE region_id = ?'),
      setTariff: db.prepare('INSERT OR REPLACE INTO energy_tariffs (region_id, tariff, updated_at) VALUES (?, ?, ?)'),
      dropTariff: db.prepare('DELETE FROM energy_tariffs WHERE region_id = ?'),
      regionParent: db.prepare('SELECT parent_id FROM regions WHERE id = ?').pluck(),
      addProblem: db.prepare('INSERT INTO energy_problems (device_id, at, reason) VALUES (?, ?, ?)'),
      trimProblems: db.prepare('DELETE FROM energy_problems WHERE at < ?'),
      siteDays: db.prepare(
        `SELECT e.day, e.role, sum(e.kwh) AS kwh, sum(e.peak_kwh) AS peak, sum(e.flat_kwh) AS flat, sum(e.valley_kwh) AS valley, sum(e.cost) AS cost
         FROM energy_daily e JOIN devices d ON d.id = e.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND e.day >= ? GROUP BY e.day, e.role ORDER BY e.day`,
      ),
      siteHours: db.prepare(
        `SELECT e.t, e.role, sum(e.kwh) AS kwh FROM energy_hourly e JOIN devices d ON d.id = e.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND e.t >= ? GROUP BY e.t, e.role ORDER BY e.t`,
      ),
      siteDevices: db.prepare(
        `SELECT e.device_id AS deviceId, d.name, d.kind, e.role, sum(e.kwh) AS kwh, sum(e.counter) AS counters, count(*) AS hours
         FROM energy_hourly e JOIN devices d ON d.id = e.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND e.t >= ? GROUP BY e.device_id, e.role ORDER BY kwh DESC`,
      ),
      siteProblems: db.prepare(
        `SELECT p.device_id AS deviceId, d.name, p.at, p.reason FROM energy_problems p JOIN devices d ON d.id = p.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND p.at >= ? ORDER BY p.at DESC LIMIT 50`,
      ),
      fleetDays: db.prepare(
        `SELECT e.day, c.site_id AS siteId, e.role, sum(e.kwh) AS kwh, sum(e.cost) AS cost, max(e.currency) AS currency
         FROM energy_daily e JOIN devices d ON d.id = e.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE e.day >= ? GROUP BY e.day, c.site_id, e.role`,
      ),
      fleetSites: db.prepare('SELECT s.id, s.code, s.name, s.region_id AS regionId FROM sites s ORDER BY s.code'),
      lastHour: db.prepare('SELECT device_id, role, kwh FROM energy_hourly WHERE t = ?').raw(),
      dropOld: db.prepare('DELETE FROM energy_hourly WHERE t < ?'),
    };
  }

  series(): PowerSeries[] {
    return this.statements.series.all() as PowerSeries[];
  }

  /** Raw samples in [from, to), by series id, in time order. */
  samples(from: number, to: number): Map<number, [number, number][]> {
    const bySeries = new Map<number, [number, number][]>();
    for (const [seriesId, t, v] of this.statements.samples.iterate(from, to) as Iterable<[number, number, number]>) {
      let list = bySeries.get(seriesId);
      if (!list) bySeries.set(seriesId, (list = []));
      list.push([t, v]);
    }
    return bySeries;
  }

  putHour(row: HourRow): void {
    this.statements.putHour.run(row.deviceId, row.role, row.t, row.kwh, row.covered, row.counter ? 1 : 0);
  }

  addDay(deviceId: string, role: EnergyRole, day: string, totals: DayTotals): void {
    this.statements.addDay.run({ deviceId, role, day, ...totals });
  }

  tariffOf(regionId: number): { tariff: string; updatedAt: string } | null {
    const row = this.statements.tariff.get(regionId) as { tariff: string; updated_at: string } | undefined;
    return row ? { tariff: row.tariff, updatedAt: row.updated_at } : null;
  }

  setTariff(regionId: number, tariff: string | null, at: string): void {
    if (tariff === null) this.statements.dropTariff.run(regionId);
    else this.statements.setTariff.run(regionId, tariff, at);
  }

  parentOf(regionId: number): number | null {
    return (this.statements.regionParent.get(regionId) as number | null | undefined) ?? null;
  }

  addProblem(deviceId: string, at: number, reason: string): void {
    this.statements.addProblem.run(deviceId, at, reason);
  }

  siteDays(siteId: string, fromDay: string): { day: string; role: EnergyRole; kwh: number; peak: number; flat: number; valley: number; cost: number | null }[] {
    return this.statements.siteDays.all(siteId, fromDay) as never;
  }

  siteHours(siteId: string, from: number): { t: number; role: EnergyRole; kwh: number }[] {
    return this.statements.siteHours.all(siteId, from) as never;
  }

  siteDevices(siteId: string, from: number): { deviceId: string; name: string; kind: string; role: EnergyRole; kwh: number; counters: number; hours: number }[] {
    return this.statements.siteDevices.all(siteId, from) as never;
  }

  siteProblems(siteId: string, from: number): { deviceId: string; name: string; at: number; reason: string }[] {
    return this.statements.siteProblems.all(siteId, from) as never;
  }

  fleetDays(fromDay: string): { day: string; siteId: string; role: EnergyRole; kwh: number; cost: number | null; currency: string | null }[] {
    return this.statements.fleetDays.all(fromDay) as never;
  }

  sites(): { id: string; code: string; name: string; regionId: number | null }[] {
    return this.statements.fleetSites.all() as never;
  }

  hour(t: number): [string, EnergyRole, number][] {
    return this.statements.lastHour.all(t) as [string, EnergyRole, number][];
  }

  /** Hours past retention go; days (with their cost) stay. */
  trim(beforeHour: number, problemsBefore: number): void {
    this.statements.dropOld.run(beforeHour);
    this.statements.trimProblems.run(problemsBefore);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
