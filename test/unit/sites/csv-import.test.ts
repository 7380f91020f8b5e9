import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../main/core/index.js';
import { tempCore } from '../../support/core.js';

describe('CSV import of sites', () => {
  let core: Core;
  let cleanup: () => void;
  beforeEach(() => ({ core, cleanup } = tempCore()));
  afterEach(() => cleanup());

  it('previews without writing, then commits only the valid rows, reporting each bad row by line and field', async () => {
    const client = core.client('t');
    const gd = await client.regions.create({ name: 'Guangdong' });
    await client.regions.create({ name: 'Shenzhen', parentId: gd.id });
    await client.sites.create({ name: 'Existing', code: 'OLD-1', latitude: 1, longitude: 1 });
    const csv = [
      'name,code,latitude,longitude,region,address,contact',
      'Nanshan,GD-1,22.5,113.9,Guangdong / Shenzhen,"Keji Rd, 1",Li',
      ',GD-2,22.5,113.9,,,',
      'Futian,GD-3,abc,113.9,,,',
      'Luohu,GD-4,22.5,190,,,',
      'Dup,gd-1,22.5,113.9,,,',
      'Old,old-1,22.5,113.9,,,',
      'Nowhere,GD-7,22.5,113.9,Atlantis,,',
      'Baoan,GD-8,22.6,113.8,Guangdong,,',
    ].join('\n');
    const preview = await client.sites.importCsv({ csv, mode: 'preview' });
    expect(preview).toMatchObject({ mode: 'preview', totalRows: 8, validRows: 2, created: 0, errorsTruncated: false });
    expect(preview.errors.map((error) => [error.line, error.field, error.code])).toEqual([
      [3, 'name', 'too_small'],
      [4, 'latitude', 'invalid_type'],
      [5, 'longitude', 'too_big'],
      [6, 'code', 'duplicate'],
      [7, 'code', 'exists'],
      [8, 'region', 'not_found'],
    ]);
    expect(preview.preview[0]).toMatchObject({ line: 2, code: 'GD-1', address: 'Keji Rd, 1', region: 'Guangdong/Shenzhen' });
    expect((await client.sites.list({})).total).toBe(1);

    const committed = await client.sites.importCsv({ csv, mode: 'commit' });
    expect(committed.created).toBe(2);
    const codes = (await client.sites.list({ sort: 'code' })).items.map((site) => site.code);
    expect(codes).toEqual(['GD-1', 'GD-8', 'OLD-1']);
  });

  it('accepts Chinese headers and a byte-order mark', async () => {
    const csv = '\uFEFF名称,编码,纬度,经度,地址,联系人\r\n武汉站,HB-WH-1,30.59,114.30,武昌区,王工\r\n';
    const result = await core.client('t').sites.importCsv({ csv, mode: 'commit' });
    expect(result.errors).toEqual([]);
    expect(result.created).toBe(1);
    const [site] = (await core.client('t').sites.list({})).items;
    expect(site).toMatchObject({ name: '武汉站', code: 'HB-WH-1', latitude: 30.59, address: '武昌区', contact: '王工' });
  });

  it('fails the whole file when required columns are missing, and names them', async () => {
    const result = await core.client('t').sites.importCsv({ csv: 'name,code,lat\nA,B,1\n', mode: 'commit' });
    expect(result.created).toBe(0);
    expect(result.errors).toEqual([expect.objectContaining({ line: 1, code: 'missing_columns', message: expect.stringContaining('longitude') })]);
  });

  it('reports unknown columns but imports the rest', async () => {
    const result = await core.client('t').sites.importCsv({ csv: 'name,code,latitude,longitude,colour\nA,B,1,2,red\n', mode: 'commit' });
    expect(result.created).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ line: 1, code: 'unknown_columns' })]);
  });

  it('is atomic: a commit writes all valid rows or none', async () => {
    const client = core.client('t');
    const rows = Array.from({ length: 500 }, (_, index) => `S${index},C-${index},${index % 90},${index % 180}`);
    const result = await client.sites.importCsv({ csv: ['name,code,latitude,longitude', ...rows].join('\n'), mode: 'commit' });
    expect(result.created).toBe(500);
    expect((await client.sites.list({})).total).toBe(500);
    expect(result.preview.length).toBe(200);
  });
});
