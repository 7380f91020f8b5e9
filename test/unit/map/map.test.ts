import type { DeviceStatus } from '../../../shared/domain/cabinet.js';
import { join } from 'node:path';
import { ORPCError } from '@orpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../main/core/index.js';
import { outOfChina, wgs84ToGcj02 } from '../../../shared/domain/geo.js';
import { isProblem, worseState } from '../../../shared/domain/map.js';
import { tempCore, tempDir } from '../../support/core.js';
import { writeMbtiles } from '../../support/mbtiles.js';
import { writePmtiles } from '../../support/pmtiles.js';

describe('GCJ-02', () => {
  it('shifts a point in China by the known offset, and leaves the rest of the world alone', () => {
    // Tiananmen: a widely published WGS-84 / GCJ-02 pair.
    const [latitude, longitude] = wgs84ToGcj02(39.90872, 116.39748);
    expect(latitude).toBeCloseTo(39.91012, 4);
    expect(longitude).toBeCloseTo(116.40372, 4);
    expect(wgs84ToGcj02(48.8566, 2.3522)).toEqual([48.8566, 2.3522]);
    expect(outOfChina(22.3, 114.17)).toBe(false);
  });
});

describe('site states on the map', () => {
  it('orders states so a cluster shows the worst, and knows what counts as a problem', () => {
    expect(worseState('ok', 'critical')).toBe('critical');
    expect(worseState('warning', 'unreachable')).toBe('unreachable');
    expect(worseState('unknown', 'ok')).toBe('ok');
    expect(isProblem('stale')).toBe(true);
    expect(isProblem('ok')).toBe(false);
    expect(isProblem('unknown')).toBe(false);
  });
});

describe('offline tile packages', () => {
  let core: Core;
  let cleanup: () => void;
  let files: { dir: string; cleanup: () => void };
  beforeEach(() => {
    ({ core, cleanup } = tempCore());
    files = tempDir();
  });
  afterEach(() => {
    cleanup();
    files.cleanup();
  });

  it('imports a raster MBTiles file and serves its tiles in XYZ numbering', async () => {
    const file = join(files.dir, 'city.mbtiles');
    const count = writeMbtiles(file, 3, 'City');
    const imported = core.services.tiles.importMbtiles(file, '', 'gcj02');
    expect(imported).toMatchObject({ name: 'City', format: 'png', minZoom: 0, maxZoom: 3, tileCount: count, datum: 'gcj02' });
    const tile = await core.services.tiles.tile(imported.id, 3, 5, 2);
    expect(tile?.contentType).toBe('image/png');
    expect(tile?.data.subarray(1, 4).toString()).toBe('PNG');
    expect(await core.services.tiles.tile(imported.id, 3, 8, 0)).toBeNull();
    expect(await core.services.tiles.tile(imported.id, 9, 0, 0)).toBeNull();
    expect((await core.client('t').tiles.list()).map((each) => each.id)).toEqual([imported.id]);
  });

  it('refuses a file that is not a raster MBTiles, keeping nothing of it', async () => {
    const client = core.client('t');
    const error = await client.tiles.import({ file: new File([Buffer.from('not a database at all')], 'bogus.mbtiles'), name: '', datum: 'wgs84' }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ORPCError);
    expect((error as ORPCError<string, { issues: { message: string }[] }>).data.issues[0]?.message).toMatch(/Not an MBTiles file/);
    expect(await client.tiles.list()).toEqual([]);
  });

  it.each([
    ['raster', 'png', 'image/png'],
    ['vector', 'mvt', 'application/vnd.mapbox-vector-tile'],
  ] as const)('imports a %s PMTiles archive and serves its tiles', async (_label, type, contentType) => {
    const file = join(files.dir, `${type}.pmtiles`);
    const count = writePmtiles(file, 2, type, `${type} archive`);
    const imported = await core.services.tiles.importPackage(file, '', 'wgs84');
    expect(imported).toMatchObject({ container: 'pmtiles', format: type, tileCount: count, maxZoom: 2, name: `${type} archive` });
    const tile = await core.services.tiles.tile(imported.id, 2, 1, 3);
    expect(tile?.contentType).toBe(contentType);
    expect(tile?.data.length).toBeGreaterThan(10);
    expect(await core.services.tiles.tile(imported.id, 3, 0, 0)).toBeNull();
  });
});

describe('the map snapshot of every site', () => {
  let clock = new Date('2026-11-25T08:00:00Z');
  let core: Core;
  let cleanup: () => void;
  beforeEach(() => {
    clock = new Date('2026-11-25T08:00:00Z');
    ({ core, cleanup } = tempCore(() => clock));
  });
  afterEach(() => cleanup());

  function recordReading(deviceId: string, status: string, observedAt: Date): void {
    core.services.devices.keepReading(deviceId, { observedAt: observedAt.toISOString(), status: status as DeviceStatus, error: null, snmp: null, redfish: null });
  }

  it('follows every change and turns a site stale when its newest reading ages out', async () => {
    const client = core.client('t');
    const site = await client.sites.create({ name: 'Branch 9', code: 'BR-9', latitude: 28.2, longitude: 112.9 });
    const view = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
    const device = view.devices[0]!;
    const stateOf = async () => (await client.map.sites()).sites.find((each) => each[0] === site.id)?.[6];

    expect(await stateOf()).toBe('unknown');
    recordReading(device.id, 'ok', clock);
    expect(await stateOf()).toBe('ok');
    recordReading(device.id, 'critical', clock);
    expect(await stateOf()).toBe('critical');
    await client.sites.update({ id: site.id, name: 'Branch 9 (new hall)' });
    expect((await client.map.sites()).sites.find((each) => each[0] === site.id)?.[2]).toBe('Branch 9 (new hall)');

    clock = new Date(clock.getTime() + 14 * 60_000);
    expect(await stateOf()).toBe('critical');
    clock = new Date(clock.getTime() + 2 * 60_000);
    expect(await stateOf()).toBe('stale');
  });
});
