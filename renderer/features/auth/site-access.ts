import { useEffect, useState } from 'react';
import type { Role } from '../../../shared/domain/access.js';
import { useApi } from '../../api/context.js';
import { allows, useAccess } from './access.js';

/** A site's region (null: in no region), or undefined until known; for screens whose objects carry only their site's id. */
export function useSiteRegion(siteId: string | undefined): number | null | undefined {
  const { client } = useApi();
  const [known, setKnown] = useState<{ siteId: string; regionId: number | null } | null>(null);
  useEffect(() => {
    if (!siteId) return;
    let live = true;
    client.sites.get({ id: siteId }).then(
      (site) => {
        if (live) setKnown({ siteId, regionId: site.regionId });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, siteId]);
  return known && known.siteId === siteId ? known.regionId : undefined;
}

/**
 * Whether the signed-in principal holds `role` on a site's region (a device's
 * or an alarm's site). A role held on every region answers at once, without
 * asking for the site.
 */
export function useCanOnSite(role: Role, siteId: string | undefined): boolean {
  const { access } = useAccess();
  const everywhere = allows(access, role, 'everywhere');
  const regionId = useSiteRegion(everywhere ? undefined : siteId);
  if (everywhere) return true;
  return siteId !== undefined && regionId !== undefined && allows(access, role, regionId);
}
