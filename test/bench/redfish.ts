/**
 * Redfish benchmark: 200 lab BMCs (HTTPS, the DMTF rackmount1 mockup, each
 * with its own certificate, each on a free port it reports) in a separate
 * lab process; this process polls them as the monitor does: one long-lived
 * client per BMC, the monitor's health poll (readVitals, then observeRedfish,
 * as MonitorService.poll runs it), at most 64 polls at once (the default
 * plan's globalConcurrency) with the plan's 10 s timeout.
 *   redfish.health_per_min      the monitor's health polls per minute (warm keep-alive connections)
 *   redfish.raw_health_per_min  the same GETs replayed by a bare undici loop, same BMCs, same concurrency
 *   redfish.vs_raw              health_per_min ÷ raw_health_per_min: the share of the ceiling EdgeCab reaches (higher is better, 1 = the ceiling)
 *   redfish.inventory_per_min   full normalized inventories per minute (50 at once)
 *   redfish.handshakes_per_s    new TCP + TLS connections per second through EdgeCab's pinned client, one certificate per BMC
 *   redfish.cpu_s               poller CPU time (user + system) over the measured health rounds and the inventory round
 *   redfish.rss_mb              poller resident memory afterwards
 * Any failed poll, problem reported by a poll, or failed connection makes the suite exit non-zero.
 */
import { join } from 'node:path';
import { RedfishClient } from '../../main/core/protocols/redfish/client.js';
import { readInventory, readVitals } from '../../main/core/protocols/redfish/inventory.js';
import { observeRedfish } from '../../main/core/services/monitor/observe.js';
import { DEFAULT_POLL_PLAN } from '../../shared/domain/monitoring.js';
import { startEdgecab, inParallel } from './lib/processes.js';
import { BareRedfishLoop, countConnections, recordRequests } from './lib/redfish-bare.js';
import { handshakesPerSecond, type LabBmcLine } from './lib/redfish-handshakes.js';
import { bench, Failures, repoRoot } from './report.js';

const BMCS = 200;
const HEALTH_ROUNDS = 5;
const IN_FLIGHT = DEFAULT_POLL_PLAN.globalConcurrency;
const INVENTORY_IN_FLIGHT = 50;
const HANDSHAKES = 2_000;
const TIMEOUT_MS = DEFAULT_POLL_PLAN.timeoutSeconds * 1000;
const USER = 'admin';
const PASSWORD = 'password';
const MOCKUP = join(process.env.EDGECAB_SHARED_DIR ?? join(repoRoot, '..', 'shared'), 'redfish-mockups', 'dmtf-public-rackmount1');

const failures = new Failures('redfish');
// No --base-port: every lab BMC binds a free port and its line says which.
const lab = await startEdgecab<{ event: string } & LabBmcLine>(['lab', 'redfish', '--mockup', MOCKUP, '--count', String(BMCS), '--user', USER, '--password', PASSWORD], 'ready');
const bmcs = lab.lines.filter((line) => line.event === 'bmc');
if (bmcs.length !== BMCS) failures.add('lab BMC', `${bmcs.length} of ${BMCS} started`);
const certificates = new Set(bmcs.map((bmc) => bmc.fingerprint)).size;
if (certificates !== bmcs.length) failures.add('lab certificates', `${certificates} distinct certificates for ${bmcs.length} BMCs`);

const clients = bmcs.map((bmc) => new RedfishClient({ url: bmc.url, username: USER, password: PASSWORD, pinnedFingerprint: bmc.fingerprint, requestTimeoutMs: TIMEOUT_MS }));
/** The monitor's health poll of one BMC, as MonitorService.poll runs it; a poll that reports problems did not read everything. */
async function healthPoll(index: number): Promise<void> {
  try {
    const vitals = await readVitals(clients[index]!, { pollTimeoutMs: TIMEOUT_MS });
    observeRedfish(vitals);
    if (vitals.problems.length > 0) failures.add('health poll problems', `${bmcs[index]!.url}: ${JSON.stringify(vitals.problems.slice(0, 2))}`);
  } catch (error) {
    failures.add('health poll', error);
  }
}

