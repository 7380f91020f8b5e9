/**
 * Map benchmark, in Debian's Chromium driven by Playwright, against a real
 * `edgecab serve` holding 100,000 sites.
 *   map.first_render_ms        navigation → sites drawn on the map (each page follows one uncounted request for the
 *                              site list, so the server is as warm for one page as for the other)
 *   map.markercluster_first_render_ms  the same for a bench-only page drawing the same sites with Leaflet.markercluster
 *                              (same Leaflet options, view, basemap and map size; test/bench/markercluster/)
 *   map.vs_markercluster       markercluster_first_render_ms ÷ first_render_ms: how many times faster EdgeCab's
 *                              first picture is (higher is better; below 1 markercluster is faster)
 *   map.frame_p50_ms / p95     main-thread time to produce the frame after each pan or zoom step (scripted sequence)
 *   map.heap_mb                JS heap after load
 *   map.update_main_ms_per_s   main-thread time per second while 1,000 site state changes per second arrive
 *   map.tile_p99_ms            one tile from an imported 21,845-tile MBTiles over the app's tile route, 6 requests in flight, after 5,000 warm-up requests
 *   map.tiles_per_s            tiles served per second at that concurrency
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Pool } from 'undici';
import { writeMbtiles } from '../support/mbtiles.js';
import { buildMarkerclusterPage, PAGE_PATH, servePage } from './lib/markercluster-page.js';
import { startServer } from './lib/processes.js';
import { signInFirstAdministrator } from './lib/sign-in.js';
import { bench, Failures, percentile, repoRoot } from './report.js';

const SITES = 100_000;
// `performance` here is the global one, never imported: functions sent to the page are serialized as written,
// and a bundler renaming an imported binding (performance2) would break them there.
const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-bench-map-'));
const failures = new Failures('map');
const markerclusterDir = await buildMarkerclusterPage();

// A free port (--port 0), read back from the server's --json line; no trap receiver, the map needs none.
const server = await startServer(dataDir, ['--trap-port', 'off', '--events-port', 'off']);
const base = server.url;
const session = await signInFirstAdministrator(base, server.setupUrl).catch(async (error: unknown) => {
  await server.stop();
  throw error;
});

/** A page of its own browser context (no cache or storage shared with another page), signed in as the bench's user. */
async function signedInPage(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  if (session.cookie) await context.addCookies([{ ...session.cookie, url: base }]);
  const page = await context.newPage();
  page.once('close', () => void context.close().catch(() => undefined));
  return page;
}

