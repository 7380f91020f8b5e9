import type { SiteState } from '../../../shared/domain/map.js';

/**
 * Colouring the map by energy: each site's kWh of yesterday (GET
 * /energy?days=2, lastDayKwh) put into one of a few steps, and each step
 * onto a slot of the map's SiteState palette as a rollout's parts are
 * (rollout-colours.ts), so the layer, its clusters and the legend work
 * unchanged. A cluster takes the "worst" slot of its members: here the
 * highest step, the biggest consumer among them. A site with nothing
 * recorded yesterday is "unknown", drawn grey as "no data". Pure, so the
 * steps are tested without a map.
 */

/** The map's `colour` query parameter for this colouring. */
export const ENERGY_COLOUR_PARAM = 'energy';

/** The palette slots of the steps, lowest energy first (in the order clusters rank them). */
export const ENERGY_SLOTS: readonly SiteState[] = ['ok', 'maintenance', 'warning', 'critical'];

/**
 * Light to dark in one hue family, apart from the health colours' meanings;
 * no data is grey. The two slots the steps do not use keep a colour all the
 * same (a site never shows them while energy is chosen).
 */
export const ENERGY_PALETTE: Record<SiteState, string> = {
  ok: '#fdd58a',
  maintenance: '#fb9a4b',
  warning: '#e4521b',
  critical: '#8c1d18',
  unreachable: '#8c1d18',
  stale: '#fb9a4b',
  unknown: '#b0bac4',
};

/** The lower bound of each step but the first (kWh), rising; empty without any site that has data. */
export type EnergySteps = readonly number[];

/** The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `value`. */
export function niceUp(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * power >= value - power * 1e-9) return factor * power;
  return 10 * power;
}

/** Equal steps of a round size: the highest value falls in the top step or the one below it. */
export function energySteps(values: Iterable<number>): EnergySteps {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  if (max <= 0) return [];
  const size = niceUp(max / ENERGY_SLOTS.length);
  return ENERGY_SLOTS.slice(1).map((_, index) => size * (index + 1));
}

/** The step a value falls in (0 is the lowest). */
export function stepOf(value: number, steps: EnergySteps): number {
  let step = 0;
  while (step < steps.length && value >= steps[step]!) step += 1;
  return step;
}

export interface EnergyColouring {
  steps: EnergySteps;
  /** Each site with energy yesterday by id, with its palette slot; a site absent from it has no data. */
  colours: ReadonlyMap<string, SiteState>;
  /** kWh yesterday of each site with data. */
  kwh: ReadonlyMap<string, number>;
}

/** The colouring of the fleet's answer: sites with nothing counted yesterday are left out (no data). */
export function energyColouring(sites: readonly { siteId: string; lastDayKwh: number }[]): EnergyColouring {
  const kwh = new Map<string, number>();
  for (const site of sites) if (site.lastDayKwh > 0) kwh.set(site.siteId, site.lastDayKwh);
  const steps = energySteps(kwh.values());
  const colours = new Map<string, SiteState>();
  for (const [siteId, value] of kwh) colours.set(siteId, ENERGY_SLOTS[stepOf(value, steps)]!);
  return { steps, colours, kwh };
}

/** Which step a palette slot stands for, or null for "no data" (and slots the steps do not use). */
export function stepOfSlot(state: SiteState): number | null {
  const index = ENERGY_SLOTS.indexOf(state);
  return index < 0 ? null : index;
}
