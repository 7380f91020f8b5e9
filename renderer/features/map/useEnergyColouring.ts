import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { EnergyFleet } from '../../../shared/domain/energy.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
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
export function useEnergyColouring(): EnergyMapColouring {
  const { client } = useApi();
  const [searchParams, setSearchParams] = useSearchParams();
  const active = searchParams.get('colour') === ENERGY_COLOUR_PARAM;
  const [fleet, setFleet] = useState<EnergyFleet | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [readAgain, setReadAgain] = useState(0);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored') setReadAgain((count) => count + 1);
  });

  useEffect(() => {
    if (!active) return;
    let disposed = false;
    const read = () =>
      client.energy.fleet({ days: 2 }).then(
        (answer) => {
          if (disposed) return;
          setFleet(answer);
          setError(null);
        },
        (cause: unknown) => {
          if (!disposed) setError(toUiError(cause).message);
        },
      );
    void read();
    const timer = setInterval(() => void read(), REFRESH_MS);
    return () => {
      disposed = true;
      clearInterval(timer);
    };
  }, [client, active, readAgain]);

  const select = useCallback(
    () =>
      setSearchParams(
        (current) => {
          const params = new URLSearchParams(current);
          params.set('colour', ENERGY_COLOUR_PARAM);
          return params;
        },
        { replace: true },
      ),
    [setSearchParams],
  );

  const colouring = useMemo(() => (active && fleet ? energyColouring(fleet.sites) : null), [active, fleet]);
  return { active, select, colouring, error: active ? error : null };
}
