/**
 * An EdgeCab killed (SIGKILL, a real process) in the middle of a firmware
 * activation, while the lab BMC resets to take its image: at the next start
 * the plan goes on where it stood, reads the device back and ends verified,
 * without sending the image or resetting the server again.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { newPublisherKeys } from '../../main/core/services/apps/signing.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { descriptionJson, testPackage } from '../support/firmware-packages.js';
import { until } from '../support/until.js';

const root = join(import.meta.dirname, '../..');
const childBundle = join(root, '.cache', 'test-children', 'firmware-plan-child.mjs');
const MOCKUP = 'assets/lab/redfish-rackmount1';

describe('a firmware plan survives EdgeCab being killed mid-activation', () => {
  let work: { dir: string; cleanup: () => void };
  let core: Core | null = null;
  let bmc: LabBmc;
  let deviceId = '';
  let packageId = '';

  beforeAll(async () => {
    mkdirSync(join(childBundle, '..'), { recursive: true });
    await build({
      absWorkingDir: root,
      entryPoints: ['test/support/children/firmware-plan-child.ts'],
      outfile: childBundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      logLevel: 'warning',
      external: ['better-sqlite3', 'net-snmp', 'pdfkit'],
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    work = tempDir();
    // The BMC resets for 3 s to take its image: the child dies in that time.
    bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' }, taskDurationMs: 100, firmware: { applyTimes: ['Immediate', 'OnReset'], resetDuringUpdateMs: 3000 } }).start();
    core = createCore({ dataDir: work.dir, host: 'server' });
    const client = core.client('test');
    const publisher = newPublisherKeys();
    core.services.apps.trust({ name: 'Contoso firmware', publicKey: publisher.publicKey }, 'admin');
    const site = await client.sites.create({ name: 'Crash branch', code: 'FWC-1', latitude: 30, longitude: 120 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    deviceId = cabinet.devices.find((device) => device.kind === 'server')!.id;
    await client.devices.connect({ id: deviceId, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
    await client.devices.refresh({ id: deviceId });
    const pkg = testPackage({ version: '1.46.0', models: ['3500'], privateKeyPem: publisher.privateKey });
    packageId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(pkg.description)], 'd.json'), image: new File([new Uint8Array(pkg.image)], 'b.bin') }, 'alice')).package.id;
    await core.close();
    core = null;
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await bmc?.stop();
    work?.cleanup();
  });

  it('goes on after the restart, reads the device back and ends verified, with one push and no second activation', async () => {
    const child = spawn(process.execPath, [childBundle, work.dir, deviceId, packageId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const ended = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (_code, signal) => resolve({ signal })));
    expect(ended.signal, `${out}\n${err}`).toBe('SIGKILL');
    const { planId } = JSON.parse(out.trim().split('\n').at(-1)!) as { planId: number };
    // Dead while the BMC resets: the image was sent once and took effect once.
    expect(bmc.updates.counts.pushed).toBe(1);
    core = createCore({ dataDir: work.dir, host: 'server' });
    core.services.firmwarePlans.runner.start();
    const plans = core.services.firmwarePlans;
    const done = await until(
      'the plan to end after the restart',
      () => {
        void plans.runner.tick();
        const plan = plans.get(planId);
        return plan.state !== 'running' && plan;
      },
      60_000,
      100,
    );
    expect(done.state).toBe('completed');
    expect(done.list[0]).toMatchObject({ phase: 'verified', message: expect.stringMatching(/^Runs 1\.46\.0/) });
    expect(bmc.updates.counts.pushed).toBe(1);
    expect(bmc.updates.activations).toHaveLength(1);
    expect(bmc.resource('/redfish/v1/UpdateService/FirmwareInventory/BMC')!.Version).toBe('1.46.0');
  }, 90_000);
});
