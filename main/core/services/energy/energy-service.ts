import type { Database } from 'better-sqlite3';
import { Access, type RegionScope } from '../../../../shared/domain/access.js';
import { INPUT_ROLES, localDay, siteBalance, Tariff, type EnergyDay, type EnergyFleet, type EnergyRole, type SiteEnergy } from '../../../../shared/domain/energy.js';
import { readSetting, writeSetting } from '../../db/settings.js';
import { NotFoundError } from '../../errors.js';
import { repeat, type Disposable, type FailureReporter } from '../../lib/disposable.js';
import type { SiteAlarms } from '../integrity/site-alarms.js';
import { EnergyStore, type SiteDayBalance } from './energy-store.js';
import { feedsOf, measureFeeds, writeHour, type FeedHour } from './rollup.js';

const HOUR = 3600;
const DAY = 86_400;
const WATERMARK = 'energy.rollup.hour';
/** An hour is rolled once the samples after its end have come (a poll every 45 s by default). */
const SETTLE_SECONDS = 5 * 60;
/** Raw samples are kept 48 h: hours older than this can no longer be rolled. */
const ROLLABLE_SECONDS = 47 * HOUR;
const HOURLY_RETENTION_SECONDS = 366 * DAY;
const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const ROLL_EVERY_MS = 5 * 60_000;
/** Feeds measured per turn of the event loop: about 50 ms of reading. */
const MEASURE_CHUNK = 500;

const ANOMALY_KEY = 'energy:anomaly';
const ANOMALY_FACTOR = 1.5;
const ANOMALY_MIN_KWH = 0.5;
const ANOMALY_MIN_WEEKS = 3;
const round1 = (value: number) => Math.round(value * 10) / 10;


/**
 * Energy per device, site and fleet: rolls closed hours of power samples and
 * energy counters into kWh (rollup.ts), keeps hours for a year and days for
 * good (with the cost at the tariff of the time), and answers the fleet and
 * site views and the CSV export.
 */
