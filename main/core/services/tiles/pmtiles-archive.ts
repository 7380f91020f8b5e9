import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Compression, findTile, zxyToTileId, type Entry } from 'pmtiles';
import {
  MAX_CACHED_DIRECTORY_ENTRIES,
  MAX_DIRECTORY_BYTES,
  MAX_LEAF_DIRECTORY_BYTES,
  MAX_PMTILES_METADATA_BYTES,
  MAX_PMTILES_ZOOM,
  MAX_TILE_BYTES,
  PMTILES_HEADER_BYTES,
  PMTILES_ROOT_SPAN,
} from './limits.js';

/**
 * A PMTiles v3 archive read from a local file with every number bounded
 * before it is used. The pmtiles library would take a header's lengths and
 * offsets as given (a claimed 2^50-byte directory becomes an allocation),
 * so EdgeCab parses header and directories itself and uses the library only
 * for tile ids and the directory search.
 */

export class PmtilesRefusal extends Error {}

export interface PmtilesHeader {
  rootDirectoryOffset: number;
  rootDirectoryLength: number;
  jsonMetadataOffset: number;
  jsonMetadataLength: number;
  leafDirectoryOffset: number;
  leafDirectoryLength: number;
  tileDataOffset: number;
  tileDataLength: number;
  numAddressedTiles: number;
  numTileEntries: number;
  numTileContents: number;
  internalCompression: number;
  tileCompression: number;
  tileType: number;
  minZoom: number;
  maxZoom: number;
  bounds: [number, number, number, number];
}

const KNOWN_COMPRESSION = new Set<number>([Compression.Unknown, Compression.None, Compression.Gzip]);

function refuse(message: string): never {
  throw new PmtilesRefusal(message);
}

function u64(view: DataView, at: number, field: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) refuse(`the header's ${field} is ${value}, larger than any file`);
  return Number(value);
}

/** Checks a section the header points at lies inside the file (and within a size EdgeCab reads). */
function section(name: string, offset: number, length: number, fileSize: number, max = Number.MAX_SAFE_INTEGER): void {
  if (length > 0 && offset < PMTILES_HEADER_BYTES) refuse(`the ${name} starts at byte ${offset}, inside the header`);
  if (offset + length > fileSize) refuse(`the ${name} (bytes ${offset} to ${offset + length}) runs past the end of the file (${fileSize} bytes)`);
  if (length > max) refuse(`the ${name} claims ${length} bytes; at most ${max} are read`);
}

