import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Access, type PrincipalView, type Role } from '../../../shared/domain/access.js';
import { currentTransport } from '../../api/client.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { useRegions } from '../regions/useRegions.js';

interface AccessValue {
  principal: PrincipalView | null;
  /** Null until the principal is known: hide actions until then rather than flash them. */
  access: Access | null;
}

/** Where a role is needed: a region (null: a site in no region), any one region, or every region at once. */
export type Where = number | null | 'anywhere' | 'everywhere';

/**
 * The desktop app has no sign-in: its core answers for an administrator of
 * everything. Known before auth.me answers, so the desktop never hides
 * anything, even while the core's port is still arriving or restarting.
 */
const DESKTOP_PRINCIPAL: PrincipalView = { kind: 'desktop', userId: null, name: 'desktop', grants: [{ role: 'administrator', regionId: null }] };

/** A failed auth.me (e.g. the server restarting) is asked again after this long. */
const RETRY_MS = 5_000;

const AccessContext = createContext<AccessValue>({ principal: null, access: null });

/** Who is signed in and what they may do where, for every screen to hide what the role cannot do. */
export function AccessProvider({ children }: { children: ReactNode }) {
  const { client } = useApi();
  const { regions } = useRegions();
  const [principal, setPrincipal] = useState<PrincipalView | null>(() => (currentTransport() === 'desktop' ? DESKTOP_PRINCIPAL : null));
  const [attempt, setAttempt] = useState(0);
  const load = useCallback(() => setAttempt((count) => count + 1), []);
  useEffect(() => {
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    client.auth.me().then(
      (me) => {
        if (live) setPrincipal(me);
      },
      () => {
        if (live) retry = setTimeout(() => setAttempt((count) => count + 1), RETRY_MS);
      },
    );
    return () => {
      live = false;
      clearTimeout(retry);
    };
  }, [client, attempt]);
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

/** Whether `access` holds `role` at `where`; false while the principal is unknown. */
export function allows(access: Access | null, role: Role, where: Where): boolean {
  if (!access) return false;
  if (where === 'anywhere') return access.canSomewhere(role);
  if (where === 'everywhere') return access.canEverywhere(role);
  return access.can(role, where);
}

/** Whether the signed-in principal holds `role` on this region (null: a site in no region), on some region ('anywhere'), or at the root ('everywhere'). */
export function useCan(role: Role, regionId: Where): boolean {
  return allows(useAccess().access, role, regionId);
}

/**
 * For lists whose rows live in different regions: `can(role, regionId)`.
 * An unknown region (undefined: the row's site is not loaded) passes only
 * for a role held on every region.
 */
export function useCanAt(): (role: Role, regionId: number | null | undefined) => boolean {
  const { access } = useAccess();
  return useCallback((role: Role, regionId: number | null | undefined) => (regionId === undefined ? allows(access, role, 'everywhere') : allows(access, role, regionId)), [access]);
}
