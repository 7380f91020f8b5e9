import { z } from 'zod';

export const SITE_STATES = ['critical', 'unreachable', 'warning', 'stale', 'maintenance', 'ok', 'unknown'] as const;
export type SiteState = (typeof SITE_STATES)[number];

/** Worse first: a cluster takes the worst state of its members. */
const SEVERITY: Record<SiteState, number> = { critical: 6, unreachable: 5, warning: 4, stale: 3, maintenance: 2, ok: 1, unknown: 0 };

export function worseState(a: SiteState, b: SiteState): SiteState {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export function isProblem(state: SiteState): boolean {
  return SEVERITY[state] >= SEVERITY.stale;
}

/** Readings older than this make a site "stale" rather than showing old news as current. */
export const STALE_AFTER_MS = 15 * 60 * 1000;

/** One site on the map, as a compact tuple: [id, code, name, latitude, longitude, regionId, state, lastSeen]. */
export const MapSite = z.tuple([z.string(), z.string(), z.string(), z.number(), z.number(), z.number().nullable(), z.enum(SITE_STATES), z.string().nullable()]);
export type MapSite = z.infer<typeof MapSite>;

export const MapSites = z.object({ generatedAt: z.string(), sites: z.array(MapSite) });

export const OnlineTiles = z.object({
  /** e.g. https://tiles.example.com/{z}/{x}/{y}.png; null when none is configured. */
  urlTemplate: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s]+$/, { error: 'An http:// or https:// address' })
    .refine((url) => ['{z}', '{x}', '{y}'].every((part) => url.includes(part)), { error: 'The address must contain {z}, {x} and {y}' })
    // With tile numbers filled in it must be a URL: "https://host:99999/{z}/{x}/{y}" passes the pattern but not the parser the service uses.
    .refine((url) => z.url().safeParse(url.replace(/\{[zxy]\}/g, '0')).success, { error: 'An http:// or https:// address' })
    .nullable(),
  datum: z.enum(['wgs84', 'gcj02']),
  /** Tiles fetched are kept for offline use up to this size; the least recently used go first. */
  maxCacheMb: z.number().positive().max(100_000),
});
export type OnlineTiles = z.infer<typeof OnlineTiles>;

export const OnlineTilesStatus = OnlineTiles.extend({ cachedTiles: z.number().int(), cachedBytes: z.number().int() });

export const TilePackage = z.object({
  id: z.string(),
  name: z.string(),
  container: z.enum(['mbtiles', 'pmtiles']),
  /** Raster images, or Mapbox vector tiles (drawn in the browser). */
  format: z.enum(['png', 'jpg', 'webp', 'mvt']),
  minZoom: z.number().int(),
  maxZoom: z.number().int(),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  attribution: z.string().nullable(),
  tileCount: z.number().int(),
  sizeBytes: z.number().int(),
  /** Coordinates of the tiles: WGS-84 (web mercator) or GCJ-02, the offset datum common in China. */
  datum: z.enum(['wgs84', 'gcj02']),
  createdAt: z.string(),
});
export type TilePackage = z.infer<typeof TilePackage>;
