/**
 * Rollouts to three sites, each with its own real Podman service as its
 * workload engine: v1 canary first then the rest (never two transfers at
 * once with a cap of one, each under its bandwidth cap), v2 as an upgrade,
 * a broken v3 that fails on the canary, is rolled back there and stops
 * the rollout before any other site is touched, and a rollback by hand of
 * a whole rollout with one site offline across an EdgeCab restart.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import type { RolloutDetail } from '../../shared/domain/rollouts.js';
import { newPublisher } from '../support/app-images.js';
import { BROKEN, pushBusyboxReleases, SERVE } from '../support/busybox-releases.js';
import { tempDir } from '../support/core.js';
import { uiT } from '../support/ui-i18n.js';
import { rolloutMessagesText, siteDetailText } from '../../renderer/features/rollouts/rollout-text.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import { freeTcpPort } from '../support/ports.js';
import { siteWithEngine } from '../support/engine-site.js';
import { until as poll } from '../support/until.js';

/** This file's waits: up to 60 s, looking every 20 ms. */
const until = <T>(what: string, check: () => T | undefined | null | false | '', timeoutMs = 60_000) => poll(what, check, timeoutMs, 20);

const BANDWIDTH_KBPS = 400;

describe('rollouts: waves to three sites, observed on their engines', () => {
  const engines: PodmanService[] = [];
  const siteIds: string[] = [];
  const ports: number[] = [];
  let work: ReturnType<typeof tempDir>;
  let dataDir: string;
  let core: Core;
  const open = () => {
    core = createCore({ dataDir, host: 'server' });
    core.services.outbox.start(200);
    core.services.rollouts.start(200);
  };
  const page = async (index: number) => (await fetch(`http://127.0.0.1:${ports[index]}/`)).text();
  const siteParameters = () => Object.fromEntries(siteIds.map((id, index) => [id, { HTTP_PORT: ports[index]! }]));
  const finished = (id: string, states: readonly string[]) => until(`rollout ${id} to be ${states.join(' or ')}`, () => {
    const rollout = core.services.rollouts.get(id);
    return states.includes(rollout.state) ? rollout : null;
  });
  const versionsOnEngine = async (index: number) => (await engines[index]!.podman('ps', '--format', '{{.Labels}}', '--filter', 'label=edgecab.app=branch-web')).trim();

  beforeAll(async () => {
    for (let index = 0; index < 3; index += 1) engines.push(await startPodman());
    work = tempDir();
    dataDir = join(work.dir, 'center');
    open();
    const publisher = newPublisher();
    core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
    await pushBusyboxReleases(engines[0]!, core, work.dir, publisher, [
      { version: '1.0.0', page: '<h1>version one</h1>', command: SERVE },
      { version: '2.0.0', page: '<h1>version two</h1>', command: SERVE },
      { version: '3.0.0', page: '<h1>broken</h1>', command: BROKEN },
    ]);
    const client = core.client('test');
    for (const [index, engine] of engines.entries()) {
      const { siteId } = await siteWithEngine(client, { name: `Branch ${index + 1}`, code: `RO-${index + 1}`, latitude: 30 + index, longitude: 120 }, { url: engine.url });
      siteIds.push(siteId);
      ports.push(await freeTcpPort());
    }
  }, 180_000);

  afterAll(async () => {
    await core?.close();
    for (const engine of engines) await engine.stop();
    work?.cleanup();
  }, 60_000);

  it('v1: the dry run says install and what each site lacks; the canary first, then the rest, one transfer at a time, each under its bandwidth cap', async () => {
    const input = { appId: 'branch-web', version: '1.0.0', targets: { q: 'RO-' }, siteParameters: siteParameters(), canarySiteIds: [siteIds[0]!], batchSize: 2, maxConcurrentTransfers: 1, bandwidthKBps: BANDWIDTH_KBPS, stableSeconds: 1, stopSeconds: 1 };
    const plan = core.services.rollouts.plan(input);
    expect(plan.sites.map((site) => [site.code, site.action, site.wave, site.conflicts])).toEqual([
      ['RO-1', 'install', 0, []],
      ['RO-2', 'install', 1, []],
      ['RO-3', 'install', 1, []],
    ]);
    // Never read: every image counts as missing.
    expect(plan.sites.every((site) => site.engineSeenAt === null && site.bytesToTransfer > 1_000_000)).toBe(true);

    // Transfers seen: when each site was first and last seen transferring, and how many at once.
    const transfers = new Map<string, { first: number; last: number; bytes: number }>();
    let atOnce = 0;
    let watching = true;
    let rolloutId: string | null = null;
    let slotsHeld = false;
    const watch = (async () => {
      while (watching) {
        if (rolloutId && core.services.siteApps.transferSlotRollouts().includes(rolloutId)) slotsHeld = true;
        const moving = siteIds.flatMap((id) => core.services.siteApps.ofSite(id).filter((app) => app.state === 'transferring' && (app.bytesSent ?? 0) > 0).map(() => id));
        atOnce = Math.max(atOnce, moving.length);
        for (const id of moving) {
          const app = core.services.siteApps.ofSite(id)[0]!;
          const seen = transfers.get(id) ?? { first: Date.now(), last: Date.now(), bytes: 0 };
          transfers.set(id, { ...seen, last: Date.now(), bytes: app.bytesSent ?? 0 });
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const created = core.services.rollouts.create(input, 'alice');
    rolloutId = created.id;
    const done = await finished(created.id, ['completed', 'stopped', 'paused']);
    watching = false;
    await watch;
    expect(done.state).toBe('completed');
    expect(done).toMatchObject({ detail: '3 sites healthy, 0 failed', detailMessages: [{ key: 'completedCounts', params: { healthy: 3, failures: 0 } }] });
    expect(rolloutMessagesText(uiT('zh-CN'), 'zh-CN', done.detailMessages, done.detail!)).toBe('3 个网点健康，0 个失败');
    // The rollout's transfer slots were held while it ran, and went with it.
    expect(slotsHeld).toBe(true);
    expect(core.services.siteApps.transferSlotRollouts()).not.toContain(created.id);
    expect(done.sites.map((site) => [site.code, site.state])).toEqual([
      ['RO-1', 'healthy'],
      ['RO-2', 'healthy'],
      ['RO-3', 'healthy'],
    ]);
    for (const index of [0, 1, 2]) expect(await page(index)).toContain('version one');
    expect(await versionsOnEngine(1)).toContain(`edgecab.rollout:${created.id}`);
    // The canary was healthy before the next wave was queued.
    const items = core.services.outbox.list({ groupId: created.id });
    const byId = new Map(items.map((item) => [item.siteId, item]));
    expect(byId.get(siteIds[0]!)!.finishedAt! <= byId.get(siteIds[1]!)!.queuedAt).toBe(true);
    expect(byId.get(siteIds[0]!)!.finishedAt! <= byId.get(siteIds[2]!)!.queuedAt).toBe(true);
    // One transfer at a time, and none faster than its cap (one second of burst allowed; progress is recorded every half second).
    expect(atOnce).toBe(1);
    expect(transfers.size).toBe(3);
    for (const seen of transfers.values()) {
      const seconds = (seen.last - seen.first) / 1000;
      expect(seconds).toBeGreaterThan(seen.bytes / (BANDWIDTH_KBPS * 1000) - 2);
      expect(seen.bytes).toBeGreaterThan(1_000_000);
    }
  }, 180_000);

  it('v2 upgrades every site; nothing else to do after that', async () => {
    const input = { appId: 'branch-web', version: '2.0.0', targets: { siteIds }, siteParameters: siteParameters(), canaryCount: 1, batchSize: 100, batchUnit: 'percent' as const, stableSeconds: 1, stopSeconds: 1 };
    expect(core.services.rollouts.plan(input).sites.map((site) => [site.action, site.currentVersion])).toEqual([
      ['upgrade', '1.0.0'],
      ['upgrade', '1.0.0'],
      ['upgrade', '1.0.0'],
    ]);
    const created = core.services.rollouts.create(input, 'alice');
    const done = await finished(created.id, ['completed', 'stopped', 'paused']);
    expect(done.state).toBe('completed');
    for (const index of [0, 1, 2]) expect(await page(index)).toContain('version two');
    const again = core.services.rollouts.plan(input);
    expect(again.sites.map((site) => site.action)).toEqual(['nothing', 'nothing', 'nothing']);
    // A dry run of a version whose images the engines now hold sends nothing: read from the engines' last snapshot.
    const back = core.services.rollouts.plan({ ...input, version: '1.0.0' });
    expect(back.sites.map((site) => [site.action, site.bytesToTransfer])).toEqual([
      ['upgrade', 0],
      ['upgrade', 0],
      ['upgrade', 0],
    ]);
  }, 180_000);

  it('a broken v3 fails on the canary, which goes back to v2 proven healthy; the rollout stops before touching the others', async () => {
    const created = core.services.rollouts.create({ appId: 'branch-web', version: '3.0.0', targets: { siteIds }, siteParameters: siteParameters(), canaryCount: 1, onFailure: 'rollback', failureThreshold: 1, stableSeconds: 1, stopSeconds: 1, startTimeoutSeconds: 10 }, 'alice');
    const done = await finished(created.id, ['stopped', 'completed', 'paused']);
    expect(done.state).toBe('stopped');
    expect(done.detail).toMatch(/1 site failed \(threshold 1\)/);
    expect(done.sites.map((site) => [site.code, site.state])).toEqual([
      ['RO-1', 'rolled_back'],
      ['RO-2', 'pending'],
      ['RO-3', 'pending'],
    ]);
    expect(done.sites[0]!.detail).toMatch(/exited|exit code 3/);
    // In the UI's language: the sentence translated, the engine's state named, its exit code kept.
    expect(done.detailMessages).toEqual([{ key: 'thresholdReached', params: { failures: 1, threshold: 1 } }]);
    expect(rolloutMessagesText(uiT('zh-CN'), 'zh-CN', done.detailMessages, done.detail!)).toBe('已达到失败阈值：1 个网点失败（阈值 1），未再启动其他网点');
    expect(done.sites[0]!.detailMessages[0]).toMatchObject({ key: expect.stringMatching(/^containerStopped/), params: { container: 'branch-web-web-3.0.0', code: 3 } });
    expect(siteDetailText(uiT('en'), 'en', done.sites[0]!)).toBe(done.sites[0]!.detail);
    expect(siteDetailText(uiT('zh-CN'), 'zh-CN', done.sites[0]!)).toMatch(/^branch-web-web-3\.0\.0 \S+（退出码 3）/);
    expect(await page(0)).toContain('version two');
    expect(core.services.siteApps.ofSite(siteIds[0]!)[0]).toMatchObject({ version: '2.0.0', state: 'rolled_back' });
    // The others were never asked: no action of this rollout was queued for them.
    expect(core.services.outbox.list({ groupId: created.id }).map((item) => item.siteId)).toEqual([siteIds[0]]);
    expect(await versionsOnEngine(2)).not.toContain('edgecab.version:3.0.0');
  }, 120_000);

  it('a whole rollout rolled back by hand; a site offline meanwhile waits in the queue, across an EdgeCab restart, and goes back when it returns', async () => {
    const v2 = core.services.rollouts.list().find((rollout) => rollout.version === '2.0.0')!;
    await engines[2]!.goAway();
    let rollback: RolloutDetail = core.services.rollouts.rollback(v2.id);
    expect(rollback.state).toBe('rolling_back');
    rollback = await until('the offline site to be queued as offline', () => {
      const now = core.services.rollouts.get(v2.id);
      return now.sites[2]!.offlineSince ? now : null;
    });
    expect(rollback.sites[2]).toMatchObject({ state: 'reverting' });
    // Offline, and why in the words of what was tried: nothing listens on the engine's socket.
    expect(rollback.sites[2]!.detail).toMatch(/^queued: site offline since .+ \(unix:.*api\.sock \/_ping: no such socket/);
    expect(rollback.sites[2]!.detailMessages).toEqual([
      { key: 'queuedOffline', params: { since: rollback.sites[2]!.offlineSince } },
      { key: 'unreachableBecause', params: { error: expect.stringMatching(/\/_ping: no such socket/) } },
    ]);
    expect(siteDetailText(uiT('zh-CN'), 'zh-CN', rollback.sites[2]!)).toMatch(/^排队中：网点自 .+ 起离线（unix:.*no such socket.*）$/);
    await until('the reachable sites to be back on v1', () => {
      const now = core.services.rollouts.get(v2.id);
      return now.sites[0]!.state === 'reverted' && now.sites[1]!.state === 'reverted' ? now : null;
    });
    expect(await page(0)).toContain('version one');
    expect(await page(1)).toContain('version one');

    await core.close();
    open();
    expect(core.services.rollouts.get(v2.id).state).toBe('rolling_back');
    await engines[2]!.comeBack();
    const done = await finished(v2.id, ['rolled_back']);
    expect(done.sites.map((site) => site.state)).toEqual(['reverted', 'reverted', 'reverted']);
    expect(done.sites.map((site) => siteDetailText(uiT('zh-CN'), 'zh-CN', site))).toEqual(['已恢复到 1.0.0', '已恢复到 1.0.0', '已恢复到 1.0.0']);
    expect(rolloutMessagesText(uiT('zh-CN'), 'zh-CN', done.detailMessages, done.detail!)).toBe('每个网点都已恢复到部署前的状态');
    expect(await page(2)).toContain('version one');
    expect(core.services.siteApps.ofSite(siteIds[2]!)[0]).toMatchObject({ version: '1.0.0', state: 'healthy' });
  }, 180_000);
});
