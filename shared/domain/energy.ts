import { z } from 'zod';
import { ianaTimeZone } from './validation.js';

/**
 * Energy accounting, pure: kWh from power samples (integrated) and from a
 * device's own energy counter (deltas, with wraps, resets and jumps), split
 * into clock hours; tariffs with time-of-day bands (peak, flat, valley) in a
 * time zone; a site's balance (IT load, cabinet input, losses, efficiency).
 */

/** A sample of a series: epoch seconds and a value. */
export type Sample = readonly [t: number, value: number];

/** Energy of one clock hour (epoch seconds of its start) and the seconds of it that were measured. */
export interface HourEnergy {
  hour: number;
  kwh: number;
  coveredSeconds: number;
}

/** Power samples further apart than this are a gap: nothing is counted between them. */
export const MAX_SAMPLE_GAP_SECONDS = 15 * 60;
const HOUR = 3600;

function addSpan(hours: Map<number, HourEnergy>, from: number, to: number, kwh: number): void {
  // Spread evenly over the span, cut at clock hours.
  const length = to - from;
  if (length <= 0) return;
  for (let start = from; start < to; ) {
    const hour = Math.floor(start / HOUR) * HOUR;
    const end = Math.min(to, hour + HOUR);
    const entry = hours.get(hour) ?? { hour, kwh: 0, coveredSeconds: 0 };
    entry.kwh += (kwh * (end - start)) / length;
    entry.coveredSeconds += end - start;
    hours.set(hour, entry);
    start = end;
  }
}

const sorted = (hours: Map<number, HourEnergy>) => [...hours.values()].sort((a, b) => a.hour - b.hour);

/**
 * kWh per clock hour from power samples (W), by the trapezoid rule between
 * consecutive samples; a gap longer than `maxGapSeconds` counts nothing, so
 * a device that was not read is "missing", never guessed. Samples must be
 * valid readings (the monitor drops implausible ones before they are kept).
 */
export function integratePower(samples: readonly Sample[], maxGapSeconds = MAX_SAMPLE_GAP_SECONDS): HourEnergy[] {
  const hours = new Map<number, HourEnergy>();
  for (let index = 1; index < samples.length; index += 1) {
    const [t0, w0] = samples[index - 1]!;
    const [t1, w1] = samples[index]!;
    if (t1 <= t0 || t1 - t0 > maxGapSeconds) continue;
    addSpan(hours, t0, t1, (((w0 + w1) / 2) * (t1 - t0)) / 3_600_000);
  }
  return sorted(hours);
}

/** Why a step of an energy counter was not counted. */
export interface CounterProblem {
  at: number;
  reason: string;
}

/**
 * kWh per clock hour from an energy counter's readings (kWh). A step back is
 * a reset (the device restarted or someone cleared it): what the counter
 * shows since is counted, never the negative step. A step that would mean
 * more than `maxKw` for its interval is a jump (a wrapped or garbled value)
 * and is not counted, so a day is never doubled. `wrapKwh` is where a
 * counter of fixed width rolls over, if known.
 */
