import { bandHours, counterEnergy, hourBalance, integratePower, localDay, localHour, MAX_SAMPLE_GAP_SECONDS, type CounterProblem, type EnergyRole, type HourEnergy, type RoleHour, type Tariff, type TariffBand } from '../../../../shared/domain/energy.js';
import type { EnergyStore, PowerSeries } from './energy-store.js';

const HOUR = 3600;
/** Above this a counter's step is a jump, not energy: more than a cabinet's feed can carry. */
const COUNTER_MAX_KW = 60;
/** APC and most PDUs count tenths of kWh in an unsigned 32-bit integer. */
const COUNTER_WRAP_KWH = 429_496_729.6;

/** What a series is worth in a cabinet's balance, from the device's kind and the series' key. */
export function roleOf(series: Pick<PowerSeries, 'kind' | 'key' | 'unit'>): { role: EnergyRole; counter: boolean } | null {
  if (series.unit === 'kWh') {
    if (series.kind === 'pdu' && series.key === 'pdu-energy') return { role: 'pdu', counter: true };
    // A server's chassis counter (Redfish EnvironmentMetrics.EnergykWh).
    if ((series.kind === 'server' || series.kind === 'storage') && series.key.startsWith('energy-')) return { role: 'it', counter: true };
    return null;
  }
  switch (series.kind) {
    case 'ups':
      return series.key === 'ups-power' ? { role: 'ups-output', counter: false } : series.key === 'ups-input-power' ? { role: 'ups-input', counter: false } : null;
    case 'pdu':
      return series.key === 'pdu-power' ? { role: 'pdu', counter: false } : null;
    case 'cooling':
      return { role: 'cooling', counter: false };
    case 'server':
    case 'storage':
    case 'switch':
      return { role: 'it', counter: false };
    default:
      return null;
  }
}

export interface Feed {
  deviceId: string;
  role: EnergyRole;
  siteId: string;
  regionId: number | null;
  power: number[];
  counters: number[];
}

/** A counter's reading on each side of the hour, however far (raw samples are kept 48 h): the energy of a gap in polling is still the counter's. */
const COUNTER_MARGIN_SECONDS = 2 * 86_400;
/** A role is measured completely in an hour when each of its devices covered this much of it. */
const COMPLETE_SECONDS = 0.9 * HOUR;
/** The device kinds whose every member a role must hear from to be complete. */
const KINDS_OF_ROLE: Partial<Record<EnergyRole, readonly string[]>> = { it: ['server', 'storage', 'switch'], pdu: ['pdu'], 'ups-input': ['ups'], 'ups-output': ['ups'] };

interface RoleTotal {
  kwh: number;
  feeds: number;
  completeFeeds: number;
  covered: number;
}

/** What one feed measured in the hour, before it is written. */
export interface FeedHour {
  feed: Feed;
  energy: HourEnergy;
  counter: boolean;
  problems: CounterProblem[];
}

/** Every device's feed (role) in a cabinet, with its power and counter series. */
export function feedsOf(store: EnergyStore): Feed[] {
  const feeds = new Map<string, Feed>();
  for (const each of store.series()) {
    const role = roleOf(each);
    if (!role) continue;
    const key = `${each.deviceId}\u0000${role.role}`;
    let feed = feeds.get(key);
    if (!feed) feeds.set(key, (feed = { deviceId: each.deviceId, role: role.role, siteId: each.siteId, regionId: each.regionId, power: [], counters: [] }));
    if (role.counter) feed.counters.push(each.seriesId);
    else feed.power.push(each.seriesId);
  }
  return [...feeds.values()];
}

/**
 * The energy of the clock hour starting at `hour` for these feeds: from the
 * device's counter where it has two readings or more (the reading on each
 * side of the hour however far, so a gap in polling loses nothing the
 * counter counted), else integrated from its power samples by the trapezoid
 * rule (with the sample on each side of the hour, so the trapezoids at its
 * edges are whole). Reads only: the timer measures a few hundred feeds at
 * a time between turns of the event loop, then writes the hour at once.
 */
export function measureFeeds(store: EnergyStore, hour: number, feeds: readonly Feed[]): FeedHour[] {
  const end = hour + HOUR;
  const measured: FeedHour[] = [];
  for (const feed of feeds) {
    // A device's counters (a server's chassis add up), each counting the hour it covers.
    let fromCounters: HourEnergy | undefined;
    const problems: CounterProblem[] = [];
    for (const seriesId of feed.counters) {
      const samples = store.samples(seriesId, hour, end, COUNTER_MARGIN_SECONDS);
      if (samples.length < 2) continue;
      const result = counterEnergy(samples, { maxKw: COUNTER_MAX_KW, wrapKwh: COUNTER_WRAP_KWH });
      // A step is the hour's problem when it was read in the hour (the next hour names the step read after it).
      problems.push(...result.problems.filter((problem) => problem.at >= hour && problem.at < end));
      const part = result.hours.find((each) => each.hour === hour);
      if (part) fromCounters = { hour, kwh: (fromCounters?.kwh ?? 0) + part.kwh, coveredSeconds: Math.max(fromCounters?.coveredSeconds ?? 0, part.coveredSeconds) };
    }
    let integrated: HourEnergy | undefined;
    if (feed.power.length > 0 && (!fromCounters || fromCounters.coveredSeconds < HOUR)) {
      // Each series integrated on its own, a device's chassis adding up (measured: faster than the same trapezoids in SQL).
      const parts = feed.power.map((seriesId) => integratePower(store.samples(seriesId, hour, end, MAX_SAMPLE_GAP_SECONDS)).find((each) => each.hour === hour));
      const found = parts.filter((part): part is HourEnergy => part !== undefined);
      if (found.length) integrated = { hour, kwh: found.reduce((sum, part) => sum + part.kwh, 0), coveredSeconds: Math.max(...found.map((part) => part.coveredSeconds)) };
    }
    // The counter where it covers the hour as well as the readings do; the readings where the counter missed part of it.
    const counter = fromCounters !== undefined && fromCounters.coveredSeconds >= (integrated?.coveredSeconds ?? 0);
    const energy = counter ? fromCounters : integrated;
    if (problems.length || (energy && energy.coveredSeconds > 0)) measured.push({ feed, energy: energy ?? { hour, kwh: 0, coveredSeconds: 0 }, counter, problems });
  }
  return measured;
}

