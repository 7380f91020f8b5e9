/**
 * Redfish benchmark: 200 lab BMCs (HTTPS, the DMTF rackmount1 mockup) in a
 * separate lab process; this process polls them with one long-lived client
 * per BMC, as the monitor does.
 *   redfish.health_per_min     health-only polls (systems + chassis status) per minute
 *   redfish.inventory_per_min  full normalized inventories per minute
 *   redfish.cpu_s              poller CPU time (user + system) for one health round and one inventory round
 *   redfish.rss_mb             poller resident memory afterwards
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { RedfishClient } from '../../main/core/protocols/redfish/client.js';
import { readHealth, readInventory } from '../../main/core/protocols/redfish/inventory.js';
import { bench, repoRoot } from './report.js';

const BMCS = 200;
const HEALTH_ROUNDS = 5;
const BASE_PORT = 40_000 + Math.floor(Math.random() * 10_000);
const MOCKUP = join(process.env.EDGECAB_SHARED_DIR ?? join(repoRoot, '..', 'shared'), 'redfish-mockups', 'dmtf-public-rackmount1');

const lab = spawn(process.execPath, [join(repoRoot, 'main/cli/edgecab.mjs'), 'lab', 'redfish', '--mockup', MOCKUP, '--count', String(BMCS), '--base-port', String(BASE_PORT)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const bmcs: { url: string; fingerprint: string }[] = [];
await new Promise<void>((resolve, reject) => {
  lab.once('exit', (code) => reject(new Error(`lab exited with ${code}`)));
  createInterface({ input: lab.stdout! }).on('line', (line) => {
    const parsed = JSON.parse(line) as { event: string; url: string; fingerprint: string };
    if (parsed.event === 'bmc') bmcs.push(parsed);
    if (parsed.event === 'ready') resolve();
  });
});

const clients = bmcs.map((bmc) => new RedfishClient({ url: bmc.url, username: 'admin', password: 'password', pinnedFingerprint: bmc.fingerprint, requestTimeoutMs: 10_000 }));
async function round(work: (client: RedfishClient) => Promise<unknown>, inFlight: number): Promise<{ seconds: number; failures: number }> {
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < clients.length) {
        const client = clients[next++]!;
        await work(client).catch(() => {
          failures += 1;
        });
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, failures };
}

try {
  await round((client) => readHealth(client), BMCS); // warm-up: sessions, TLS connections
  const cpuBefore = process.cpuUsage();
  let healthSeconds = 0;
  let failures = 0;
  for (let index = 0; index < HEALTH_ROUNDS; index += 1) {
    const result = await round((client) => readHealth(client), BMCS);
    healthSeconds += result.seconds;
    failures += result.failures;
  }
  const inventory = await round((client) => readInventory(client), 50);
  failures += inventory.failures;
  const cpu = process.cpuUsage(cpuBefore);
  if (failures > 0) console.error(`bench redfish: ${failures} polls failed`);
  bench('redfish.health_per_min', ((BMCS * HEALTH_ROUNDS) / healthSeconds) * 60, 'BMCs/min');
  bench('redfish.inventory_per_min', (BMCS / inventory.seconds) * 60, 'BMCs/min');
  bench('redfish.cpu_s', (cpu.user + cpu.system) / 1e6, 's');
  bench('redfish.rss_mb', process.memoryUsage().rss / 1024 / 1024, 'MB');
} finally {
  await Promise.all(clients.map((client) => client.close()));
  lab.kill('SIGTERM');
}
