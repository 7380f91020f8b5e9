/**
 * The dry run from the database alone: install, upgrade or nothing per
 * site; bytes only for the images a site's engine was last seen without;
 * and each thing in the way — no engine, a port another app uses, a
 * container name taken, too little disk, a parameter of the wrong type —
 * each also as a catalog message the UI says in English or Chinese.
 * A rollout outside its maintenance window queues nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { assignWaves, inWindow, type RolloutMessage } from '../../shared/domain/rollouts.js';
import type { Language } from '../../shared/i18n/index.js';
import { rolloutMessagesText, siteDetailText } from '../../renderer/features/rollouts/rollout-text.js';
import type { AppRelease } from '../../shared/domain/apps.js';
import { bundleFile, dockerArchive, newPublisher, testImage, webManifest } from '../support/app-images.js';
import { tempCore, tempDir } from '../support/core.js';
import { uiT } from '../support/ui-i18n.js';

const say = (language: Language, messages: readonly RolloutMessage[], english: string) => rolloutMessagesText(uiT(language), language, messages, english);

describe('rollout dry run', () => {
  let core: Core;
  let cleanup: () => void;
  let work: ReturnType<typeof tempDir>;
  let web: AppRelease;
  const sites: Record<string, string> = {};

  const addSite = async (code: string, engine: boolean) => {
    const client = core.client('test');
    const site = await client.sites.create({ name: `Branch ${code}`, code, latitude: 30, longitude: 120 });
    sites[code] = site.id;
    if (!engine) return site.id;
    const view = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
    const server = view.devices.find((device) => device.slotId === 'srv1')!;
    const device = await client.devices.add({ cabinetId: view.cabinet.id, kind: 'engine', name: 'Podman', u: server.u, heightU: 1, face: 'front', depth: 'full', protocol: 'engine' });
    core.db.prepare("UPDATE devices SET endpoint = 'https://192.0.2.1:2376' WHERE id = ?").run(device.id);
    return site.id;
  };
  const snapshot = (code: string, seen: { images?: string[]; containers?: { name: string; app: string | null; version: string | null; state: string }[]; freeBytes?: number | null }) => {
    const device = core.db.prepare("SELECT d.id FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE c.site_id = ? AND d.kind = 'engine'").pluck().get(sites[code]) as string;
    core.db
      .prepare('INSERT INTO engine_snapshots (device_id, site_id, image_ids, containers, free_bytes, observed_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(device, sites[code], JSON.stringify(seen.images ?? []), JSON.stringify(seen.containers ?? []), seen.freeBytes ?? null, '2026-12-01T00:00:00.000Z');
  };
  const siteApp = (code: string, appId: string, version: string, state: string, parameters: Record<string, unknown> | null = null) =>
    core.db.prepare("INSERT INTO site_apps (site_id, app_id, version, state, parameters, updated_at) VALUES (?, ?, ?, ?, ?, 'now')").run(sites[code], appId, version, state, parameters ? JSON.stringify(parameters) : null);

  beforeAll(async () => {
    ({ core, cleanup } = tempCore());
    work = tempDir();
    const publisher = newPublisher();
    core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
    const push = async (manifest: Record<string, unknown>, image: Awaited<ReturnType<typeof testImage>>) =>
      (await core.services.apps.pushFile(await bundleFile(work.dir, `${String(manifest.id)}-${String(manifest.version)}`, manifest, await dockerArchive([image]), publisher), 'test')).release;
    const webImage = await testImage('web:1', [{ 'www/index.html': 'x'.repeat(20_000) }]);
    web = await push(webManifest('1.0.0', webImage.id), webImage);
    const camsImage = await testImage('cams:1', [{ 'cams/run': 'cams' }]);
    await push(webManifest('4.0.0', camsImage.id, { id: 'cams' }), camsImage);

    await addSite('A-NOENGINE', false);
    await addSite('B-NEVERREAD', true);
    await addSite('C-PORT', true);
    snapshot('C-PORT', { images: [web.images[0]!.id] });
    siteApp('C-PORT', 'cams', '4.0.0', 'healthy', { HTTP_PORT: 18080 });
    await addSite('D-NAME', true);
    snapshot('D-NAME', { containers: [{ name: 'branch-web-web-1.0.0', app: null, version: null, state: 'running' }] });
    await addSite('E-DISK', true);
    snapshot('E-DISK', { freeBytes: 100 });
    await addSite('F-PARAM', true);
    await addSite('G-SAME', true);
    siteApp('G-SAME', 'branch-web', '1.0.0', 'healthy', { HTTP_PORT: 18080 });
    for (const code of ['H-1', 'H-2', 'H-3', 'H-4']) await addSite(code, true);
    snapshot('H-1', { images: [web.images[0]!.id], freeBytes: 10_000_000_000 });
  }, 60_000);

  afterAll(() => {
    cleanup?.();
    work?.cleanup();
  });

  it('says per site what would happen, the bytes it lacks, and what is in the way', () => {
    const plan = core.services.rollouts.plan({ appId: 'branch-web', version: '1.0.0', targets: { q: '-' }, siteParameters: { [sites['F-PARAM']!]: { HTTP_PORT: 'eighty' } }, canaryCount: 1, batchSize: 50, batchUnit: 'percent' });
    const byCode = Object.fromEntries(plan.sites.map((site) => [site.code, site]));
    const size = web.images[0]!.sizeBytes;
    expect(byCode['A-NOENGINE']!.conflicts).toEqual(['no workload engine is connected at this site']);
    expect(byCode['B-NEVERREAD']).toMatchObject({ action: 'install', bytesToTransfer: size, engineSeenAt: null, conflicts: [], wave: 0 });
    expect(byCode['C-PORT']!.conflicts).toEqual(['port 18080/tcp is used by cams 4.0.0 at this site']);
    expect(byCode['C-PORT']!.bytesToTransfer).toBe(0);
    expect(byCode['D-NAME']!.conflicts).toEqual(["a container named branch-web-web-1.0.0 is already on the engine and is not this app's"]);
    expect(byCode['E-DISK']!.conflicts[0]).toMatch(/^not enough disk: about .* needed, 100 B free$/);
    expect(byCode['F-PARAM']!.conflicts).toEqual(['HTTP_PORT: a port from 1 to 65535']);
    expect(byCode['G-SAME']).toMatchObject({ action: 'nothing', currentVersion: '1.0.0', wave: -1, bytesToTransfer: 0 });
    expect(byCode['H-1']).toMatchObject({ action: 'install', bytesToTransfer: 0, wave: 1 });
    // Canary B, then the other four in two waves of 50 %.
    expect(plan.sites.filter((site) => site.wave >= 0).map((site) => [site.code, site.wave])).toEqual([
      ['B-NEVERREAD', 0],
      ['H-1', 1],
      ['H-2', 1],
      ['H-3', 2],
      ['H-4', 2],
    ]);
    expect(plan.waves).toEqual([
      { wave: 0, sites: 1 },
      { wave: 1, sites: 2 },
      { wave: 2, sites: 2 },
    ]);
    expect(plan.totals).toEqual({ install: 5, upgrade: 0, nothing: 1, conflicts: 5, bytesToTransfer: size * 4 });

    // Each conflict also as a message: the English said from it is the core's own, word for word; the Chinese is Chinese.
    expect(byCode['A-NOENGINE']!.conflictMessages).toEqual([{ key: 'noEngine', params: {} }]);
    expect(byCode['C-PORT']!.conflictMessages).toEqual([{ key: 'portInUse', params: { port: '18080/tcp', app: 'cams', version: '4.0.0' } }]);
    expect(byCode['F-PARAM']!.conflictMessages).toEqual([{ key: 'parameterPort', params: { parameter: 'HTTP_PORT' } }]);
    for (const site of plan.sites) {
      expect(site.conflictMessages).toHaveLength(site.conflicts.length);
      site.conflicts.forEach((conflict, index) => expect(say('en', [site.conflictMessages[index]!], '(fallback)'), site.code).toBe(conflict));
    }
    const chinese = (code: string) => byCode[code]!.conflicts.map((conflict, index) => say('zh-CN', [byCode[code]!.conflictMessages[index]!], conflict));
    expect(chinese('A-NOENGINE')).toEqual(['该网点未连接工作负载引擎']);
    expect(chinese('C-PORT')).toEqual(['端口 18080/tcp 已被本网点的 cams 4.0.0 占用']);
    expect(chinese('D-NAME')).toEqual(['引擎上已有名为 branch-web-web-1.0.0 的容器，且不属于此应用']);
    expect(chinese('E-DISK')[0]).toMatch(/^磁盘空间不足：约需 .+，可用 100 B$/);
    expect(chinese('F-PARAM')).toEqual(['HTTP_PORT：应为 1 到 65535 之间的端口']);
    // An unknown parameter names the release and the key, in either language.
    const unknown = core.services.rollouts.plan({ appId: 'branch-web', version: '1.0.0', targets: { siteIds: [sites['H-2']!] }, parameters: { NOPE: 1 } }).sites[0]!;
    expect(unknown.conflicts).toEqual(['branch-web 1.0.0 has no parameter NOPE']);
    expect(say('zh-CN', unknown.conflictMessages, unknown.conflicts[0]!)).toBe('branch-web 1.0.0 没有参数 NOPE');
  });

  it('refuses unknown targets and a rollout with nothing to do, naming why', () => {
    expect(() => core.services.rollouts.plan({ appId: 'branch-web', version: '1.0.0', targets: { siteIds: ['nope'] } })).toThrow(/No site with id nope/);
    expect(() => core.services.rollouts.create({ appId: 'branch-web', version: '1.0.0', targets: { siteIds: [sites['A-NOENGINE']!, sites['G-SAME']!] } }, 'alice')).toThrow(/None of the 2 target sites can take branch-web 1.0.0/);
    expect(() => core.services.rollouts.plan({ appId: 'branch-web', version: '1.0.0', targets: {} })).toThrow(/Pick the target sites/);
    expect(() => core.services.rollouts.plan({ appId: 'branch-web', version: '1.0.0', targets: { q: 'H-' }, window: { start: '01:00', end: '05:00', timeZone: 'Mars/Olympus' } })).toThrow(/A time zone like Asia\/Shanghai/);
  });

  it('outside its maintenance window a rollout queues nothing and says what it waits for', () => {
    const hour = new Date().getUTCHours();
    const clock = (offset: number) => `${String((hour + offset) % 24).padStart(2, '0')}:00`;
    const window = { start: clock(2), end: clock(3), timeZone: 'UTC' };
    const rollout = core.services.rollouts.create({ appId: 'branch-web', version: '1.0.0', targets: { q: 'H-' }, canaryCount: 1, window }, 'alice');
    expect(rollout.sites.map((site) => [site.code, site.state])).toEqual([
      ['H-1', 'waiting'],
      ['H-2', 'pending'],
      ['H-3', 'pending'],
      ['H-4', 'pending'],
    ]);
    expect(rollout.sites[0]!.detail).toBe(`waiting for the maintenance window ${window.start}–${window.end} (UTC)`);
    expect(rollout.sites[0]!.detailMessages).toEqual([{ key: 'waitingWindow', params: { ...window } }]);
    expect(core.services.outbox.list({ groupId: rollout.id })).toEqual([]);
    expect(core.services.rollouts.cancel(rollout.id).sites.map((site) => site.state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('says why sites were skipped, what they wait for and why the rollout ended in the user’s language, the English kept as it was', () => {
    const hour = new Date().getUTCHours();
    const clock = (offset: number) => `${String((hour + offset) % 24).padStart(2, '0')}:00`;
    const window = { start: clock(2), end: clock(3), timeZone: 'UTC' };
    const created = core.services.rollouts.create({ appId: 'branch-web', version: '1.0.0', targets: { q: '-' }, siteParameters: { [sites['F-PARAM']!]: { HTTP_PORT: 'eighty' } }, canaryCount: 1, window }, 'alice');
    const byCode = Object.fromEntries(created.sites.map((site) => [site.code, site]));
    const shown = (language: Language, code: string) => siteDetailText(uiT(language), language, byCode[code]!);
    expect(byCode['A-NOENGINE']).toMatchObject({ state: 'skipped', detail: 'no workload engine is connected at this site', detailMessages: [{ key: 'noEngine', params: {} }] });
    expect(shown('zh-CN', 'A-NOENGINE')).toBe('该网点未连接工作负载引擎');
    expect(byCode['G-SAME']).toMatchObject({ state: 'skipped', detail: 'already runs this version' });
    expect(shown('zh-CN', 'G-SAME')).toBe('已在运行此版本');
    expect(shown('en', 'G-SAME')).toBe('already runs this version');
    expect(shown('zh-CN', 'F-PARAM')).toBe('HTTP_PORT：应为 1 到 65535 之间的端口');
    expect(byCode['B-NEVERREAD']!.state).toBe('waiting');
    expect(shown('zh-CN', 'B-NEVERREAD')).toBe(`等待维护窗口 ${window.start}–${window.end}（UTC）`);
    expect(shown('en', 'B-NEVERREAD')).toBe(byCode['B-NEVERREAD']!.detail);

    const cancelled = core.services.rollouts.cancel(created.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', detail: 'cancelled by hand', detailMessages: [{ key: 'cancelledByHand', params: {} }] });
    expect(say('zh-CN', cancelled.detailMessages, cancelled.detail!)).toBe('已手动取消');
    const h4 = cancelled.sites.find((site) => site.code === 'H-4')!;
    expect(h4).toMatchObject({ state: 'cancelled', detail: 'not started: the rollout was cancelled' });
    expect(siteDetailText(uiT('zh-CN'), 'zh-CN', h4)).toBe('未开始：批量部署已取消');
    // The list says the same as the rollout.
    expect(core.services.rollouts.list().find((rollout) => rollout.id === created.id)!.detailMessages).toEqual(cancelled.detailMessages);
    expect(core.services.siteApps.transferSlotRollouts()).not.toContain(created.id);
  });

  it('windows across midnight, in the sites’ time zone; waves by count and by percentage', () => {
    const at = new Date('2026-12-01T17:30:00Z'); // 01:30 in Shanghai
    expect(inWindow({ start: '01:00', end: '05:00', timeZone: 'Asia/Shanghai' }, at)).toBe(true);
    expect(inWindow({ start: '01:00', end: '05:00', timeZone: 'UTC' }, at)).toBe(false);
    expect(inWindow({ start: '23:00', end: '02:00', timeZone: 'Asia/Shanghai' }, at)).toBe(true);
    expect(inWindow({ start: '23:00', end: '01:00', timeZone: 'Asia/Shanghai' }, at)).toBe(false);
    const ids = Array.from({ length: 10 }, (_, index) => `s${index}`);
    expect([...assignWaves(ids, { canarySiteIds: ['s5'], canaryCount: 1, batchSize: 4, batchUnit: 'sites' }).entries()].filter(([, wave]) => wave === 0)).toEqual([['s5', 0]]);
    expect(new Set(assignWaves(ids, { canarySiteIds: [], canaryCount: 0, batchSize: 25, batchUnit: 'percent' }).values())).toEqual(new Set([0, 1, 2, 3]));
  });
});