/** The header, every value checked against the file size and sane maxima. */
export function parseHeader(bytes: Buffer, fileSize: number): PmtilesHeader {
  if (bytes.length < PMTILES_HEADER_BYTES) refuse(`the file is ${fileSize} bytes, shorter than a PMTiles header (${PMTILES_HEADER_BYTES})`);
  if (bytes.toString('latin1', 0, 7) !== 'PMTiles') refuse('the file does not start with "PMTiles"');
  if (bytes[7] !== 3) refuse(`PMTiles version ${bytes[7]}; only version 3 is read`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, PMTILES_HEADER_BYTES);
  const header: PmtilesHeader = {
    rootDirectoryOffset: u64(view, 8, 'root directory offset'),
    rootDirectoryLength: u64(view, 16, 'root directory length'),
    jsonMetadataOffset: u64(view, 24, 'metadata offset'),
    jsonMetadataLength: u64(view, 32, 'metadata length'),
    leafDirectoryOffset: u64(view, 40, 'leaf directories offset'),
    leafDirectoryLength: u64(view, 48, 'leaf directories length'),
    tileDataOffset: u64(view, 56, 'tile data offset'),
    tileDataLength: u64(view, 64, 'tile data length'),
    numAddressedTiles: u64(view, 72, 'number of addressed tiles'),
    numTileEntries: u64(view, 80, 'number of tile entries'),
    numTileContents: u64(view, 88, 'number of tile contents'),
    internalCompression: view.getUint8(97),
    tileCompression: view.getUint8(98),
    tileType: view.getUint8(99),
    minZoom: view.getUint8(100),
    maxZoom: view.getUint8(101),
    bounds: [view.getInt32(102, true) / 1e7, view.getInt32(106, true) / 1e7, view.getInt32(110, true) / 1e7, view.getInt32(114, true) / 1e7],
  };
  if (header.rootDirectoryLength === 0) refuse('the root directory is empty');
  section('root directory', header.rootDirectoryOffset, header.rootDirectoryLength, Math.min(fileSize, PMTILES_ROOT_SPAN));
  section('metadata', header.jsonMetadataOffset, header.jsonMetadataLength, fileSize, MAX_PMTILES_METADATA_BYTES);
  section('leaf directories', header.leafDirectoryOffset, header.leafDirectoryLength, fileSize);
  if (header.tileDataLength === 0) refuse('the archive holds no tile data');
  section('tile data', header.tileDataOffset, header.tileDataLength, fileSize);
  if (!KNOWN_COMPRESSION.has(header.internalCompression)) refuse(`directories use compression ${header.internalCompression}; EdgeCab reads uncompressed or gzip`);
  if (!KNOWN_COMPRESSION.has(header.tileCompression)) refuse(`tiles use compression ${header.tileCompression}; EdgeCab reads uncompressed or gzip`);
  if (header.minZoom > header.maxZoom || header.maxZoom > MAX_PMTILES_ZOOM) refuse(`zoom levels ${header.minZoom} to ${header.maxZoom}; EdgeCab reads 0 to ${MAX_PMTILES_ZOOM}`);
  // Zero means "not known" for the counts; known ones must be consistent.
  const tilesUpToMaxZoom = (4 ** (header.maxZoom + 1) - 1) / 3;
  if (header.numAddressedTiles > tilesUpToMaxZoom) refuse(`the header claims ${header.numAddressedTiles} tiles; zoom 0 to ${header.maxZoom} has ${tilesUpToMaxZoom}`);
  if (header.numAddressedTiles > 0 && header.numTileEntries > header.numAddressedTiles) refuse('the header claims more tile entries than tiles');
  if (header.numTileEntries > 0 && header.numTileContents > header.numTileEntries) refuse('the header claims more tile contents than tile entries');
  const [minLon, minLat, maxLon, maxLat] = header.bounds;
  if (![minLon, maxLon].every((lon) => Math.abs(lon) <= 180) || ![minLat, maxLat].every((lat) => Math.abs(lat) <= 90)) refuse('the bounds are outside the globe');
  return header;
}

/** Reads the unsigned varints of a directory, refusing any that runs off the end or past 2^53. */
class Varints {
  private position = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}
  next(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 8; index += 1) {
      const byte = this.bytes[this.position];
      if (byte === undefined) refuse(`the ${this.what} ends inside a number`);
      this.position += 1;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) refuse(`the ${this.what} holds a number beyond 2^53`);
        return value;
      }
      scale *= 128;
    }
    return refuse(`the ${this.what} holds a number longer than 8 bytes`);
  }
}

/** A directory, each entry checked to point inside the tile data (tiles) or the leaf section (leaf directories). */
export function parseDirectory(bytes: Uint8Array, header: PmtilesHeader, what: string): Entry[] {
  const varints = new Varints(bytes, what);
  const count = varints.next();
  if (count === 0) refuse(`the ${what} is empty`);
  // Every entry takes four varints of at least one byte each.
  if (count * 4 > bytes.length) refuse(`the ${what} claims ${count} entries in ${bytes.length} bytes`);
  const entries: Entry[] = [];
  let tileId = 0;
  for (let index = 0; index < count; index += 1) {
    const delta = varints.next();
    if (index > 0 && delta === 0) refuse(`the ${what} is not in tile order`);
    tileId += delta;
    if (tileId > Number.MAX_SAFE_INTEGER) refuse(`the ${what} holds a tile id beyond 2^53`);
    entries.push({ tileId, offset: 0, length: 0, runLength: 1 });
  }
  for (const entry of entries) entry.runLength = varints.next();
  for (const entry of entries) entry.length = varints.next();
  entries.forEach((entry, index) => {
    const raw = varints.next();
    const previous = entries[index - 1];
    if (raw === 0 && !previous) refuse(`the ${what} starts with an implicit offset`);
    entry.offset = raw === 0 && previous ? previous.offset + previous.length : raw - 1;
    const leaf = entry.runLength === 0;
    const [span, max] = leaf ? [header.leafDirectoryLength, MAX_LEAF_DIRECTORY_BYTES] : [header.tileDataLength, MAX_TILE_BYTES];
    if (entry.length === 0 || entry.length > max) refuse(`the ${what} has a ${leaf ? 'leaf directory' : 'tile'} of ${entry.length} bytes (1 to ${max} are read)`);
    if (entry.offset + entry.length > span) refuse(`the ${what} points past the end of the ${leaf ? 'leaf directories' : 'tile data'}`);
  });
  return entries;
}