export function counterEnergy(samples: readonly Sample[], options: { maxKw: number; wrapKwh?: number; maxGapSeconds?: number }): { hours: HourEnergy[]; problems: CounterProblem[] } {
  const hours = new Map<number, HourEnergy>();
  const problems: CounterProblem[] = [];
  const maxGap = options.maxGapSeconds ?? 6 * HOUR;
  for (let index = 1; index < samples.length; index += 1) {
    const [t0, k0] = samples[index - 1]!;
    const [t1, k1] = samples[index]!;
    if (t1 <= t0) continue;
    const seconds = t1 - t0;
    const ceiling = (options.maxKw * seconds) / HOUR;
    let delta = k1 - k0;
    if (delta < 0) {
      const wrapped = options.wrapKwh !== undefined ? options.wrapKwh - k0 + k1 : null;
      if (wrapped !== null && wrapped >= 0 && wrapped <= ceiling) delta = wrapped;
      else if (k1 <= ceiling) {
        problems.push({ at: t1, reason: `the counter went back from ${k0} to ${k1} kWh: counted as reset (${k1} kWh since)` });
        delta = k1;
      } else {
        problems.push({ at: t1, reason: `the counter went back from ${k0} to ${k1} kWh: not counted` });
        continue;
      }
    }
    if (delta > ceiling) {
      problems.push({ at: t1, reason: `the counter jumped by ${round(delta)} kWh in ${seconds} s (more than ${options.maxKw} kW): not counted` });
      continue;
    }
    if (seconds > maxGap) {
      // A long gap: the energy is right but its hours are not known; it is put on the hour it was read in.
      addSpan(hours, t1 - 1, t1, delta);
      continue;
    }
    addSpan(hours, t0, t1, delta);
  }
  return { hours: sorted(hours), problems };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

// ── Tariffs ──────────────────────────────────────────────────────────────

export const TARIFF_BANDS = ['peak', 'flat', 'valley'] as const;
export type TariffBand = (typeof TARIFF_BANDS)[number];

const HOUR_OF_DAY = z.number().int().min(0).max(24);

/** One band of a day: from an hour to an hour (local time; `to` before `from` spans midnight), at a price per kWh. */
export const TariffPeriod = z.object({
  band: z.enum(TARIFF_BANDS),
  from: HOUR_OF_DAY,
  to: HOUR_OF_DAY,
  price: z.number().min(0).max(100),
});
export type TariffPeriod = z.infer<typeof TariffPeriod>;

/** Which band each hour of the day (0–23) is in; an hour in none or in two is named. */
export function bandHours(periods: readonly TariffPeriod[]): { hours: (number | null)[]; problems: string[] } {
  const hours: (number | null)[] = Array.from({ length: 24 }, () => null);
  const problems: string[] = [];
  periods.forEach((period, index) => {
    const from = period.from % 24;
    const to = period.to % 24;
    if (from === to && period.from !== 0 && period.to !== 24) {
      problems.push(`period ${index + 1} (${period.band}) is empty: it starts and ends at ${period.from}:00`);
      return;
    }
    const length = from < to ? to - from : from === to ? 24 : 24 - from + to;
    for (let step = 0; step < length; step += 1) {
      const hour = (from + step) % 24;
      const taken = hours[hour];
      if (taken !== null && taken !== undefined) problems.push(`${pad(hour)}:00–${pad(hour + 1)}:00 is in period ${taken + 1} and period ${index + 1}`);
      else hours[hour] = index;
    }
  });
  hours.forEach((period, hour) => {
    if (period === null) problems.push(`${pad(hour)}:00–${pad(hour + 1)}:00 is in no period`);
  });
  return { hours, problems };
}

const pad = (hour: number) => String(hour % 24 === 0 && hour > 0 ? 24 : hour).padStart(2, '0');

export const Tariff = z
  .object({
    currency: z.string().trim().min(1).max(8).default('CNY'),
    timeZone: ianaTimeZone().default('Asia/Shanghai'),
    periods: z.array(TariffPeriod).min(1).max(24),
  })
  .superRefine((tariff, context) => {
    for (const message of bandHours(tariff.periods).problems) context.addIssue({ code: 'custom', path: ['periods'], message });
  });
export type Tariff = z.infer<typeof Tariff>;

// A formatter per time zone and use: building one costs far more than formatting with it.
const hourFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function formatIn(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) cache.set(timeZone, (format = make()));
  return format;
}

/** The hour of the day (0–23) of an instant in a time zone. */
export function localHour(epochSeconds: number, timeZone: string): number {
  const format = formatIn(hourFormats, timeZone, () => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }));
  return Number(format.format(new Date(epochSeconds * 1000))) % 24;
}

/** The local day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(epochSeconds: number, timeZone: string): string {
  const format = formatIn(dayFormats, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }));
  return format.format(new Date(epochSeconds * 1000));
}

/** Cost and kWh of hourly energy per band, for a tariff already validated. */
export function costOf(hours: readonly { hour: number; kwh: number }[], tariff: Tariff): { cost: number; kwh: Record<TariffBand, number> } {
  const bands = bandHours(tariff.periods).hours;
  const kwh: Record<TariffBand, number> = { peak: 0, flat: 0, valley: 0 };
  let cost = 0;
  for (const entry of hours) {
    const period = tariff.periods[bands[localHour(entry.hour, tariff.timeZone)] ?? 0]!;
    kwh[period.band] += entry.kwh;
    cost += entry.kwh * period.price;
  }
  return { cost, kwh };
}

