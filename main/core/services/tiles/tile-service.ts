import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, createWriteStream, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { TileType } from 'pmtiles';
import type { TilePackage } from '../../../../shared/domain/map.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { MAX_ATTRIBUTION_CHARS, MAX_NAME_CHARS } from './limits.js';
import { MbtilesRefusal, openMbtiles, summarizeMbtiles, SQLITE_MAGIC, useRollbackJournal, type OpenMbtiles } from './mbtiles.js';
import { PmtilesArchive, PmtilesRefusal } from './pmtiles-archive.js';
import { stagedPathOf } from './staged-uploads.js';

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

type Checked = Omit<PackageRow, 'id' | 'file' | 'size_bytes' | 'created_at' | 'datum'>;

export interface ImportOptions {
  name: string;
  datum: TilePackage['datum'];
  /** The uploaded file's name without extension: the last fallback for the package name. */
  fileName?: string;
}

const CONTENT_TYPES: Record<TilePackage['format'], string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', mvt: 'application/vnd.mapbox-vector-tile' };
const PMTILES_FORMATS: Partial<Record<number, TilePackage['format']>> = { [TileType.Png]: 'png', [TileType.Jpeg]: 'jpg', [TileType.Webp]: 'webp', [TileType.Mvt]: 'mvt' };

type OpenPackage = { container: 'mbtiles'; source: OpenMbtiles; contentType: string } | { container: 'pmtiles'; archive: PmtilesArchive; contentType: string };

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