/**
 * Writes a measured hour: each feed's kWh, added to its local day per role
 * and as the site's balance of that hour (hourBalance), with its cost at the
 * tariff in force now; and the counter problems read in it. Runs inside the
 * caller's transaction. Returns the rows of energy written.
 */
export function writeHour(store: EnergyStore, hour: number, measured: readonly FeedHour[], tariffOf: (regionId: number | null) => Tariff | null, defaultTimeZone = 'Asia/Shanghai'): number {
  // The hour's band, price and local day, once per tariff (every feed shares the hour).
  const pricing = new Map<Tariff | null, { day: string; band: TariffBand | null; price: number | null; currency: string | null }>();
  const priceOf = (tariff: Tariff | null) => {
    let price = pricing.get(tariff);
    if (!price) {
      const period = tariff ? tariff.periods[bandHours(tariff.periods).hours[localHour(hour, tariff.timeZone)] ?? 0]! : null;
      pricing.set(tariff, (price = { day: localDay(hour, tariff?.timeZone ?? defaultTimeZone), band: period?.band ?? null, price: period?.price ?? null, currency: tariff?.currency ?? null }));
    }
    return price;
  };
  const sites = new Map<string, { regionId: number | null; roles: Map<EnergyRole, RoleTotal> }>();
  let rows = 0;
  for (const { feed, energy, counter, problems } of measured) {
    for (const problem of problems) store.addProblem(feed.deviceId, problem.at, problem.reason);
    if (energy.coveredSeconds <= 0) continue;
    store.putHour({ deviceId: feed.deviceId, role: feed.role, t: hour, kwh: energy.kwh, covered: energy.coveredSeconds, counter });
    let site = sites.get(feed.siteId);
    if (!site) sites.set(feed.siteId, (site = { regionId: feed.regionId, roles: new Map() }));
    const total = site.roles.get(feed.role) ?? { kwh: 0, feeds: 0, completeFeeds: 0, covered: 0 };
    total.kwh += energy.kwh;
    total.feeds += 1;
    if (energy.coveredSeconds >= COMPLETE_SECONDS) total.completeFeeds += 1;
    total.covered = Math.max(total.covered, energy.coveredSeconds);
    site.roles.set(feed.role, total);
    rows += 1;
  }
  const devicesPerKind = store.devicesPerKind();
  for (const [siteId, site] of sites) {
    const price = priceOf(tariffOf(site.regionId));
    const kinds = devicesPerKind.get(siteId);
    const byRole: Partial<Record<EnergyRole, RoleHour>> = {};
    for (const [role, total] of site.roles) {
      const expected = (KINDS_OF_ROLE[role] ?? []).reduce((sum, kind) => sum + (kinds?.get(kind) ?? 0), 0);
      byRole[role] = { kwh: total.kwh, complete: total.completeFeeds === total.feeds && total.feeds >= expected };
      const band = (of: TariffBand) => (price.band === of ? total.kwh : 0);
      store.addDay(siteId, role, price.day, {
        kwh: total.kwh,
        peak: band('peak'),
        flat: band('flat'),
        valley: band('valley'),
        cost: price.price === null ? null : total.kwh * price.price,
        currency: price.currency,
        covered: total.covered,
      });
    }
    const balance = hourBalance(byRole);
    if (balance.inputKwh === null) continue;
    const input = balance.inputKwh;
    store.addSiteDay({
      siteId,
      day: price.day,
      inputKwh: input,
      peak: price.band === 'peak' ? input : 0,
      flat: price.band === 'flat' ? input : 0,
      valley: price.band === 'valley' ? input : 0,
      cost: price.price === null ? null : input * price.price,
      currency: price.currency,
      itKwh: balance.itKwh,
      comparedInputKwh: balance.compared ? input : 0,
      comparedItKwh: balance.compared ? balance.itKwh! : 0,
      hours: 1,
      comparedHours: balance.compared ? 1 : 0,
    });
  }
  return rows;
}

/** Measures and writes one hour at once (inside the caller's transaction). */
export function rollHour(store: EnergyStore, hour: number, tariffOf: (regionId: number | null) => Tariff | null, defaultTimeZone = 'Asia/Shanghai'): number {
  return writeHour(store, hour, measureFeeds(store, hour, feedsOf(store)), tariffOf, defaultTimeZone);
}