// ── A site's balance ─────────────────────────────────────────────────────

/** What a device's power is, in a cabinet's balance. */
export type EnergyRole = 'it' | 'pdu' | 'ups-output' | 'ups-input' | 'cooling';

/**
 * A site's energy for a span: the IT load (servers, storage, network; the
 * PDUs' own figure where no IT device is metered), the cabinet input (UPS
 * input, else its output, else the PDUs), the losses between them, cooling
 * where metered, and the efficiency ratio (input ÷ IT load) where both are
 * measured from different meters.
 */
export function siteBalance(byRole: Partial<Record<EnergyRole, number>>): { itKwh: number | null; inputKwh: number | null; lossKwh: number | null; coolingKwh: number | null; efficiency: number | null } {
  const it = byRole.it ?? byRole.pdu ?? null;
  const input = byRole['ups-input'] ?? byRole['ups-output'] ?? byRole.pdu ?? null;
  const sameMeter = byRole.it === undefined && byRole['ups-input'] === undefined && byRole['ups-output'] === undefined;
  const comparable = it !== null && input !== null && it > 0 && !sameMeter;
  return {
    itKwh: it,
    inputKwh: input,
    lossKwh: comparable ? Math.max(0, input - it) : null,
    coolingKwh: byRole.cooling ?? null,
    efficiency: comparable ? input / it : null,
  };
}

/** One role's energy in a site's clock hour, and whether every device of that role there was measured for (nearly) the whole hour. */
export interface RoleHour {
  kwh: number;
  complete: boolean;
}

/** The roles that can be the cabinet's input, upstream first: what the site's meter would bill. */
export const INPUT_ROLES: readonly EnergyRole[] = ['ups-input', 'ups-output', 'pdu', 'it'];
/** The roles that can stand for the IT load: the IT devices themselves, else the PDU outlets that feed them. */
const IT_ROLES: readonly EnergyRole[] = ['it', 'pdu'];

/**
 * A site's balance for one clock hour, decided hour by hour so a meter that
 * came or went in the middle of a day bills only the hours it measured:
 * the input is the most upstream role measured completely (else the most
 * upstream measured at all), the IT load the IT devices where all of them
 * were measured, else the PDUs where all of them were. An efficiency is
 * compared only when both are complete and come from different meters,
 * the input upstream of the IT load; a cabinet with one server not metered
 * gives no ratio rather than one that is too high.
 */
export function hourBalance(byRole: Partial<Record<EnergyRole, RoleHour>>): { inputRole: EnergyRole | null; inputKwh: number | null; itKwh: number | null; compared: boolean } {
  const present = (roles: readonly EnergyRole[]) => roles.filter((role) => byRole[role] !== undefined);
  const pick = (roles: readonly EnergyRole[]) => present(roles).find((role) => byRole[role]!.complete) ?? present(roles)[0] ?? null;
  const inputRole = pick(INPUT_ROLES);
  const itRole = pick(IT_ROLES);
  const compared =
    inputRole !== null &&
    itRole !== null &&
    byRole[inputRole]!.complete &&
    byRole[itRole]!.complete &&
    byRole[itRole]!.kwh > 0 &&
    INPUT_ROLES.indexOf(inputRole) < INPUT_ROLES.indexOf(itRole);
  return { inputRole, inputKwh: inputRole ? byRole[inputRole]!.kwh : null, itKwh: itRole ? byRole[itRole]!.kwh : null, compared };
}

// ── Views (the contract) ─────────────────────────────────────────────────

export const ENERGY_ROLES = ['it', 'pdu', 'ups-output', 'ups-input', 'cooling'] as const;

const kwh = z.number().nullable();

export const EnergyDay = z.object({
  day: z.string(),
  itKwh: kwh,
  inputKwh: kwh,
  lossKwh: kwh,
  coolingKwh: kwh,
  efficiency: z.number().nullable(),
  cost: z.number().nullable(),
  peakKwh: z.number(),
  flatKwh: z.number(),
  valleyKwh: z.number(),
  /** Hours of the day with the cabinet input measured, and of them the hours where the IT load was measured completely too (efficiency and losses come from those alone). */
  hours: z.number().int(),
  comparedHours: z.number().int(),
});
export type EnergyDay = z.infer<typeof EnergyDay>;

