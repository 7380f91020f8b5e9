import { bandHours, counterEnergy, hourBalance, integratePower, localDay, localHour, MAX_SAMPLE_GAP_SECONDS, type CounterProblem, type EnergyRole, type HourEnergy, type Sample, type RoleHour, type Tariff, type TariffBand } from '../../../../shared/domain/energy.js';
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

const COUNTER_LOOKAHEAD_SECONDS = 2 * 86_400;
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
  /** Where each of its counters has been counted to, once the hour is written. */
  cursors: CounterCursor[];
  /** Of the hour's kWh, what its counter counted across a polling gap that began in an hour rolled before. */
  carriedKwh: number;
}

export interface CounterCursor {
  seriesId: number;
  t: number;
  kwh: number;
}

/**
 * One counter's energy in the hour starting at `hour`, counted from where
 * the hours before left it (its cursor): a step across a polling gap that
 * began in an hour already rolled is counted in the first hour its end is
 * read in, all of it, never lost and never twice. The new cursor is the
 * counter's value at the hour's end where a reading after it is known (the
 * next hour takes the rest of that step), else its last reading. Without a
 * cursor (the counter's first hour) it counts from the reading before the
 * hour, within the margin.
 */
function counterHour(store: EnergyStore, seriesId: number, hour: number): { energy?: HourEnergy; carriedKwh: number; problems: CounterProblem[]; cursor: CounterCursor | null } {
  const end = hour + HOUR;
  // A cursor beyond this hour (left by a clock that ran ahead) says nothing about it: counted as a first hour.
  const stored = store.cursor(seriesId);
  // One older than raw samples are kept (a counter not read for days: replaced, or its site long offline) is not counted
  // from either: the step would be days of energy, or a new counter's lifetime, booked in one hour.
  const from = stored && stored.t < end && stored.t >= hour - COUNTER_LOOKAHEAD_SECONDS ? stored : undefined;
  // The first reading after the hour however far (raw samples are kept 48 h), so a gap's step is spread over its hours
  // when its end is already known; before the hour, from the cursor, or without one the reading within the margin.
  const read = store.samples(seriesId, from ? from.t + 1 : hour, end, COUNTER_LOOKAHEAD_SECONDS).filter(([t]) => (from ? t > from.t : t >= hour - MAX_SAMPLE_GAP_SECONDS));
  const samples: Sample[] = from ? [[from.t, from.kwh], ...read] : read;
  const before = samples.filter(([t]) => t <= end);
  const last = before.at(-1);
  const next = samples.find(([t]) => t > end);
  if (!last) return { carriedKwh: 0, problems: [], cursor: null };
  const options = { maxKw: COUNTER_MAX_KW, wrapKwh: COUNTER_WRAP_KWH };
  const result = counterEnergy(samples, options);
  let cursor: CounterCursor = { seriesId, t: last[0], kwh: last[1] };
  if (next && last[0] < end) {
    const step = counterEnergy([last, next], options);
    const delta = step.hours.reduce((sum, each) => sum + each.kwh, 0);
    if (step.problems.length > 0) {
      // A reset or a jump read after the hour: counted from that reading on (the next hour starts past it).
      cursor = { seriesId, t: next[0], kwh: next[1] };
    } else if (next[0] - last[0] <= 6 * HOUR) {
      cursor = { seriesId, t: end, kwh: last[1] + (delta * (end - last[0])) / (next[0] - last[0]) };
    }
  }
  // Each step is named once: by the hour whose count passes it (the next one starts from the cursor).
  const problems = result.problems.filter((problem) => problem.at > (from?.t ?? hour - 1) && problem.at <= cursor.t);
  const part = result.hours.find((each) => each.hour === hour);
  const carried = from ? result.hours.filter((each) => each.hour < hour) : [];
  let carriedKwh = carried.reduce((sum, each) => sum + each.kwh, 0);
  // A gap longer than a counter step is spread over (6 h) is booked whole in this hour: carried too.
  const first = read.find(([t]) => t < end);
  if (from && first && first[0] - from.t > 6 * HOUR) carriedKwh += Math.max(0, counterEnergy([[from.t, from.kwh], first], options).hours.reduce((sum, each) => sum + each.kwh, 0));
  if (!part && carried.length === 0) return { carriedKwh: 0, problems, cursor };
  const spread = carried.reduce((sum, each) => sum + each.kwh, 0);
  return { energy: { hour, kwh: (part?.kwh ?? 0) + spread, coveredSeconds: part?.coveredSeconds ?? 0 }, carriedKwh, problems, cursor };
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
    // A device's counters (a server's chassis add up), each counting the hour it covers from where it was counted to.
    let fromCounters: HourEnergy | undefined;
    const problems: CounterProblem[] = [];
    const cursors: CounterCursor[] = [];
    let carriedKwh = 0;
    for (const seriesId of feed.counters) {
      const counted = counterHour(store, seriesId, hour);
      problems.push(...counted.problems);
      if (counted.cursor) cursors.push(counted.cursor);
      if (!counted.energy) continue;
      carriedKwh += counted.carriedKwh;
      fromCounters = { hour, kwh: (fromCounters?.kwh ?? 0) + counted.energy.kwh, coveredSeconds: Math.max(fromCounters?.coveredSeconds ?? 0, counted.energy.coveredSeconds) };
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
    if (problems.length || cursors.length || (energy && energy.coveredSeconds > 0)) measured.push({ feed, energy: energy ?? { hour, kwh: 0, coveredSeconds: 0 }, counter, problems, cursors, carriedKwh: counter ? carriedKwh : 0 });
  }
  return measured;
}

/**
 * Writes a measured hour: each feed's kWh, added to its local day per role
 * and as the site's balance of that hour (hourBalance), with its cost at the
 * tariff in force now; and the counter problems read in it. Runs inside the
 * caller's transaction. Returns the rows of energy written.
 */
export function writeHour(store: EnergyStore, hour: number, measured: readonly FeedHour[], tariffOf: (regionId: number | null) => Tariff | null, defaultTimeZone = 'Asia/Shanghai'): { rows: number; carriedSites: Set<string> } {
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
  const carriedSites = new Set<string>();
  for (const { feed, energy, counter, problems, cursors, carriedKwh } of measured) {
    for (const problem of problems) store.addProblem(feed.deviceId, problem.at, problem.reason);
    for (const cursor of cursors) store.setCursor(cursor.seriesId, cursor.t, cursor.kwh);
    if (carriedKwh > 0) carriedSites.add(feed.siteId);
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
  return { rows, carriedSites };
}

/** Measures and writes one hour at once (inside the caller's transaction). */
export function rollHour(store: EnergyStore, hour: number, tariffOf: (regionId: number | null) => Tariff | null, defaultTimeZone = 'Asia/Shanghai'): number {
  return writeHour(store, hour, measureFeeds(store, hour, feedsOf(store)), tariffOf, defaultTimeZone).rows;
}
