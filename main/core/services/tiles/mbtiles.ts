import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { TilePackage } from '../../../../shared/domain/map.js';
import { MAX_METADATA_ROWS, MAX_METADATA_VALUE_BYTES, MAX_SCHEMA_OBJECTS, MAX_TILE_BYTES, MAX_ZOOM } from './limits.js';

/**
 * MBTiles files come from anywhere, and a SQLite file is a program as much
 * as data: views, triggers and virtual tables run code when read. So a
 * package is opened read-only with trusted_schema off, only real tables are
 * read (never a `tiles` view: the standard map + images pair is joined by
 * EdgeCab's own query instead), files with triggers or virtual tables are
 * refused, every query is checked to look a tile up by index, and every
 * value read is bounded.
 */

export const SQLITE_MAGIC = 'SQLite format 3\0';

/** A `tiles` table, or the de-duplicated layout: `map` (z, x, y → tile_id) and `images` (tile_id → data). */
export type MbtilesLayout = 'tiles' | 'map-images';

export class MbtilesRefusal extends Error {}

interface SchemaObject {
  type: string;
  name: string;
  sql: string | null;
}

const TILE_QUERY: Record<MbtilesLayout, string> = {
  tiles: `SELECT octet_length(tile_data) AS size, CASE WHEN octet_length(tile_data) <= ${MAX_TILE_BYTES} THEN tile_data END AS data
          FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ? LIMIT 1`,
  'map-images': `SELECT octet_length(images.tile_data) AS size, CASE WHEN octet_length(images.tile_data) <= ${MAX_TILE_BYTES} THEN images.tile_data END AS data
          FROM map JOIN images ON images.tile_id = map.tile_id WHERE map.zoom_level = ? AND map.tile_column = ? AND map.tile_row = ? LIMIT 1`,
};

const COLUMNS: Record<string, string[]> = {
  tiles: ['zoom_level', 'tile_column', 'tile_row', 'tile_data'],
  map: ['zoom_level', 'tile_column', 'tile_row', 'tile_id'],
  images: ['tile_id', 'tile_data'],
  metadata: ['name', 'value'],
};

/**
 * A WAL-mode file (header bytes 18–19 = 2) would make even a read-only
 * connection create -wal and -shm files beside it. EdgeCab's copy is turned
 * into a rollback-journal file, which reads the same pages.
 */
export function useRollbackJournal(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const versions = Buffer.alloc(2);
    if (readSync(fd, versions, 0, 2, 18) === 2 && (versions[0] === 2 || versions[1] === 2)) writeSync(fd, Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    closeSync(fd);
  }
}

function checkSchema(db: Database): MbtilesLayout {
  const objects = db.prepare('SELECT type, name, sql FROM sqlite_master LIMIT ?').all(MAX_SCHEMA_OBJECTS + 1) as SchemaObject[];
  if (objects.length > MAX_SCHEMA_OBJECTS) throw new MbtilesRefusal(`the file holds more than ${MAX_SCHEMA_OBJECTS} schema objects; an MBTiles file has a handful`);
  const triggers = objects.filter((object) => object.type === 'trigger');
  if (triggers.length > 0) throw new MbtilesRefusal(`the file holds triggers (${triggers.map((each) => each.name).join(', ')}); an MBTiles file has none, and EdgeCab does not open files that run code`);
  const virtual = objects.filter((object) => object.type === 'table' && /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(object.sql ?? ''));
  if (virtual.length > 0) throw new MbtilesRefusal(`the file holds virtual tables (${virtual.map((each) => each.name).join(', ')}); only plain tables are read`);
  const typeOf = (name: string) => objects.find((object) => object.name.toLowerCase() === name)?.type ?? null;
  const metadata = typeOf('metadata');
  if (metadata !== 'table') throw new MbtilesRefusal(metadata ? `"metadata" is a ${metadata}, not a table` : 'the file has no metadata table');
  const tiles = typeOf('tiles');
  let layout: MbtilesLayout;
  if (tiles === 'table') layout = 'tiles';
  else if (typeOf('map') === 'table' && typeOf('images') === 'table') layout = 'map-images';
  else if (tiles) throw new MbtilesRefusal(`"tiles" is a ${tiles}, not a table (nor are "map" and "images" tables); EdgeCab reads real tables only`);
  else throw new MbtilesRefusal('the file has no tiles table');
  for (const table of layout === 'tiles' ? ['tiles', 'metadata'] : ['map', 'images', 'metadata']) {
    const present = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]).map((name) => name.toLowerCase()));
    const missing = COLUMNS[table]!.filter((column) => !present.has(column));
    if (missing.length > 0) throw new MbtilesRefusal(`the ${table} table lacks ${missing.join(', ')}`);
  }
  return layout;
}