export const EnergyDeviceShare = z.object({
  deviceId: z.string(),
  name: z.string(),
  kind: z.string(),
  role: z.enum(ENERGY_ROLES),
  kwh: z.number(),
  /** Of the site's IT load (or of the input, for UPS and PDU figures). */
  share: z.number().nullable(),
  /** Where the kWh come from: the device's own counter, or its power samples integrated. */
  source: z.enum(['counter', 'integrated', 'both']),
  lastHourKw: z.number().nullable(),
});

export const SiteEnergy = z.object({
  siteId: z.string(),
  days: z.array(EnergyDay),
  totals: EnergyDay.omit({ day: true }),
  devices: z.array(EnergyDeviceShare),
  hours: z.array(z.object({ hour: z.string(), itKwh: kwh, inputKwh: kwh })),
  /** The tariff that prices the site: its region's, or the nearest region above that has one. */
  tariff: z.object({ currency: z.string(), timeZone: z.string(), regionId: z.number().int() }).nullable(),
  problems: z.array(z.object({ deviceId: z.string(), name: z.string(), at: z.string(), reason: z.string() })),
  /** The cabinet input and its cost per calendar month (the site's local time), the last 12 months with energy, whatever the span asked for. */
  months: z.array(z.object({ month: z.string(), inputKwh: z.number(), cost: z.number().nullable(), peakKwh: z.number(), flatKwh: z.number(), valleyKwh: z.number(), days: z.number().int() })),
  /** Devices that can report power, and the ones of them with no energy in the last 24 hours. */
  metered: z.number().int(),
  missing: z.array(z.string()),
});
export type SiteEnergy = z.infer<typeof SiteEnergy>;

export const EnergyFleetSite = z.object({
  siteId: z.string(),
  code: z.string(),
  name: z.string(),
  kwh: z.number(),
  cost: z.number().nullable(),
  currency: z.string().nullable(),
  efficiency: z.number().nullable(),
  /** kWh per day of the last 7 whole days against the 7 before (days with data, 3 at least of each), as a fraction (0.25 is 25 % more); null without both. */
  change: z.number().nullable(),
  lastDayKwh: z.number(),
  missing: z.boolean(),
});

export const EnergyFleet = z.object({
  from: z.string(),
  to: z.string(),
  totalKwh: z.number(),
  costs: z.array(z.object({ currency: z.string(), cost: z.number() })),
  days: z.array(z.object({ day: z.string(), kwh: z.number() })),
  sites: z.array(EnergyFleetSite),
});
export type EnergyFleet = z.infer<typeof EnergyFleet>;

export const EnergyQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });
export const SiteEnergyQuery = EnergyQuery.extend({ siteId: z.string().min(1) });
export const EnergyExport = z.object({ filename: z.string(), csv: z.string() });
export const TariffInput = z.object({ regionId: z.coerce.number().int().positive(), tariff: Tariff.nullable() });
export const RegionTariffQuery = z.object({ regionId: z.coerce.number().int().positive() });
export const TariffView = z.object({ regionId: z.number().int().nullable(), tariff: Tariff.nullable(), updatedAt: z.string().nullable() });

/** A server's power limit as its BMC shows it, or why it has none. */
export const PowerLimitView = z.object({
  deviceId: z.string(),
  supported: z.boolean(),
  /** Where the BMC keeps it: a Control resource (ControlType Power) or the legacy PowerControl. */
  via: z.enum(['Control', 'PowerControl']).nullable(),
  limitWatts: z.number().nullable(),
  consumedWatts: z.number().nullable(),
  capacityWatts: z.number().nullable(),
  minWatts: z.number().nullable(),
  maxWatts: z.number().nullable(),
  reason: z.string().nullable(),
  readAt: z.string(),
});
export type PowerLimitView = z.infer<typeof PowerLimitView>;

