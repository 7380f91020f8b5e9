import BetterSqlite3 from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { solidPng } from '../../support/mbtiles.js';

/**
 * Tile files as an attacker (or a broken exporter) would make them, for the
 * boundary tests: MBTiles whose schema runs code or defeats indexes, PMTiles
 * whose header or directories point anywhere.
 */

const METADATA = [
  ['name', 'Hostile'],
  ['format', 'png'],
  ['minzoom', '0'],
  ['maxzoom', '1'],
];

/** An MBTiles file built by `schema` (SQL run on a fresh database), with metadata rows (into `metadataInto`) and zoom 0–1 tiles (into `into`, when given). */
export function writeMbtilesWith(file: string, schema: string, into: string | null = 'tiles', metadataInto = 'metadata'): void {
  const db = new BetterSqlite3(file);
  db.exec(schema);
  const meta = db.prepare(`INSERT INTO ${metadataInto} (name, value) VALUES (?, ?)`);
  for (const [key, value] of METADATA) meta.run(key, value);
  if (into) {
    const insert = db.prepare(`INSERT INTO ${into} (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)`);
    const png = solidPng(200, 100, 50);
    for (const [z, x, y] of [[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]] as const) insert.run(z, x, y, png);
  }
  db.close();
}

export const STANDARD_SCHEMA =
  'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB); CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);';

/** The de-duplicated layout mbutil writes: `map` + `images`, and `tiles` as a view over them. */
export function writeMapImagesMbtiles(file: string): void {
  const db = new BetterSqlite3(file);
  db.exec(`CREATE TABLE metadata (name TEXT, value TEXT);
    CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);
    CREATE TABLE images (tile_data BLOB, tile_id TEXT);
    CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
    CREATE UNIQUE INDEX images_id ON images (tile_id);
    CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data FROM map JOIN images ON images.tile_id = map.tile_id;`);
  const meta = db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)');
  for (const [key, value] of METADATA) meta.run(key, value);
  db.prepare('INSERT INTO images VALUES (?, ?)').run(solidPng(10, 20, 30), 'one');
  const map = db.prepare('INSERT INTO map VALUES (?, ?, ?, ?)');
  for (const [z, x, y] of [[0, 0, 0], [1, 0, 0], [1, 1, 1]] as const) map.run(z, x, y, 'one');
  db.close();
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

export interface DirectoryEntry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

/** A PMTiles directory, serialized as the spec says (ids as deltas, offsets + 1). */
export function directory(entries: DirectoryEntry[], claimedCount = entries.length): Buffer {
  const bytes = [...varint(claimedCount)];
  let last = 0;
  for (const entry of entries) {
    bytes.push(...varint(entry.tileId - last));
    last = entry.tileId;
  }
  for (const entry of entries) bytes.push(...varint(entry.runLength));
  for (const entry of entries) bytes.push(...varint(entry.length));
  for (const entry of entries) bytes.push(...varint(entry.offset + 1));
  return Buffer.from(bytes);
}

export interface ArchiveParts {
  root: Buffer;
  leaves?: Buffer;
  tiles: Buffer;
  metadata?: Buffer;
  internalCompression?: number;
  tileCompression?: number;
  maxZoom?: number;
  /** Last word on the 127-byte header, to make it lie. */
  patch?: (header: Buffer) => void;
}

/** A PMTiles v3 archive: header, root directory, metadata, leaf directories, tile data, in that order. */
export function pmtilesBytes(parts: ArchiveParts): Buffer {
  const metadata = parts.metadata ?? Buffer.from(JSON.stringify({ name: 'Hostile archive' }));
  const leaves = parts.leaves ?? Buffer.alloc(0);
  const header = Buffer.alloc(127);
  const rootOffset = 127;
  const metadataOffset = rootOffset + parts.root.length;
  const leavesOffset = metadataOffset + metadata.length;
  const tilesOffset = leavesOffset + leaves.length;
  header.write('PMTiles', 0, 'latin1');
  header[7] = 3;
  const u64 = (value: number, at: number) => header.writeBigUInt64LE(BigInt(value), at);
  u64(rootOffset, 8);
  u64(parts.root.length, 16);
  u64(metadataOffset, 24);
  u64(metadata.length, 32);
  u64(leavesOffset, 40);
  u64(leaves.length, 48);
  u64(tilesOffset, 56);
  u64(parts.tiles.length, 64);
  u64(1, 72);
  u64(1, 80);
  u64(1, 88);
  header[96] = 1;
  header[97] = parts.internalCompression ?? 1;
  header[98] = parts.tileCompression ?? 1;
  header[99] = 2; // png
  header[100] = 0;
  header[101] = parts.maxZoom ?? 0;
  header.writeInt32LE(-180 * 1e7, 102);
  header.writeInt32LE(-85 * 1e7, 106);
  header.writeInt32LE(180 * 1e7, 110);
  header.writeInt32LE(85 * 1e7, 114);
  parts.patch?.(header);
  return Buffer.concat([header, parts.root, metadata, leaves, parts.tiles]);
}

/** A one-tile archive (zoom 0) that is valid; the base the hostile ones are made from. */
export function oneTileArchive(patch?: (header: Buffer) => void): Buffer {
  const tile = solidPng(90, 160, 220);
  return pmtilesBytes({ root: directory([{ tileId: 0, offset: 0, length: tile.length, runLength: 1 }]), tiles: tile, ...(patch ? { patch } : {}) });
}

/** An archive whose only tile is a gzip bomb: a few KiB that inflate past any tile size EdgeCab serves. */
export function gzipBombArchive(): Buffer {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  return pmtilesBytes({ root: directory([{ tileId: 0, offset: 0, length: bomb.length, runLength: 1 }]), tiles: bomb, tileCompression: 2 });
}

export function writeBytes(file: string, bytes: Buffer): string {
  writeFileSync(file, bytes);
  return file;
}

/** Header offsets (PMTiles v3) for patching. */
export const HEADER = { rootLength: 16, metadataLength: 32, leafOffset: 40, leafLength: 48, tileDataOffset: 56, tileDataLength: 64, addressedTiles: 72, maxZoom: 101 } as const;
