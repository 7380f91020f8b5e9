import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../../main/core/index.js';
import type { PollResult } from '../../../main/core/services/monitor/poll-result.js';
import { MAX_BACKLOG } from '../../../main/core/services/monitor/writer.js';
import { tempDir } from '../../support/core.js';

/** The writer's surface these tests drive: results in, flushes (explicit and the timer's), what is queued and dropped. */
interface Writer {
  push(result: PollResult): void;
  flush(): unknown;
  flushDue(): unknown;
  backlog: number;
  dropped: number;
}

/** A core with three connected devices, and the writer behind its monitor. */
async function coreWithDevices(dir: string) {
  const core = createCore({ dataDir: dir, host: 'server' });
  const client = core.client('test');
  const site = await client.sites.create({ name: 'Busy', code: 'BUSY-1', latitude: 1, longitude: 1 });
  const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
  const slots = ['sw1', 'ups', 'pdu-a'].map((slotId) => cabinet.devices.find((each) => each.slotId === slotId)!);
  for (const device of slots) await client.devices.connect({ id: device.id, protocol: 'snmp', host: '127.0.0.1', port: 9, version: '2c', community: 'public' });
  core.services.monitor.refreshTargets();
  const writer = (core.services.monitor as unknown as { writer: Writer }).writer;
  const pollable = (index: number) => ({ id: slots[index]!.id, site_id: site.id, site_name: site.name, name: slots[index]!.name, protocol: 'snmp' as const, endpoint: '127.0.0.1:9', credential_id: 'x', fingerprint: null });
  return { core, writer, devices: slots, pollable };
}

/**
 * Counts the transactions tried on the core's connection, with the busy
 * timeout each ran under (how long it could stand the core still). Past
 * `realTries` it answers SQLITE_BUSY at once instead of waiting: code that
 * flushes once per result would otherwise hang the test for many minutes
 * (the wait is synchronous) rather than fail it.
 */
function countTransactions(db: Core['db'], realTries: number) {
  const waits: number[] = [];
  const original = db.transaction.bind(db);
  vi.spyOn(db, 'transaction').mockImplementation(((work: () => unknown) => {
    const run = original(work);
    return (() => {
      waits.push(db.pragma('busy_timeout', { simple: true }) as number);
      if (waits.length > realTries) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return run();
    }) as never;
  }) as never);
  return waits;
}

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

  it('does not stall the core per result while another connection holds the lock: one short wait, then only the timer retries, with backoff; every result lands afterwards', async () => {
    const dir = tempDir();
    cleanup = dir.cleanup;
    const setup = await coreWithDevices(dir.dir);
    core = setup.core;
    const { writer, pollable, devices } = setup;
    // The connection's busy timeout (5 s in the product; 1 s here): a flush that waits that long freezes the core that long.
    core.db.pragma('busy_timeout = 1000');
    const other = new BetterSqlite3(join(dir.dir, 'edgecab.sqlite'));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const waits = countTransactions(core.db, 3);

    const results = 1_000;
    for (let index = 0; index < results; index += 1) writer.push({ kind: 'failed', device: pollable(0), at: Date.now() + index, error: `no answer ${index}` });
    // Past 256 queued results one flush was tried; the 744 results after it only queued.
    expect(waits).toHaveLength(1);
    expect(writer.backlog).toBe(results);
    // The timer ticks every 0.5 s; within its backoff it does not even try.
    for (let tick = 0; tick < 50; tick += 1) writer.flushDue();
    expect(waits).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    writer.flushDue();
    expect(waits).toHaveLength(2);
    for (let tick = 0; tick < 50; tick += 1) writer.flushDue();
    expect(waits).toHaveLength(2);
    // Each try waited far less than the connection's busy timeout, and all of them together less than one.
    expect(Math.max(...waits)).toBeLessThan(1000);
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeLessThanOrEqual(1000);
    // The connection keeps its own timeout for everything else.
    expect(core.db.pragma('busy_timeout', { simple: true })).toBe(1000);
    // And the problem shows meanwhile.
    expect(core.services.health.problems()).toEqual([expect.objectContaining({ key: 'monitor.writer' })]);

    other.exec('COMMIT');
    other.close();
    vi.restoreAllMocks();
    core.services.monitor.flush();
    expect(writer.backlog).toBe(0);
    expect(writer.dropped).toBe(0);
    // Every failed poll counted: none was lost while the database was busy.
    expect(core.services.monitor.deviceState(devices[0]!.id).consecutiveFailures).toBe(results);
    expect(core.services.health.problems()).toEqual([]);
  });

  it('bounds the backlog of a database busy for long: older results of a device go (counted), its newest state never does', async () => {
    const dir = tempDir();
    cleanup = dir.cleanup;
    const setup = await coreWithDevices(dir.dir);
    core = setup.core;
    const { writer, pollable, devices } = setup;
    // Only so that a writer flushing per result fails this test fast instead of hanging it (its own wait is WRITER_BUSY_MS).
    core.db.pragma('busy_timeout = 0');
    const other = new BetterSqlite3(join(dir.dir, 'edgecab.sqlite'));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const observed = (index: number, at: number, status: 'ok' | 'warning'): PollResult => ({
      kind: 'observed',
      device: pollable(index),
      at,
      observation: { status, observedAt: new Date(at).toISOString(), sensors: [], metricKeys: [], conditions: [] },
      reading: null,
    });
    const pushed = 3 * MAX_BACKLOG;
    const start = Date.now() - pushed;
    for (let index = 0; index < pushed; index += 1) writer.push(observed(index % 3, start + index, 'ok'));
    // The last word of device 1: it is what the database must show.
    writer.push(observed(1, Date.now(), 'warning'));
    writer.flush();
    expect(writer.backlog).toBeLessThanOrEqual(MAX_BACKLOG);
    expect(writer.backlog + writer.dropped).toBe(pushed + 1);
    expect(core.services.monitor.status()).toMatchObject({ writerBacklog: writer.backlog, writerDropped: writer.dropped });

    other.exec('COMMIT');
    other.close();
    core.services.monitor.flush();
    expect(writer.backlog).toBe(0);
    expect(core.services.monitor.deviceState(devices[1]!.id).status).toBe('warning');
    expect(core.services.monitor.deviceState(devices[0]!.id).status).toBe('ok');
    expect(core.services.monitor.deviceState(devices[2]!.id).status).toBe('ok');
  });
});

