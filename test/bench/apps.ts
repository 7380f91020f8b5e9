/**
 * Apps benchmark: a 50 MB signed release rolled out in three waves (canary,
 * then one site, then the last) to three lab-style sites, each with its own
 * real Podman service, through the path users run (the in-process API
 * client, the outbox, the rollout service, drift watch at its default pace).
 *   apps.raw_load_s               a raw POST /images/load of the release's archive (the peer figure)
 *   apps.transfer_s               a rollout's image transfer to one engine, mean of the three sites
 *   apps.transfer_efficiency      rollout transfer bytes/s ÷ raw load bytes/s, same archive, same run (target ≥ 0.8)
 *   apps.rollout_s                create → completed, all three waves healthy on their engines
 *   apps.plan_10k_sites_ms        the dry run over 10,000 sites from the database (target < 2,000 ms)
 *   apps.state_lag_ms             a container killed on the engine → drift shown by the API (target < 10,000 ms)
 *   apps.rss_mb                   the core's peak resident memory over the run
 * The suite fails when any operation failed (a site not healthy, a plan with errors, drift never shown).
 */
import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCore } from '../../main/core/index.js';
import { startPodman, type PodmanService } from '../../main/lab/podman.js';
import { newPublisher } from '../support/app-images.js';
import { pushBusyboxReleases, SERVE } from '../support/busybox-releases.js';
import { tempDir } from '../support/core.js';
import { siteWithEngine } from '../support/engine-site.js';
import { freeTcpPort } from '../support/ports.js';
import { until } from '../support/until.js';
import { bench, Failures } from './report.js';

const RELEASE_BYTES = 50_000_000;
const PLAN_SITES = 10_000;
const failures = new Failures('apps');

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const rssTimer = setInterval(sampleRss, 250);

/** The peer: the archive streamed to the engine's own load endpoint, as `docker load` does; seconds until its answer is read. */
function rawLoad(engine: PodmanService, archive: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const post = request({ socketPath: engine.socketPath, path: '/images/load', method: 'POST', headers: { 'content-type': 'application/x-tar', 'content-length': statSync(archive).size } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => (response.statusCode === 200 ? resolve((performance.now() - started) / 1000) : reject(new Error(`raw load: ${response.statusCode} ${body.slice(0, 200)}`))));
    });
    post.on('error', reject);
    createReadStream(archive).pipe(post);
  });
}

