import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { EdgecabClient } from '../../../shared/contract/index.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';

export interface ColouringAnswer<T> {
  /** The map is coloured by this (from the address, so a link or a reload keeps it). */
  active: boolean;
  /** Chooses it. */
  select: () => void;
  /** The last answer while active. */
  answer: T | null;
  error: string | null;
}

/**
 * A "colour by" choice the map reads from the server: chosen by the
 * address's `colour` parameter, read when chosen, every `refreshMs` and when
 * the connection comes back (energy per day, firmware compliance).
 */
export function useColouringAnswer<T>(param: string, read: (client: EdgecabClient) => Promise<T>, refreshMs: number): ColouringAnswer<T> {
  const { client } = useApi();
  const [searchParams, setSearchParams] = useSearchParams();
  const active = searchParams.get('colour') === param;
  const [answer, setAnswer] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [readAgain, setReadAgain] = useState(0);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored') setReadAgain((count) => count + 1);
  });

  useEffect(() => {
    if (!active) return;
    let disposed = false;
    const once = () =>
      read(client).then(
        (value) => {
          if (disposed) return;
          setAnswer(value);
          setError(null);
        },
        (cause: unknown) => {
          if (!disposed) setError(toUiError(cause).message);
        },
      );
    void once();
    const timer = setInterval(() => void once(), refreshMs);
    return () => {
      disposed = true;
      clearInterval(timer);
    };
    // `read` is a module-level function of each caller: it never changes.
  }, [client, active, readAgain, refreshMs]);

  const select = useCallback(
    () =>
      setSearchParams(
        (current) => {
          const params = new URLSearchParams(current);
          params.set('colour', param);
          return params;
        },
        { replace: true },
      ),
    [setSearchParams, param],
  );
  return { active, select, answer, error: active ? error : null };
}
