import { z } from 'zod';

export const ROLES = ['viewer', 'operator', 'administrator'] as const;
export type Role = (typeof ROLES)[number];

/** A role granted on a region and every region below it; regionId null: everywhere, including sites in no region. */
export const Grant = z.object({
  role: z.enum(ROLES),
  regionId: z.number().int().positive().nullable(),
});
export type Grant = z.infer<typeof Grant>;

const RANK: Record<Role, number> = { viewer: 1, operator: 2, administrator: 3 };

export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export function higherRole(a: Role | null, b: Role | null): Role | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** The regions whose sites a caller sees: every site, or the sites of these regions (sites in no region only with 'all'). */
export type RegionScope = 'all' | readonly number[];

/** Who is calling, as every part of EdgeCab sees it. */
export const PrincipalView = z.object({
  kind: z.enum(['user', 'token', 'desktop', 'system']),
  /** The user's id (tokens act for their user); null for the desktop and the system. */
  userId: z.string().nullable(),
  name: z.string(),
  grants: z.array(Grant),
});
export type PrincipalView = z.infer<typeof PrincipalView>;

/**
 * What a principal may do where. Regions form a tree; `ancestors(regionId)`
 * gives a region's chain up to the root (itself first), so a grant on a
 * province covers its cities' sites.
 */
export class Access {
  constructor(
    readonly principal: PrincipalView,
    private readonly ancestors: (regionId: number) => readonly number[],
  ) {}

  /** The highest role this principal has on a site or region (null: a site in no region). */
  roleAt(regionId: number | null): Role | null {
    let best: Role | null = null;
    const chain = regionId === null ? [] : this.ancestors(regionId);
    for (const grant of this.principal.grants) {
      if (grant.regionId === null || chain.includes(grant.regionId)) best = higherRole(best, grant.role);
    }
    return best;
  }

  can(role: Role, regionId: number | null): boolean {
    const held = this.roleAt(regionId);
    return held !== null && atLeast(held, role);
  }

  /** A role on every region at once (grant at the root): what global settings need. */
  canEverywhere(role: Role): boolean {
    return this.principal.grants.some((grant) => grant.regionId === null && atLeast(grant.role, role));
  }

  /** Any grant of at least this role anywhere (e.g. to open the wizard for one's own region). */
  canSomewhere(role: Role): boolean {
    return this.principal.grants.some((grant) => atLeast(grant.role, role));
  }

  /** Regions whose sites this principal sees, or 'all'. */
  scope(allRegions: readonly number[]): RegionScope {
    if (this.principal.grants.some((grant) => grant.regionId === null)) return 'all';
    return allRegions.filter((id) => this.roleAt(id) !== null);
  }

  /** Whether a site (in this region, or none) is visible under a scope computed by scope(). */
  static sees(scope: RegionScope, regionId: number | null): boolean {
    return scope === 'all' || (regionId !== null && scope.includes(regionId));
  }
}
