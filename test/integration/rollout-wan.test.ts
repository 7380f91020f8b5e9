/**
 * A site behind a thin, lossy WAN: its engine (a real Podman) is reached
 * over mutual TLS at an address inside a network namespace of its own,
 * through a veth whose center side is shaped by `tc netem` (8 Mbit/s, 40 ms,
 * 0.5 % loss; by `tc tbf` at 8 Mbit/s where the kernel has no netem). What the site receives is counted at the site, not by
 * EdgeCab: a capped rollout stays under its cap on the wire, an uncapped
 * one shows the WAN would have carried more, and with the link down the
 * site's rollout waits in the queue and completes when the link is back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { createAuthority, issue } from '../../main/core/services/pki/x509.js';
import { newPublisher } from '../support/app-images.js';
import { pushBusyboxReleases, SERVE } from '../support/busybox-releases.js';
import { tempDir } from '../support/core.js';
import { createNamespace, namespacesUnavailable, type Namespace } from '../support/netns.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import { freeTcpPort } from '../support/ports.js';
import { siteWithEngine } from '../support/engine-site.js';
import { until as poll } from '../support/until.js';

/** This file's waits: up to 120 s, looking every 50 ms. */
const until = <T>(what: string, check: () => T | undefined | null | false | '', timeoutMs = 120_000) => poll(what, check, timeoutMs, 50);

const unavailable = namespacesUnavailable();
const CAP_KBPS = 250;
const WAN_NETEM = ['netem', 'rate', '8mbit', 'delay', '40ms', 'loss', '0.5%'];
/** Where the kernel has no netem (this machine's), a token bucket gives the WAN its rate, without delay or loss. */
const WAN_TBF = ['tbf', 'rate', '8mbit', 'burst', '32kbit', 'latency', '400ms'];

