import type { SiteState } from '../../../shared/domain/map.js';
import type { ComplianceCounts } from '../../../shared/domain/firmware-repository.js';

/**
 * Colouring the map by firmware compliance (GET /firmware/compliance): each
 * site onto a slot of the health palette by its worst device — behind is
 * critical, ahead a warning, not read yet stale, all compliant ok — so the
 * map's "Problems only" shows exactly the sites not compliant, and clusters
 * take their worst member as they do for health. A site no baseline covers
 * is "unknown", drawn grey. Pure, so it is tested without a map.
 */

export const FIRMWARE_COLOUR_PARAM = 'firmware';

/** The slots used, worst first (the legend's order). */
export const FIRMWARE_SLOTS: readonly SiteState[] = ['critical', 'warning', 'stale', 'ok', 'unknown'];

export function firmwareSlot(counts: ComplianceCounts): SiteState {
  if (counts.behind > 0) return 'critical';
  if (counts.ahead > 0) return 'warning';
  if (counts.unknown > 0) return 'stale';
  if (counts.compliant > 0) return 'ok';
  return 'unknown';
}

export interface FirmwareColouring {
  colours: ReadonlyMap<string, SiteState>;
  counts: ReadonlyMap<string, ComplianceCounts>;
}

export function firmwareColouring(sites: readonly { siteId: string; counts: ComplianceCounts }[]): FirmwareColouring {
  const colours = new Map<string, SiteState>();
  const counts = new Map<string, ComplianceCounts>();
  for (const site of sites) {
    colours.set(site.siteId, firmwareSlot(site.counts));
    counts.set(site.siteId, site.counts);
  }
  return { colours, counts };
}