export class EnergyService implements Disposable {
  private readonly store: EnergyStore;
  private timer: Disposable | null = null;
  private disposed = false;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
    private readonly recovered: (what: string) => void = () => undefined,
    /** Where a site drawing far beyond its normal is raised and cleared. */
    private readonly alarms: Pick<SiteAlarms, 'apply'> | null = null,
  ) {
    this.store = new EnergyStore(db);
  }

  start(): void {
    this.disposed = false;
    this.timer ??= repeat('energy.rollup', ROLL_EVERY_MS, () => this.rollDueHoursInTurns(), this.report, this.recovered);
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.timer = null;
  }

  /**
   * The timer's work: every hour due, one at a time. An hour's samples are
   * read a few hundred feeds per turn of the event loop and written in one
   * short transaction with the watermark, so an hour of 10,000 devices never
   * holds polls and requests for the second its reading takes.
   */
  async rollDueHoursInTurns(): Promise<{ hours: number; rows: number }> {
    let hours = 0;
    let rows = 0;
    while (!this.disposed) {
      const hour = this.dueHours(Math.floor(this.now().getTime() / 1000))[0];
      if (hour === undefined) break;
      const feeds = feedsOf(this.store);
      await new Promise((resolve) => setImmediate(resolve));
      const measured: FeedHour[] = [];
      for (let index = 0; index < feeds.length; index += MEASURE_CHUNK) {
        measured.push(...measureFeeds(this.store, hour, feeds.slice(index, index + MEASURE_CHUNK)));
        await new Promise((resolve) => setImmediate(resolve));
        if (this.disposed) return { hours, rows };
      }
      const written = this.commitHour(hour, measured, this.tariffCache());
      // Rolled meanwhile by a direct call: what is due is decided afresh on the next tick.
      if (written === null) break;
      hours += 1;
      rows += written;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.disposed) break;
      this.trim(Math.floor(this.now().getTime() / 1000));
    }
    return { hours, rows };
  }

  /** Hours past their year go, and counter problems past 30 days; days stay. */
  private trim(nowSeconds: number): void {
    this.store.trim(nowSeconds - HOURLY_RETENTION_SECONDS, nowSeconds - 30 * DAY);
  }

  /** The closed hours not rolled yet, oldest first, within what raw samples still cover. */
  private dueHours(nowSeconds: number): number[] {
    const lastClosed = Math.floor((nowSeconds - SETTLE_SECONDS) / HOUR) * HOUR - HOUR;
    const oldest = Math.floor((nowSeconds - ROLLABLE_SECONDS) / HOUR) * HOUR;
    // An hour at or before the watermark is never rolled again (days add up, so twice would count it twice), and the
    // watermark never moves back by itself: a clock behind it (stepped back, or a box booting before its time is set)
    // waits for time to catch up, said while it waits.
    const done = this.watermark();
    if (done > lastClosed) this.report('energy.rollup', new Error(`the clock (${new Date(nowSeconds * 1000).toISOString()}) is behind the last hour rolled (${new Date(done * 1000).toISOString()}); energy is rolled again once time passes it`));
    const hours: number[] = [];
    for (let hour = Math.max(done + HOUR, oldest); hour <= lastClosed; hour += HOUR) hours.push(hour);
    return hours;
  }

  private watermark(): number {
    return Number(readSetting(this.db, WATERMARK) ?? 0);
  }

  private tariffCache(): (regionId: number | null) => Tariff | null {
    const tariffs = new Map<number | null, Tariff | null>();
    return (regionId) => {
      if (!tariffs.has(regionId)) tariffs.set(regionId, this.tariffFor(regionId)?.tariff ?? null);
      return tariffs.get(regionId)!;
    };
  }

  /** Writes a measured hour with the watermark in one transaction; an hour rolled meanwhile (by a direct call) is not written twice. Returns the rows written, or null when it was already done. */
  private commitHour(hour: number, measured: readonly FeedHour[], tariffOf: (regionId: number | null) => Tariff | null): number | null {
    let rows: number | null;
    let carried = new Set<string>();
    try {
      rows = this.store.transaction(() => {
        if (this.watermark() >= hour) return null;
        const written = writeHour(this.store, hour, measured, tariffOf, DEFAULT_TIME_ZONE);
        writeSetting(this.db, WATERMARK, String(hour), this.now());
        carried = written.carriedSites;
        return written.rows;
      });
    } catch (error) {
      // The transaction rolled back: feeds made in it are gone, so their ids must not be remembered.
      this.store.forgetFeeds();
      throw error;
    }
    if (rows !== null) this.checkAnomaly(hour, carried);
    return rows;
  }

  /** Rolls every closed hour not rolled yet (within what raw samples still cover), or at most `maxHours`, synchronously; each hour in its own transaction, with the watermark. */
  rollClosedHours(nowSeconds = Math.floor(this.now().getTime() / 1000), maxHours = Number.POSITIVE_INFINITY): { hours: number; rows: number } {
    let hours = 0;
    let rows = 0;
    const tariffOf = this.tariffCache();
    for (const hour of this.dueHours(nowSeconds)) {
      if (hours >= maxHours) break;
      const written = this.commitHour(hour, measureFeeds(this.store, hour, feedsOf(this.store)), tariffOf);
      if (written === null) continue;
      rows += written;
      hours += 1;
    }
    if (hours > 0) this.trim(nowSeconds);
    return { hours, rows };
  }

  /**
   * Raises an alarm for each site whose input drew well beyond its normal in
   * this hour (more than half again the median of the same hour and weekday
   * of the 4 weeks before, at least 3 of them known, and 0.5 kWh more), and
   * clears it for the sites back to normal.
   */
  private checkAnomaly(hour: number, carried: ReadonlySet<string> = new Set()): void {
    if (!this.alarms) return;
    const week = 7 * DAY;
    const rows = this.store.sitesAt([hour, hour - week, hour - 2 * week, hour - 3 * week, hour - 4 * week]);
    const active = this.store.anomalousSites();
    const bySite = new Map<string, Map<EnergyRole, Map<number, number>>>();
    for (const row of rows) {
      let roles = bySite.get(row.siteId);
      if (!roles) bySite.set(row.siteId, (roles = new Map()));
      let hours = roles.get(row.role);
      if (!hours) roles.set(row.role, (hours = new Map()));
      hours.set(row.t, row.kwh);
    }
    for (const [siteId, roles] of bySite) {
      // An hour that took in a counter's energy from a polling gap draws more than it did: not a sign of waste.
      if (carried.has(siteId)) continue;
      const role = INPUT_ROLES.find((each) => roles.get(each)?.has(hour));
      if (!role) continue;
      const hours = roles.get(role)!;
      const kwh = hours.get(hour)!;
      const past = [...hours.entries()].filter(([t]) => t !== hour).map(([, value]) => value).sort((a, b) => a - b);
      if (past.length < ANOMALY_MIN_WEEKS) continue;
      const baseline = past.length % 2 ? past[(past.length - 1) / 2]! : (past[past.length / 2 - 1]! + past[past.length / 2]!) / 2;
      const anomalous = kwh > baseline * ANOMALY_FACTOR && kwh - baseline >= ANOMALY_MIN_KWH;
      if (!anomalous) {
        if (active.has(siteId)) this.alarms.apply(siteId, [], [ANOMALY_KEY]);
        continue;
      }
      const params = { kwh: round1(kwh), baseline: round1(baseline), percent: Math.round((kwh / baseline - 1) * 100), hour: new Date(hour * 1000).toISOString().slice(11, 16) + 'Z' };
      this.alarms.apply(siteId, [{ key: ANOMALY_KEY, category: 'power', severity: 'warning', message: `The site drew ${params.kwh} kWh in the hour from ${params.hour}, ${params.percent}% above its usual ${params.baseline} kWh for that hour and weekday`, messageKey: 'energyAnomaly', params }], []);
    }
  }

  /** The tariff that holds in a region: its own, else the nearest region above it that has one. */
  tariffFor(regionId: number | null): { tariff: Tariff; regionId: number; updatedAt: string } | null {
    for (let id = regionId, depth = 0; id !== null && depth < 64; id = this.store.parentOf(id), depth += 1) {
      const row = this.store.tariffOf(id);
      if (!row) continue;
      const parsed = Tariff.safeParse(safeJson(row.tariff));
      if (parsed.success) return { tariff: parsed.data, regionId: id, updatedAt: row.updatedAt };
      // One region's broken tariff prices nothing of its own; it neither stops the rollup nor falls back to a region above.
      this.report('energy.tariff', new Error(`the stored tariff of region ${id} is not valid: ${parsed.error.issues[0]?.message ?? 'unreadable'}`));
      return null;
    }
    return null;
  }

  /** A region's own tariff (null when it has none of its own). */
  regionTariff(regionId: number): { regionId: number; tariff: Tariff | null; updatedAt: string | null } {
    this.requireRegion(regionId);
    const row = this.store.tariffOf(regionId);
    return { regionId, tariff: row ? Tariff.parse(JSON.parse(row.tariff)) : null, updatedAt: row?.updatedAt ?? null };
  }

  /** Sets (or with null removes) a region's tariff; it prices the hours rolled from now on. */
  setRegionTariff(regionId: number, tariff: Tariff | null): { regionId: number; tariff: Tariff | null; updatedAt: string | null } {
    this.requireRegion(regionId);
    this.store.setTariff(regionId, tariff ? JSON.stringify(tariff) : null, this.now().toISOString());
    return this.regionTariff(regionId);
  }

  private requireRegion(regionId: number): void {
    if (!this.db.prepare('SELECT 1 FROM regions WHERE id = ?').get(regionId)) throw new NotFoundError('region', String(regionId));
  }

  site(siteId: string, days: number): SiteEnergy {
    const site = this.db.prepare('SELECT id, region_id AS regionId FROM sites WHERE id = ?').get(siteId) as { id: string; regionId: number | null } | undefined;
    if (!site) throw new NotFoundError('site', siteId);
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const tariff = this.tariffFor(site.regionId);
    const timeZone = tariff?.tariff.timeZone ?? DEFAULT_TIME_ZONE;
    const fromDay = localDay(nowSeconds - (days - 1) * DAY, timeZone);
    const byDay = new Map<string, Map<EnergyRole, { kwh: number; peak: number; flat: number; valley: number; cost: number | null }>>();
    for (const row of this.store.siteDays(siteId, fromDay)) {
      let roles = byDay.get(row.day);
      if (!roles) byDay.set(row.day, (roles = new Map()));
      roles.set(row.role, row);
    }
    const balances = new Map(this.store.siteBalanceDays(siteId, fromDay).map((row) => [row.day, row]));
    const dayRows = [...byDay.entries()].map(([day, roles]) => dayOf(day, roles, balances.get(day)));
    const since = nowSeconds - days * DAY;
    const devices = this.store.siteDevices(siteId, since);
    const lastHour = Math.floor(nowSeconds / HOUR) * HOUR - HOUR;
    const lastHourKw = new Map(this.store.hour(siteId, lastHour).map(([deviceId, role, kwh]) => [`${deviceId}\u0000${role}`, kwh]));
    const itTotal = devices.filter((device) => device.role === 'it').reduce((sum, device) => sum + device.kwh, 0);
    const inputTotal = devices.filter((device) => device.role !== 'it' && device.role !== 'cooling').reduce((max, device) => Math.max(max, device.kwh), 0);
    const hours = new Map<number, Map<EnergyRole, number>>();
    for (const row of this.store.siteHours(siteId, nowSeconds - 48 * HOUR)) {
      let roles = hours.get(row.t);
      if (!roles) hours.set(row.t, (roles = new Map()));
      roles.set(row.role, row.kwh);
    }
    const metered = this.db
      .prepare(
        `SELECT DISTINCT s.device_id FROM metric_series s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND s.unit IN ('W', 'kWh') AND d.kind IN ('server', 'storage', 'switch', 'ups', 'pdu', 'cooling')`,
      )
      .pluck()
      .all(siteId) as string[];
    const recent = new Set(devices.filter((device) => device.lastHour >= nowSeconds - DAY).map((device) => device.deviceId));
    const months = new Map<string, { month: string; inputKwh: number; cost: number | null; peakKwh: number; flatKwh: number; valleyKwh: number; days: number }>();
    for (const row of this.store.siteBalanceDays(siteId, `${localDay(nowSeconds - 366 * DAY, timeZone).slice(0, 7)}-01`)) {
      const month = row.day.slice(0, 7);
      const entry = months.get(month) ?? { month, inputKwh: 0, cost: null, peakKwh: 0, flatKwh: 0, valleyKwh: 0, days: 0 };
      entry.inputKwh += row.inputKwh;
      entry.peakKwh += row.peak;
      entry.flatKwh += row.flat;
      entry.valleyKwh += row.valley;
      if (row.cost !== null) entry.cost = (entry.cost ?? 0) + row.cost;
      entry.days += 1;
      months.set(month, entry);
    }
    return {
      siteId,
      days: dayRows,
      months: [...months.values()].sort((a, b) => a.month.localeCompare(b.month)).slice(-12),
      totals: totalsOf(dayRows, balances),
      devices: devices.map((device) => ({
        deviceId: device.deviceId,
        name: device.name,
        kind: device.kind,
        role: device.role,
        kwh: device.kwh,
        share: device.role === 'it' ? (itTotal > 0 ? device.kwh / itTotal : null) : device.role === 'cooling' ? null : inputTotal > 0 ? device.kwh / inputTotal : null,
        source: device.counters === 0 ? 'integrated' : device.counters === device.hours ? 'counter' : 'both',
        lastHourKw: lastHourKw.get(`${device.deviceId}\u0000${device.role}`) ?? null,
      })),
      hours: [...hours.entries()].map(([t, roles]) => {
        const balance = siteBalance(Object.fromEntries(roles));
        return { hour: new Date(t * 1000).toISOString(), itKwh: balance.itKwh, inputKwh: balance.inputKwh };
      }),
      tariff: tariff ? { currency: tariff.tariff.currency, timeZone: tariff.tariff.timeZone, regionId: tariff.regionId } : null,
      problems: this.store.siteProblems(siteId, since).map((problem) => ({ ...problem, at: new Date(problem.at * 1000).toISOString() })),
      metered: metered.length,
      missing: metered.filter((deviceId) => !recent.has(deviceId)),
    };
  }

  fleet(scope: RegionScope, days: number): EnergyFleet {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const fromDay = localDay(nowSeconds - (days - 1) * DAY, DEFAULT_TIME_ZONE);
    // Whole days only: yesterday and the 6 before it, against the 7 before those (today is not over).
    const weekAgo = localDay(nowSeconds - 7 * DAY, DEFAULT_TIME_ZONE);
    const twoWeeksAgo = localDay(nowSeconds - 14 * DAY, DEFAULT_TIME_ZONE);
    const today = localDay(nowSeconds, DEFAULT_TIME_ZONE);
    const yesterday = localDay(nowSeconds - DAY, DEFAULT_TIME_ZONE);
    const sites = this.store.sites().filter((site) => Access.sees(scope, site.regionId));
    const metered = this.store.meteredSites();
    const visible = new Set(sites.map((site) => site.id));
    // Per site and day: the cabinet input's kWh (what the meter bills, hour by hour) and its cost.
    const perSiteDay = new Map<string, Map<string, SiteDayBalance>>();
    for (const row of this.store.fleetBalanceDays(days >= 14 ? fromDay : twoWeeksAgo < fromDay ? twoWeeksAgo : fromDay)) {
      if (!visible.has(row.siteId)) continue;
      let daysOf = perSiteDay.get(row.siteId);
      if (!daysOf) perSiteDay.set(row.siteId, (daysOf = new Map()));
      daysOf.set(row.day, row);
    }
    const fleetDays = new Map<string, number>();
    const costs = new Map<string, number>();
    const siteRows = sites.map((site) => {
      const daysOf = perSiteDay.get(site.id) ?? new Map<string, SiteDayBalance>();
      let kwh = 0;
      let cost: number | null = null;
      let currency: string | null = null;
      // Efficiency over the days where the site's balance has one (two meters), as the site's own view counts it.
      let comparableIt = 0;
      let comparableInput = 0;
      let lastWeek = 0;
      let weekBefore = 0;
      let lastWeekDays = 0;
      let weekBeforeDays = 0;
      let lastDayKwh = 0;
      for (const [day, billed] of daysOf) {
        if (day >= weekAgo && day < today) {
          lastWeek += billed.inputKwh;
          lastWeekDays += 1;
        } else if (day >= twoWeeksAgo && day < weekAgo) {
          weekBefore += billed.inputKwh;
          weekBeforeDays += 1;
        }
        if (day === yesterday) lastDayKwh = billed.inputKwh;
        if (day < fromDay) continue;
        kwh += billed.inputKwh;
        fleetDays.set(day, (fleetDays.get(day) ?? 0) + billed.inputKwh);
        if (billed.cost !== null) {
          cost = (cost ?? 0) + billed.cost;
          currency = billed.currency;
        }
        comparableIt += billed.comparedItKwh;
        comparableInput += billed.comparedInputKwh;
      }
      if (cost !== null && currency) costs.set(currency, (costs.get(currency) ?? 0) + cost);
      return {
        siteId: site.id,
        code: site.code,
        name: site.name,
        kwh,
        cost,
        currency,
        efficiency: comparableIt > 0 ? comparableInput / comparableIt : null,
        // Per day with data, so a site recording for part of a week compares like with like; at least 3 days of each.
        change: weekBefore > 0 && lastWeek > 0 && lastWeekDays >= 3 && weekBeforeDays >= 3 ? lastWeek / lastWeekDays / (weekBefore / weekBeforeDays) - 1 : null,
        lastDayKwh,
        // Missing: the site has devices that report power, and no energy came from it yesterday or today.
        missing: metered.has(site.id) && ![...daysOf.keys()].some((day) => day >= yesterday && day <= today),
      };
    });
    siteRows.sort((a, b) => b.kwh - a.kwh || a.code.localeCompare(b.code));
    return {
      from: fromDay,
      to: today,
      totalKwh: siteRows.reduce((sum, site) => sum + site.kwh, 0),
      costs: [...costs.entries()].map(([currency, cost]) => ({ currency, cost })),
      days: [...fleetDays.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([day, kwh]) => ({ day, kwh })),
      sites: siteRows,
    };
  }

  /** Per site and day: IT load, input, losses, efficiency, kWh per band and cost, as CSV (UTF-8, a header row). */
  exportCsv(scope: RegionScope, days: number): { filename: string; csv: string } {
    const fleet = this.fleet(scope, days);
    const lines = ['site_code,site_name,day,it_kwh,input_kwh,loss_kwh,efficiency,peak_kwh,flat_kwh,valley_kwh,cost,currency,hours,compared_hours'];
    for (const site of fleet.sites) {
      const detail = this.site(site.siteId, days);
      for (const day of detail.days) {
        lines.push([textCell(site.code), textCell(site.name), day.day, num(day.itKwh), num(day.inputKwh), num(day.lossKwh), num(day.efficiency, 3), num(day.peakKwh), num(day.flatKwh), num(day.valleyKwh), num(day.cost, 2), textCell(detail.tariff?.currency ?? ''), String(day.hours), String(day.comparedHours)].join(','));
      }
    }
    return { filename: `edgecab-energy-${fleet.from}-to-${fleet.to}.csv`, csv: `${lines.join('\r\n')}\r\n` };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * A day of a site: input, bands and cost as its hours' balances add up
 * (each hour billed from its best meter), efficiency and losses only over
 * the hours where input and IT load were both measured completely; IT load
 * and cooling per role. A day rolled before hour-by-hour balances, or with
 * none, falls back to its roles.
 */
function dayOf(day: string, roles: Map<EnergyRole, { kwh: number; peak: number; flat: number; valley: number; cost: number | null }>, balance: SiteDayBalance | undefined): EnergyDay {
  const byRole = siteBalance(Object.fromEntries([...roles].map(([role, row]) => [role, row.kwh])));
  if (!balance) {
    const billed = INPUT_ROLES.map((role) => roles.get(role)).find((row) => row !== undefined);
    return { day, ...byRole, cost: billed?.cost ?? null, peakKwh: billed?.peak ?? 0, flatKwh: billed?.flat ?? 0, valleyKwh: billed?.valley ?? 0, hours: 0, comparedHours: 0 };
  }
  const compared = balance.comparedItKwh > 0;
  return {
    day,
    itKwh: balance.itKwh,
    inputKwh: balance.inputKwh,
    lossKwh: compared ? Math.max(0, balance.comparedInputKwh - balance.comparedItKwh) : null,
    coolingKwh: byRole.coolingKwh,
    efficiency: compared ? balance.comparedInputKwh / balance.comparedItKwh : null,
    cost: balance.cost,
    peakKwh: balance.peak,
    flatKwh: balance.flat,
    valleyKwh: balance.valley,
    hours: balance.hours,
    comparedHours: balance.comparedHours,
  };
}

function totalsOf(days: readonly EnergyDay[], balances: ReadonlyMap<string, SiteDayBalance>): Omit<EnergyDay, 'day'> {
  const sum = (pick: (day: EnergyDay) => number | null) => {
    const values = days.map(pick).filter((value): value is number => value !== null);
    return values.length ? values.reduce((total, value) => total + value, 0) : null;
  };
  // Efficiency over the hours compared, wherever in the span they fall; a day from before hour-by-hour balances counts as its day did.
  let comparedInput = 0;
  let comparedIt = 0;
  for (const day of days) {
    const balance = balances.get(day.day);
    if (balance) {
      comparedInput += balance.comparedInputKwh;
      comparedIt += balance.comparedItKwh;
    } else if (day.efficiency !== null) {
      comparedInput += day.inputKwh ?? 0;
      comparedIt += day.itKwh ?? 0;
    }
  }
  return {
    itKwh: sum((day) => day.itKwh),
    inputKwh: sum((day) => day.inputKwh),
    lossKwh: sum((day) => day.lossKwh),
    coolingKwh: sum((day) => day.coolingKwh),
    efficiency: comparedIt > 0 ? comparedInput / comparedIt : null,
    cost: sum((day) => day.cost),
    peakKwh: sum((day) => day.peakKwh) ?? 0,
    flatKwh: sum((day) => day.flatKwh) ?? 0,
    valleyKwh: sum((day) => day.valleyKwh) ?? 0,
    hours: sum((day) => day.hours) ?? 0,
    comparedHours: sum((day) => day.comparedHours) ?? 0,
  };
}

const num = (value: number | null, digits = 3) => (value === null ? '' : String(Math.round(value * 10 ** digits) / 10 ** digits));

/** A text cell of the CSV: a leading = + - @ (or tab, CR) is defused so a spreadsheet does not run it, and quoted when it holds a comma, quote or line end. Numbers go out as they are. */
function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
