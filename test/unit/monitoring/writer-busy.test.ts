import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../main/core/index.js';
import { tempDir } from '../../support/core.js';

describe('the batched writer on a busy database', () => {
  let core: Core | null = null;
  let cleanup: (() => void) | null = null;
  afterEach(async () => {
    await core?.close();
    cleanup?.();
  });

  it('keeps the batch when another connection holds the database, writes it at the next flush, and shows the problem meanwhile', async () => {
    const dir = tempDir();
    cleanup = dir.cleanup;
    core = createCore({ dataDir: dir.dir, host: 'server' });
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Busy', code: 'BUSY-1', latitude: 1, longitude: 1 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    const device = cabinet.devices.find((each) => each.slotId === 'sw1')!;
    await client.devices.connect({ id: device.id, protocol: 'snmp', host: '127.0.0.1', port: 9, version: '2c', community: 'public' });
    core.services.monitor.refreshTargets();
    const writer = (core.services.monitor as unknown as { writer: { push(result: unknown): void; backlog: number } }).writer;
    const pollable = { id: device.id, site_id: site.id, site_name: site.name, name: device.name, protocol: 'snmp', endpoint: '127.0.0.1:9', credential_id: 'x', fingerprint: null };
    writer.push({ kind: 'failed', device: pollable, at: Date.now(), error: 'no answer' });

    // A backup tool (or a CLI command) holds a write lock longer than the busy timeout.
    const other = new BetterSqlite3(join(dir.dir, 'edgecab.sqlite'));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    core.db.pragma('busy_timeout = 100');
    core.services.monitor.flush();
    expect(writer.backlog).toBe(1);
    expect(core.services.health.problems()).toEqual([expect.objectContaining({ key: 'monitor.writer', message: expect.stringMatching(/locked|busy/i) })]);
    other.exec('COMMIT');
    other.close();
    core.services.monitor.flush();
    expect(writer.backlog).toBe(0);
    expect(core.services.cabinets.device(device.id).status).toBe('unreachable');
    // It works again: the problem clears itself.
    expect(core.services.health.problems()).toEqual([]);
  });
});
