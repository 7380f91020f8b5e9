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

export interface SiteDayRow {
  day: string;
  role: EnergyRole;
  kwh: number;
  peak: number;
  flat: number;
  valley: number;
  cost: number | null;
}

export interface SiteHourRow {
  t: number;
  role: EnergyRole;
  kwh: number;
}

export interface SiteDeviceRow {
  deviceId: string;
  name: string;
  kind: string;
  role: EnergyRole;
  kwh: number;
  /** Hours counted from the device's own counter, of `hours`. */
  counters: number;
  hours: number;
  lastHour: number;
}

export interface SiteProblemRow {
  deviceId: string;
  name: string;
  at: number;
  reason: string;
}

export interface FleetDayRow {
  day: string;
  siteId: string;
  role: EnergyRole;
  kwh: number;
  cost: number | null;
  currency: string | null;
}

export interface SiteRow {
  id: string;
  code: string;
  name: string;
  regionId: number | null;
}

/** A site's day as its hours' balances add up (see hourBalance). */
export interface SiteDayBalance {
  day: string;
  inputKwh: number;
  peak: number;
  flat: number;
  valley: number;
  cost: number | null;
  currency: string | null;
  itKwh: number | null;
  comparedInputKwh: number;
  comparedItKwh: number;
  hours: number;
  comparedHours: number;
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
    'series' | 'samples' | 'cursor' | 'setCursor' | 'feed' | 'addSiteDay' | 'siteBalanceDays' | 'fleetBalanceDays' | 'devicesPerKind' | 'addFeed' | 'putHour' | 'addDay' | 'tariff' | 'setTariff' | 'dropTariff' | 'regionParent' | 'addProblem' | 'trimProblems' | 'siteDays' | 'siteHours' | 'siteDevices' | 'siteProblems' | 'fleetDays' | 'fleetSites' | 'lastHour' | 'dropOld' | 'sitesAt' | 'anomalous' | 'metered',
    Statement
  >;

  /** Feed ids by device and role: a feed never changes its id, so it is looked up once. */
  private readonly feeds = new Map<string, number>();