/** Anything that goes wrong on a page is a failed operation: script errors, and requests to the app that fail or answer an error. */
function watch(page: Page, name: string): void {
  page.on('pageerror', (error) => failures.add(`${name} page error`, error));
  page.on('requestfailed', (request) => {
    if (request.url().startsWith(base)) failures.add(`${name} request`, `${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  });
  page.on('response', (response) => {
    if (response.url().startsWith(base) && response.status() >= 400) failures.add(`${name} request`, `${response.url()}: HTTP ${response.status()}`);
  });
}

/** Where a first render's time went, by the page's own clock, for whoever tunes it next. */
function breakdown(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const clock = window.performance;
    const sites = clock.getEntriesByType('resource').find((entry) => entry.name.includes('/map/sites')) as PerformanceResourceTiming | undefined;
    const navigation = clock.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const round = (value: number | undefined) => Math.round(value ?? 0);
    return {
      domInteractive: round(navigation?.domInteractive),
      sitesRequested: round(sites?.startTime),
      sitesServerWait: round(sites && sites.responseStart - sites.requestStart),
      sitesReceived: round(sites?.responseEnd),
    };
  });
}

const browser = await chromium.launch({
  executablePath: process.env.EDGECAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
}).catch(async (error: unknown) => {
  await server.stop();
  throw error;
});
try {
  const lines = ['name,code,latitude,longitude'];
  for (let index = 0; index < SITES; index += 1) {
    // Spread over China's extent, denser in the east, as branch networks are.
    const latitude = 20 + ((index * 7919) % 2000) / 100;
    const longitude = 100 + ((index * 104729) % 2200) / 100;
    lines.push(`Branch ${index},MAP-${index},${latitude.toFixed(4)},${longitude.toFixed(4)}`);
  }
  const imported = await fetch(`${base}/api/v1/sites/import`, { method: 'POST', headers: { 'content-type': 'application/json', ...session.headers(true) }, body: JSON.stringify({ csv: lines.join('\n'), mode: 'commit' }) });
  if (((await imported.json()) as { created: number }).created !== SITES) throw new Error('site import failed');
  // One uncounted request for every site before each page, so both find the server in the same state: its
  // site list built and warm (a write in between, such as the session's periodic touch, makes it build the list anew).
  const warmSiteList = async () => {
    const warmUp = await fetch(`${base}/api/v1/map/sites`, { headers: session.headers() });
    await warmUp.arrayBuffer();
    if (!warmUp.ok) failures.add('map sites', `HTTP ${warmUp.status}`);
  };
  await warmSiteList();

  const viewport = { width: 1360, height: 820 };
  const page = await signedInPage(browser, viewport);
  watch(page, 'EdgeCab');
  page.on('console', (message) => {
    if (message.text().startsWith('sites layer')) console.error(`bench map: ${message.text()}`);
  });
  await page.route(/^(?!http:\/\/127\.0\.0\.1).*/, (route) => route.abort());
  const started = performance.now();
  await page.goto(`${base}/#/map`);
  // The page's own clock (zero at navigation start) says when the sites were first on screen; the wall clock here adds the DevTools round trip.
  const drawnAt = await page.waitForFunction(
    (count) => Number(document.querySelector<HTMLCanvasElement>('.sites-layer')?.dataset.drawn ?? 0) > 0 && document.querySelector('[data-testid="map-count"]')?.textContent?.includes(count) && performance.now(),
    '100,000',
    { timeout: 120_000 },
  );
  const pageMs = (await drawnAt.jsonValue()) as number;
  console.error(`bench map: sites drawn ${pageMs.toFixed(0)} ms after navigation by the page's clock, ${(performance.now() - started).toFixed(0)} ms by the driver's`);
  bench('map.first_render_ms', pageMs, 'ms');
  console.error(`bench map: first render breakdown ${JSON.stringify(await breakdown(page))}`);
  // For looking at: the first picture of 100,000 sites (clusters for the zoom on screen, before the full index).
  await page.screenshot({ path: join(repoRoot, '.cache/bench/map-100k-first.png') });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(repoRoot, '.cache/bench/map-100k-full.png') });
  // The markercluster page gets a map of the same size as EdgeCab's, once the toolbar has its final rows
  // (the app's own chrome takes the rest of the window).
  const mapSize = await page.evaluate(() => {
    const box = document.querySelector('.leaflet-container')!.getBoundingClientRect();
    return { width: Math.round(box.width), height: Math.round(box.height) };
  });
  const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  bench('map.heap_mb', heap / 1024 / 1024, 'MB');

  const frames = await page.evaluate(() => {
    const handle = (window as unknown as { edgecabMap: { map: { setView(center: [number, number], zoom: number, options: object): void; panBy(offset: [number, number], options: object): void } } }).edgecabMap;
    const timings: number[] = [];
    const steps: (() => void)[] = [];
    for (let zoom = 4; zoom <= 12; zoom += 1) steps.push(() => handle.map.setView([31 + zoom * 0.1, 114 + zoom * 0.1], zoom, { animate: false }));
    for (let index = 0; index < 120; index += 1) steps.push(() => handle.map.panBy([index % 2 ? 180 : -170, index % 3 ? 90 : -80], { animate: false }));
    for (let zoom = 12; zoom >= 4; zoom -= 1) steps.push(() => handle.map.setView([30, 113], zoom, { animate: false }));
    const layer = (window as unknown as { edgecabMap: { layer: { busyMs: number } } }).edgecabMap.layer;
    const busyBefore = layer.busyMs;
    for (const step of steps) {
      const before = performance.now();
      step();
      timings.push(performance.now() - before);
    }
    console.log(`sites layer share of frame time: ${(layer.busyMs - busyBefore).toFixed(0)} of ${timings.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
    return timings.sort((a, b) => a - b);
  });
  await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(center: [number, number], zoom: number): void } } }).edgecabMap.map.setView([31.2, 121.4], 9));
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(repoRoot, '.cache/bench/map-100k-zoom9.png') });
  // Back where the scripted sequence ended, so the update figure is measured over the whole country as before.
  await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(center: [number, number], zoom: number): void } } }).edgecabMap.map.setView([30, 113], 4));
  bench('map.frame_p50_ms', percentile(frames, 50), 'ms');
  bench('map.frame_p95_ms', percentile(frames, 95), 'ms');

  const updateMs = await page.evaluate(async () => {
    const handle = (window as unknown as { edgecabMap: { layer: { busyMs: number; siteList(): unknown[][]; updateSite(site: unknown[]): void } } }).edgecabMap;
    const states = ['ok', 'warning', 'critical', 'unreachable'];
    const sites = handle.layer.siteList();
    const seconds = 3;
    const busyBefore = handle.layer.busyMs;
    let callMs = 0;
    for (let tick = 0; tick < seconds * 10; tick += 1) {
      const before = performance.now();
      for (let index = 0; index < 100; index += 1) {
        const site = [...sites[Math.floor(Math.random() * sites.length)]!];
        site[6] = states[Math.floor(Math.random() * states.length)];
        handle.layer.updateSite(site);
      }
      callMs += performance.now() - before;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    return (callMs + handle.layer.busyMs - busyBefore) / seconds;
  });
  bench('map.update_main_ms_per_s', updateMs, 'ms/s');
  await page.close();

  // The peer: the same sites, map and basemap, drawn by Leaflet.markercluster, timed the same way, in a fresh page.
  await warmSiteList();
  const peer = await signedInPage(browser, viewport);
  watch(peer, 'markercluster');
  await peer.route(/^(?!http:\/\/127\.0\.0\.1).*/, (route) => route.abort());
  await servePage(peer, base, markerclusterDir);
  await peer.goto(`${base}${PAGE_PATH}index.html?width=${mapSize.width}&height=${mapSize.height}`);
  const peerDrawnAt = await peer.waitForFunction((count) => document.body.dataset.drawn === String(count) && performance.now(), SITES, { timeout: 120_000 });
  const peerMs = (await peerDrawnAt.jsonValue()) as number;
  console.error(`bench map: markercluster first render breakdown ${JSON.stringify(await breakdown(peer))}, map ${mapSize.width}×${mapSize.height}`);
  await peer.screenshot({ path: join(repoRoot, '.cache/bench/map-100k-markercluster.png') });
  await peer.close();
  bench('map.markercluster_first_render_ms', peerMs, 'ms');
  bench('map.vs_markercluster', peerMs / pageMs, 'ratio');

  const file = join(dataDir, 'bench.mbtiles');
  writeMbtiles(file, 7, 'Bench tiles');
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)]), 'bench.mbtiles');
  const tilePackage = (await (await fetch(`${base}/api/v1/tiles/packages`, { method: 'POST', body: form, headers: session.headers(true) })).json()) as { id: string; tileCount: number };
  if (tilePackage.tileCount < 10_000) throw new Error(`only ${tilePackage.tileCount} tiles imported`);
  // Six keep-alive connections, as a browser opens to one host. The first
  // requests only warm up (JIT on both ends, SQLite's page cache) and are not counted.
  const pool = new Pool(base, { connections: 6, pipelining: 1 });
  const fetchTiles = async (requests: number): Promise<{ latencies: number[]; seconds: number }> => {
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < requests) {
          next += 1;
          const x = Math.floor(Math.random() * 128);
          const y = Math.floor(Math.random() * 128);
          const before = performance.now();
          const response = await pool.request({ path: `/tiles/${tilePackage.id}/7/${x}/${y}.png`, method: 'GET', headers: session.headers() });
          await response.body.arrayBuffer();
          latencies.push(performance.now() - before);
          if (response.statusCode !== 200) failures.add('tile', `tile 7/${x}/${y} answered HTTP ${response.statusCode}`);
        }
      }),
    );
    return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
  };
  await fetchTiles(5_000);
  const requests = 20_000;
  const { latencies, seconds: tileSeconds } = await fetchTiles(requests);
  await pool.close();
  bench('map.tile_p99_ms', percentile(latencies, 99), 'ms');
  bench('map.tiles_per_s', requests / tileSeconds, 'tiles/s');
} finally {
  // Whatever went wrong with the browser, the server is still stopped.
  await browser.close().catch((error: unknown) => console.error(`bench map: closing the browser: ${String(error)}`));
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
failures.report();
