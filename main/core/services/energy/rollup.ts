import { costOf, counterEnergy, integratePower, localDay, MAX_SAMPLE_GAP_SECONDS, type EnergyRole, type HourEnergy, type Tariff } from '../../../../shared/domain/energy.js';
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

interface Feed {
  deviceId: string;
  role: EnergyRole;
  siteId: string;
  regionId: number | null;
  power: number[];
  counters: number[];
}

/**
 * Rolls the closed clock hour starting at `hour` into energy per device and
 * role: from the device's counter where it has two readings or more, else
 * integrated from its power samples by the trapezoid rule (read from a
 * margin around the hour, so the trapezoids at its edges are whole). Each hour is also added to its
 * local day, with its cost at the tariff in force now. Runs inside the
 * caller's transaction.
 */
export function rollHour(store: EnergyStore, hour: number, tariffOf: (regionId: number | null) => Tariff | null, defaultTimeZone = 'Asia/Shanghai'): number {
  const from = hour - MAX_SAMPLE_GAP_SECONDS;
  const to = hour + HOUR + MAX_SAMPLE_GAP_SECONDS;
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
  let rows = 0;
  for (const feed of feeds.values()) {
    // A device's counters (a server's chassis add up), each counting the hour it covers.
    let fromCounters: HourEnergy | undefined;
    for (const seriesId of feed.counters) {
      const samples = store.samples(seriesId, from, to);
      if (samples.length < 2) continue;
      const result = counterEnergy(samples, { maxKw: COUNTER_MAX_KW, wrapKwh: COUNTER_WRAP_KWH });
      for (const problem of result.problems) if (problem.at >= hour && problem.at < hour + HOUR) store.addProblem(feed.deviceId, problem.at, problem.reason);
      const part = result.hours.find((each) => each.hour === hour);
      if (part) fromCounters = { hour, kwh: (fromCounters?.kwh ?? 0) + part.kwh, coveredSeconds: Math.max(fromCounters?.coveredSeconds ?? 0, part.coveredSeconds) };
    }
    let integrated: HourEnergy | undefined;
    if (feed.power.length > 0 && (!fromCounters || fromCounters.coveredSeconds < HOUR)) {
      // Each series integrated on its own, a device's chassis adding up (measured: faster than the same trapezoids in SQL).
      const parts = feed.power.map((seriesId) => integratePower(store.samples(seriesId, from, to)).find((each) => each.hour === hour));
      const found = parts.filter((part): part is HourEnergy => part !== undefined);
      if (found.length) integrated = { hour, kwh: found.reduce((sum, part) => sum + part.kwh, 0), coveredSeconds: Math.max(...found.map((part) => part.coveredSeconds)) };
    }
    // The counter where it covers the hour as well as the readings do; the readings where the counter missed part of it.
    const counter = fromCounters !== undefined && fromCounters.coveredSeconds >= (integrated?.coveredSeconds ?? 0);
    const energy = counter ? fromCounters : integrated;
    if (!energy || energy.coveredSeconds <= 0) continue;
    store.putHour({ deviceId: feed.deviceId, role: feed.role, t: hour, kwh: energy.kwh, covered: energy.coveredSeconds, counter });
    const tariff = tariffOf(feed.regionId);
    const priced = tariff ? costOf([{ hour, kwh: energy.kwh }], tariff) : null;
    store.addDay(feed.siteId, feed.role, localDay(hour, tariff?.timeZone ?? defaultTimeZone), {
      kwh: energy.kwh,
      peak: priced?.kwh.peak ?? 0,
      flat: priced?.kwh.flat ?? 0,
      valley: priced?.kwh.valley ?? 0,
      cost: priced ? priced.cost : null,
      currency: tariff?.currency ?? null,
      covered: energy.coveredSeconds,
    });
    rows += 1;
  }
  return rows;
}
