import { useMemo } from 'react';
import type { EdgecabClient } from '../../../shared/contract/index.js';
import { useColouringAnswer } from './useColouringAnswer.js';
import { ENERGY_COLOUR_PARAM, energyColouring, type EnergyColouring } from './energy-colours.js';

/** Days are rolled every 5 minutes; yesterday's figure changes rarely after its hours are closed. */
const REFRESH_MS = 5 * 60_000;

export interface EnergyMapColouring {
  /** The map is coloured by energy (from the address, so a link or a reload keeps it). */
  active: boolean;
  /** Colours the map by energy. */
  select: () => void;
  /** The steps, colours and kWh of the last answer while active; null with another colouring or before the first answer. */
  colouring: EnergyColouring | null;
  error: string | null;
}

/**
 * The map's "Energy per day" colouring: every visible site's kWh of
 * yesterday from GET /energy?days=2, read when chosen, every REFRESH_MS
 * and when the connection comes back.
 */
const readFleet = (client: EdgecabClient) => client.energy.fleet({ days: 2 });

export function useEnergyColouring(): EnergyMapColouring {
  const { active, select, answer, error } = useColouringAnswer(ENERGY_COLOUR_PARAM, readFleet, REFRESH_MS);
  const colouring = useMemo(() => (active && answer ? energyColouring(answer.sites) : null), [active, answer]);
  return { active, select, colouring, error };
}
