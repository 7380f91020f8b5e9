/**
 * Foundation benchmark: a real `edgecab serve` process measured over HTTP.
 *   foundation.cold_start_ms       spawn → first 200 on /api/v1/sites (fresh data directory; creating the first administrator is not counted)
 *   foundation.import_sites_per_s  50,000 sites from one CSV through POST /api/v1/sites/import
 *   foundation.list_p50_ms / p99   one page (50 rows, sorted by name, random offset) over REST with 50,000 sites
 *   foundation.rss_mb              the server's resident memory after all of the above
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from './lib/processes.js';
import { signInFirstAdministrator } from './lib/sign-in.js';
import { bench, Failures, percentile } from './report.js';

const SITES = 50_000;
const LIST_REQUESTS = 2_000;

function csvOfSites(count: number): string {
  const lines = ['name,code,latitude,longitude,address,contact'];
  for (let index = 0; index < count; index += 1) {
    const n = String(index).padStart(6, '0');
    lines.push(`Branch ${n},BR-${n},${((index % 1700) / 10 - 85).toFixed(4)},${((index % 3500) / 10 - 175).toFixed(4)},No. ${index} Road,Ops ${index % 97}`);
  }
  return lines.join('\n');
}

async function waitForOk(url: string, deadline: number, headers: Record<string, string>): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(url, { headers })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`no 200 from ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-bench-'));
const failures = new Failures('foundation');
const started = performance.now();
// The server takes a free port (--port 0) and says which on its --json line.
const server = await startServer(dataDir);
const base = `${server.url}/api/v1`;
try {
  // The first 200 needs a signed-in session where the server asks for one; setting up the first administrator is uncounted.
  const setupStarted = performance.now();
  const session = await signInFirstAdministrator(server.url, server.setupUrl);
  const setupMs = performance.now() - setupStarted;
  await waitForOk(`${base}/sites`, started + 30_000, session.headers());
  bench('foundation.cold_start_ms', performance.now() - started - setupMs, 'ms');

  const body = JSON.stringify({ csv: csvOfSites(SITES), mode: 'commit' });
  const importStart = performance.now();
  const response = await fetch(`${base}/sites/import`, { method: 'POST', headers: { 'content-type': 'application/json', ...session.headers(true) }, body });
  const result = (await response.json()) as { created: number; errors: unknown[] };
  const importSeconds = (performance.now() - importStart) / 1000;
  if (response.status !== 200 || result.created !== SITES) failures.add('site import', `HTTP ${response.status}, created ${result.created} of ${SITES}: ${JSON.stringify(result.errors?.slice(0, 3))}`);
  bench('foundation.import_sites_per_s', SITES / importSeconds, 'sites/s');

  const timings: number[] = [];
  for (let request = 0; request < LIST_REQUESTS; request += 1) {
    const offset = Math.floor(Math.random() * (SITES - 50));
    const t0 = performance.now();
    const page = await fetch(`${base}/sites?limit=50&offset=${offset}&sort=name`, { headers: session.headers() });
    await page.arrayBuffer();
    timings.push(performance.now() - t0);
    if (page.status !== 200) failures.add('site list page', `HTTP ${page.status} at offset ${offset}`);
  }
  timings.sort((a, b) => a - b);
  bench('foundation.list_p50_ms', percentile(timings, 50), 'ms');
  bench('foundation.list_p99_ms', percentile(timings, 99), 'ms');
  bench('foundation.rss_mb', rssMb(server.process.pid!), 'MB');
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
failures.report();