  constructor(private readonly db: Database) {
    // In a site's statements CROSS JOIN keeps SQLite from starting at the index on time: a site's few feeds, then each one's hours by the primary key (feed, time), beat every feed's rows of that time.
    this.statements = {
      // Power (W) and energy counter (kWh) series of devices in a cabinet, with where they are.
      series: db.prepare(
        `SELECT s.id AS seriesId, s.device_id AS deviceId, s.key, s.unit, d.kind, c.site_id AS siteId, st.region_id AS regionId
         FROM metric_series s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id JOIN sites st ON st.id = c.site_id
         WHERE s.unit IN ('W', 'kWh')`,
      ),
      // By the primary key (series, time): the span, and the one sample on each side of it (no further than the margin) that its edge trapezoids or counter steps need.
      samples: db
        .prepare(
          `SELECT t, v FROM (SELECT t, v FROM metric_raw WHERE series_id = @series AND t >= @from - @margin AND t < @from ORDER BY t DESC LIMIT 1)
           UNION ALL SELECT t, v FROM (SELECT t, v FROM metric_raw WHERE series_id = @series AND t >= @from AND t < @to ORDER BY t)
           UNION ALL SELECT t, v FROM (SELECT t, v FROM metric_raw WHERE series_id = @series AND t >= @to AND t < @to + @margin ORDER BY t LIMIT 1)`,
        )
        .raw(),
      cursor: db.prepare('SELECT t, kwh FROM energy_counter_cursors WHERE series_id = ?'),
      setCursor: db.prepare('INSERT OR REPLACE INTO energy_counter_cursors (series_id, t, kwh) VALUES (?, ?, ?)'),
      addSiteDay: db.prepare(
        `INSERT INTO energy_site_daily (site_id, day, input_kwh, peak_kwh, flat_kwh, valley_kwh, cost, currency, it_kwh, compared_input_kwh, compared_it_kwh, hours, compared_hours)
         VALUES (@siteId, @day, @inputKwh, @peak, @flat, @valley, @cost, @currency, @itKwh, @comparedInputKwh, @comparedItKwh, @hours, @comparedHours)
         ON CONFLICT (site_id, day) DO UPDATE SET input_kwh = input_kwh + excluded.input_kwh, peak_kwh = peak_kwh + excluded.peak_kwh, flat_kwh = flat_kwh + excluded.flat_kwh, valley_kwh = valley_kwh + excluded.valley_kwh,
           cost = CASE WHEN cost IS NULL AND excluded.cost IS NULL THEN NULL ELSE coalesce(cost, 0) + coalesce(excluded.cost, 0) END, currency = coalesce(excluded.currency, currency),
           it_kwh = CASE WHEN it_kwh IS NULL AND excluded.it_kwh IS NULL THEN NULL ELSE coalesce(it_kwh, 0) + coalesce(excluded.it_kwh, 0) END,
           compared_input_kwh = compared_input_kwh + excluded.compared_input_kwh, compared_it_kwh = compared_it_kwh + excluded.compared_it_kwh,
           hours = hours + excluded.hours, compared_hours = compared_hours + excluded.compared_hours`,
      ),
      siteBalanceDays: db.prepare(
        `SELECT day, input_kwh AS inputKwh, peak_kwh AS peak, flat_kwh AS flat, valley_kwh AS valley, cost, currency, it_kwh AS itKwh, compared_input_kwh AS comparedInputKwh, compared_it_kwh AS comparedItKwh, hours, compared_hours AS comparedHours
         FROM energy_site_daily WHERE site_id = ? AND day >= ?`,
      ),
      fleetBalanceDays: db.prepare(
        `SELECT site_id AS siteId, day, input_kwh AS inputKwh, peak_kwh AS peak, flat_kwh AS flat, valley_kwh AS valley, cost, currency, it_kwh AS itKwh, compared_input_kwh AS comparedInputKwh, compared_it_kwh AS comparedItKwh, hours, compared_hours AS comparedHours
         FROM energy_site_daily WHERE day >= ?`,
      ),
      // What a site's balance must hear from for a role to be measured completely.
      devicesPerKind: db
        .prepare(`SELECT c.site_id, d.kind, count(*) FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE d.kind IN ('server', 'storage', 'switch', 'pdu', 'ups') GROUP BY c.site_id, d.kind`)
        .raw(),
      feed: db.prepare('SELECT id FROM energy_feeds WHERE device_id = ? AND role = ?').pluck(),
      addFeed: db.prepare('INSERT INTO energy_feeds (device_id, role) VALUES (?, ?)'),
      putHour: db.prepare('INSERT OR REPLACE INTO energy_hourly (feed_id, t, kwh, covered, counter) VALUES (?, ?, ?, ?, ?)'),
      addDay: db.prepare(
        `INSERT INTO energy_daily (site_id, day, role, kwh, peak_kwh, flat_kwh, valley_kwh, cost, currency, covered) VALUES (@siteId, @day, @role, @kwh, @peak, @flat, @valley, @cost, @currency, @covered)
         ON CONFLICT (site_id, day, role) DO UPDATE SET kwh = kwh + excluded.kwh, peak_kwh = peak_kwh + excluded.peak_kwh, flat_kwh = flat_kwh + excluded.flat_kwh, valley_kwh = valley_kwh + excluded.valley_kwh,
           cost = CASE WHEN cost IS NULL AND excluded.cost IS NULL THEN NULL ELSE coalesce(cost, 0) + coalesce(excluded.cost, 0) END, currency = coalesce(excluded.currency, currency), covered = covered + excluded.covered`,
      ),
      tariff: db.prepare('SELECT tariff, updated_at FROM energy_tariffs WHERE region_id = ?'),
      setTariff: db.prepare('INSERT OR REPLACE INTO energy_tariffs (region_id, tariff, updated_at) VALUES (?, ?, ?)'),
      dropTariff: db.prepare('DELETE FROM energy_tariffs WHERE region_id = ?'),
      regionParent: db.prepare('SELECT parent_id FROM regions WHERE id = ?').pluck(),
      addProblem: db.prepare('INSERT INTO energy_problems (device_id, at, reason) VALUES (?, ?, ?)'),
      trimProblems: db.prepare('DELETE FROM energy_problems WHERE at < ?'),
      siteDays: db.prepare(
        'SELECT day, role, kwh, peak_kwh AS peak, flat_kwh AS flat, valley_kwh AS valley, cost FROM energy_daily WHERE site_id = ? AND day >= ? ORDER BY day',
      ),
      siteHours: db.prepare(
        `SELECT e.t, f.role, sum(e.kwh) AS kwh FROM energy_feeds f JOIN devices d ON d.id = f.device_id JOIN cabinets c ON c.id = d.cabinet_id CROSS JOIN energy_hourly e ON e.feed_id = f.id
         WHERE c.site_id = ? AND e.t >= ? GROUP BY e.t, f.role ORDER BY e.t`,
      ),
      siteDevices: db.prepare(
        `SELECT f.device_id AS deviceId, d.name, d.kind, f.role, sum(e.kwh) AS kwh, sum(e.counter) AS counters, count(*) AS hours, max(e.t) AS lastHour
         FROM energy_feeds f JOIN devices d ON d.id = f.device_id JOIN cabinets c ON c.id = d.cabinet_id CROSS JOIN energy_hourly e ON e.feed_id = f.id
         WHERE c.site_id = ? AND e.t >= ? GROUP BY f.id ORDER BY kwh DESC`,
      ),
      siteProblems: db.prepare(
        `SELECT p.device_id AS deviceId, d.name, p.at, p.reason FROM energy_problems p JOIN devices d ON d.id = p.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND p.at >= ? ORDER BY p.at DESC LIMIT 50`,
      ),
      fleetDays: db.prepare(
        'SELECT day, site_id AS siteId, role, kwh, cost, currency FROM energy_daily WHERE day >= ?',
      ),
      fleetSites: db.prepare('SELECT s.id, s.code, s.name, s.region_id AS regionId FROM sites s ORDER BY s.code'),
      lastHour: db.prepare(
        `SELECT f.device_id, f.role, e.kwh FROM energy_feeds f JOIN devices d ON d.id = f.device_id JOIN cabinets c ON c.id = d.cabinet_id CROSS JOIN energy_hourly e ON e.feed_id = f.id
         WHERE c.site_id = ? AND e.t = ?`,
      ).raw(),
      dropOld: db.prepare('DELETE FROM energy_hourly WHERE t < ?'),
      metered: db.prepare(
        `SELECT DISTINCT c.site_id FROM metric_series s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE s.unit IN ('W', 'kWh') AND d.kind IN ('server', 'storage', 'switch', 'ups', 'pdu', 'cooling')`,
      ).pluck(),
      anomalous: db.prepare("SELECT DISTINCT site_id FROM alarms WHERE condition = 'energy:anomaly' AND state = 'active'").pluck(),
      // Per site and role, the kWh of an hour and of the same hour 1 to 4 weeks before (by the hour index).
      sitesAt: db.prepare(
        `SELECT c.site_id AS siteId, f.role, e.t, sum(e.kwh) AS kwh FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id JOIN devices d ON d.id = f.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE e.t IN (?, ?, ?, ?, ?) GROUP BY c.site_id, f.role, e.t`,
      ),
    };
  }