describe.skipIf(unavailable)('a rollout over a thin WAN, measured at the site', () => {
  let ns: Namespace;
  let engine: PodmanService;
  let front: ChildProcess;
  let work: ReturnType<typeof tempDir>;
  let core: Core;
  let siteId = '';
  const port = { http: 0 };
  /** Bytes received at the site, sampled every 200 ms by the front. */
  const received: { at: number; bytes: number }[] = [];

  beforeAll(async () => {
    ns = createNamespace(1);
    const shape = (qdisc: string[]) => spawnSync('tc', ['qdisc', 'add', 'dev', ns.hostInterface, 'root', ...qdisc], { encoding: 'utf8' });
    const netem = shape(WAN_NETEM);
    if (netem.status !== 0) {
      console.log(`tc netem: ${netem.stderr.trim()}; shaping with tbf instead`);
      const tbf = shape(WAN_TBF);
      if (tbf.status !== 0) throw new Error(`tc tbf: ${tbf.stderr}`);
    }
    engine = await startPodman();
    work = tempDir();
    core = createCore({ dataDir: join(work.dir, 'center'), host: 'server' });
    core.services.outbox.start(200);
    core.services.rollouts.start(200);

    // The engine host trusts EdgeCab's CA; EdgeCab pins the engine's certificate.
    const siteAddress = ns.addresses[0]!;
    const authority = await core.services.authority.certificate();
    const hostCa = await createAuthority('Site engine host CA', 2);
    const server = await issue(hostCa, { commonName: 'engine', ipAddresses: [siteAddress], days: 2, usage: 'server' });
    const files = { cert: join(work.dir, 'engine.pem'), key: join(work.dir, 'engine.key'), ca: join(work.dir, 'edgecab-ca.pem') };
    writeFileSync(files.cert, server.certificatePem);
    writeFileSync(files.key, server.keyPem);
    writeFileSync(files.ca, authority.certificatePem);
    front = spawn('ip', ['netns', 'exec', ns.name, process.execPath, join(import.meta.dirname, '../support/children/engine-front.mjs'), siteAddress, '2376', engine.socketPath, files.cert, files.key, files.ca], { stdio: ['ignore', 'pipe', 'inherit'] });
    let listening: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    createInterface({ input: front.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; at?: number; received?: number };
      if (event.event === 'listening') listening();
      else received.push({ at: event.at!, bytes: event.received! });
    });
    await ready;

    const publisher = newPublisher();
    core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
    // Each version a 3 MB image of its own (random, so nothing compresses or is shared).
    await pushBusyboxReleases(engine, core, work.dir, publisher, [
      { version: '1.0.0', page: '<h1>one</h1>', command: SERVE, padBytes: 3_000_000 },
      { version: '2.0.0', page: '<h1>two</h1>', command: SERVE, padBytes: 3_000_000 },
      { version: '3.0.0', page: '<h1>three</h1>', command: SERVE },
    ]);
    const client = core.client('test');
    ({ siteId } = await siteWithEngine(client, { name: 'Branch behind a thin WAN', code: 'WAN-1', latitude: 30, longitude: 120 }, { url: `https://${siteAddress}:2376`, fingerprint: server.fingerprint }));
    port.http = await freeTcpPort();
  }, 180_000);

  afterAll(async () => {
    await core?.close();
    front?.kill('SIGTERM');
    await engine?.stop();
    ns?.remove();
    work?.cleanup();
  }, 60_000);

  /** Runs a rollout to the site and returns the site's received bytes per second over each 2 s window of its transfer. */
  const rollout = async (version: string, bandwidthKBps: number | null) => {
    const from = received.length;
    const created = core.services.rollouts.create({ appId: 'branch-web', version, targets: { siteIds: [siteId] }, parameters: { HTTP_PORT: port.http }, ...(bandwidthKBps ? { bandwidthKBps } : {}), stableSeconds: 1, stopSeconds: 1 }, 'alice');
    const done = await until(`${version} to end`, () => {
      const rollout = core.services.rollouts.get(created.id);
      return ['completed', 'stopped', 'paused'].includes(rollout.state) ? rollout : null;
    });
    expect(done.sites.map((site) => [site.state, site.detail])).toEqual([['healthy', null]]);
    const samples = received.slice(from);
    // The transfer: from the first sample that moved to the last.
    const moving = samples.filter((sample, index) => index > 0 && sample.bytes - samples[index - 1]!.bytes > 20_000);
    const first = samples.indexOf(moving[0]!) - 1;
    const last = samples.indexOf(moving.at(-1)!);
    const transfer = samples.slice(first, last + 1);
    const windows: number[] = [];
    for (let index = 10; index < transfer.length; index += 1) windows.push(((transfer[index]!.bytes - transfer[index - 10]!.bytes) / (transfer[index]!.at - transfer[index - 10]!.at)) * 1000);
    const total = transfer.at(-1)!.bytes - transfer[0]!.bytes;
    const average = (total / (transfer.at(-1)!.at - transfer[0]!.at)) * 1000;
    return { total, average, peak: Math.max(...windows, 0) };
  };

  it('capped at 250 KB/s, the site receives no more than that; uncapped, the same WAN carries far more', async () => {
    const capped = await rollout('1.0.0', CAP_KBPS);
    console.log(`capped: ${(capped.total / 1e6).toFixed(1)} MB at ${(capped.average / 1000).toFixed(0)} KB/s on average, ${(capped.peak / 1000).toFixed(0)} KB/s at most over 2 s`);
    expect(capped.total).toBeGreaterThan(3_000_000);
    // Over 2 s the bucket lets through at most 2.25 s worth (it holds a quarter second); TLS and HTTP framing, and bytes held in socket buffers, ride on top.
    expect(capped.peak).toBeLessThan(CAP_KBPS * 1000 * 1.25);
    expect(capped.average).toBeGreaterThan(CAP_KBPS * 1000 * 0.6);

    const uncapped = await rollout('2.0.0', null);
    console.log(`uncapped: ${(uncapped.total / 1e6).toFixed(1)} MB at ${(uncapped.average / 1000).toFixed(0)} KB/s on average, ${(uncapped.peak / 1000).toFixed(0)} KB/s at most over 2 s`);
    // The WAN (8 Mbit/s = 1,000 KB/s) was not what held the capped transfer back.
    expect(uncapped.average).toBeGreaterThan(CAP_KBPS * 1000 * 1.6);
    expect(uncapped.peak).toBeLessThan(1_000_000 * 1.1);
  }, 180_000);

  it('with the WAN link down the site waits in the queue, saying why, and completes once the link is back', async () => {
    spawnSync('ip', ['link', 'set', ns.hostInterface, 'down']);
    const created = core.services.rollouts.create({ appId: 'branch-web', version: '3.0.0', targets: { siteIds: [siteId] }, parameters: { HTTP_PORT: port.http }, stableSeconds: 1, stopSeconds: 1 }, 'alice');
    const site = () => core.services.rollouts.get(created.id).sites[0]!;
    const waiting = await until('the site to be queued as offline', () => (site().state === 'queued' && site().offlineSince ? site() : null), 60_000);
    expect(waiting.detail).toMatch(/^queued: site offline since .+ \(.+\)$/);
    spawnSync('ip', ['link', 'set', ns.hostInterface, 'up']);
    const done = await until('3.0.0 to complete', () => (core.services.rollouts.get(created.id).state === 'completed' ? core.services.rollouts.get(created.id) : null));
    expect(done.sites[0]!.state).toBe('healthy');
    expect(await (await fetch(`http://127.0.0.1:${port.http}/`)).text()).toContain('three');
  }, 180_000);
});
