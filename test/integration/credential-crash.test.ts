/**
 * "A device password is never unknown to EdgeCab, whatever fails when": a
 * real core process is killed (SIGKILL) at each point of a BMC password
 * change — before the change is sent, after the BMC applied it, and before
 * the new password is recorded as current — and the core started again
 * logs in to the BMC. The BMC is a lab BMC in this test process; the core
 * runs in a child process on its own database.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../main/core/index.js';
import { verifyLogin } from '../../main/core/protocols/redfish/actions.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const root = join(import.meta.dirname, '../..');
const bundle = join(root, '.cache', 'test-children', 'rotation-child.mjs');
const FACTORY = { username: 'Administrator', password: 'lab-password' };

beforeAll(async () => {
  mkdirSync(join(bundle, '..'), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['test/support/children/rotation-child.ts'],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    external: ['better-sqlite3', 'net-snmp', 'pdfkit'],
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
}, 60_000);

/** Runs the child until it exits; answers how it ended and what it printed. */
function runChild(dataDir: string, deviceId: string, killAt: string): Promise<{ signal: NodeJS.Signals | null; code: number | null; lines: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, dataDir, deviceId], { env: { ...process.env, EDGECAB_KILL_AT: killAt }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not finish: ${out} ${err}`));
    }, 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, lines: out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) });
    });
  });
}

describe('a BMC password change survives a real kill of the core at every point', () => {
  let bmc: LabBmc;
  const dirs: { cleanup: () => void }[] = [];

  beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), users: { [FACTORY.username]: FACTORY.password } }).start();
  }, 60_000);
  afterAll(async () => {
    await bmc?.stop();
    dirs.forEach((dir) => dir.cleanup());
  });

  /** A data directory with one site whose server is connected to the lab BMC with its factory password. */
  async function setUp(): Promise<{ dataDir: string; deviceId: string }> {
    const dir = tempDir();
    dirs.push(dir);
    bmc.setPassword(FACTORY.username, FACTORY.password);
    const core = createCore({ dataDir: dir.dir, host: 'server' });
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Crash branch', code: `CR-${dirs.length}`, latitude: 30, longitude: 120 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    const server = cabinet.devices.find((device) => device.slotId === 'srv1')!;
    await client.devices.connect({ id: server.id, protocol: 'redfish', url: bmc.url, username: FACTORY.username, password: FACTORY.password, fingerprint: bmc.fingerprint });
    await core.close();
    return { dataDir: dir.dir, deviceId: server.id };
  }

  /** Opens the data again, as a restarted core: its next poll settles the change; then the stored password opens the BMC. */
  async function restartAndPoll(dataDir: string, deviceId: string): Promise<{ status: string; password: string; pending: number }> {
    const core = createCore({ dataDir, host: 'server' });
    try {
      const device = core.services.cabinets.device(deviceId);
      await core.services.monitor.pollSite(device.siteId);
      const after = core.services.cabinets.device(deviceId);
      const secret = core.services.vault.open<{ username: string; password: string }>(after.credentialId!);
      expect(await verifyLogin({ url: bmc.url, username: secret.username, password: secret.password, pinnedFingerprint: bmc.fingerprint })).toBe(true);
      // The mockup reports a CPU temperature caution: "warning" is its healthy state; "unreachable" would mean no login.
      return { status: after.status === 'warning' ? 'answers' : after.status, password: secret.password, pending: core.db.prepare('SELECT count(*) FROM credential_rotations').pluck().get() as number };
    } finally {
      await core.close();
    }
  }

  it('killed after the new password was stored but before the BMC was told: the factory password still opens it, and the pending one goes', async () => {
    const { dataDir, deviceId } = await setUp();
    const run = await runChild(dataDir, deviceId, 'before-change');
    expect(run.signal).toBe('SIGKILL');
    expect(run.lines).toEqual([{ event: 'dying', at: 'before-change' }]);
    expect(bmc.passwordOf(FACTORY.username)).toBe(FACTORY.password);
    const after = await restartAndPoll(dataDir, deviceId);
    expect(after).toMatchObject({ status: 'answers', password: FACTORY.password, pending: 0 });
  }, 60_000);

  it('killed after the BMC applied the new password: the restarted core logs in with the new one, stored before the change', async () => {
    const { dataDir, deviceId } = await setUp();
    const run = await runChild(dataDir, deviceId, 'after-change');
    expect(run.signal).toBe('SIGKILL');
    expect(bmc.passwordOf(FACTORY.username)).not.toBe(FACTORY.password);
    const after = await restartAndPoll(dataDir, deviceId);
    expect(after.status).toBe('answers');
    expect(after.password).toBe(bmc.passwordOf(FACTORY.username));
    expect(after.pending).toBe(0);
  }, 60_000);

  it('killed after the login proved the new password but before it became current: the restarted core logs in with it', async () => {
    const { dataDir, deviceId } = await setUp();
    const run = await runChild(dataDir, deviceId, 'before-promote');
    expect(run.signal).toBe('SIGKILL');
    const after = await restartAndPoll(dataDir, deviceId);
    expect(after).toMatchObject({ status: 'answers', pending: 0 });
    expect(after.password).toBe(bmc.passwordOf(FACTORY.username));
  }, 60_000);

  it('not killed: the rotation finishes and the factory password no longer opens the BMC', async () => {
    const { dataDir, deviceId } = await setUp();
    const run = await runChild(dataDir, deviceId, 'never');
    expect(run.code).toBe(0);
    expect(run.lines.at(-1)).toMatchObject({ event: 'rotated', result: { outcome: 'rotated', account: FACTORY.username } });
    expect(await verifyLogin({ url: bmc.url, ...FACTORY, pinnedFingerprint: bmc.fingerprint })).toBe(false);
    const after = await restartAndPoll(dataDir, deviceId);
    expect(after.password).toBe(bmc.passwordOf(FACTORY.username));
  }, 60_000);
});