/** Refuses a file whose tile lookup would scan a table instead of finding one row by its index. */
function checkTileLookup(db: Database, layout: MbtilesLayout): void {
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${TILE_QUERY[layout]}`).all(0, 0, 0) as { detail: string }[]).map((row) => row.detail);
  const byKey = (detail: string) => ['zoom_level=?', 'tile_column=?', 'tile_row=?'].every((part) => detail.includes(part));
  const indexed =
    plan.length > 0 &&
    plan.every((detail) => detail.startsWith('SEARCH ')) &&
    plan.some(byKey) &&
    (layout === 'tiles' || plan.some((detail) => /SEARCH images .*\((tile_id|rowid)=\?\)/.test(detail)));
  if (!indexed) {
    const wanted = layout === 'tiles' ? 'an index on tiles (zoom_level, tile_column, tile_row)' : 'indexes on map (zoom_level, tile_column, tile_row) and images (tile_id)';
    throw new MbtilesRefusal(`tiles cannot be looked up by index (${plan.join('; ')}); the file needs ${wanted}`);
  }
}

export interface OpenMbtiles {
  db: Database;
  layout: MbtilesLayout;
  /** One tile by its TMS address; null when absent or larger than EdgeCab serves. */
  tile(z: number, x: number, tmsY: number): Buffer | null;
}

/** Opens an MBTiles file read-only and checks it is safe to read; throws MbtilesRefusal (or SQLite's own error) when it is not. */
export function openMbtiles(path: string, tuning: { mmapBytes?: number; cacheKib?: number } = {}): OpenMbtiles {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    // Functions with side effects stay out of anything the file's schema defines.
    db.pragma('trusted_schema = OFF');
    // A corrupt cell size is caught before it is used to read past a page.
    db.pragma('cell_size_check = ON');
    if (tuning.mmapBytes) db.pragma(`mmap_size = ${tuning.mmapBytes}`);
    if (tuning.cacheKib) db.pragma(`cache_size = -${tuning.cacheKib}`);
    const layout = checkSchema(db);
    checkTileLookup(db, layout);
    const statement: Statement = db.prepare(TILE_QUERY[layout]);
    return {
      db,
      layout,
      tile: (z, x, tmsY) => {
        const row = statement.get(z, x, tmsY) as { size: number | null; data: Buffer | null } | undefined;
        return row?.data && Buffer.isBuffer(row.data) && row.data.length > 0 ? row.data : null;
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface MbtilesSummary {
  name: string | null;
  format: TilePackage['format'];
  minZoom: number;
  maxZoom: number;
  bounds: [number, number, number, number] | null;
  attribution: string | null;
  tileCount: number;
}

function zoomOf(text: string | undefined, fallback: number | null): number {
  const value = text === undefined ? NaN : Number(text);
  if (Number.isInteger(value) && value >= 0 && value <= MAX_ZOOM) return value;
  return fallback ?? 0;
}

/** The package's description, read with bounded queries from a file openMbtiles accepted. */
export function summarizeMbtiles(source: OpenMbtiles): MbtilesSummary {
  const rows = source.db
    .prepare(
      `SELECT CAST(name AS TEXT) AS name, CAST(value AS TEXT) AS value FROM metadata
       WHERE octet_length(name) <= 256 AND octet_length(value) <= ${MAX_METADATA_VALUE_BYTES} LIMIT ${MAX_METADATA_ROWS}`,
    )
    .all() as { name: string | null; value: string | null }[];
  const metadata = new Map(rows.flatMap((row) => (row.name !== null && row.value !== null ? [[row.name.toLowerCase(), row.value] as const] : [])));
  const format = (metadata.get('format') ?? 'png').toLowerCase();
  if (format === 'pbf') throw new MbtilesRefusal('this is a vector MBTiles file; only raster (png, jpg, webp) MBTiles can be used as a basemap');
  if (!['png', 'jpg', 'jpeg', 'webp'].includes(format)) throw new MbtilesRefusal(`unknown tile format "${format.slice(0, 40)}"`);
  const table = source.layout === 'tiles' ? 'tiles' : 'map';
  const stats = source.db.prepare(`SELECT count(*) AS n, min(zoom_level) AS minZoom, max(zoom_level) AS maxZoom FROM ${table}`).get() as { n: number; minZoom: unknown; maxZoom: unknown };
  if (stats.n === 0) throw new MbtilesRefusal('the file holds no tiles');
  const statZoom = (value: unknown) => (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_ZOOM ? (value as number) : null);
  if (statZoom(stats.minZoom) === null || statZoom(stats.maxZoom) === null) throw new MbtilesRefusal(`zoom levels must be whole numbers from 0 to ${MAX_ZOOM}`);
  const bounds = metadata.get('bounds')?.split(',').map(Number);
  const validBounds =
    bounds?.length === 4 && bounds.every(Number.isFinite) && Math.abs(bounds[0]!) <= 180 && Math.abs(bounds[2]!) <= 180 && Math.abs(bounds[1]!) <= 90 && Math.abs(bounds[3]!) <= 90;
  let minZoom = zoomOf(metadata.get('minzoom'), statZoom(stats.minZoom));
  let maxZoom = zoomOf(metadata.get('maxzoom'), statZoom(stats.maxZoom));
  if (minZoom > maxZoom) [minZoom, maxZoom] = [statZoom(stats.minZoom)!, statZoom(stats.maxZoom)!];
  return {
    name: metadata.get('name') ?? null,
    format: format === 'jpeg' ? 'jpg' : (format as TilePackage['format']),
    minZoom,
    maxZoom,
    bounds: validBounds ? (bounds as [number, number, number, number]) : null,
    attribution: metadata.get('attribution') ?? null,
    tileCount: stats.n,
  };
}
