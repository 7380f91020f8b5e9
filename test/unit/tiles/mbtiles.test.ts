import BetterSqlite3 from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../main/core/index.js';
import { tempCore, tempDir } from '../../support/core.js';
import { solidPng, writeMbtiles } from '../../support/mbtiles.js';
import { STANDARD_SCHEMA, writeMapImagesMbtiles, writeMbtilesWith } from './hostile-files.js';

/** The message of the refusal an import ends with. */
async function refusal(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    const issues = (error as { issues?: { message: string }[] }).issues;
    return issues?.[0]?.message ?? (error as Error).message;
  }
  throw new Error('the import was accepted');
}

describe('MBTiles files from anywhere', () => {
  let core: Core;
  let dataDir: string;
  let cleanup: () => void;
  let files: { dir: string; cleanup: () => void };
  const file = (name: string) => join(files.dir, name);
  /** Nothing of a refused file may stay: no package, no file in tiles/ or its staging folder. */
  const expectNothingKept = () => {
    expect(core.services.tiles.list()).toEqual([]);
    const tilesDir = join(dataDir, 'tiles');
    const left = existsSync(tilesDir) ? readdirSync(tilesDir, { recursive: true }).filter((name) => name !== 'incoming') : [];
    expect(left).toEqual([]);
  };

  beforeEach(() => {
    ({ core, dataDir, cleanup } = tempCore());
    files = tempDir();
  });
  afterEach(() => {
    cleanup();
    files.cleanup();
  });

  it('refuses a file whose tiles is a view, without running it', async () => {
    // The view never ends: reading it would hang the core.
    writeMbtilesWith(
      file('view.mbtiles'),
      `CREATE TABLE metadata (name TEXT, value TEXT);
       CREATE VIEW tiles AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT 0 AS zoom_level, 0 AS tile_column, 0 AS tile_row, randomblob(16) AS tile_data FROM r;`,
      null,
    );
    const started = Date.now();
    expect(await refusal(() => core.services.tiles.importMbtiles(file('view.mbtiles'), '', 'wgs84'))).toMatch(/"tiles" is a view, not a table/);
    expect(Date.now() - started).toBeLessThan(2000);
    expectNothingKept();
  });

  it('refuses a file with a trigger, and one with a virtual table', async () => {
    writeMbtilesWith(file('trigger.mbtiles'), `${STANDARD_SCHEMA} CREATE TRIGGER wipe AFTER INSERT ON metadata BEGIN DELETE FROM tiles; END;`, null);
    expect(await refusal(() => core.services.tiles.importMbtiles(file('trigger.mbtiles'), '', 'wgs84'))).toMatch(/triggers \(wipe\)/);
    writeMbtilesWith(file('virtual.mbtiles'), `${STANDARD_SCHEMA} CREATE VIRTUAL TABLE notes USING fts5(text);`);
    expect(await refusal(() => core.services.tiles.importMbtiles(file('virtual.mbtiles'), '', 'wgs84'))).toMatch(/virtual tables \(notes\)/);
    expectNothingKept();
  });

  it('refuses a metadata view, a missing tiles table and tiles without an index', async () => {
    writeMbtilesWith(
      file('meta-view.mbtiles'),
      'CREATE TABLE m (name TEXT, value TEXT); CREATE VIEW metadata AS SELECT * FROM m; CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);',
      null,
      'm',
    );
    expect(await refusal(() => core.services.tiles.importMbtiles(file('meta-view.mbtiles'), '', 'wgs84'))).toMatch(/"metadata" is a view/);
    writeMbtilesWith(file('no-tiles.mbtiles'), 'CREATE TABLE metadata (name TEXT, value TEXT);', null);
    expect(await refusal(() => core.services.tiles.importMbtiles(file('no-tiles.mbtiles'), '', 'wgs84'))).toMatch(/no tiles table/);
    // Without an index every tile read would scan the whole table.
    writeMbtilesWith(file('no-index.mbtiles'), 'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);');
    expect(await refusal(() => core.services.tiles.importMbtiles(file('no-index.mbtiles'), '', 'wgs84'))).toMatch(/cannot be looked up by index/);
    expectNothingKept();
  });

  it('refuses a truncated or corrupt database and a file that is no database at all', async () => {
    writeMbtiles(file('good.mbtiles'), 2);
    const good = readFileSync(file('good.mbtiles'));
    writeFileSync(file('truncated.mbtiles'), good.subarray(0, 4096 + 100));
    expect(await refusal(() => core.services.tiles.importMbtiles(file('truncated.mbtiles'), '', 'wgs84'))).toMatch(/Not an MBTiles file|Not a usable MBTiles file/);
    writeFileSync(file('text.mbtiles'), 'just some text, no database');
    expect(await refusal(() => core.services.tiles.importMbtiles(file('text.mbtiles'), '', 'wgs84'))).toMatch(/Not an MBTiles file/);
    expectNothingKept();
  });

  it('reads the standard map + images layout by its own join, never through the tiles view', async () => {
    writeMapImagesMbtiles(file('dedup.mbtiles'));
    const imported = core.services.tiles.importMbtiles(file('dedup.mbtiles'), '', 'wgs84');
    expect(imported).toMatchObject({ name: 'Hostile', tileCount: 3, minZoom: 0, maxZoom: 1 });
    // XYZ 1/1/0 is TMS row 1 at zoom 1.
    expect((await core.services.tiles.tile(imported.id, 1, 1, 0))?.contentType).toBe('image/png');
    expect(await core.services.tiles.tile(imported.id, 1, 0, 0)).toBeNull();
  });

  it('does not serve a tile larger than the bound, and keeps markup out of the attribution', async () => {
    writeMbtilesWith(file('big.mbtiles'), STANDARD_SCHEMA);
    const db = new BetterSqlite3(file('big.mbtiles'));
    db.prepare('UPDATE tiles SET tile_data = zeroblob(5 * 1024 * 1024) WHERE zoom_level = 0').run();
    db.prepare("INSERT INTO metadata VALUES ('attribution', '<a href=\"https://osm.org\" onclick=\"steal()\">© OSM</a><script>x()</script>')").run();
    db.close();
    const imported = core.services.tiles.importMbtiles(file('big.mbtiles'), '', 'wgs84');
    expect(imported.attribution).toBe('© OSMx()');
    expect(await core.services.tiles.tile(imported.id, 0, 0, 0)).toBeNull();
    expect((await core.services.tiles.tile(imported.id, 1, 0, 0))?.data.subarray(1, 4).toString()).toBe('PNG');
  });

  it('imports a WAL-mode file without leaving -wal or -shm files behind', async () => {
    const db = new BetterSqlite3(file('wal.mbtiles'));
    db.pragma('journal_mode = WAL');
    db.exec(STANDARD_SCHEMA);
    db.prepare("INSERT INTO metadata VALUES ('format', 'png')").run();
    db.prepare('INSERT INTO tiles VALUES (0, 0, 0, ?)').run(solidPng(1, 2, 3));
    db.close();
    const imported = core.services.tiles.importMbtiles(file('wal.mbtiles'), 'WAL', 'wgs84');
    expect((await core.services.tiles.tile(imported.id, 0, 0, 0))?.contentType).toBe('image/png');
    expect(readdirSync(join(dataDir, 'tiles')).filter((name) => name.endsWith('-wal') || name.endsWith('-shm'))).toEqual([]);
  });
});
