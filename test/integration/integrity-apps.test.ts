/**
 * The integrity report's apps, against a real Podman engine as the site's
 * workload engine: a release deployed through the outbox is checked (its
 * container's image against the signed release, its configuration against
 * what was deployed) and matches; the container replaced at the site by one
 * of another image, then by one of the release's image with another
 * command and parameters, shows what differs, on the site's report and in
 * the fleet view, with the drift alarm; the engine gone keeps the last look
 * beside why it could not look again; deployed again by EdgeCab, it matches
 * and the alarm clears. A site with nothing deployed says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRelease } from '../../shared/domain/apps.js';
import type { AppIntegrity, IntegrityCheck } from '../../shared/domain/integrity.js';
import type { Core } from '../../main/core/index.js';
import { LABEL } from '../../main/core/services/apps/site-deploy.js';
import { newPublisher } from '../support/app-images.js';
import { pushBusyboxReleases } from '../support/busybox-releases.js';
import { tempCore, tempDir } from '../support/core.js';
import { siteWithEngine } from '../support/engine-site.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import { freeTcpPort } from '../support/ports.js';
import { until as poll } from '../support/until.js';

const until = <T>(what: string, check: () => T | undefined | null | false | '' | Promise<T | undefined | null | false | ''>, timeoutMs = 60_000) => poll(what, check, timeoutMs, 100);

const CONTAINER = 'branch-web-web-1.0.0';

/** Each check as [kind, property, ok]: what a report says at a glance. */
const outcomes = (checks: readonly IntegrityCheck[]) => checks.map((check) => [check.kind, check.property, check.ok]);

