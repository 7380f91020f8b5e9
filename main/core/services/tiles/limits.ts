/**
 * Bounds on everything read from a tile file or a tile server, so a hostile
 * or broken one costs at most this much memory and work. Realistic packages
 * stay far below each of them.
 */

/** One tile as stored (and, for PMTiles, once decompressed); map tiles are rarely over 1 MiB. */
export const MAX_TILE_BYTES = 4 * 1024 * 1024;
/** One tile fetched from the online source. */
export const MAX_ONLINE_TILE_BYTES = 2 * 1024 * 1024;

/** MBTiles: schema objects, metadata rows, and the size of a metadata value or name read. */
export const MAX_SCHEMA_OBJECTS = 200;
export const MAX_METADATA_ROWS = 256;
export const MAX_METADATA_VALUE_BYTES = 64 * 1024;

/** PMTiles: the header and root directory sit in the first 16 KiB (spec v3). */
export const PMTILES_HEADER_BYTES = 127;
export const PMTILES_ROOT_SPAN = 16_384;
/** A leaf directory as stored, and any directory once decompressed. */
export const MAX_LEAF_DIRECTORY_BYTES = 1024 * 1024;
export const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;
/** The JSON metadata, stored and decompressed. */
export const MAX_PMTILES_METADATA_BYTES = 1024 * 1024;
/** Directory entries kept in memory per open archive (each costs a few dozen bytes). */
export const MAX_CACHED_DIRECTORY_ENTRIES = 256 * 1024;
/** Tile ids stay exact up to zoom 26 (2^53); nobody serves deeper basemaps. */
export const MAX_PMTILES_ZOOM = 26;
export const MAX_ZOOM = 30;

/** Text taken from a tile file into EdgeCab's own records. */
export const MAX_NAME_CHARS = 80;
export const MAX_ATTRIBUTION_CHARS = 1000;
