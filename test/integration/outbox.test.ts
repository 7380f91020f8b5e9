/**
 * The outbox with a real Podman engine as the site: a deployment queued
 * while the engine is away waits ("offline since …"), survives an EdgeCab
 * restart, and runs when the engine answers again; a core killed with
 * SIGKILL while the deployment runs leaves it to run again at the next
 * start; a cancelled group's actions never run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { freeTcpPort } from '../support/ports.js';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { newPublisher } from '../support/app-images.js';
import { pushBusyboxReleases } from '../support/busybox-releases.js';
import { tempDir } from '../support/core.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import { siteWithEngine } from '../support/engine-site.js';
import { until as poll } from '../support/until.js';

/** This file's waits: up to 30 s, looking every 100 ms. */
const until = <T>(what: string, check: () => T | undefined | null | false | '', timeoutMs = 30_000) => poll(what, check, timeoutMs, 100);

const root = join(import.meta.dirname, '../..');
const childBundle = join(root, '.cache', 'test-children', 'outbox-child.mjs');

describe('outbox: remote work for a site that comes and goes', () => {
  let engine: PodmanService;
  let work: { dir: string; cleanup: () => void };
  let dataDir: string;
  let core: Core;
  let siteId: string;
  let port: number;
  const page = async () => (await fetch(`http://127.0.0.1:${port}/`)).text();
  const open = () => {
    core = createCore({ dataDir, host: 'server' });
    core.services.outbox.start(200);
    return core;
  };

  beforeAll(async () => {
    await build({
      absWorkingDir: root,
      entryPoints: ['test/support/children/outbox-child.ts'],
      outfile: childBundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      logLevel: 'warning',
      external: ['better-sqlite3', 'net-snmp', 'pdfkit'],
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    mkdirSync(join(childBundle, '..'), { recursive: true });
    engine = await startPodman();
    work = tempDir();
    dataDir = join(work.dir, 'center');
    port = await freeTcpPort();
    open();
    const publisher = newPublisher();
    core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
    await pushBusyboxReleases(engine, core, work.dir, publisher, [
      { version: '1.0.0', page: '<h1>version 1.0.0</h1>' },
      { version: '2.0.0', page: '<h1>version 2.0.0</h1>' },
    ]);
    const client = core.client('test');
    ({ siteId } = await siteWithEngine(client, { name: 'Branch 3', code: 'BR-3', latitude: 31.2, longitude: 121.5 }, { url: engine.url }));
  }, 120_000);

  afterAll(async () => {
    await core?.close();
    await engine?.stop();
    work?.cleanup();
  });

  it('queued while the site is offline, kept across a restart, run when the engine answers again', async () => {
    await engine.goAway();
    const item = core.services.siteApps.deploy(siteId, { appId: 'branch-web', version: '1.0.0', parameters: { HTTP_PORT: port }, stableSeconds: 1, stopSeconds: 1 }, 'alice');
    const waiting = await until('the item to be marked offline', () => (core.services.outbox.item(item.id).offlineSince ? core.services.outbox.item(item.id) : null));
    // Why, in the words of what was tried: nothing listens on the engine's socket.
    expect(waiting).toMatchObject({ state: 'queued', lastError: expect.stringMatching(/^the site cannot be reached: unix:.*api\.sock \/_ping: /) });
    expect(core.services.siteApps.ofSite(siteId)).toEqual([expect.objectContaining({ appId: 'branch-web', version: '1.0.0', state: 'queued' })]);

    await core.close();
    open();
    expect(core.services.outbox.item(item.id)).toMatchObject({ state: 'queued', offlineSince: waiting.offlineSince });

    await engine.comeBack();
    const done = await until('the deployment to finish', () => ['done', 'failed'].includes(core.services.outbox.item(item.id).state) && core.services.outbox.item(item.id), 60_000);
    expect(done).toMatchObject({ state: 'done', attempts: 1, outcome: expect.objectContaining({ state: 'healthy' }) });
    expect(core.services.siteApps.ofSite(siteId)[0]).toMatchObject({ version: '1.0.0', state: 'healthy' });
    expect(await page()).toContain('version 1.0.0');
  }, 120_000);

  it('a core killed (SIGKILL) while the deployment runs leaves it to run again at the next start, where it completes', async () => {
    await core.close();
    const child = spawn(process.execPath, [childBundle, dataDir, siteId, 'branch-web', '2.0.0', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const ended = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (_code, signal) => resolve({ signal })));
    expect(ended.signal, `${out}\n${err}`).toBe('SIGKILL');
    const { id } = JSON.parse(out.trim().split('\n').at(-1)!) as { id: number };
    open();
    const done = await until('the deployment to run again and finish', () => ['done', 'failed'].includes(core.services.outbox.item(id).state) && core.services.outbox.item(id), 60_000);
    expect(done).toMatchObject({ state: 'done', attempts: 2, outcome: expect.objectContaining({ state: 'healthy', previousVersion: '1.0.0' }) });
    expect(await page()).toContain('version 2.0.0');
  }, 120_000);

  it("cancelling a group drops its queued actions: they never run, and the site's next action goes on", async () => {
    await engine.goAway();
    // A rollout's action for 1.0.0, then a hand deployment of 1.0.0 behind it.
    const first = core.services.siteApps.deploy(siteId, { appId: 'branch-web', version: '1.0.0', parameters: { HTTP_PORT: port }, rolloutId: 'rollout-7', stableSeconds: 1, stopSeconds: 1 }, 'alice');
    const second = core.services.siteApps.deploy(siteId, { appId: 'branch-web', version: '1.0.0', parameters: { HTTP_PORT: port }, stableSeconds: 1, stopSeconds: 1 }, 'bob');
    expect(core.services.outbox.cancelGroup('rollout-7')).toBe(1);
    await engine.comeBack();
    const done = await until('the second action to finish', () => (core.services.outbox.item(second.id).state === 'done' ? core.services.outbox.item(second.id) : null), 60_000);
    expect(done.outcome).toMatchObject({ state: 'healthy', previousVersion: '2.0.0' });
    expect(core.services.outbox.item(first.id)).toMatchObject({ state: 'cancelled', attempts: 0 });
    expect(await page()).toContain('version 1.0.0');
  }, 60_000);
  it('the engine lost in the middle of a deployment: the action is queued again and completes when the engine is back', async () => {
    const item = core.services.siteApps.deploy(siteId, { appId: 'branch-web', version: '2.0.0', parameters: { HTTP_PORT: port }, stableSeconds: 4, stopSeconds: 1 }, 'carol');
    await until('the deployment to be starting', () => core.services.siteApps.ofSite(siteId)[0]?.state === 'starting', 30_000);
    await engine.goAway();
    const requeued = await until('the action to be queued again', () => (core.services.outbox.item(item.id).state === 'queued' && core.services.outbox.item(item.id).attempts === 1 ? core.services.outbox.item(item.id) : null), 30_000);
    expect(requeued.lastError).toBeTruthy();
    await engine.comeBack();
    const done = await until('the deployment to finish', () => (['done', 'failed'].includes(core.services.outbox.item(item.id).state) ? core.services.outbox.item(item.id) : null), 60_000);
    expect(done).toMatchObject({ state: 'done', attempts: 2, outcome: expect.objectContaining({ state: 'healthy' }) });
    expect(await page()).toContain('version 2.0.0');
  }, 120_000);

  it('a container killed at the site shows as drift with an alarm; started again by hand, both clear', async () => {
    const watch = core.services.appDrift;
    await watch.checkAll();
    expect(core.services.siteApps.ofSite(siteId)[0]).toMatchObject({ version: '2.0.0', state: 'healthy' });
    await engine.podman('kill', 'branch-web-web-2.0.0');
    const killedAt = Date.now();
    watch.start(300);
    const drifted = await until('drift to show', () => (core.services.siteApps.ofSite(siteId)[0]?.state === 'drifted' ? core.services.siteApps.ofSite(siteId)[0] : null), 20_000);
    expect(drifted.detail).toMatch(/branch-web-web-2\.0\.0 is (exited|stopped)/);
    console.log(`drift shown ${Date.now() - killedAt} ms after the container was killed`);
    const active = () => core.services.alarms.list({ siteId, state: 'active', limit: 50 }).alarms.filter((alarm) => alarm.messageKey === 'appDrift');
    expect(active()).toHaveLength(1);
    await engine.podman('start', 'branch-web-web-2.0.0');
    await until('drift to clear', () => core.services.siteApps.ofSite(siteId)[0]?.state === 'healthy', 20_000);
    await until('the alarm to clear', () => active().length === 0, 10_000);
    watch.dispose();
  }, 60_000);
});
