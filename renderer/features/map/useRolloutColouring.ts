import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { SiteState } from '../../../shared/domain/map.js';
import type { RolloutDetail, RolloutSummary } from '../../../shared/domain/rollouts.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { messageKind, toUiError } from '../../api/errors.js';
import { colourParamOfRollout, FOLLOWED_ROLLOUT_STATES, rolloutColours, rolloutIdOfColourParam } from './rollout-colours.js';

/** Rollouts send no live events: the chosen one is read again this often while its sites still change. */
const REFRESH_MS = 2000;

export interface RolloutColouring {
  /** What the select offers: rollouts that were running, paused or rolling back when listed, and the chosen one whatever its state. */
  offered: readonly RolloutSummary[];
  /** The rollout the map is coloured by (from the address, so a link or a reload keeps it), or null for health. */
  rolloutId: string | null;
  choose: (rolloutId: string | null) => void;
  /** The chosen rollout as last read; null with health chosen or before the first answer. */
  detail: RolloutDetail | null;
  /** Each site of the chosen rollout by id with its palette slot; null: colour by health. */
  colours: ReadonlyMap<string, SiteState> | null;
  /** Lists the rollouts again, so one started since the page opened can be chosen. */
  refreshOffered: () => void;
  error: string | null;
}

/**
 * The map's "colour by" choice and the chosen rollout's site states, read
 * every REFRESH_MS while it runs. A rollout that has ended keeps its last
 * states on the map and stays offered until the page is left, so what the
 * operator was watching does not vanish the moment it finishes.
 */
export function useRolloutColouring(): RolloutColouring {
  const { client } = useApi();
  const [searchParams, setSearchParams] = useSearchParams();
  const rolloutId = rolloutIdOfColourParam(searchParams.get('colour'));
  const [offeredById, setOfferedById] = useState<ReadonlyMap<string, RolloutSummary>>(new Map());
  const [detail, setDetail] = useState<RolloutDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refreshOffered = useCallback(() => {
    client.rollouts.list().then(
      (rollouts) =>
        setOfferedById((previous) => {
          const next = new Map<string, RolloutSummary>();
          for (const rollout of rollouts) {
            if (FOLLOWED_ROLLOUT_STATES.has(rollout.state) || previous.has(rollout.id) || rollout.id === rolloutId) next.set(rollout.id, rollout);
          }
          return next;
        }),
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client, rolloutId]);
  useEffect(refreshOffered, [refreshOffered]);

  const [readAgain, setReadAgain] = useState(0);
  useLiveEvents((event) => {
    // Back from offline: whatever happened meanwhile is read again, ended or not.
    if (event.type === 'connection.restored') setReadAgain((count) => count + 1);
  });
  useEffect(() => {
    if (rolloutId === null) return;
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const read = () => {
      client.rollouts.get({ id: rolloutId }).then(
        (next) => {
          if (disposed) return;
          setDetail(next);
          setError(null);
          // The chosen rollout is offered even when the list did not have it (started after the page opened).
          setOfferedById((previous) => (previous.has(next.id) ? previous : new Map([...previous, [next.id, next]])));
          if (FOLLOWED_ROLLOUT_STATES.has(next.state)) timer = setTimeout(read, REFRESH_MS);
        },
        (cause: unknown) => {
          if (disposed) return;
          const message = toUiError(cause).message;
          setError(message);
          // Not found or not allowed stays so; anything else (a dropped connection) is tried again.
          if (messageKind(message) === 'error') timer = setTimeout(read, REFRESH_MS);
        },
      );
    };
    read();
    return () => {
      disposed = true;
      if (timer) clearTimeout(timer);
    };
  }, [client, rolloutId, readAgain]);

  const choose = useCallback(
    (next: string | null) =>
      setSearchParams(
        (current) => {
          const params = new URLSearchParams(current);
          if (next === null) params.delete('colour');
          else params.set('colour', colourParamOfRollout(next));
          return params;
        },
        { replace: true },
      ),
    [setSearchParams],
  );

  // A detail of the rollout chosen before stays out until the new one is read.
  const chosenDetail = rolloutId !== null && detail?.id === rolloutId ? detail : null;
  const colours = useMemo(() => (chosenDetail ? rolloutColours(chosenDetail.sites) : null), [chosenDetail]);
  const offered = useMemo(() => [...offeredById.values()], [offeredById]);
  return { offered, rolloutId, choose, detail: chosenDetail, colours, refreshOffered, error: rolloutId === null ? null : error };
}
