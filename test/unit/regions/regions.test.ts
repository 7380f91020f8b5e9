import { ORPCError } from '@orpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../main/core/index.js';
import { buildRegionTree } from '../../../shared/domain/region.js';
import { tempCore } from '../../support/core.js';

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ORPCError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('regions', () => {
  let core: Core;
  let cleanup: () => void;
  beforeEach(() => ({ core, cleanup } = tempCore()));
  afterEach(() => cleanup());

  it('builds a tree of any depth with paths and site counts', async () => {
    const client = core.client('t');
    const province = await client.regions.create({ name: 'Guangdong' });
    const city = await client.regions.create({ name: 'Shenzhen', parentId: province.id });
    const county = await client.regions.create({ name: 'Nanshan', parentId: city.id });
    const street = await client.regions.create({ name: 'Yuehai', parentId: county.id });
    await client.sites.create({ name: 'A', code: 'A', latitude: 1, longitude: 1, regionId: street.id });
    const list = await client.regions.list();
    expect(list.find((region) => region.id === street.id)).toMatchObject({ path: 'Guangdong/Shenzhen/Nanshan/Yuehai', depth: 3, siteCount: 1 });
    const [root] = buildRegionTree(list);
    expect(root?.children[0]?.children[0]?.children[0]?.name).toBe('Yuehai');
  });

  it('refuses duplicates among siblings, cycles, and deleting a region in use', async () => {
    const client = core.client('t');
    const province = await client.regions.create({ name: 'Hubei' });
    const city = await client.regions.create({ name: 'Wuhan', parentId: province.id });
    expect(await errorCode(client.regions.create({ name: 'Wuhan', parentId: province.id }))).toBe('CONFLICT');
    expect(await errorCode(client.regions.create({ name: 'Wuhan' }))).toBe('no error');
    expect(await errorCode(client.regions.update({ id: province.id, parentId: city.id }))).toBe('BAD_REQUEST');
    expect(await errorCode(client.regions.create({ name: 'a/b' }))).toBe('BAD_REQUEST');
    expect(await errorCode(client.regions.delete({ id: province.id }))).toBe('CONFLICT');
    await client.sites.create({ name: 'W', code: 'W', latitude: 30, longitude: 114, regionId: city.id });
    expect(await errorCode(client.regions.delete({ id: city.id }))).toBe('CONFLICT');
    expect(await errorCode(client.regions.delete({ id: 12345 }))).toBe('NOT_FOUND');
  });

  it('renames and moves a region', async () => {
    const client = core.client('t');
    const a = await client.regions.create({ name: 'A' });
    const b = await client.regions.create({ name: 'B' });
    const moved = await client.regions.update({ id: b.id, parentId: a.id, name: 'B2' });
    expect(moved).toMatchObject({ path: 'A/B2', parentId: a.id });
    await client.regions.delete({ id: b.id });
    expect((await client.regions.list()).map((region) => region.path)).toEqual(['A']);
  });
});
