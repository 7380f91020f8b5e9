import { useCallback, useEffect, useState } from 'react';
import type { CabinetView } from '../../../shared/domain/cabinet.js';
import type { Site } from '../../../shared/domain/site.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';

/** The site and its cabinet, reloaded when a change to this site arrives. */
export function useSiteCabinet(siteId: string) {
  const { client } = useApi();
  const [site, setSite] = useState<Site | null>(null);
  const [cabinet, setCabinet] = useState<CabinetView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    Promise.all([client.sites.get({ id: siteId }), client.cabinets.get({ siteId })])
      .then(([loadedSite, view]) => {
        setSite(loadedSite);
        setCabinet(view);
        setError(null);
      })
      .catch((cause: unknown) => setError(toUiError(cause).message));
  }, [client, siteId]);
  useEffect(reload, [reload]);
  useLiveEvents((event) => {
    if ((event.type === 'site.changed' && (event.siteId === siteId || event.siteId === null)) || event.type === 'connection.restored') reload();
  });
  return { site, cabinet, error, reload };
}
