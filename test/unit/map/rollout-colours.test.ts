import { describe, expect, it } from 'vitest';
import { worseState, type MapSite, type SiteState } from '../../../shared/domain/map.js';
import { ROLLOUT_SITE_STATES, type RolloutSite, type RolloutSiteState } from '../../../shared/domain/rollouts.js';
import {
  colourCounts,
  colourParamOfRollout,
  mapPathColouredBy,
  recoloured,
  rolloutColours,
  rolloutIdOfColourParam,
  rolloutSiteColour,
  shownState,
} from '../../../renderer/features/map/rollout-colours.js';

function rolloutSite(siteId: string, state: RolloutSiteState, offlineSince: string | null = null): RolloutSite {
  return { siteId, code: siteId.toUpperCase(), name: siteId, wave: 0, action: 'install', fromVersion: null, state, detail: null, detailMessages: [], bytesSent: null, bytesTotal: null, offlineSince, updatedAt: '2026-01-01T00:00:00.000Z' };
}

function mapSite(id: string, state: SiteState): MapSite {
  return [id, id.toUpperCase(), id, 30, 114, null, state, null];
}

describe('colouring the map by a rollout', () => {
  it("puts every state of a site's part in a rollout on the map's palette", () => {
    const expected: Record<RolloutSiteState, SiteState> = {
      healthy: 'ok',
      failed: 'critical',
      unhealthy: 'critical',
      transferring: 'warning',
      starting: 'warning',
      reverting: 'warning',
      queued: 'warning',
      pending: 'maintenance',
      waiting: 'maintenance',
      skipped: 'stale',
      cancelled: 'stale',
      rolled_back: 'critical',
      reverted: 'stale',
    };
    for (const state of ROLLOUT_SITE_STATES) expect(rolloutSiteColour({ state, offlineSince: null }), state).toBe(expected[state]);
  });

  it('shows a site queued behind its own outage as offline, one queued for its turn as in progress', () => {
    expect(rolloutSiteColour({ state: 'queued', offlineSince: '2026-01-01T08:00:00.000Z' })).toBe('unreachable');
    expect(rolloutSiteColour({ state: 'queued', offlineSince: null })).toBe('warning');
  });

  it('recolours the sites in the rollout, shows the others as not in it, and leaves health untouched', () => {
    const colours = rolloutColours([rolloutSite('a', 'healthy'), rolloutSite('b', 'failed'), rolloutSite('c', 'queued', '2026-01-01T08:00:00.000Z')]);
    const health = [mapSite('a', 'critical'), mapSite('b', 'ok'), mapSite('c', 'ok'), mapSite('d', 'warning')];
    const shown = health.map((site) => recoloured(site, colours));
    expect(shown.map((site) => site[6])).toEqual(['ok', 'critical', 'unreachable', 'unknown']);
    // Everything but the state is the site's own.
    expect(shown[0]!.slice(0, 6)).toEqual(health[0]!.slice(0, 6));
    expect(health.map((site) => site[6])).toEqual(['critical', 'ok', 'ok', 'warning']);
    // By health, the very same tuples.
    expect(health.map((site) => recoloured(site, null))).toEqual(health);
    expect(recoloured(health[1]!, null)).toBe(health[1]);
    expect(shownState(health[3]!, null)).toBe('warning');
  });

  it('lets a cluster of rollout sites take the worst of them, a failure over the ones still going', () => {
    const colours = rolloutColours([rolloutSite('a', 'healthy'), rolloutSite('b', 'transferring'), rolloutSite('c', 'failed'), rolloutSite('d', 'pending')]);
    expect([...colours.values()].reduce(worseState, 'unknown')).toBe('critical');
  });

  it("counts the map's sites per colour for the legend", () => {
    const colours = rolloutColours([rolloutSite('a', 'healthy'), rolloutSite('b', 'healthy'), rolloutSite('c', 'skipped')]);
    const counts = colourCounts([mapSite('a', 'ok'), mapSite('b', 'ok'), mapSite('c', 'ok'), mapSite('d', 'ok'), mapSite('e', 'critical')], colours);
    expect(counts).toEqual({ critical: 0, unreachable: 0, warning: 0, stale: 1, maintenance: 0, ok: 2, unknown: 2 });
  });

  it("reads and writes the map address's colour choice", () => {
    expect(rolloutIdOfColourParam(colourParamOfRollout('r-1'))).toBe('r-1');
    expect(rolloutIdOfColourParam(null)).toBeNull();
    expect(rolloutIdOfColourParam('health')).toBeNull();
    expect(rolloutIdOfColourParam('rollout:')).toBeNull();
    expect(mapPathColouredBy('r-1')).toBe('/map?colour=rollout%3Ar-1');
    expect(rolloutIdOfColourParam(new URLSearchParams(mapPathColouredBy('r-1').split('?')[1]).get('colour'))).toBe('r-1');
  });
});
