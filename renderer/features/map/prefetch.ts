import type { z } from 'zod';
import type { MapSites } from '../../../shared/domain/map.js';
import type { EdgecabClient } from '../../../shared/contract/index.js';

type Sites = z.infer<typeof MapSites>;

let early: Promise<Sites> | null = null;

/**
 * Starts loading every site before React mounts when the app opens on the
 * map (its home), so the largest request of the first screen overlaps with
 * rendering the shell instead of following it.
 */
export function prefetchMapSites(client: EdgecabClient, hash: string): void {
  const route = hash.replace(/^#/, '');
  if (route !== '' && route !== '/' && !route.startsWith('/map')) return;
  early = client.map.sites();
  // The map reports the failure when it takes the promise; this only keeps it from counting as unhandled.
  early.catch(() => undefined);
}

/** The prefetched answer once, then fresh requests. */
export function loadMapSites(client: EdgecabClient): Promise<Sites> {
  const taken = early;
  early = null;
  return taken ?? client.map.sites();
}