  series(): PowerSeries[] {
    return this.statements.series.all() as PowerSeries[];
  }

  /** A series' raw samples in [from, to) and the nearest one on each side no further than `margin` seconds, in time order. */
  samples(seriesId: number, from: number, to: number, margin: number): [number, number][] {
    const rows = this.statements.samples.all({ series: seriesId, from, to, margin }) as [number, number][];
    // UNION ALL keeps its parts' order in SQLite, which promises it nowhere: checked, and sorted on the day it does not.
    for (let index = 1; index < rows.length; index += 1) if (rows[index]![0] < rows[index - 1]![0]) return rows.sort((a, b) => a[0] - b[0]);
    return rows;
  }

  /** How far a counter's readings have been counted, if they have been. */
  cursor(seriesId: number): { t: number; kwh: number } | undefined {
    return this.statements.cursor.get(seriesId) as { t: number; kwh: number } | undefined;
  }

  setCursor(seriesId: number, t: number, kwh: number): void {
    this.statements.setCursor.run(seriesId, t, kwh);
  }

  addSiteDay(row: SiteDayBalance & { siteId: string }): void {
    this.statements.addSiteDay.run(row);
  }

  siteBalanceDays(siteId: string, fromDay: string): SiteDayBalance[] {
    return this.statements.siteBalanceDays.all(siteId, fromDay) as SiteDayBalance[];
  }