function decompress(data: Buffer, compression: number, max: number, what: string): Buffer {
  if (compression === Compression.Gzip) {
    try {
      // The output bound makes a gzip bomb fail here instead of filling memory.
      return gunzipSync(data, { maxOutputLength: max });
    } catch (error) {
      return refuse(`the ${what} does not decompress within ${max} bytes (${(error as Error).message})`);
    }
  }
  if (data.length > max) refuse(`the ${what} is larger than ${max} bytes`);
  return data;
}

/** An open archive: header and root directory checked; leaf directories checked when first read and kept within a bound. */
export class PmtilesArchive {
  private readonly leaves = new Map<number, Entry[]>();
  private cachedEntries = 0;

  private constructor(
    private readonly fd: number,
    readonly size: number,
    readonly header: PmtilesHeader,
    private readonly root: Entry[],
  ) {}

  /** Opens and checks an archive; throws PmtilesRefusal naming what is wrong. */
  static open(path: string): PmtilesArchive {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const start = Buffer.alloc(Math.min(size, PMTILES_ROOT_SPAN));
      readSync(fd, start, 0, start.length, 0);
      const header = parseHeader(start, size);
      const rootBytes = start.subarray(header.rootDirectoryOffset, header.rootDirectoryOffset + header.rootDirectoryLength);
      const root = parseDirectory(decompress(rootBytes, header.internalCompression, MAX_DIRECTORY_BYTES, 'root directory'), header, 'root directory');
      return new PmtilesArchive(fd, size, header, root);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  private read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || offset + length > this.size) refuse(`a read of ${length} bytes at ${offset} runs past the end of the file`);
    const buffer = Buffer.allocUnsafe(length);
    if (readSync(this.fd, buffer, 0, length, offset) !== length) refuse('the file ended early');
    return buffer;
  }

  /** The archive's JSON metadata; {} when it has none or it is not a JSON object. */
  metadata(): Record<string, unknown> {
    const { jsonMetadataOffset, jsonMetadataLength, internalCompression } = this.header;
    if (jsonMetadataLength === 0) return {};
    const text = decompress(this.read(jsonMetadataOffset, jsonMetadataLength), internalCompression, MAX_PMTILES_METADATA_BYTES, 'metadata').toString('utf8');
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  private leaf(offset: number, length: number): Entry[] {
    const cached = this.leaves.get(offset);
    if (cached) {
      // Most recently used last: the Map's order is the eviction order.
      this.leaves.delete(offset);
      this.leaves.set(offset, cached);
      return cached;
    }
    const bytes = decompress(this.read(this.header.leafDirectoryOffset + offset, length), this.header.internalCompression, MAX_DIRECTORY_BYTES, 'leaf directory');
    const entries = parseDirectory(bytes, this.header, 'leaf directory');
    this.leaves.set(offset, entries);
    this.cachedEntries += entries.length;
    for (const [key, value] of this.leaves) {
      if (this.cachedEntries <= MAX_CACHED_DIRECTORY_ENTRIES || key === offset) break;
      this.leaves.delete(key);
      this.cachedEntries -= value.length;
    }
    return entries;
  }

  /** One tile in XYZ numbering, decompressed; null when the archive has none there. */
  tile(z: number, x: number, y: number): Buffer | null {
    if (z < this.header.minZoom || z > this.header.maxZoom) return null;
    const tileId = zxyToTileId(z, x, y);
    let entries = this.root;
    // The spec allows at most three levels of leaf directories.
    for (let depth = 0; depth < 4; depth += 1) {
      const entry = findTile(entries, tileId);
      if (!entry) return null;
      if (entry.runLength > 0) {
        return decompress(this.read(this.header.tileDataOffset + entry.offset, entry.length), this.header.tileCompression, MAX_TILE_BYTES, 'tile');
      }
      entries = this.leaf(entry.offset, entry.length);
    }
    return refuse('leaf directories nest deeper than the spec allows');
  }

  close(): void {
    closeSync(this.fd);
  }
}
