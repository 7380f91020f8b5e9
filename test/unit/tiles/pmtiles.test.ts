import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../main/core/index.js';
import { PmtilesArchive, PmtilesRefusal } from '../../../main/core/services/tiles/pmtiles-archive.js';
import { tempCore, tempDir } from '../../support/core.js';
import { writePmtiles } from '../../support/pmtiles.js';
import { directory, gzipBombArchive, HEADER, oneTileArchive, pmtilesBytes, writeBytes } from './hostile-files.js';

describe('PMTiles archives from anywhere', () => {
  let core: Core;
  let cleanup: () => void;
  let files: { dir: string; cleanup: () => void };
  const file = (name: string) => join(files.dir, name);
  const refusal = async (bytes: Buffer): Promise<string> => {
    const error = await core.services.tiles.importPackage(writeBytes(file(`a-${Math.random()}.pmtiles`), bytes), '', 'wgs84').catch((failure: unknown) => failure);
    expect(error, 'the archive was accepted').toBeInstanceOf(Error);
    return (error as { issues: { message: string }[] }).issues[0]!.message;
  };

  beforeEach(() => {
    ({ core, cleanup } = tempCore());
    files = tempDir();
  });
  afterEach(() => {
    cleanup();
    files.cleanup();
    vi.restoreAllMocks();
  });

  it('imports a well-formed archive (the base the hostile ones are made from)', async () => {
    const imported = await core.services.tiles.importPackage(writeBytes(file('ok.pmtiles'), oneTileArchive()), '', 'wgs84');
    expect(imported).toMatchObject({ container: 'pmtiles', name: 'Hostile archive', maxZoom: 0 });
    expect((await core.services.tiles.tile(imported.id, 0, 0, 0))?.data.subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses a header pointing past the end of the file, or claiming a huge directory, without allocating it', async () => {
    const lie = (at: number, value: bigint) => oneTileArchive((header) => header.writeBigUInt64LE(value, at));
    const cases: [Buffer, RegExp][] = [
      [lie(HEADER.tileDataLength, 3n * 1024n ** 3n), /tile data \(bytes \d+ to \d+\) runs past the end of the file/],
      [lie(HEADER.rootLength, 1n << 40n), /root directory .* runs past the end/],
      [lie(HEADER.metadataLength, 2n ** 62n), /metadata length is \d+, larger than any file/],
      [lie(HEADER.leafLength, 1n << 33n), /leaf directories .* runs past the end/],
    ];
    // Every buffer the import allocates is recorded (the archives above are made first).
    const allocations: number[] = [];
    const alloc = Buffer.alloc.bind(Buffer);
    const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
    vi.spyOn(Buffer, 'alloc').mockImplementation((size, ...rest) => {
      allocations.push(size);
      return alloc(size, ...rest);
    });
    vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size) => {
      allocations.push(size);
      return allocUnsafe(size);
    });
    for (const [bytes, reason] of cases) expect(await refusal(bytes)).toMatch(reason);
    // Nothing near what the headers claimed was ever allocated: at most the 16 KiB a header and root directory take.
    expect(allocations.length).toBeGreaterThan(0);
    expect(Math.max(...allocations)).toBeLessThanOrEqual(64 * 1024);
  });

  it('refuses directories that lie: too many entries, a leaf beyond the bound, tiles outside the tile data', async () => {
    const tile = Buffer.from('not really a png');
    const archive = (root: Buffer, leaves?: Buffer) => pmtilesBytes({ root, tiles: tile, ...(leaves ? { leaves } : {}) });
    expect(await refusal(archive(directory([{ tileId: 0, offset: 0, length: tile.length, runLength: 1 }], 2 ** 40)))).toMatch(/claims 1099511627776 entries/);
    expect(await refusal(archive(directory([{ tileId: 0, offset: 0, length: 64 * 1024 * 1024, runLength: 0 }]), Buffer.alloc(16)))).toMatch(/leaf directory of 67108864 bytes/);
    expect(await refusal(archive(directory([{ tileId: 0, offset: 5, length: tile.length, runLength: 1 }])))).toMatch(/points past the end of the tile data/);
  });

  it('refuses other versions, unknown compression, impossible zoom levels, counts and bounds', async () => {
    expect(await refusal(oneTileArchive((header) => (header[7] = 2)))).toMatch(/PMTiles version 2; only version 3/);
    expect(await refusal(oneTileArchive((header) => (header[97] = 4)))).toMatch(/directories use compression 4/);
    expect(await refusal(oneTileArchive((header) => (header[HEADER.maxZoom] = 40)))).toMatch(/zoom levels 0 to 40/);
    expect(await refusal(oneTileArchive((header) => header.writeBigUInt64LE(1000n, HEADER.addressedTiles)))).toMatch(/claims 1000 tiles; zoom 0 to 0 has 1/);
    expect(await refusal(oneTileArchive((header) => header.writeInt32LE(-200 * 1e7, 102)))).toMatch(/outside the globe/);
    expect(core.services.tiles.list()).toEqual([]);
  });

  it('does not inflate a gzip bomb: the tile is refused each time, within the tile bound', async () => {
    const archive = PmtilesArchive.open(writeBytes(file('bomb.pmtiles'), gzipBombArchive()));
    try {
      expect(() => archive.tile(0, 0, 0)).toThrow(PmtilesRefusal);
      expect(() => archive.tile(0, 0, 0)).toThrow(/does not decompress within 4194304 bytes/);
    } finally {
      archive.close();
    }
  });

  it('still reads the archives the test support writes, with leaf-free directories of many entries', async () => {
    const count = writePmtiles(file('many.pmtiles'), 4, 'png', 'Many');
    const imported = await core.services.tiles.importPackage(file('many.pmtiles'), '', 'wgs84');
    expect(imported.tileCount).toBe(count);
    expect((await core.services.tiles.tile(imported.id, 4, 15, 15))?.contentType).toBe('image/png');
  });
});