describe('integrity of the apps deployed at a site, on a real Podman engine', () => {
  let engine: PodmanService;
  let work: { dir: string; cleanup: () => void };
  let core: Core;
  let cleanup: () => void;
  let siteId: string;
  let bareSiteId: string;
  let port: number;
  let release: AppRelease;
  const client = () => core.client('test');
  const page = async (at = port) => (await fetch(`http://127.0.0.1:${at}/`)).text();
  const app = async (): Promise<AppIntegrity> => (await client().integrity.site({ siteId })).apps.items[0]!;
  const driftAlarms = () => core.services.alarms.list({ siteId, state: 'active', limit: 50 }).alarms.filter((alarm) => alarm.messageKey === 'appDrift');
  const deploy = async () => {
    const item = core.services.siteApps.deploy(siteId, { appId: 'branch-web', version: '1.0.0', parameters: { HTTP_PORT: port }, stableSeconds: 1, stopSeconds: 1 }, 'alice');
    const done = await until('the deployment to finish', () => ['done', 'failed'].includes(core.services.outbox.item(item.id).state) && core.services.outbox.item(item.id));
    expect(done).toMatchObject({ state: 'done', outcome: expect.objectContaining({ state: 'healthy' }) });
  };
  /** Replaces the app's container at the site, by hand, as a technician would: same name, EdgeCab's labels (changed as given), host network. */
  const replaceContainer = async (image: string, command: readonly string[], labels: Record<string, string>) => {
    await engine.podman('rm', '--force', '--time', '0', CONTAINER);
    const labelArgs = Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
    await engine.podman('run', '--detach', '--name', CONTAINER, '--network', 'host', '--stop-timeout', '0', '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768', ...labelArgs, image, ...command);
  };
  const inspected = async <T>(format: string): Promise<T> => JSON.parse(await engine.podman('inspect', '--format', format, CONTAINER)) as T;

  beforeAll(async () => {
    engine = await startPodman();
    work = tempDir();
    ({ core, cleanup } = tempCore());
    core.services.outbox.start(200);
    port = await freeTcpPort();
    const publisher = newPublisher();
    core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
    release = (await pushBusyboxReleases(engine, core, work.dir, publisher, [{ version: '1.0.0', page: '<h1>version 1.0.0</h1>' }]))['1.0.0']!;
    ({ siteId } = await siteWithEngine(client(), { name: 'Branch 5', code: 'BR-5', latitude: 30.6, longitude: 104.1 }, { url: engine.url }));
    bareSiteId = (await client().sites.create({ name: 'Branch 6', code: 'BR-6', latitude: 30.7, longitude: 104.2 })).id;
  }, 120_000);

  afterAll(async () => {
    cleanup?.();
    await engine?.stop();
    work?.cleanup();
  });

  it('a site with nothing deployed reports no apps and is not in the fleet view', async () => {
    const report = await client().integrity.check({ siteId: bareSiteId });
    expect(report).toMatchObject({ checkedAt: null, differences: 0, devices: [], apps: { deployed: 0, checks: [], checkedAt: null, differences: 0, items: [] } });
    expect((await client().integrity.fleet()).sites).toEqual([]);
  });

  it('deployed: its image matches the signed release and its configuration what was deployed; the fleet view counts the app, with no difference', async () => {
    await deploy();
    expect(await page()).toContain('version 1.0.0');
    const before = Date.now();
    const report = await client().integrity.check({ siteId });
    expect(report.apps).toMatchObject({ deployed: 1, differences: 0 });
    expect(report.differences).toBe(0);
    const [checked] = report.apps.items;
    expect(checked).toMatchObject({ appId: 'branch-web', version: '1.0.0', state: 'healthy', name: { en: 'Branch web page', 'zh-CN': '网点网页' }, signedBy: 'Branch IT', error: null, differences: 0 });
    expect(Date.parse(checked!.checkedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(report.checkedAt).toBe(checked!.checkedAt);
    expect(report.apps.checkedAt).toBe(checked!.checkedAt);
    expect(report.apps.checks).toEqual(checked!.checks);
    expect(outcomes(checked!.checks)).toEqual([
      ['app-image', 'Image', true],
      ['app-config', 'Command', true],
      ['app-config', 'Parameters', true],
      ['app-config', 'Spec', true],
    ]);
    const image = checked!.checks.find((check) => check.property === 'Image')!;
    expect(image).toMatchObject({ component: CONTAINER, expected: release.images[0]!.id, actual: release.images[0]!.id, source: 'recorded' });
    expect(checked!.checks.find((check) => check.property === 'Parameters')).toMatchObject({ expected: JSON.stringify({ HTTP_PORT: port }), actual: JSON.stringify({ HTTP_PORT: port }) });
    expect(checked!.checks.find((check) => check.property === 'Command')!.expected).toBe(JSON.stringify(['/bin/httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/www']));
    expect((await client().integrity.fleet()).sites).toEqual([
      expect.objectContaining({ siteId, siteCode: 'BR-5', devices: 0, devicesChecked: 0, apps: 1, appsChecked: 1, appsDiffering: 0, differences: 0, lastCheckedAt: checked!.checkedAt }),
    ]);
    expect(driftAlarms()).toEqual([]);
  }, 120_000);

  it('replaced at the site by a container of another image: the image differs (the configuration, copied, does not), on the site and in the fleet view, with the drift alarm', async () => {
    const labels = await inspected<Record<string, string>>('{{json .Config.Labels}}');
    const command = await inspected<string[]>('{{json .Config.Cmd}}');
    const impostor = `sha256:${(await engine.importBusybox('localhost/branch-web:impostor', '<h1>not the release</h1>')).replace(/^sha256:/, '')}`;
    await replaceContainer('localhost/branch-web:impostor', command, labels);
    await until('the other container to serve', async () => (await page().catch(() => '')).includes('not the release'));

    // The drift watch's own round (as it runs every 5 s where monitoring runs) is the report.
    await core.services.appDrift.checkAll();
    const drifted = await app();
    expect(drifted).toMatchObject({ state: 'drifted', differences: 1, error: null });
    expect(drifted.checks.filter((check) => check.ok === false)).toEqual([expect.objectContaining({ kind: 'app-image', component: CONTAINER, property: 'Image', expected: release.images[0]!.id, actual: impostor })]);
    expect(outcomes(drifted.checks.filter((check) => check.kind === 'app-config'))).toEqual([
      ['app-config', 'Command', true],
      ['app-config', 'Parameters', true],
      ['app-config', 'Spec', true],
    ]);
    const report = await client().integrity.site({ siteId });
    expect(report.differences).toBe(1);
    expect(report.apps.differences).toBe(1);
    expect((await client().integrity.fleet()).sites).toEqual([expect.objectContaining({ siteId, apps: 1, appsChecked: 1, appsDiffering: 1, differences: 1 })]);
    expect(driftAlarms()).toEqual([expect.objectContaining({ severity: 'major', message: expect.stringContaining(`${CONTAINER} was changed at the site: it runs image`) })]);
  }, 120_000);

  it('replaced by a container of the release image with another command and parameters: the configuration differs, the image matches', async () => {
    const labels = await inspected<Record<string, string>>('{{json .Config.Labels}}');
    const other = await freeTcpPort();
    await replaceContainer(release.images[0]!.id.replace(/^sha256:/, ''), ['/bin/httpd', '-f', '-p', `127.0.0.1:${other}`, '-h', '/www'], { ...labels, [LABEL.parameters]: JSON.stringify({ HTTP_PORT: other }) });
    await until('the changed container to serve', async () => (await page(other).catch(() => '')).includes('version 1.0.0'));

    // "Check now" on the site page looks at the apps too.
    const report = await client().integrity.check({ siteId });
    const changed = report.apps.items[0]!;
    expect(changed).toMatchObject({ state: 'drifted', differences: 2 });
    expect(outcomes(changed.checks)).toEqual([
      ['app-image', 'Image', true],
      ['app-config', 'Command', false],
      ['app-config', 'Parameters', false],
      ['app-config', 'Spec', true],
    ]);
    expect(changed.checks.find((check) => check.property === 'Command')).toMatchObject({ expected: JSON.stringify(['/bin/httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/www']), actual: JSON.stringify(['/bin/httpd', '-f', '-p', `127.0.0.1:${other}`, '-h', '/www']) });
    expect(changed.checks.find((check) => check.property === 'Parameters')).toMatchObject({ expected: JSON.stringify({ HTTP_PORT: port }), actual: JSON.stringify({ HTTP_PORT: other }) });
    expect(report.differences).toBe(2);
    expect((await client().integrity.fleet()).sites).toEqual([expect.objectContaining({ siteId, appsDiffering: 1, differences: 2 })]);
    expect(driftAlarms()).toEqual([expect.objectContaining({ message: expect.stringContaining(`${CONTAINER} was changed at the site: it is not the container EdgeCab made`) })]);
  }, 120_000);

  it('the engine gone: the last look stays, with why it could not look again', async () => {
    const last = await app();
    await engine.goAway();
    try {
      const report = await client().integrity.check({ siteId });
      const away = report.apps.items[0]!;
      expect(away.error).toMatch(/api\.sock/);
      expect(away).toMatchObject({ checkedAt: last.checkedAt, differences: 2, checks: last.checks });
      expect(Date.parse(away.attemptedAt!)).toBeGreaterThan(Date.parse(last.checkedAt!));
    } finally {
      await engine.comeBack();
    }
  }, 120_000);

  it('deployed again by EdgeCab: every check matches, the fleet view has no difference and the drift alarm clears', async () => {
    await deploy();
    const report = await client().integrity.check({ siteId });
    expect(report.apps.items[0]).toMatchObject({ state: 'healthy', differences: 0, error: null });
    expect(outcomes(report.apps.items[0]!.checks).every(([, , ok]) => ok === true)).toBe(true);
    expect(report.differences).toBe(0);
    expect((await client().integrity.fleet()).sites).toEqual([expect.objectContaining({ siteId, appsDiffering: 0, differences: 0 })]);
    expect(driftAlarms()).toEqual([]);
    expect(await page()).toContain('version 1.0.0');
  }, 120_000);
});
