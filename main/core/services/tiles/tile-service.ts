import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TilePackage } from '../../../../shared/domain/map.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';

interface PackageRow {
  id: string;
  name: string;
  file: string;
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

const CONTENT_TYPES: Record<TilePackage['format'], string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

function toPackage(row: PackageRow): TilePackage {
  return {
    id: row.id,
    name: row.name,
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
  private readonly open = new Map<string, { db: Database; tile: Statement; contentType: string }>();
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

  /** Imports an MBTiles file (raster: png, jpg or webp). Refuses anything else with the reason, and keeps nothing of it. */
  importMbtiles(data: Uint8Array | string, name: string, datum: TilePackage['datum'], fileName = ''): TilePackage {
    if (!this.dir) throw new InvalidInputError([{ field: 'file', code: 'unsupported', message: 'This core has no data directory to keep tiles in' }]);
    mkdirSync(this.dir, { recursive: true });
    const id = randomUUID();
    const file = join(this.dir, `${id}.mbtiles`);
    if (typeof data === 'string') copyFileSync(data, file);
    else writeFileSync(file, data);
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
      const row: PackageRow = {
        id,
        name: name.trim() || metadata.get('name') || fileName || 'Imported tiles',
        file,
        format: format === 'jpeg' ? 'jpg' : (format as TilePackage['format']),
        min_zoom: Number(metadata.get('minzoom') ?? stats.minZoom ?? 0),
        max_zoom: Number(metadata.get('maxzoom') ?? stats.maxZoom ?? 0),
        bounds: bounds && bounds.length === 4 && bounds.every(Number.isFinite) ? JSON.stringify(bounds) : null,
        attribution: metadata.get('attribution') ?? null,
        tile_count: stats.n,
        size_bytes: statSync(file).size,
        datum,
        created_at: this.now().toISOString(),
      };
      this.db
        .prepare(
          `INSERT INTO tile_packages (id, name, file, format, min_zoom, max_zoom, bounds, attribution, tile_count, size_bytes, datum, created_at)
           VALUES (@id, @name, @file, @format, @min_zoom, @max_zoom, @bounds, @attribution, @tile_count, @size_bytes, @datum, @created_at)`,
        )
        .run(row);
      return toPackage(row);
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
    this.open.get(id)?.db.close();
    this.open.delete(id);
    this.db.prepare('DELETE FROM tile_packages WHERE id = ?').run(id);
    rmSync(row.file, { force: true });
  }

  /** One tile in XYZ numbering (MBTiles stores TMS rows, flipped), or null when the package has none there. */
  tile(id: string, z: number, x: number, y: number): { data: Buffer; contentType: string } | null {
    let source = this.open.get(id);
    if (!source) {
      const row = this.db.prepare('SELECT file, format FROM tile_packages WHERE id = ?').get(id) as { file: string; format: TilePackage['format'] } | undefined;
      if (!row) throw new NotFoundError('tile package', id);
      const db = new BetterSqlite3(row.file, { readonly: true, fileMustExist: true });
      source = { db, tile: db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').pluck(), contentType: CONTENT_TYPES[row.format] };
      this.open.set(id, source);
    }
    if (z < 0 || z > 30 || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) return null;
    const data = source.tile.get(z, x, 2 ** z - 1 - y) as Buffer | undefined;
    return data ? { data, contentType: source.contentType } : null;
  }

  close(): void {
    for (const source of this.open.values()) source.db.close();
    this.open.clear();
  }
}
