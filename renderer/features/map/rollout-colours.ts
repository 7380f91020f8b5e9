import type { MapSite, SiteState } from '../../../shared/domain/map.js';
import type { RolloutSite, RolloutState } from '../../../shared/domain/rollouts.js';

/**
 * Colouring the map by a rollout: each site's part in it put onto the map's
 * SiteState palette, so the layer, its clusters (worst first) and the legend
 * work unchanged. Pure, so the mapping is tested without a map.
 */

/** Rollouts the map offers to colour by: those whose sites still change. */
export const FOLLOWED_ROLLOUT_STATES: ReadonlySet<RolloutState> = new Set<RolloutState>(['running', 'paused', 'rolling_back']);

/** The palette slot of a site's part in a rollout. */
export function rolloutSiteColour(site: Pick<RolloutSite, 'state' | 'offlineSince'>): SiteState {
  switch (site.state) {
    case 'healthy':
      return 'ok';
    // A site rolled back after its deployment failed is a failure of the rollout, even though it runs its previous version again.
    case 'failed':
    case 'unhealthy':
    case 'rolled_back':
      return 'critical';
    case 'transferring':
    case 'starting':
    case 'reverting':
      return 'warning';
    // Queued in the outbox: behind an offline site it waits for the site, else only for its turn among the transfers.
    case 'queued':
      return site.offlineSince ? 'unreachable' : 'warning';
    case 'pending':
    case 'waiting':
      return 'maintenance';
    case 'skipped':
    case 'cancelled':
    case 'reverted':
      return 'stale';
  }
}

/** Each site of a rollout by id, with its palette slot; a site absent from it is not in the rollout. */
export function rolloutColours(sites: readonly RolloutSite[]): ReadonlyMap<string, SiteState> {
  return new Map(sites.map((site) => [site.siteId, rolloutSiteColour(site)]));
}

/** The colour slot a site shows: its health with no rollout chosen, else its part in the rollout ("unknown" outside it). */
export function shownState(site: MapSite, colours: ReadonlyMap<string, SiteState> | null): SiteState {
  return colours === null ? site[6] : (colours.get(site[0]) ?? 'unknown');
}

/** The site's tuple with the state it shows; the same tuple when nothing changes, so health stays untouched. */
export function recoloured(site: MapSite, colours: ReadonlyMap<string, SiteState> | null): MapSite {
  const state = shownState(site, colours);
  return state === site[6] ? site : [site[0], site[1], site[2], site[3], site[4], site[5], state, site[7]];
}

/** How many of the map's sites show each state, for the legend. */
export function colourCounts(sites: Iterable<MapSite>, colours: ReadonlyMap<string, SiteState> | null): Record<SiteState, number> {
  const counts: Record<SiteState, number> = { critical: 0, unreachable: 0, warning: 0, stale: 0, maintenance: 0, ok: 0, unknown: 0 };
  for (const site of sites) counts[shownState(site, colours)] += 1;
  return counts;
}

/** The map's `colour` query parameter: `rollout:<id>` colours by that rollout, anything else (or none) by health. */
const ROLLOUT_PREFIX = 'rollout:';

export function rolloutIdOfColourParam(value: string | null): string | null {
  if (!value?.startsWith(ROLLOUT_PREFIX)) return null;
  const id = value.slice(ROLLOUT_PREFIX.length);
  return id === '' ? null : id;
}

export function colourParamOfRollout(rolloutId: string): string {
  return `${ROLLOUT_PREFIX}${rolloutId}`;
}

/** The map's address coloured by a rollout, for links from elsewhere (the rollout's progress view). */
export function mapPathColouredBy(rolloutId: string): string {
  return `/map?colour=${encodeURIComponent(colourParamOfRollout(rolloutId))}`;
}
