import { useCallback, useEffect, useState } from 'react';
import type { Region } from '../../../shared/domain/region.js';
import { useApi, useLiveEvents } from '../../api/context.js';

/** All regions, kept current through region.changed events. */
export function useRegions(): { regions: Region[]; error: string | null; reload: () => void } {
  const { client } = useApi();
  const [regions, setRegions] = useState<Region[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.regions
      .list()
      .then((list) => {
        setRegions(list);
        setError(null);
      })
      .catch((cause: unknown) => setError(cause instanceof Error ? cause.message : String(cause)));
  }, [client]);
  useEffect(reload, [reload]);
  useLiveEvents((event) => {
    if (event.type === 'region.changed' || event.type === 'connection.restored') reload();
  });
  return { regions, error, reload };
}