  fleetBalanceDays(fromDay: string): (SiteDayBalance & { siteId: string })[] {
    return this.statements.fleetBalanceDays.all(fromDay) as (SiteDayBalance & { siteId: string })[];
  }

  /** Per site, how many devices of each kind that takes part in a balance it has. */
  devicesPerKind(): Map<string, Map<string, number>> {
    const sites = new Map<string, Map<string, number>>();
    for (const [siteId, kind, count] of this.statements.devicesPerKind.all() as [string, string, number][]) {
      let kinds = sites.get(siteId);
      if (!kinds) sites.set(siteId, (kinds = new Map()));
      kinds.set(kind, count);
    }
    return sites;
  }

  /** The feed of a device's role, made on first use. */
  feedOf(deviceId: string, role: EnergyRole): number {
    const key = `${deviceId}\u0000${role}`;
    let id = this.feeds.get(key);
    if (id === undefined) {
      id = (this.statements.feed.get(deviceId, role) as number | undefined) ?? Number(this.statements.addFeed.run(deviceId, role).lastInsertRowid);
      this.feeds.set(key, id);
    }
    return id;
  }

  putHour(row: HourRow): number {
    const feedId = this.feedOf(row.deviceId, row.role);
    this.statements.putHour.run(feedId, row.t, row.kwh, row.covered, row.counter ? 1 : 0);
    return feedId;
  }

  addDay(siteId: string, role: EnergyRole, day: string, totals: DayTotals): void {
    this.statements.addDay.run({ siteId, role, day, ...totals });
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

  siteDays(siteId: string, fromDay: string): SiteDayRow[] {
    return this.statements.siteDays.all(siteId, fromDay) as SiteDayRow[];
  }

  siteHours(siteId: string, from: number): SiteHourRow[] {
    return this.statements.siteHours.all(siteId, from) as SiteHourRow[];
  }

  siteDevices(siteId: string, from: number): SiteDeviceRow[] {
    return this.statements.siteDevices.all(siteId, from) as SiteDeviceRow[];
  }

  siteProblems(siteId: string, from: number): SiteProblemRow[] {
    return this.statements.siteProblems.all(siteId, from) as SiteProblemRow[];
  }

  fleetDays(fromDay: string): FleetDayRow[] {
    return this.statements.fleetDays.all(fromDay) as FleetDayRow[];
  }

  sites(): SiteRow[] {
    return this.statements.fleetSites.all() as SiteRow[];
  }

  /** A site's kWh per device and role in one hour. */
  hour(siteId: string, t: number): [string, EnergyRole, number][] {
    return this.statements.lastHour.all(siteId, t) as [string, EnergyRole, number][];
  }

  /** Sites with a device that reports power or energy. */
  meteredSites(): Set<string> {
    return new Set(this.statements.metered.all() as string[]);
  }

  /** After a rolled-back transaction: feed ids made in it were never kept. */
  forgetFeeds(): void {
    this.feeds.clear();
  }

  /** Sites with an energy anomaly alarm active. */
  anomalousSites(): Set<string> {
    return new Set(this.statements.anomalous.all() as string[]);
  }

  /** Per site and role, kWh at each of these five hours. */
  sitesAt(hours: readonly [number, number, number, number, number]): { siteId: string; role: EnergyRole; t: number; kwh: number }[] {
    return this.statements.sitesAt.all(...hours) as { siteId: string; role: EnergyRole; t: number; kwh: number }[];
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
