import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Access, type PrincipalView } from '../../../shared/domain/access.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { useRegions } from '../regions/useRegions.js';

interface AccessValue {
  principal: PrincipalView | null;
  /** Null until the principal is known: hide actions until then rather than flash them. */
  access: Access | null;
}

const AccessContext = createContext<AccessValue>({ principal: null, access: null });

/** Who is signed in and what they may do where, for every screen to hide what the role cannot do. */
export function AccessProvider({ children }: { children: ReactNode }) {
  const { client } = useApi();
  const { regions } = useRegions();
  const [principal, setPrincipal] = useState<PrincipalView | null>(null);
  const load = useCallback(() => {
    client.auth.me().then(setPrincipal, () => undefined);
  }, [client]);
  useEffect(load, [load]);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored') load();
  });
  const value = useMemo<AccessValue>(() => {
    if (!principal) return { principal: null, access: null };
    const parents = new Map(regions.map((region) => [region.id, region.parentId]));
    const ancestors = (id: number) => {
      const chain: number[] = [];
      for (let current: number | null | undefined = id; current !== null && current !== undefined && chain.length < 64; current = parents.get(current)) chain.push(current);
      return chain;
    };
    return { principal, access: new Access(principal, ancestors) };
  }, [principal, regions]);
  return <AccessContext.Provider value={value}>{children}</AccessContext.Provider>;
}

export function useAccess(): AccessValue {
  return useContext(AccessContext);
}

/** Whether the signed-in principal holds `role` on this region (null: a site in no region), or anywhere when regionId is 'anywhere'. */
export function useCan(role: Parameters<Access['can']>[0], regionId: number | null | 'anywhere' | 'everywhere'): boolean {
  const { access } = useAccess();
  if (!access) return false;
  if (regionId === 'anywhere') return access.canSomewhere(role);
  if (regionId === 'everywhere') return access.canEverywhere(role);
  return access.can(role, regionId);
}