let bare: BareRedfishLoop | null = null;
try {
  await inParallel(BMCS, IN_FLIGHT, healthPoll); // warm-up: sessions, TLS connections, JIT

  // What one poll sends, recorded from EdgeCab's client on one BMC, is what the bare loop replays.
  const recorded = await recordRequests(new URL(bmcs[0]!.url).origin, () => healthPoll(0));
  const notGet = recorded.filter((request) => request.method !== 'GET');
  if (notGet.length > 0) failures.add('recorded poll', `a health poll sent ${notGet.map((request) => `${request.method} ${request.path}`).join(', ')}`);
  console.error(`bench redfish: one health poll is ${recorded.length} GETs: ${recorded.map((request) => request.path).join(' ')}`);
  const loop = new BareRedfishLoop(bmcs.map((bmc) => bmc.url), recorded);
  bare = loop;
  await inParallel(BMCS, IN_FLIGHT, (index) => loop.login(index, USER, PASSWORD).catch((error: unknown) => failures.add('bare loop login', error)));
  const barePoll = (index: number) => loop.poll(index).catch((error: unknown) => failures.add('bare loop poll', error));
  await inParallel(BMCS, IN_FLIGHT, barePoll); // warm-up

  // Rounds alternate between EdgeCab and the bare loop, so load from elsewhere on the machine falls on both alike.
  let healthSeconds = 0;
  let bareSeconds = 0;
  let cpuMicros = 0;
  let edgecabConnections = 0;
  let bareConnections = 0;
  for (let round = 0; round < HEALTH_ROUNDS; round += 1) {
    const cpuBefore = process.cpuUsage();
    let connections = countConnections();
    const edgecabRound = await inParallel(BMCS, IN_FLIGHT, healthPoll);
    healthSeconds += edgecabRound;
    connections.stop();
    edgecabConnections += connections.count;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMicros += cpu.user + cpu.system;
    connections = countConnections();
    const bareRound = await inParallel(BMCS, IN_FLIGHT, barePoll);
    bareSeconds += bareRound;
    connections.stop();
    bareConnections += connections.count;
  }
  // Keep-alive connections were meant to carry the rounds; new ones would put handshakes into the figures.
  console.error(`bench redfish: new connections during the measured health rounds: EdgeCab ${edgecabConnections}, bare loop ${bareConnections}`);

  const cpuBefore = process.cpuUsage();
  const inventorySeconds = await inParallel(BMCS, INVENTORY_IN_FLIGHT, async (index) => {
    try {
      const inventory = await readInventory(clients[index]!, { pollTimeoutMs: TIMEOUT_MS * 3 });
      if (inventory.problems.length > 0) failures.add('inventory problems', `${bmcs[index]!.url}: ${JSON.stringify(inventory.problems.slice(0, 2))}`);
    } catch (error) {
      failures.add('inventory', error);
    }
  });
  const cpu = process.cpuUsage(cpuBefore);
  cpuMicros += cpu.user + cpu.system;

  const health = ((BMCS * HEALTH_ROUNDS) / healthSeconds) * 60;
  const ceiling = ((BMCS * HEALTH_ROUNDS) / bareSeconds) * 60;
  bench('redfish.health_per_min', health, 'BMCs/min');
  bench('redfish.raw_health_per_min', ceiling, 'BMCs/min');
  bench('redfish.vs_raw', health / ceiling, 'ratio');
  bench('redfish.inventory_per_min', (BMCS / inventorySeconds) * 60, 'BMCs/min');
  bench('redfish.cpu_s', cpuMicros / 1e6, 's');
  bench('redfish.rss_mb', process.memoryUsage().rss / 1024 / 1024, 'MB');
  bench('redfish.handshakes_per_s', await handshakesPerSecond(bmcs, HANDSHAKES, IN_FLIGHT, TIMEOUT_MS, failures), 'handshakes/s');
} finally {
  await Promise.all(clients.map((client) => client.close()));
  await bare?.close();
  await lab.stop();
}
failures.report();
