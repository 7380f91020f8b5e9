/**
 * Monitoring benchmark: a lab fleet of 100 edge-42u cabinets (5 lab BMCs, 2
 * switches, UPS, 2 PDUs and an environment monitor each: 1,100 devices) runs
 * in its own process; this process is the core, polling them on the default
 * plan (health every 45 s, inventory hourly) for MONITOR_BENCH_SECONDS
 * (default 300) after every device had its first poll.
 *   monitor.devices                  devices polled
 *   monitor.samples_per_s            metric samples written per second
 *   monitor.poll_lag_p50_ms / _p99   actual minus planned poll start
 *   monitor.cpu_s                    core CPU time (user + system) over the run
 *   monitor.rss_mb                   core resident memory at the end
 *   monitor.db_bytes_per_device_day  database growth per device and day: the run's growth scaled to a day,
 *                                    plus one inventory round (measured during warm-up) times 24
 *   monitor.convergence_ratio        raw events per alarm shown after a whole site goes down (one poll round)
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../main/core/index.js';
import { registerFleet, type FleetDescription } from '../../main/lab/controller.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { tempDir } from '../support/core.js';
import { startEdgecab } from './lib/processes.js';
import { bench, Failures } from './report.js';

const SITES = 100;
const SECONDS = Number(process.env.MONITOR_BENCH_SECONDS ?? 300);
const TEMPLATE = 'edge-42u';

type LabLine = { event: string; result?: string; line?: string } & FleetDescription['sites'][number];

const failures = new Failures('monitor');
const trapPort = await freeUdpPort();
const lab = await startEdgecab<LabLine>(['lab', '--sites', String(SITES), '--template', TEMPLATE, '--fleet-only', '--json', '--trap-to', `127.0.0.1:${trapPort}`], 'ready', { stdin: true });
const fleet: { sites: FleetDescription['sites'][number][] } = { sites: lab.lines.filter((line) => line.event === 'site') };

const data = tempDir();
const core = createCore({ dataDir: data.dir, host: 'server' });
const dbBytes = () => {
  core.db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(join(data.dir, 'edgecab.sqlite')).size;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
try {
  const siteIds = registerFleet(core.services, fleet, TEMPLATE);
  const monitor = core.services.monitor;
  const devices = monitor.refreshTargets().length;
  const registered = dbBytes();
  await core.startMonitoring({ trapPort });

  // Warm-up: every device's first poll is an inventory, spread over one health interval.
  const plan = monitor.plan();
  const warmUpUntil = Date.now() + plan.healthSeconds * 3 * 1000;
  while ((core.db.prepare('SELECT count(*) FROM device_state').pluck().get() as number) < devices) {
    if (Date.now() > warmUpUntil) {
      failures.add('first poll', `not every device was polled within ${plan.healthSeconds * 3} s`);
      break;
    }
    await sleep(1000);
  }
  await sleep(2000);
  const inventoryRound = dbBytes() - registered;

  monitor.scheduler.resetLag();
  const samplesBefore = core.db.prepare('SELECT count(*) FROM metric_raw').pluck().get() as number;
  const bytesBefore = dbBytes();
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  await sleep(SECONDS * 1000);
  const elapsed = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const samples = (core.db.prepare('SELECT count(*) FROM metric_raw').pluck().get() as number) - samplesBefore;
  const growth = dbBytes() - bytesBefore;
  const status = monitor.status();

  bench('monitor.devices', devices, 'devices');
  bench('monitor.polls', status.polls, 'polls');
  bench('monitor.poll_failures', status.failures, 'polls');
  if (status.failures > 0) {
    const errors = core.db.prepare('SELECT device_id, error FROM device_state WHERE error IS NOT NULL LIMIT 3').all() as { device_id: string; error: string }[];
    failures.add('device poll', `${status.failures} of ${status.polls} polls failed; last errors: ${JSON.stringify(errors)}`);
  }
  bench('monitor.samples_per_s', samples / elapsed, 'samples/s');
  bench('monitor.poll_lag_p50_ms', monitor.scheduler.lagPercentile(50) ?? Number.NaN, 'ms');
  bench('monitor.poll_lag_p99_ms', monitor.scheduler.lagPercentile(99) ?? Number.NaN, 'ms');
  bench('monitor.cpu_s', (cpu.user + cpu.system) / 1e6, 's');
  bench('monitor.rss_mb', process.memoryUsage().rss / 1e6, 'MB');
  const perDay = (growth * (86_400 / elapsed) + inventoryRound * (86_400 / plan.inventorySeconds)) / devices;
  bench('monitor.db_bytes_per_device_day', perDay, 'bytes');

  // Site-down scenario: the first lab site loses its link; one poll round of its devices.
  const siteId = siteIds.get('LAB-001')!;
  lab.process.stdin!.write('LAB-001 link-down on\n');
  await sleep(1000);
  const answer = lab.lines.find((line) => line.event === 'fault');
  if (answer?.result !== 'ok') failures.add('lab fault', `LAB-001 link-down on: ${answer?.result ?? 'no answer within 1 s'}`);
  await monitor.pollSite(siteId);
  const page = core.services.alarms.list({ siteId });
  bench('monitor.convergence_ratio', page.convergenceRatio ?? 0, 'events/alarm');
  bench('monitor.site_down_alarms_shown', page.shown, 'alarms');
} finally {
  await core.close();
  data.cleanup();
  await lab.stop();
}
failures.report();