function firstBytes(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Text from a tile file shown by EdgeCab: Leaflet puts an attribution into
 * the page as HTML, so markup is dropped and only the text is kept.
 */
function plainText(text: string | null | undefined, max: number): string | null {
  if (typeof text !== 'string') return null;
  const plain = text
    .replace(/<[^>]*>/g, '')
    .replace(/[<>]/g, '')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim();
  return plain ? plain.slice(0, max) : null;
}

function packageName(...candidates: (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    const name = plainText(candidate, MAX_NAME_CHARS);
    if (name) return name;
  }
  return 'Imported tiles';
}

/**
 * Offline basemaps: MBTiles files and PMTiles archives kept in the data
 * directory's tiles folder. A file is checked where it was received (the
 * staging folder), then moved into place in one rename; a refused file is
 * removed and leaves nothing behind.
 */
export class TileService {
  private readonly open = new Map<string, OpenPackage>();
  private readonly dir: string | null;
  private readonly staging: string | null;

  constructor(
    private readonly db: Database,
    dataDir: string,
    private readonly now: () => Date,
  ) {
    this.dir = dataDir === ':memory:' ? null : join(dataDir, 'tiles');
    this.staging = this.dir ? join(this.dir, 'incoming') : null;
    // Uploads cut short by a crash or a kill are never resumed.
    if (this.staging) for (const name of safeReaddir(this.staging)) rmSync(join(this.staging, name), { force: true });
  }

  list(): TilePackage[] {
    return (this.db.prepare('SELECT * FROM tile_packages ORDER BY created_at').all() as PackageRow[]).map(toPackage);
  }

  /**
   * A fresh path for a file being received (in the data directory, so that
   * the move into place is a rename). Without a data directory, a temporary
   * file that an import will refuse.
   */
  stagingFile(): string {
    if (!this.staging) return join(tmpdir(), `edgecab-upload-${randomUUID()}`);
    mkdirSync(this.staging, { recursive: true, mode: 0o700 });
    return join(this.staging, `${randomUUID()}.upload`);
  }

  private requireDir(): { dir: string; staging: string } {
    if (!this.dir || !this.staging) throw new InvalidInputError([{ field: 'file', code: 'unsupported', message: 'This core has no data directory to keep tiles in' }]);
    mkdirSync(this.staging, { recursive: true, mode: 0o700 });
    return { dir: this.dir, staging: this.staging };
  }

  /**
   * Imports an uploaded file: one a host staged on disk is taken over by
   * path; any other (the desktop's, an in-process client's) is streamed to
   * the staging folder first, never copied whole in memory.
   */
  async importUpload(file: Blob, options: ImportOptions): Promise<TilePackage> {
    const staged = stagedPathOf(file);
    if (staged) return this.importFile(staged, options, { take: true });
    const path = this.stagingFile();
    try {
      await pipeline(Readable.fromWeb(file.stream() as NodeReadableStream<Uint8Array>), createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      rmSync(path, { force: true });
      throw error;
    }
    return this.importFile(path, options, { take: true });
  }

  /**
   * Imports a tile package file: an MBTiles file (raster) or a PMTiles
   * archive (raster, or vector tiles drawn in the browser). With `take`, the
   * file is the caller's temporary file and is moved (or, refused, removed);
   * otherwise it is copied. Refuses anything else with the reason.
   */
  importFile(path: string, options: ImportOptions, { take = false }: { take?: boolean } = {}): TilePackage {
    let folders: { dir: string; staging: string };
    try {
      folders = this.requireDir();
    } catch (error) {
      if (take) rmSync(path, { force: true });
      throw error;
    }
    const { dir, staging } = folders;
    const id = randomUUID();
    // Claimed under the core's own name at once: the host's clean-up of its staged path can no longer touch it.
    const working = join(staging, `${id}.checking`);
    if (take) renameSync(path, working);
    else copyFileSync(path, working);
    let final: string | null = null;
    try {
      const magic = firstBytes(working, 16);
      const container: TilePackage['container'] = magic.toString('latin1', 0, 7) === 'PMTiles' ? 'pmtiles' : 'mbtiles';
      if (container === 'mbtiles' && magic.toString('latin1') !== SQLITE_MAGIC) {
        throw new InvalidInputError([{ field: 'file', code: 'invalid_mbtiles', message: 'Not an MBTiles file (nor a PMTiles archive): it does not start with the SQLite or PMTiles header' }]);
      }
      const checked = container === 'pmtiles' ? this.checkPmtiles(working) : this.checkMbtiles(working);
      final = join(dir, `${id}.${container}`);
      renameSync(working, final);
      return this.register({
        ...checked,
        id,
        file: final,
        datum: options.datum,
        name: packageName(options.name, checked.name, options.fileName),
      });
    } catch (error) {
      rmSync(working, { force: true });
      if (final) rmSync(final, { force: true });
      throw error;
    }
  }

  /** Imports from bytes or from a file path (the file is copied). */
  async importPackage(data: Uint8Array | string, name: string, datum: TilePackage['datum'], fileName = ''): Promise<TilePackage> {
    return this.importBytesOrPath(data, { name, datum, fileName });
  }

  /** Kept for callers that import an MBTiles file synchronously; any package type is accepted. */
  importMbtiles(data: Uint8Array | string, name: string, datum: TilePackage['datum'], fileName = ''): TilePackage {
    return this.importBytesOrPath(data, { name, datum, fileName });
  }

  private importBytesOrPath(data: Uint8Array | string, options: ImportOptions): TilePackage {
    if (typeof data === 'string') return this.importFile(data, options);
    const path = this.stagingFile();
    writeFileSync(path, data, { flag: 'wx', mode: 0o600 });
    return this.importFile(path, options, { take: true });
  }

  private checkMbtiles(file: string): Checked {
    let source: OpenMbtiles | undefined;
    try {
      useRollbackJournal(file);
      source = openMbtiles(file);
      const summary = summarizeMbtiles(source);
      return {
        name: summary.name ?? '',
        container: 'mbtiles',
        format: summary.format,
        min_zoom: summary.minZoom,
        max_zoom: summary.maxZoom,
        bounds: summary.bounds ? JSON.stringify(summary.bounds) : null,
        attribution: plainText(summary.attribution, MAX_ATTRIBUTION_CHARS),
        tile_count: summary.tileCount,
      };
    } catch (error) {
      // A refusal says what is wrong with a database; anything else (SQLite's own error) means it is not one.
      const message = error instanceof MbtilesRefusal ? `Not a usable MBTiles file: ${error.message}` : `Not an MBTiles file: ${(error as Error).message}`;
      throw new InvalidInputError([{ field: 'file', code: 'invalid_mbtiles', message }]);
    } finally {
      source?.db.close();
    }
  }

  private checkPmtiles(file: string): Checked {
    let archive: PmtilesArchive | undefined;
    try {
      archive = PmtilesArchive.open(file);
      const { header } = archive;
      const format = PMTILES_FORMATS[header.tileType];
      if (!format) throw new PmtilesRefusal('the archive holds tiles of a type EdgeCab cannot draw');
      const metadata = archive.metadata();
      const text = (key: string) => (typeof metadata[key] === 'string' ? (metadata[key] as string) : null);
      return {
        name: text('name') ?? '',
        container: 'pmtiles',
        format,
        min_zoom: header.minZoom,
        max_zoom: header.maxZoom,
        bounds: JSON.stringify(header.bounds),
        attribution: plainText(text('attribution'), MAX_ATTRIBUTION_CHARS),
        tile_count: header.numAddressedTiles,
      };
    } catch (error) {
      throw new InvalidInputError([{ field: 'file', code: 'invalid_pmtiles', message: `Not a usable PMTiles archive: ${(error as Error).message}` }]);
    } finally {
      archive?.close();
    }
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

  remove(id: string): void {
    const row = this.db.prepare('SELECT file FROM tile_packages WHERE id = ?').get(id) as { file: string } | undefined;
    if (!row) throw new NotFoundError('tile package', id);
    this.closeOne(id);
    this.db.prepare('DELETE FROM tile_packages WHERE id = ?').run(id);
    rmSync(row.file, { force: true });
  }

  /** Opens a package for serving, with the same checks as its import (the file on disk may not be the one imported). */
  private openPackage(id: string): OpenPackage {
    let source = this.open.get(id);
    if (source) return source;
    const row = this.db.prepare('SELECT file, format, container FROM tile_packages WHERE id = ?').get(id) as
      | { file: string; format: TilePackage['format']; container: TilePackage['container'] }
      | undefined;
    if (!row) throw new NotFoundError('tile package', id);
    const contentType = CONTENT_TYPES[row.format];
    if (row.container === 'pmtiles') source = { container: 'pmtiles', archive: PmtilesArchive.open(row.file), contentType };
    else {
      // Tiles are read at random and never written: mapping the file spares a read() per page, and a larger cache keeps the hot zooms.
      source = { container: 'mbtiles', source: openMbtiles(row.file, { mmapBytes: MBTILES_MMAP_BYTES, cacheKib: MBTILES_CACHE_KIB }), contentType };
    }
    this.open.set(id, source);
    return source;
  }

  /** One tile in XYZ numbering (MBTiles stores TMS rows, flipped), or null when the package has none there. */
  async tile(id: string, z: number, x: number, y: number): Promise<{ data: Buffer; contentType: string } | null> {
    const source = this.openPackage(id);
    if (!Number.isInteger(z) || z < 0 || z > 30 || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) return null;
    const data = source.container === 'pmtiles' ? source.archive.tile(z, x, y) : source.source.tile(z, x, 2 ** z - 1 - y);
    return data ? { data, contentType: source.contentType } : null;
  }

  private closeOne(id: string): void {
    const source = this.open.get(id);
    if (source?.container === 'mbtiles') source.source.db.close();
    if (source?.container === 'pmtiles') source.archive.close();
    this.open.delete(id);
  }

  close(): void {
    for (const id of [...this.open.keys()]) this.closeOne(id);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
