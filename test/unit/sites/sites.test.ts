import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../main/core/index.js';
import { tempCore } from '../../support/core.js';
import { rejection } from '../../support/rejection.js';

const shenzhen = { name: 'Shenzhen Nanshan', code: 'GD-SZ-001', latitude: 22.53, longitude: 113.93 };

describe('sites through the core client', () => {
  let core: Core;
  let cleanup: () => void;
  beforeEach(() => ({ core, cleanup } = tempCore()));
  afterEach(() => cleanup());

  it('creates, reads, updates and deletes a site', async () => {
    const client = core.client('tester');
    const created = await client.sites.create({ ...shenzhen, address: '  ', contact: 'Li Lei 138' });
    expect(created).toMatchObject({ ...shenzhen, regionId: null, address: null, contact: 'Li Lei 138' });
    expect(await client.sites.get({ id: created.id })).toEqual(created);
    const updated = await client.sites.update({ id: created.id, name: 'Nanshan HQ', latitude: 22.5 });
    expect(updated).toMatchObject({ name: 'Nanshan HQ', latitude: 22.5, code: 'GD-SZ-001', contact: 'Li Lei 138' });
    await client.sites.delete({ id: created.id });
    expect((await rejection(client.sites.get({ id: created.id }))).code).toBe('NOT_FOUND');
  });

  it('names every bad field and writes nothing', async () => {
    const client = core.client('tester');
    const error = await rejection(client.sites.create({ name: '', code: 'bad code', latitude: 91, longitude: -200 }));
    expect(error.code).toBe('BAD_REQUEST');
    const issues = (error.data as { issues: { field: string }[] }).issues.map((issue) => issue.field);
    expect(issues.sort()).toEqual(['code', 'latitude', 'longitude', 'name']);
    expect((await client.sites.list({})).total).toBe(0);
  });

  it('rejects a duplicate code regardless of case, as a conflict on the code field', async () => {
    const client = core.client('tester');
    await client.sites.create(shenzhen);
    const error = await rejection(client.sites.create({ ...shenzhen, code: 'gd-sz-001' }));
    expect(error.code).toBe('CONFLICT');
    expect(error.data).toMatchObject({ field: 'code' });
  });

  it('rejects an unknown region as a bad regionId', async () => {
    const error = await rejection(core.client('t').sites.create({ ...shenzhen, regionId: 999 }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.data).toEqual({ issues: [expect.objectContaining({ field: 'regionId', code: 'not_found' })] });
  });

  it('pages, sorts, searches and filters by region including sub-regions', async () => {
    const client = core.client('t');
    const guangdong = await client.regions.create({ name: 'Guangdong' });
    const shenzhenCity = await client.regions.create({ name: 'Shenzhen', parentId: guangdong.id });
    const hubei = await client.regions.create({ name: 'Hubei' });
    for (let index = 0; index < 25; index += 1) {
      await client.sites.create({
        name: `Site ${String(index).padStart(2, '0')}`,
        code: `S-${index}`,
        latitude: index,
        longitude: 100 + index,
        regionId: index < 10 ? shenzhenCity.id : index < 20 ? guangdong.id : hubei.id,
        address: index === 7 ? 'Keji Road 100%' : null,
      });
    }
    const page = await client.sites.list({ limit: 10, offset: 20, sort: 'latitude', order: 'desc' });
    expect(page.total).toBe(25);
    expect(page.items.map((site) => site.latitude)).toEqual([4, 3, 2, 1, 0]);
    expect((await client.sites.list({ regionId: guangdong.id })).total).toBe(20);
    expect((await client.sites.list({ regionId: shenzhenCity.id })).total).toBe(10);
    expect((await client.sites.list({ q: '100%' })).items.map((site) => site.code)).toEqual(['S-7']);
    expect((await client.sites.list({ q: 'site 2' })).total).toBe(5);
    const byName = await client.sites.list({ limit: 3, sort: 'name' });
    expect(byName.items.map((site) => site.name)).toEqual(['Site 00', 'Site 01', 'Site 02']);
  });

  it('validates list parameters', async () => {
    const error = await rejection(core.client('t').sites.list({ limit: 10_000 }));
    expect(error.code).toBe('BAD_REQUEST');
  });

  it('publishes site.changed for each change', async () => {
    const client = core.client('t');
    const abort = new AbortController();
    const events: unknown[] = [];
    const stream = await client.events.subscribe(undefined, { signal: abort.signal });
    const reading = (async () => {
      for await (const event of stream) {
        events.push(event);
        if (events.length === 2) break;
      }
    })();
    const site = await client.sites.create(shenzhen);
    await client.sites.delete({ id: site.id });
    await reading;
    abort.abort();
    expect(events).toEqual([
      expect.objectContaining({ type: 'site.changed', change: 'created', siteId: site.id, count: 1 }),
      expect.objectContaining({ type: 'site.changed', change: 'deleted', siteId: site.id, count: 1 }),
    ]);
  });
});

describe('audit log', () => {
  let core: Core;
  let cleanup: () => void;
  beforeEach(() => ({ core, cleanup } = tempCore()));
  afterEach(() => cleanup());

  it('records every mutating call with who, what, when and outcome, and no reads', async () => {
    const client = core.client('desktop:alice');
    const site = await client.sites.create(shenzhen);
    await rejection(client.sites.create({ ...shenzhen, latitude: 200 }));
    await client.sites.list({});
    await rejection(client.sites.delete({ id: '00000000-0000-4000-8000-000000000000' }));
    const { items, total } = await client.audit.list({});
    expect(total).toBe(3);
    expect(items.map((entry) => [entry.operation, entry.outcome, entry.errorCode])).toEqual([
      ['sites.delete', 'error', 'NOT_FOUND'],
      ['sites.create', 'error', 'BAD_REQUEST'],
      ['sites.create', 'ok', null],
    ]);
    expect(items[2]).toMatchObject({ actor: 'desktop:alice', target: site.id });
    expect(Date.parse(items[2]!.at)).not.toBeNaN();
    expect(items[1]!.detail).toMatch(/latitude/);
  });

  it('filters by outcome and operation', async () => {
    const client = core.client('t');
    await client.sites.create(shenzhen);
    await rejection(client.sites.create(shenzhen));
    expect((await client.audit.list({ outcome: 'error' })).total).toBe(1);
    expect((await client.audit.list({ operation: 'sites.create' })).total).toBe(2);
    expect((await client.audit.list({ operation: 'regions.create' })).total).toBe(0);
  });

  it('never writes SNMP communities or keys to the audit log', async () => {
    const client = core.client('t');
    const probe = client.devices.probeSnmp({
      host: '127.0.0.1',
      port: 9,
      version: '3',
      timeoutMs: 100,
      retries: 0,
      v3: { user: 'ops', authKey: 'very-secret-auth', privKey: 'very-secret-priv' },
    });
    expect((await rejection(probe)).code).toBe('DEVICE_UNREACHABLE');
    const [entry] = (await client.audit.list({})).items;
    expect(entry).toMatchObject({ operation: 'devices.probeSnmp', outcome: 'error', errorCode: 'DEVICE_UNREACHABLE' });
    expect(entry?.detail).not.toMatch(/very-secret/);
    expect(entry?.detail).toMatch(/"authKey":"<hidden>"/);
  });

  it('keeps a CSV body out of the audit detail', async () => {
    const client = core.client('t');
    await client.sites.importCsv({ csv: 'name,code,latitude,longitude\nA,A1,1,2\n', mode: 'commit' });
    const [entry] = (await client.audit.list({})).items;
    expect(entry?.detail).toMatch(/"csv":"<\d+ characters>"/);
  });
});
