/**
 * `edgecab serve` as a real child process, on a real database, hurt the ways
 * a server in the field is: background work that throws or rejects (the
 * process-wide safety net), another process holding the database's write
 * lock (SQLITE_BUSY, retried), and SIGTERM while results wait for the
 * batched writer (written before it exits).
 *
 * The site's one device is an SNMP switch whose traps come from 127.0.0.1;
 * the test sends them itself (real SNMPv2c traps to serve's real receiver).
 * Its polling address answers nothing, so its polls fail: results for the
 * writer too, and no poll ever writes beside it (no reading, no integrity
 * check) while the test holds the database.
 */
import BetterSqlite3 from 'better-sqlite3';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { createCore } from '../../main/core/index.js';
import { userWithToken } from '../support/auth.js';
import { tempDir } from '../support/core.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { until } from '../support/until.js';

const BIN = packageJson.bin.edgecab;
const PRELOAD = join(import.meta.dirname, '..', 'support', 'children', 'fail-in-background.cjs');
const COMMUNITY = 'robust-ro';

interface Problem {
  key: string;
  message: string;
  count: number;
}

describe('edgecab serve, hurt', () => {
  const dir = tempDir();
  const file = join(dir.dir, 'edgecab.sqlite');
  let child: ChildProcessWithoutNullStreams;
  let exited: Promise<number | null>;
  let stderr = '';
  let api = '';
  let token = '';
  let deviceId = '';
  let trapPort = 0;
  /** The test's own connection: it takes the write lock, and reads what serve wrote. */
  let other: BetterSqlite3.Database | null = null;

  const get = async (path: string) => {
    const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const problems = async () => {
    const { status, body } = await get('/system/problems');
    expect(status).toBe(200);
    return body as Problem[];
  };
  const linkDown = (ifIndex: number) =>
    new Promise<void>((resolve, reject) => {
      const session = snmp.createSession('127.0.0.1', COMMUNITY, { trapPort, version: snmp.Version2c });
      session.trap('1.3.6.1.6.3.1.1.5.3', [{ oid: `1.3.6.1.2.1.2.2.1.1.${ifIndex}`, type: snmp.ObjectType.Integer, value: ifIndex }], (error: Error | null) => {
        session.close();
        if (error) reject(error);
        else resolve();
      });
    });
  const portAlarm = (ifIndex: number) => other!.prepare('SELECT state FROM alarms WHERE device_id = ? AND condition = ?').get(deviceId, `port:${ifIndex}`) as { state: string } | undefined;

  beforeAll(async () => {
    // The data, as an administrator would have left it: a site, its switch, and a token.
    const core = createCore({ dataDir: dir.dir, host: 'server' });
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Robust', code: 'ROBUST-1', latitude: 30, longitude: 120 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    const device = cabinet.devices.find((each) => each.slotId === 'sw1')!;
    deviceId = device.id;
    await client.devices.connect({ id: device.id, protocol: 'snmp', host: '127.0.0.1', port: await freeUdpPort(), version: '2c', community: COMMUNITY });
    token = (await userWithToken(core, 'robust-admin', [{ role: 'administrator', regionId: null }])).token;
    await core.close();

    trapPort = await freeUdpPort();
    child = spawn(process.execPath, ['--require', PRELOAD, BIN, 'serve', '--json', '--port', '0', '--data-dir', dir.dir, '--trap-port', String(trapPort), '--trap-address', '127.0.0.1', '--events-port', 'off']);
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = await new Promise<{ api: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { api: string });
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    api = listening.api;
    other = new BetterSqlite3(file);
    other.pragma('busy_timeout = 3000');
  }, 60_000);

  afterAll(() => {
    if (other?.inTransaction) other.exec('ROLLBACK');
    other?.close();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    dir.cleanup();
  });

  it('keeps serving when background work throws or rejects: each is a problem of EdgeCab and a line on stderr', async () => {
    expect(await problems()).toEqual([]);
    child.kill('SIGUSR2');
    const listed = await until('both failures listed', async () => {
      const list = await problems();
      return list.length === 2 ? list : null;
    }, 10_000, 50);
    expect(listed.map((problem) => `${problem.key}: ${problem.message}`).sort()).toEqual([
      'process.uncaughtException: a timer threw (serve-robustness test)',
      'process.unhandledRejection: a background task rejected (serve-robustness test)',
    ]);
    expect(stderr).toContain('edgecab: uncaughtException: Error: a timer threw (serve-robustness test)');
    expect(stderr).toContain('edgecab: unhandledRejection: Error: a background task rejected (serve-robustness test)');
    // Still serving, and still monitoring.
    expect(child.exitCode).toBeNull();
    expect((await get('/system')).status).toBe(200);
    expect((await get('/monitor')).body).toMatchObject({ running: true, devices: 1 });
  });

  it('a database another process holds: the writes that fail (SQLITE_BUSY) are a problem meanwhile, serving goes on, and they are retried and written', async () => {
    // One signed-in request first: the token's "last used" is written now, not while the lock is held.
    await problems();
    other!.exec('BEGIN IMMEDIATE');
    await linkDown(7);
    const busy = await until('the busy writer listed', async () => (await problems()).find((problem) => problem.key === 'monitor.writer'), 10_000, 50);
    expect(busy.message).toMatch(/database is locked|busy/i);
    // Reads go on while the lock is held: the API answers, and the result waits in the writer.
    expect((await get('/system')).status).toBe(200);
    expect(((await get('/monitor')).body as { writerBacklog: number }).writerBacklog).toBeGreaterThan(0);
    other!.exec('ROLLBACK');
    // The writer's timer tries again (0.5 s after a failure, doubling) and writes the batch; the problem clears.
    await until('the trap alarm written', () => portAlarm(7)?.state === 'active', 15_000, 50);
    await until('the problem cleared', async () => !(await problems()).some((problem) => problem.key === 'monitor.writer'), 5_000, 50);
    expect(child.exitCode).toBeNull();
  }, 30_000);

  it('writes what waits in the monitor writer when it gets SIGTERM, then exits 0 and leaves the database closed', async () => {
    await problems();
    other!.exec('BEGIN IMMEDIATE');
    await linkDown(8);
    await until('the busy writer listed', async () => (await problems()).some((problem) => problem.key === 'monitor.writer'), 10_000, 50);
    const firstFailure = Date.now();
    // The writer retries 0.5, 1, 2 then 4 s after each busy try (each try waiting 0.2 s for the lock): its 4th try
    // ends within ~5.6 s of the first, its 5th comes no sooner than ~8 s after. The lock is let go in between, so
    // the timer cannot be what writes the trap before SIGTERM does.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstFailure + 6_800 - Date.now())));
    other!.exec('ROLLBACK');
    expect(((await get('/monitor')).body as { writerBacklog: number }).writerBacklog).toBeGreaterThan(0);
    expect(portAlarm(8)).toBeUndefined();
    other!.close();
    other = null;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/still stopping/);
    // Closed cleanly: SQLite removes the write-ahead log when the last connection closes.
    expect(existsSync(`${file}-wal`)).toBe(false);
    other = new BetterSqlite3(file, { readonly: true });
    expect(portAlarm(8)).toEqual({ state: 'active' });
    // The write that worked cleared the writer's problem before the database closed.
    expect(other.prepare("SELECT key FROM core_problems WHERE key = 'monitor.writer'").get()).toBeUndefined();
  }, 30_000);
});
