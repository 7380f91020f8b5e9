import type { z } from 'zod';
import type { MapSites } from '../../../shared/domain/map.js';
import type { EdgecabClient } from '../../../shared/contract/index.js';
import { opensOnMap } from './opens-on-map.js';

type Sites = z.infer<typeof MapSites>;

declare global {
  interface Window {
    /** Every site, requested by early-sites.js before the app's bundle loaded (server mode). */
    edgecabEarlySites?: Promise<Sites>;
  }
}

let early: Promise<Sites> | null = null;

/** On desktop the core is reached through the client, as soon as it exists. */
export function prefetchMapSites(client: EdgecabClient): void {
  if (window.edgecabEarlySites || early || !opensOnMap(window.location.hash)) return;
  early = client.map.sites();
  early.catch(() => undefined);
}

/** The early answer once (a failed one is asked again through the client), then fresh requests. */
export function loadMapSites(client: EdgecabClient): Promise<Sites> {
  const taken = window.edgecabEarlySites ?? early;
  delete window.edgecabEarlySites;
  early = null;
  return taken ? taken.catch(() => client.map.sites()) : client.map.sites();
}
