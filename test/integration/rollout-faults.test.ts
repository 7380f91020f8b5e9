/**
 * A rollout whose sites' engines misbehave, each in its own way: a real
 * Podman whose storage is a small filesystem that fills up mid-transfer,
 * something that answers HTML instead of the engine API, and an engine that
 * takes the connection and never answers. Each such site ends with the
 * reason in plain words, and none holds up the others: the healthy site is
 * done while the silent one still waits.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { newPublisher } from '../support/app-images.js';
import { pushBusyboxReleases, SERVE } from '../support/busybox-releases.js';
import { tempDir } from '../support/core.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import { freeTcpPort } from '../support/ports.js';
import { siteWithEngine } from '../support/engine-site.js';
import { until as poll } from '../support/until.js';

/** This file's waits: up to 90 s, looking every 50 ms. */
const until = <T>(what: string, check: () => T | undefined | null | false | '', timeoutMs = 90_000) => poll(what, check, timeoutMs, 50);

// A small filesystem for the full disk is a tmpfs mount, which needs root.
const notRoot = process.getuid?.() !== 0;

describe.skipIf(notRoot)('a rollout to engines that fail: a full disk, garbage, silence', () => {
  let work: ReturnType<typeof tempDir>;
  let core: Core;
  let healthy: PodmanService;
  let full: PodmanService;
  let smallDisk = '';
  let mounted = false;
  let garbage: HttpServer;
  let silent: NetServer;
  const heldOpen: Socket[] = [];
  const siteIds: Record<string, string> = {};

  beforeAll(async () => {
    work = tempDir();
    // 24 MB of disk for an engine that is sent a 30 MB image.
    smallDisk = join(work.dir, 'small-disk');
    mkdirSync(smallDisk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', smallDisk]);
    mounted = true;
    healthy = await startPodman();
    full = await startPodman({ storageRoot: smallDisk });
    garbage = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Router login</body></html>');
    });
    await new Promise<void>((resolve) => garbage.listen(join(work.dir, 'garbage.sock'), resolve));
    silent = createNetServer((socket) => heldOpen.push(socket));
    await new Promise<void>((resolve) => silent.listen(join(work.dir, 'silent.sock'), resolve));

    core = createCore({ dataDir: join(work.dir, 'center'), host: 'server' });
    core.services.outbox.start(200);
    core.services.rollouts.start(200);
    const publisher = newPublisher();
    core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
    await pushBusyboxReleases(healthy, core, work.dir, publisher, [{ version: '1.0.0', page: '<h1>big</h1>', command: SERVE, padBytes: 30_000_000 }]);
    const client = core.client('test');
    const engines: Record<string, string> = { 'EF-OK': healthy.url, 'EF-FULL': full.url, 'EF-GARBAGE': `unix:${join(work.dir, 'garbage.sock')}`, 'EF-SILENT': `unix:${join(work.dir, 'silent.sock')}` };
    for (const [index, [code, url]] of Object.entries(engines).entries()) {
      siteIds[code] = (await siteWithEngine(client, { name: `Branch ${code}`, code, latitude: 30 + index, longitude: 120 }, { url, name: 'Engine' })).siteId;
    }
  }, 180_000);

  afterAll(async () => {
    await core?.close();
    for (const socket of heldOpen) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await new Promise((resolve) => garbage?.close(resolve));
    await healthy?.stop();
    await full?.stop();
    if (mounted) execFileSync('umount', ['-l', smallDisk]);
    work?.cleanup();
  }, 60_000);

  it("each bad engine's site ends with the reason, and none holds up the healthy one", async () => {
    const port = await freeTcpPort();
    const created = core.services.rollouts.create(
      { appId: 'branch-web', version: '1.0.0', targets: { q: 'EF-' }, parameters: { HTTP_PORT: port }, canaryCount: 0, batchSize: 4, maxConcurrentTransfers: 4, onFailure: 'continue', failureThreshold: 4, stableSeconds: 1, stopSeconds: 1 },
      'alice',
    );
    const site = (code: string) => core.services.rollouts.get(created.id).sites.find((each) => each.siteId === siteIds[code])!;
    const fullFailed = await until('the full disk to fail its site', () => (site('EF-FULL').state === 'failed' ? site('EF-FULL') : null));
    expect(fullFailed.detail).toMatch(/no space left on device/i);
    const ok = await until('the healthy site', () => (['healthy', 'failed'].includes(site('EF-OK').state) ? site('EF-OK') : null));
    expect(ok.state).toBe('healthy');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('big');
    // Something that is not an engine: that site fails, saying so.
    const garbageSite = await until('the garbage engine to be settled', () => (site('EF-GARBAGE').state === 'failed' ? site('EF-GARBAGE') : null));
    expect(garbageSite.detail).toMatch(/not JSON/);
    // An engine that takes the connection and says nothing waits as unreachable, saying why, and holds up no one: the others were done meanwhile.
    const silentSite = await until('the silent engine to be said', () => (site('EF-SILENT').state === 'queued' && site('EF-SILENT').detail?.includes('no answer within') ? site('EF-SILENT') : null), 60_000);
    expect(silentSite.detail).toMatch(/^queued: site offline since .+ \(.*no answer within \d+ s\)$/);
    expect(core.services.rollouts.get(created.id).state).toBe('running');
    // Cancelled, its queued action is dropped: the rollout ends with the silent site never touched.
    core.services.rollouts.cancel(created.id);
    const cancelled = await until('the rollout to be cancelled', () => (core.services.rollouts.get(created.id).state === 'cancelled' ? core.services.rollouts.get(created.id) : null));
    expect(cancelled.sites.find((each) => each.siteId === siteIds['EF-SILENT'])!.state).toBe('cancelled');
  }, 240_000);
});