export const PowerLimitQuery = z.object({ id: z.string().min(1) });
/** Watts to hold the server to, or null to lift the limit. */
export const PowerLimitInput = z.object({ id: z.string().min(1), watts: z.number().int().min(1).max(100_000).nullable() });

/** A site's emergency policy: while its UPS is on battery, its servers are held to `capWatts` each (where their BMC allows), and set back when mains returns. */
export const EmergencyPolicy = z.object({ siteId: z.string().min(1), enabled: z.boolean(), capWatts: z.number().int().min(50).max(100_000) });
export type EmergencyPolicy = z.infer<typeof EmergencyPolicy>;
/**
 * How long the UPS holds the cabinet: its own estimate at the load it
 * carries now, and (scaled by load, runtime ∝ 1 ÷ load, the usual first
 * approximation) with every server that draws more than the cap held to it.
 */
export function runtimeWithCap(ups: { minutes: number; loadWatts: number }, serverWatts: readonly number[], capWatts: number): { cappedLoadWatts: number; minutesWithCap: number } {
  const saved = serverWatts.reduce((sum, watts) => sum + Math.max(0, watts - capWatts), 0);
  // Servers read at another moment than the UPS can add up to more than it carries: the cap saves at most nine tenths of its load.
  const cappedLoadWatts = Math.max(ups.loadWatts * 0.1, ups.loadWatts - saved);
  return { cappedLoadWatts, minutesWithCap: ups.minutes * (ups.loadWatts / cappedLoadWatts) };
}

export const EmergencyPolicyView = EmergencyPolicy.extend({
  /** The UPS's runtime at its load now and with the cap, where it reports both runtime and load. */
  runtime: z.object({ upsId: z.string(), minutes: z.number(), loadWatts: z.number(), cappedLoadWatts: z.number(), minutesWithCap: z.number(), observedAt: z.string() }).nullable(),
  /** Servers held now, with the limit each had before (null: none), and when. */
  capped: z.array(z.object({ deviceId: z.string(), name: z.string(), previousWatts: z.number().nullable(), at: z.string() })),
});
export type EmergencyPolicyView = z.infer<typeof EmergencyPolicyView>;

// ── Standing power caps (per site, per cabinet model) ─────────────────────

const CAP_WATTS = z.number().int().min(50).max(100_000);

/** A site's standing cap: every server of the site held to `capWatts` (where its BMC limits power); null removes it (the model's cap, if any, applies again). */
export const SiteCapInput = z.object({ siteId: z.string().min(1), capWatts: CAP_WATTS.nullable() });
/** A cabinet model's standing cap: every server in a cabinet of that model, at every site without a cap of its own. */
export const ModelCapInput = z.object({ templateId: z.string().min(1).max(64), capWatts: CAP_WATTS.nullable() });
export const SiteCapsQuery = z.object({ siteId: z.string().min(1) });

/** Where a server stands with its standing cap, as EdgeCab last read it from the BMC. */
export const CAP_OUTCOMES = ['applied', 'unsupported', 'failed', 'held', 'pending'] as const;
export type CapOutcome = (typeof CAP_OUTCOMES)[number];

export const SiteCapsView = z.object({
  siteId: z.string(),
  siteCapWatts: z.number().int().nullable(),
  /** The cabinet models at the site, each with its own cap (null: none). */
  models: z.array(z.object({ templateId: z.string(), name: z.object({ en: z.string(), 'zh-CN': z.string() }), capWatts: z.number().int().nullable() })),
  servers: z.array(
    z.object({
      deviceId: z.string(),
      name: z.string(),
      /** The cap that holds for it (the site's, else its cabinet model's), or null. */
      capWatts: z.number().int().nullable(),
      source: z.enum(['site', 'model']).nullable(),
      /** applied: the BMC reads back the cap (clamped to what it allows); unsupported: it limits no power; failed: see detail; held: the emergency policy holds it now; pending: not checked yet. */
      outcome: z.enum(CAP_OUTCOMES),
      limitWatts: z.number().nullable(),
      detail: z.string().nullable(),
      checkedAt: z.string().nullable(),
    }),
  ),
});
export type SiteCapsView = z.infer<typeof SiteCapsView>;

export const ModelCapView = z.object({ templateId: z.string(), capWatts: z.number().int().nullable(), sites: z.number().int() });
