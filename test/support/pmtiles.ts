import { writeFileSync } from 'node:fs';
import { zxyToTileId } from 'pmtiles';
import { solidPng } from './mbtiles.js';

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

/** Writes a PMTiles v3 archive (uncompressed directory and tiles) with every tile of zoom 0..maxZoom. */
export function writePmtiles(file: string, maxZoom: number, tileType: 'png' | 'mvt', name: string): number {
  const tile = tileType === 'png' ? solidPng(187, 222, 251) : squareMvt();
  const entries: { id: number; offset: number; length: number }[] = [];
  for (let z = 0; z <= maxZoom; z += 1) for (let x = 0; x < 2 ** z; x += 1) for (let y = 0; y < 2 ** z; y += 1) entries.push({ id: zxyToTileId(z, x, y), offset: 0, length: tile.length });
  entries.sort((a, b) => a.id - b.id);
  // Every entry points at the same bytes: one tile content, run-length 1 each.
  const directory: number[] = [...varint(entries.length)];
  let last = 0;
  for (const entry of entries) {
    directory.push(...varint(entry.id - last));
    last = entry.id;
  }
  for (let index = 0; index < entries.length; index += 1) directory.push(...varint(1));
  for (let index = 0; index < entries.length; index += 1) directory.push(...varint(tile.length));
  // Offsets: every entry starts at the one content (0), written as 0 + 1.
  for (let index = 0; index < entries.length; index += 1) directory.push(...varint(1));
  const metadata = Buffer.from(JSON.stringify({ name, attribution: 'EdgeCab test archive' }));
  const header = Buffer.alloc(127);
  const rootOffset = 127;
  const dir = Buffer.from(directory);
  const metadataOffset = rootOffset + dir.length;
  const tileOffset = metadataOffset + metadata.length;
  header.write('PMTiles', 0, 'latin1');
  header[7] = 3;
  const u64 = (value: number, at: number) => header.writeBigUInt64LE(BigInt(value), at);
  u64(rootOffset, 8);
  u64(dir.length, 16);
  u64(metadataOffset, 24);
  u64(metadata.length, 32);
  u64(tileOffset, 40); // leaf directories: none
  u64(0, 48);
  u64(tileOffset, 56);
  u64(tile.length, 64);
  u64(entries.length, 72);
  u64(entries.length, 80);
  u64(1, 88);
  header[96] = 0; // not clustered: all entries share one content
  header[97] = 1; // internal compression: none
  header[98] = 1; // tile compression: none
  header[99] = tileType === 'png' ? 2 : 1;
  header[100] = 0;
  header[101] = maxZoom;
  header.writeInt32LE(-180 * 1e7, 102);
  header.writeInt32LE(-85 * 1e7, 106);
  header.writeInt32LE(180 * 1e7, 110);
  header.writeInt32LE(85 * 1e7, 114);
  header[118] = 0;
  header.writeInt32LE(0, 119);
  header.writeInt32LE(0, 123);
  writeFileSync(file, Buffer.concat([header, dir, metadata, tile]));
  return entries.length;
}

function field(number: number, wireType: number): number[] {
  return varint(number * 8 + wireType);
}

function bytesField(number: number, data: number[] | Buffer): number[] {
  return [...field(number, 2), ...varint(data.length), ...data];
}

const zigzag = (value: number) => (value << 1) ^ (value >> 31);

/** A Mapbox vector tile with one "earth" layer holding a polygon that fills the tile. */
export function squareMvt(): Buffer {
  const extent = 4096;
  // MoveTo(0,0), LineTo ×3 around the tile, ClosePath.
  const geometry = [
    (1 & 0x7) | (1 << 3), zigzag(0), zigzag(0),
    (2 & 0x7) | (3 << 3), zigzag(extent), zigzag(0), zigzag(0), zigzag(extent), zigzag(-extent), zigzag(0),
    (7 & 0x7) | (1 << 3),
  ];
  const packed = geometry.flatMap((value) => varint(value));
  const feature = [...field(1, 0), ...varint(1), ...field(3, 0), ...varint(3), ...bytesField(4, packed)];
  const layer = [...field(15, 0), ...varint(2), ...bytesField(1, Buffer.from('earth')), ...bytesField(2, feature), ...field(5, 0), ...varint(extent)];
  return Buffer.from(bytesField(3, layer));
}