const engines: PodmanService[] = [];
let watching = true;
let watch: Promise<void> = Promise.resolve();
const work = tempDir();
const core = createCore({ dataDir: join(work.dir, 'center'), host: 'server' });
const client = core.client('bench');
try {
  for (let index = 0; index < 3; index += 1) engines.push(await startPodman());
  // The product's own background work at its own pace: the outbox, rollouts, drift watch (every 5 s).
  core.services.outbox.start();
  core.services.rollouts.start();
  core.services.appDrift.start();

  const publisher = newPublisher();
  core.services.apps.trust({ name: 'Bench publisher', publicKey: publisher.publicKeyPem }, 'bench');
  const releases = await pushBusyboxReleases(engines[0]!, core, work.dir, publisher, [{ version: '1.0.0', page: '<h1>bench</h1>', command: SERVE, padBytes: RELEASE_BYTES }]);
  const archive = join(work.dir, '1.0.0.tar');
  const archiveBytes = statSync(archive).size;

  // The peer first, on the canary's engine, which then forgets the image again.
  const rawSeconds = await rawLoad(engines[0]!, archive);
  await engines[0]!.podman('rmi', '--force', releases['1.0.0']!.images[0]!.id.replace(/^sha256:/, ''));
  bench('apps.raw_load_s', rawSeconds, 's');

  const region = await client.regions.create({ name: 'Bench rollout', parentId: null });
  const siteIds: string[] = [];
  const siteParameters: Record<string, { HTTP_PORT: number }> = {};
  for (const [index, engine] of engines.entries()) {
    const { siteId } = await siteWithEngine(client, { name: `Bench branch ${index + 1}`, code: `BR-${index + 1}`, latitude: 30 + index, longitude: 120, regionId: region.id }, { url: engine.url });
    siteIds.push(siteId);
    siteParameters[siteId] = { HTTP_PORT: await freeTcpPort() };
  }

  // Each site's transfer, seen as the API shows it: from its first byte sent to the end of "transferring".
  const transfer = new Map<string, { from: number; to: number | null }>();
  watch = (async () => {
    while (watching) {
      for (const siteId of siteIds) {
        const app = (await client.apps.siteApps({ siteId })).apps[0];
        const seen = transfer.get(siteId);
        if (app?.state === 'transferring' && !seen) transfer.set(siteId, { from: performance.now(), to: null });
        if (app && app.state !== 'transferring' && seen && seen.to === null) seen.to = performance.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })().catch((error: unknown) => {
    watching = false;
    failures.add('transfer watch', error);
  });
  const started = performance.now();
  const created = await client.rollouts.create({ appId: 'branch-web', version: '1.0.0', targets: { regionId: region.id }, siteParameters, canaryCount: 1, batchSize: 1, stableSeconds: 1, stopSeconds: 1 });
  const done = await until('the rollout to end', async () => {
    const rollout = await client.rollouts.get({ id: created.id });
    return ['completed', 'stopped', 'paused', 'cancelled'].includes(rollout.state) ? rollout : null;
  }, 600_000, 100);
  const rolloutSeconds = (performance.now() - started) / 1000;
  watching = false;
  await watch;
  for (const site of done.sites) if (site.state !== 'healthy') failures.add('site rollout', `${site.code}: ${site.state} ${site.detail ?? ''}`);
  if (done.state !== 'completed') failures.add('rollout', `ended ${done.state}`);
  bench('apps.rollout_s', rolloutSeconds, 's');
  const transfers = [...transfer.values()].flatMap((seen) => (seen.to === null ? [] : [(seen.to - seen.from) / 1000]));
  if (transfers.length !== 3) failures.add('transfer timing', `${transfers.length} of 3 transfers seen`);
  const transferSeconds = transfers.reduce((sum, seconds) => sum + seconds, 0) / Math.max(1, transfers.length);
  bench('apps.transfer_s', transferSeconds, 's');
  bench('apps.archive_mb', archiveBytes / 1e6, 'MB');
  bench('apps.transfer_efficiency', rawSeconds / transferSeconds, 'ratio');

  // Drift: the container killed by hand at the site, as the API shows it.
  const killedSite = siteIds[1]!;
  await engines[1]!.podman('kill', 'branch-web-web-1.0.0');
  const killedAt = performance.now();
  await until('drift to show', async () => (await client.apps.siteApps({ siteId: killedSite })).apps[0]?.state === 'drifted', 30_000, 20).then(
    () => bench('apps.state_lag_ms', performance.now() - killedAt, 'ms'),
    (error: unknown) => failures.add('drift shown', error),
  );

  // The dry run over 10,000 sites: every site with an engine last seen with a snapshot, some already running the app.
  const bigRegion = await client.regions.create({ name: 'Bench 10k', parentId: null });
  const template = 'edge-12u';
  const snapshot = core.db.prepare('INSERT INTO engine_snapshots (device_id, site_id, image_ids, containers, free_bytes, observed_at) VALUES (?, ?, ?, ?, ?, ?)');
  const siteApp = core.db.prepare("INSERT INTO site_apps (site_id, app_id, version, state, parameters, updated_at) VALUES (?, 'branch-web', '1.0.0', 'healthy', NULL, ?)");
  const setEndpoint = core.db.prepare('UPDATE devices SET endpoint = ? WHERE id = ?');
  const setUp = performance.now();
  core.db.transaction(() => {
    const now = new Date().toISOString();
    for (let index = 0; index < PLAN_SITES; index += 1) {
      const site = core.services.sites.create({ name: `Plan branch ${index}`, code: `PL-${String(index).padStart(5, '0')}`, latitude: 20 + (index % 200) / 10, longitude: 100 + Math.floor(index / 200) / 10, regionId: bigRegion.id, address: null, contact: null });
      const view = core.services.cabinets.createForSite(site.id, template, null, 'en');
      const server = view.devices.find((device) => device.kind === 'server')!;
      const engine = core.services.cabinets.add({ cabinetId: view.cabinet.id, kind: 'engine', name: 'Podman', u: server.u, heightU: 1, face: 'front', depth: 'full', protocol: 'engine' });
      setEndpoint.run(`https://10.${index >> 8}.${index & 255}.20:2376`, engine.id);
      const images = index % 3 === 0 ? [releases['1.0.0']!.images[0]!.id] : [];
      snapshot.run(engine.id, site.id, JSON.stringify(images), '[]', 200_000_000_000, now);
      if (index % 3 === 0) siteApp.run(site.id, now);
    }
  })();
  console.error(`apps bench: ${PLAN_SITES} sites set up in ${((performance.now() - setUp) / 1000).toFixed(1)} s`);
  const planStarted = performance.now();
  const plan = await client.rollouts.plan({ appId: 'branch-web', version: '1.0.0', targets: { regionId: bigRegion.id }, canaryCount: 10, batchSize: 10, batchUnit: 'percent' });
  const planMs = performance.now() - planStarted;
  if (plan.sites.length !== PLAN_SITES) failures.add('plan', `${plan.sites.length} of ${PLAN_SITES} sites planned`);
  const nothing = plan.sites.filter((site) => site.action === 'nothing').length;
  if (nothing !== Math.ceil(PLAN_SITES / 3)) failures.add('plan', `${nothing} sites with nothing to do; ${Math.ceil(PLAN_SITES / 3)} run the version already`);
  const withConflicts = plan.sites.filter((site) => site.conflicts.length > 0);
  if (withConflicts.length > 0) failures.add('plan', `${withConflicts.length} sites with conflicts, first ${withConflicts[0]!.code}: ${withConflicts[0]!.conflicts.join('; ')}`);
  bench('apps.plan_10k_sites_ms', planMs, 'ms');
} catch (error) {
  failures.add('apps bench', error);
} finally {
  watching = false;
  await watch;
  sampleRss();
  clearInterval(rssTimer);
  bench('apps.rss_mb', peakRss / 1e6, 'MB');
  await core.close();
  for (const engine of engines) await engine.stop();
  work.cleanup();
}
failures.report();
