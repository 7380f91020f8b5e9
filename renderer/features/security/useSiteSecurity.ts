import { useCallback, useEffect, useState } from 'react';
import type { SiteIntegrity } from '../../../shared/domain/integrity.js';
import type { SiteIdentityView } from '../../../shared/domain/node-identity.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';

/** The site's identity and integrity report, reloaded when the site or its alarms change (a check, a poll, an acceptance). */
export function useSiteSecurity(siteId: string) {
  const { client } = useApi();
  const [identity, setIdentity] = useState<SiteIdentityView | null>(null);
  const [integrity, setIntegrity] = useState<SiteIntegrity | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    Promise.all([client.nodeIdentity.get({ siteId }), client.integrity.site({ siteId })]).then(
      ([loadedIdentity, loadedIntegrity]) => {
        setIdentity(loadedIdentity);
        setIntegrity(loadedIntegrity);
        setError(null);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client, siteId]);
  useEffect(reload, [reload]);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored' || ((event.type === 'site.changed' || event.type === 'alarm.changed') && (event.siteId === siteId || event.siteId === null))) reload();
  });
  return { identity, integrity, error, reload };
}
