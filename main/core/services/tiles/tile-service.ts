import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { PMTiles, TileType, type RangeResponse, type Source } from 'pmtiles';
import { join } from 'node:path';
import type { TilePackage } from '../../../../shared/domain/map.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';

const MBTILES_MMAP_BYTES = 256 * 1024 * 1024;
const MBTILES_CACHE_KIB = 16 * 1024;

interface PackageRow {
  id: string;
  name: string;
  file: string;
  container: TilePackage['container'];
  format: TilePackage['format'];
  min_zoom: number;
  max_zoom: number;
  bounds: string | null;
  attribution: string | null;
  tile_count: number;
  size_bytes: number;
  datum: TilePackage['datum'];
  created_at: string;
}

const CONTENT_TYPES: Record<TilePackage['format'], string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', mvt: 'application/vnd.mapbox-vector-tile' };
const PMTILES_FORMATS: Partial<Record<TileType, TilePackage['format']>> = { [TileType.Png]: 'png', [TileType.Jpeg]: 'jpg', [TileType.Webp]: 'webp', [TileType.Mvt]: 'mvt' };

/** The first bytes of an upload, given as bytes or as a file path. */
function firstBytes(data: Uint8Array | string, length: number): Buffer {
  if (typeof data !== 'string') return Buffer.from(data.subarray(0, length));
  const fd = openSync(data, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** A PMTiles archive read from a local file, range by range. */
class LocalFileSource implements Source {
  private readonly fd: number;
  constructor(private readonly path: string) {
    this.fd = openSync(path, 'r');
  }
  getKey(): string {
    return this.path;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buffer = Buffer.alloc(length);
    const read = readSync(this.fd, buffer, 0, length, offset);
    return { data: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + read) };
  }
  close(): void {
    closeSync(this.fd);
  }
}

type OpenPackage =
  | { container: 'mbtiles'; db: Database; tile: Statement; contentType: string }
  | { container: 'pmtiles'; archive: PMTiles; source: LocalFileSource; contentType: string };

function toPackage(row: PackageRow): TilePackage {
  return {
    id: row.id,
    name: row.name,
    container: row.container,
    format: row.format,
    minZoom: row.min_zoom,
    maxZoom: row.max_zoom,
    bounds: row.bounds ? (JSON.parse(row.bounds) as [number, number, number, number]) : null,
    attribution: row.attribution,
    tileCount: row.tile_count,
    sizeBytes: row.size_bytes,
    datum: row.datum,
    createdAt: row.created_at,
  };
}

/**
 * Offline basemaps: MBTiles files copied into the data directory, checked,
 * and read tile by tile with better-sqlite3 (read-only, one prepared statement per package).
 */
export class TileService {
  private readonly open = new Map<string, OpenPackage>();
  private readonly dir: string | null;

  constructor(
    private readonly db: Database,
    dataDir: string,
    private readonly now: () => Date,
  ) {
    this.dir = dataDir === ':memory:' ? null : join(dataDir, 'tiles');
  }

  list(): TilePackage[] {
    return (this.db.prepare('SELECT * FROM tile_packages ORDER BY created_at').all() as PackageRow[]).map(toPackage);
  }

  /**
   * Imports a tile package: an MBTiles file (raster) or a PMTiles archive
   * (raster, or vector tiles drawn in the browser). Refuses anything else with
   * the reason, and keeps nothing of it.
   */
  async importPackage(data: Uint8Array | string, name: string, datum: TilePackage['datum'], fileName = ''): Promise<TilePackage> {
    if (firstBytes(data, 7).toString('latin1') === 'PMTiles') return this.importPmtiles(data, name, datum, fileName);
    return this.importMbtiles(data, name, datum, fileName);
  }

  private async importPmtiles(data: Uint8Array | string, name: string, datum: TilePackage['datum'], fileName: string): Promise<TilePackage> {
    const { id, file } = this.keep(data, 'pmtiles');
    const source = new LocalFileSource(file);
    try {
      const archive = new PMTiles(source);
      const header = await archive.getHeader();
      if (header.specVersion !== 3) throw new Error(`PMTiles version ${header.specVersion}; only version 3 is read`);
      const format = PMTILES_FORMATS[header.tileType];
      if (!format) throw new Error('the archive holds tiles of a type EdgeCab cannot draw');
      const metadata = (await archive.getMetadata().catch(() => ({}))) as { name?: string; attribution?: string };
      return this.register({
        id,
        name: name.trim() || metadata.name || fileName || 'Imported tiles',
        file,
        container: 'pmtiles',
        format,
        min_zoom: header.minZoom,
        max_zoom: header.maxZoom,
        bounds: JSON.stringify([header.minLon, header.minLat, header.maxLon, header.maxLat]),
        attribution: metadata.attribution ?? null,
        tile_count: header.numAddressedTiles,
        datum,
      });
    } catch (error) {
      rmSync(file, { force: true });
      throw new InvalidInputError([{ field: 'file', code: 'invalid_pmtiles', message: `Not a usable PMTiles archive: ${(error as Error).message}` }]);
    } finally {
      source.close();
    }
  }

  /** Copies an upload (bytes, or a file by path) into the tiles folder under a new id. */
  private keep(data: Uint8Array | string, extension: 'mbtiles' | 'pmtiles'): { id: string; file: string } {
    if (!this.dir) throw new InvalidInputError([{ field: 'file', code: 'unsupported', message: 'This core has no data directory to keep tiles in' }]);
    mkdirSync(this.dir, { recursive: true });
    const id = randomUUID();
    const file = join(this.dir, `${id}.${extension}`);
    if (typeof data === 'string') copyFileSync(data, file);
    else writeFileSync(file, data);
    return { id, file };
  }

  /** Records a checked package, with its size on disk and the time of import. */
  private register(checked: Omit<PackageRow, 'size_bytes' | 'created_at'>): TilePackage {
    const row: PackageRow = { ...checked, size_bytes: statSync(checked.file).size, created_at: this.now().toISOString() };
    this.db
      .prepare(
        `INSERT INTO tile_packages (id, name, file, container, format, min_zoom, max_zoom, bounds, attribution, tile_count, size_bytes, datum, created_at)
         VALUES (@id, @name, @file, @container, @format, @min_zoom, @max_zoom, @bounds, @attribution, @tile_count, @size_bytes, @datum, @created_at)`,
      )
      .run(row);
    return toPackage(row);
  }

  /** Imports an MBTiles file (raster: png, jpg or webp). */
  importMbtiles(data: Uint8Array | string, name: string, datum: TilePackage['datum'], fileName = ''): TilePackage {
    const { id, file } = this.keep(data, 'mbtiles');
    const fail = (message: string): never => {
      rmSync(file, { force: true });
      throw new InvalidInputError([{ field: 'file', code: 'invalid_mbtiles', message }]);
    };
    let source: Database | undefined;
    try {
      source = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
      const metadata = new Map((source.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((row) => [row.name, row.value]));
      const format = metadata.get('format') ?? 'png';
      if (format === 'pbf') fail('This is a vector MBTiles file; only raster (png, jpg, webp) MBTiles can be used as a basemap');
      if (!['png', 'jpg', 'jpeg', 'webp'].includes(format)) fail(`Unknown tile format "${format}"`);
      const stats = source.prepare('SELECT count(*) AS n, min(zoom_level) AS minZoom, max(zoom_level) AS maxZoom FROM tiles').get() as { n: number; minZoom: number | null; maxZoom: number | null };
      if (stats.n === 0) fail('The file holds no tiles');
      const bounds = metadata.get('bounds')?.split(',').map(Number);
      return this.register({
        id,
        name: name.trim() || metadata.get('name') || fileName || 'Imported tiles',
        file,
        container: 'mbtiles',
        format: format === 'jpeg' ? 'jpg' : (format as TilePackage['format']),
        min_zoom: Number(metadata.get('minzoom') ?? stats.minZoom ?? 0),
        max_zoom: Number(metadata.get('maxzoom') ?? stats.maxZoom ?? 0),
        bounds: bounds && bounds.length === 4 && bounds.every(Number.isFinite) ? JSON.stringify(bounds) : null,
        attribution: metadata.get('attribution') ?? null,
        tile_count: stats.n,
        datum,
      });
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      return fail(`Not an MBTiles file: ${(error as Error).message}`);
    } finally {
      source?.close();
    }
  }

  remove(id: string): void {
    const row = this.db.prepare('SELECT file FROM tile_packages WHERE id = ?').get(id) as { file: string } | undefined;
    if (!row) throw new NotFoundError('tile package', id);
    this.closeOne(id);
    this.db.prepare('DELETE FROM tile_packages WHERE id = ?').run(id);
    rmSync(row.file, { force: true });
  }

  private openPackage(id: string): OpenPackage {
    let source = this.open.get(id);
    if (source) return source;
    const row = this.db.prepare('SELECT file, format, container FROM tile_packages WHERE id = ?').get(id) as
      | { file: string; format: TilePackage['format']; container: TilePackage['container'] }
      | undefined;
    if (!row) throw new NotFoundError('tile package', id);
    if (row.container === 'pmtiles') {
      const fileSource = new LocalFileSource(row.file);
      source = { container: 'pmtiles', archive: new PMTiles(fileSource), source: fileSource, contentType: CONTENT_TYPES[row.format] };
    } else {
      const db = new BetterSqlite3(row.file, { readonly: true, fileMustExist: true });
      // Tiles are read at random and never written: mapping the file spares a read() per page, and a larger cache keeps the hot zooms.
      db.pragma(`mmap_size = ${MBTILES_MMAP_BYTES}`);
      db.pragma(`cache_size = -${MBTILES_CACHE_KIB}`);
      source = {
        container: 'mbtiles',
        db,
        tile: db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').pluck(),
        contentType: CONTENT_TYPES[row.format],
      };
    }
    this.open.set(id, source);
    return source;
  }

  /** One tile in XYZ numbering (MBTiles stores TMS rows, flipped), or null when the package has none there. */
  async tile(id: string, z: number, x: number, y: number): Promise<{ data: Buffer; contentType: string } | null> {
    const source = this.openPackage(id);
    if (z < 0 || z > 30 || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) return null;
    if (source.container === 'pmtiles') {
      const found = await source.archive.getZxy(z, x, y);
      return found ? { data: Buffer.from(found.data), contentType: source.contentType } : null;
    }
    const data = source.tile.get(z, x, 2 ** z - 1 - y) as Buffer | undefined;
    return data ? { data, contentType: source.contentType } : null;
  }

  private closeOne(id: string): void {
    const source = this.open.get(id);
    if (source?.container === 'mbtiles') source.db.close();
    if (source?.container === 'pmtiles') source.source.close();
    this.open.delete(id);
  }

  close(): void {
    for (const id of [...this.open.keys()]) this.closeOne(id);
  }
}
