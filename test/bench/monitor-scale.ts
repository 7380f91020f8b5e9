/**
 * Monitoring at scale: how far one EdgeCab carries a province. For each step
 * (MONITOR_SCALE_STEPS, default 1000,2500,5000,10000 devices) a lab of that
 * many devices (edge-42u cabinets: 5 BMCs, 2 switches, UPS, 2 PDUs and an
 * environment monitor each) runs in its own process, and `edgecab serve`
 * (the server users run) monitors it on the default plan: health every 45 s,
 * inventory hourly. After every device's first poll, the step measures for
 * MONITOR_SCALE_SECONDS (default 90; one health round after the first polls
 * is left out) while this process reads a page of
 * sites over REST every second and the map snapshot every 5 s, as users would.
 *
 * Figures per step n (devices):
 *   monitor.<n>.poll_lag_p99_ms       p99 of actual minus planned poll start (the worst last-minute value sampled)
 *   monitor.<n>.cpu_core_share        the server's CPU seconds per wall second (/proc)
 *   monitor.<n>.rss_mb                the server's resident memory at the end
 *   monitor.<n>.event_loop_p99_ms     the server's event-loop delay p99 (worst last-minute value)
 *   monitor.<n>.api_list_p99_ms       GET /sites?limit=50 during polling
 *   monitor.<n>.map_snapshot_p99_ms   GET /map/sites during polling
 *   monitor.<n>.writer_flush_p99_ms   the batched writer's transaction time
 *   monitor.<n>.writer_backlog_max    results waiting for the writer, worst sample
 *   monitor.<n>.db_bytes_per_device_day
 *   monitor.<n>.event_streams / event_streams_capped
 *   monitor.<n>.core_fds / lab.<n>.fds  open files of each process
 *   monitor.<n>.machine_cpu_share     server plus lab CPU per wall second (of the machine's cores)
 *   lab.<n>.rss_mb                    the lab process's resident memory
 * A step that misses a target (lag p99 < 2 s, RSS < 1 GB, CPU < 1 core,
 * writer backlog not growing, < 2 MB per device-day) prints which resource
 * ran out first, and the larger steps are not run (MONITOR_SCALE_ALL=1 runs
 * them anyway). The last step that runs also takes the fault: a region's WAN goes
 * down (the sites holding its first 1,000 devices at once; their BMCs take
 * connections and never answer, their SNMP agents are gone), and
 *   monitor.<n>.fault_poll_lag_p99_ms   lag of the polls meanwhile
 *   monitor.<n>.fault_others_failed     devices outside the region whose polls failed (must be 0)
 *   monitor.<n>.fault_region_unreachable devices of the region seen unreachable
 *   monitor.<n>.fault_alarms_shown / fault_sites_down / fault_convergence_ratio
 * MONITOR_SCALE_PROFILE=<folder> writes V8 CPU profiles of the server and the
 * lab there, to see where the time goes.
 */
import Database from 'better-sqlite3';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { AlarmPage, MonitorStatus } from '../../shared/domain/monitoring.js';
import { createCore } from '../../main/core/index.js';
import { registerFleet, type FleetDescription } from '../../main/lab/controller.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { tempDir } from '../support/core.js';
import { startEdgecab, startServer, type Child } from './lib/processes.js';
import { signInFirstAdministrator, type BenchSession } from './lib/sign-in.js';
import { bench, Failures, percentile } from './report.js';

const STEPS = (process.env.MONITOR_SCALE_STEPS ?? '1000,2500,5000,10000').split(',').map((each) => Number(each.trim()));
const SECONDS = Number(process.env.MONITOR_SCALE_SECONDS ?? 90);
const RUN_ALL = process.env.MONITOR_SCALE_ALL === '1';
/** A folder for CPU profiles of the server and the lab (V8 .cpuprofile files, written when they stop), to see where the time goes. */
const PROFILE_DIR = process.env.MONITOR_SCALE_PROFILE;
const profiling = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
const TEMPLATE = 'edge-42u';
const REGION_DEVICES = 1000;
const TARGETS = { lagMs: 2000, rssMb: 1000, cpuShare: 1, bytesPerDeviceDay: 2e6 };
/** Event-loop delay past which the UI and REST API no longer feel responsive. */
const EVENT_LOOP_LIMIT_MS = 200;

type LabLine = { event: string; result?: string; line?: string; devices?: number } & FleetDescription['sites'][number];

const failures = new Failures('monitor-scale');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ticksPerSecond = 100;

function processCpuSeconds(pid: number): number {
  // Fields after the command (which may hold spaces): utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function processRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((each) => each.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : Number.NaN;
}

function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function databaseBytes(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * pageSize;
  } finally {
    db.close();
  }
}

async function timed(url: string, session: BenchSession): Promise<number | null> {
  const started = performance.now();
  try {
    const response = await fetch(url, { headers: session.headers() });
    await response.arrayBuffer();
    if (response.status !== 200) {
      failures.add('rest', `${url}: HTTP ${response.status}`);
      return null;
    }
    return performance.now() - started;
  } catch (error) {
    failures.add('rest', error);
    return null;
  }
}

interface StepResult {
  devices: number;
  missed: string[];
  ranOut: string | null;
}

/** Which resource ran out first: the one furthest past its limit (each as a share of that limit). */
function bottleneck(loads: Record<string, { value: number; limit: number; text: string }>): string | null {
  const over = Object.entries(loads)
    .map(([name, load]) => ({ name, share: load.value / load.limit, text: load.text }))
    .filter((load) => load.share >= 1)
    .sort((a, b) => b.share - a.share);
  return over[0] ? `${over[0].name} (${over[0].text})` : null;
}

async function runStep(wanted: number, lastStep: boolean): Promise<StepResult> {
  const cabinets = Math.ceil(wanted / 11);
  const trapPort = await freeUdpPort();
  const data = tempDir();
  let lab: (Child & { lines: LabLine[] }) | null = null;
  let server: (Child & { url: string; setupUrl: string | null }) | null = null;
  try {
    const labStarted = performance.now();
    // A site whose WAN is down drops everything: its BMCs take connections and never answer, so each poll runs into its timeout.
    lab = await startEdgecab<LabLine>(['lab', '--sites', String(cabinets), '--template', TEMPLATE, '--fleet-only', '--json', '--trap-to', `127.0.0.1:${trapPort}`, '--link-down', 'silent'], 'ready', {
      stdin: true,
      // Ten thousand lab devices are a few GB; the default heap limit would stop them short.
      nodeArgs: ['--max-old-space-size=8192', ...profiling],
    });
    const labPid = lab.process.pid!;
    const fleet = { sites: lab.lines.filter((line) => line.event === 'site') };
    console.log(`monitor-scale: ${cabinets} lab cabinets up in ${((performance.now() - labStarted) / 1000).toFixed(0)} s`);

    const core = createCore({ dataDir: data.dir, host: 'server' });
    let devices: number;
    try {
      registerFleet(core.services, fleet, TEMPLATE);
      devices = core.services.monitor.refreshTargets().length;
    } finally {
      await core.close();
    }
    const n = devices;
    const file = join(data.dir, 'edgecab.sqlite');
    const registered = databaseBytes(file);

    server = await startServer(data.dir, ['--trap-port', String(trapPort), '--trap-address', '127.0.0.1', '--events-port', 'off'], { nodeArgs: profiling });
    const serverPid = server.process.pid!;
    const session = await signInFirstAdministrator(server.url, server.setupUrl);
    const api = `${server.url}/api/v1`;
    const status = async (): Promise<MonitorStatus> => (await (await fetch(`${api}/monitor`, { headers: session.headers() })).json()) as MonitorStatus;

    // Warm-up: every device's first poll is an inventory, spread over one health interval.
    const first = await status();
    const warmUpUntil = Date.now() + first.plan.healthSeconds * 4 * 1000;
    let current = first;
    while (current.polls < n) {
      if (Date.now() > warmUpUntil) {
        failures.add('first poll', `${n} devices: only ${current.polls} polls within ${first.plan.healthSeconds * 4} s`);
        break;
      }
      await sleep(2000);
      current = await status();
    }
    const warmedBytes = databaseBytes(file);
    // And one health round, so the measurement starts in the steady state and not in the tail of the inventories.
    await sleep(first.plan.healthSeconds * 1000);

    current = await status();
    const cpuBefore = processCpuSeconds(serverPid);
    const labCpuBefore = processCpuSeconds(labPid);
    const bytesBefore = databaseBytes(file);
    const pollsBefore = current.polls;
    const failuresBefore = current.failures;
    const started = Date.now();
    const lists: number[] = [];
    const maps: number[] = [];
    const lags: number[] = [];
    const loops: number[] = [];
    const backlogs: number[] = [];
    let last = current;
    for (let second = 1; Date.now() - started < SECONDS * 1000; second += 1) {
      const list = await timed(`${api}/sites?limit=50&offset=0&sort=name`, session);
      if (list !== null) lists.push(list);
      if (second % 5 === 0) {
        const map = await timed(`${api}/map/sites`, session);
        if (map !== null) maps.push(map);
        last = await status();
        backlogs.push(last.writerBacklog);
        // The figures are over the last minute: taken once a whole minute of the run is behind them.
        if (Date.now() - started >= Math.min(60, SECONDS) * 1000 - 1000) {
          if (last.pollLagP99LastMinuteMs !== null) lags.push(last.pollLagP99LastMinuteMs);
          if (last.eventLoopDelayP99Ms !== null) loops.push(last.eventLoopDelayP99Ms);
        }
      }
      await sleep(Math.max(0, started + second * 1000 - Date.now()));
    }
    const elapsed = (Date.now() - started) / 1000;
    const cpuShare = (processCpuSeconds(serverPid) - cpuBefore) / elapsed;
    const labCpuShare = (processCpuSeconds(labPid) - labCpuBefore) / elapsed;
    last = await status();
    const rss = processRssMb(serverPid);
    const labRss = processRssMb(labPid);
    const growth = databaseBytes(file) - bytesBefore;
    const perDay = (growth * (86_400 / elapsed) + (warmedBytes - registered) * (86_400 / last.plan.inventorySeconds)) / n;
    const lag = lags.length ? Math.max(...lags) : (last.pollLagP99LastMinuteMs ?? Number.NaN);
    const loop = loops.length ? Math.max(...loops) : (last.eventLoopDelayP99Ms ?? Number.NaN);
    const backlogMax = backlogs.length ? Math.max(...backlogs) : last.writerBacklog;
    const coreFds = openFiles(serverPid);
    const labFds = openFiles(labPid);

    bench(`monitor.${n}.devices`, n, 'devices');
    bench(`monitor.${n}.polls`, last.polls - pollsBefore, 'polls');
    bench(`monitor.${n}.poll_failures`, last.failures - failuresBefore, 'polls');
    if (last.failures > failuresBefore) failures.add('device poll', `${n} devices: ${last.failures - failuresBefore} of ${last.polls - pollsBefore} polls failed`);
    bench(`monitor.${n}.poll_lag_p99_ms`, lag, 'ms');
    bench(`monitor.${n}.cpu_core_share`, cpuShare, 'cores');
    bench(`monitor.${n}.rss_mb`, rss, 'MB');
    bench(`monitor.${n}.event_loop_p99_ms`, loop, 'ms');
    bench(`monitor.${n}.api_list_p99_ms`, percentile([...lists].sort((a, b) => a - b), 99), 'ms');
    bench(`monitor.${n}.map_snapshot_p99_ms`, percentile([...maps].sort((a, b) => a - b), 99), 'ms');
    bench(`monitor.${n}.writer_flush_p99_ms`, last.writerFlushP99Ms ?? Number.NaN, 'ms');
    bench(`monitor.${n}.writer_backlog_max`, backlogMax, 'results');
    bench(`monitor.${n}.writer_dropped`, last.writerDropped, 'results');
    bench(`monitor.${n}.db_bytes_per_device_day`, perDay, 'bytes');
    bench(`monitor.${n}.event_streams`, last.events.streams, 'streams');
    bench(`monitor.${n}.event_streams_capped`, last.events.streamsCapped, 'BMCs');
    bench(`monitor.${n}.core_fds`, coreFds, 'files');
    bench(`monitor.${n}.machine_cpu_share`, (cpuShare + labCpuShare) / cpus().length, 'of all cores');
    bench(`lab.${n}.cpu_core_share`, labCpuShare, 'cores');
    bench(`lab.${n}.rss_mb`, labRss, 'MB');
    bench(`lab.${n}.fds`, labFds, 'files');

    const missed: string[] = [];
    if (!(lag < TARGETS.lagMs)) missed.push(`poll lag p99 ${Math.round(lag)} ms (target < ${TARGETS.lagMs})`);
    if (!(rss < TARGETS.rssMb)) missed.push(`RSS ${Math.round(rss)} MB (target < ${TARGETS.rssMb})`);
    if (!(cpuShare < TARGETS.cpuShare)) missed.push(`CPU ${cpuShare.toFixed(2)} cores (target < ${TARGETS.cpuShare})`);
    const backlogGrows = last.writerDropped > 0 || backlogMax > Math.max(1000, n / 5);
    if (backlogGrows) missed.push(`writer backlog up to ${backlogMax} results, ${last.writerDropped} dropped`);
    if (!(perDay < TARGETS.bytesPerDeviceDay)) missed.push(`${(perDay / 1e6).toFixed(2)} MB per device-day (target < 2)`);
    const limitOf = (pid: number) => Number(readFileSync(`/proc/${pid}/limits`, 'utf8').match(/Max open files\s+(\d+)/)?.[1] ?? Number.NaN);
    const limit = Math.min(limitOf(serverPid), limitOf(labPid));
    const ranOut = missed.length
      ? bottleneck({
          // The machine's CPU counts too: the lab shares it, and a lab that cannot answer in time shows as lag.
          cpu: { value: Math.max(cpuShare / TARGETS.cpuShare, (cpuShare + labCpuShare) / (cpus().length * 0.9)), limit: 1, text: `server ${cpuShare.toFixed(2)} + lab ${labCpuShare.toFixed(2)} cores of ${cpus().length}` },
          // The lab answers on one thread: at a whole core it answers late, and that shows as the server's poll lag.
          'the lab\'s CPU': { value: labCpuShare, limit: 0.9, text: `the lab process used ${labCpuShare.toFixed(2)} of its one core; its devices answer late` },
          memory: { value: rss, limit: TARGETS.rssMb, text: `${Math.round(rss)} MB` },
          sockets: { value: Math.max(coreFds, labFds), limit: limit * 0.9, text: `${coreFds} and ${labFds} files open of ${limit}` },
          'SQLite write time': { value: backlogGrows ? 1 : (last.writerFlushP99Ms ?? 0) / 500, limit: 1, text: `flush p99 ${last.writerFlushP99Ms ?? '?'} ms, backlog up to ${backlogMax}` },
          'event loop delay': { value: loop, limit: EVENT_LOOP_LIMIT_MS, text: `p99 ${Math.round(loop)} ms` },
        })
      : null;
    if (missed.length) console.log(`monitor-scale: ${n} devices missed ${missed.join('; ')}; ran out first: ${ranOut ?? 'no single resource (see the figures)'}`);
    else console.log(`monitor-scale: ${n} devices met every target (server ${cpuShare.toFixed(2)} cores, lab ${labCpuShare.toFixed(2)} cores)`);

    // The fault is taken by the last step that runs: the largest, or the one the run stops after.
    if (lastStep || (missed.length && !RUN_ALL)) await faultStep(n, lab, fleet, api, session, status, file);
    return { devices: n, missed, ranOut };
  } finally {
    await server?.stop();
    await lab?.stop();
    data.cleanup();
  }
}

/** A region's WAN goes down: its sites' devices all stop answering at once. The others must keep their times, and the alarms converge per site. */
async function faultStep(
  n: number,
  lab: Child & { lines: LabLine[] },
  fleet: { sites: FleetDescription['sites'] },
  api: string,
  session: BenchSession,
  status: () => Promise<MonitorStatus>,
  file: string,
): Promise<void> {
  const region: FleetDescription['sites'][number][] = [];
  let regionDevices = 0;
  for (const site of fleet.sites) {
    if (regionDevices >= REGION_DEVICES) break;
    region.push(site);
    regionDevices += site.devices.length;
  }
  const answersBefore = lab.lines.filter((line) => line.event === 'fault').length;
  for (const site of region) lab.process.stdin!.write(`${site.code} link-down on\n`);
  const deadline = Date.now() + 60_000;
  while (lab.lines.filter((line) => line.event === 'fault').length < answersBefore + region.length && Date.now() < deadline) await sleep(200);
  const answers = lab.lines.filter((line) => line.event === 'fault').slice(answersBefore);
  const refused = answers.filter((line) => line.result !== 'ok');
  if (answers.length < region.length || refused.length) failures.add('lab fault', `${region.length - answers.length} link-down commands unanswered, ${refused.length} refused (${refused[0]?.result ?? ''})`);

  // Two health intervals: every device of the region fails its poll and backs off; the site-down alarm forms.
  const plan = (await status()).plan;
  const started = Date.now();
  const lags: number[] = [];
  while (Date.now() - started < plan.healthSeconds * 2 * 1000) {
    await sleep(5000);
    const now = await status();
    if (Date.now() - started >= 60_000 && now.pollLagP99LastMinuteMs !== null) lags.push(now.pollLagP99LastMinuteMs);
  }
  const regionCodes = region.map((site) => site.code);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let othersFailed = 0;
  let regionUnreachable = 0;
  try {
    const placeholders = regionCodes.map(() => '?').join(',');
    const count = (where: string) =>
      db.prepare(`SELECT count(*) FROM device_state s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id JOIN sites t ON t.id = c.site_id WHERE ${where}`).pluck().get(...regionCodes) as number;
    othersFailed = count(`t.code NOT IN (${placeholders}) AND s.status = 'unreachable'`);
    regionUnreachable = count(`t.code IN (${placeholders}) AND s.status = 'unreachable'`);
  } finally {
    db.close();
  }
  const alarms = (await (await fetch(`${api}/alarms?state=active&limit=5000`, { headers: session.headers() })).json()) as AlarmPage;
  bench(`monitor.${n}.fault_region_devices`, regionDevices, 'devices');
  bench(`monitor.${n}.fault_region_unreachable`, regionUnreachable, 'devices');
  bench(`monitor.${n}.fault_others_failed`, othersFailed, 'devices');
  bench(`monitor.${n}.fault_poll_lag_p99_ms`, lags.length ? Math.max(...lags) : Number.NaN, 'ms');
  bench(`monitor.${n}.fault_sites_down`, region.length, 'sites');
  bench(`monitor.${n}.fault_alarms_shown`, alarms.shown, 'alarms');
  bench(`monitor.${n}.fault_convergence_ratio`, alarms.convergenceRatio ?? 0, 'events/alarm');
  if (othersFailed > 0) failures.add('fault isolation', `${othersFailed} devices outside the region were unreachable while it was down`);
  if (regionUnreachable < regionDevices) failures.add('fault detection', `only ${regionUnreachable} of the region's ${regionDevices} devices were seen unreachable`);
  if (alarms.shown > region.length * 2) failures.add('alarm convergence', `${alarms.shown} alarms shown for ${region.length} sites down`);
}

const results: StepResult[] = [];
for (const [position, step] of STEPS.entries()) {
  const lastStep = position === STEPS.length - 1;
  const result = await runStep(step, lastStep);
  results.push(result);
  if (result.missed.length && !RUN_ALL && !lastStep) {
    console.log(`monitor-scale: stopping after ${result.devices} devices (MONITOR_SCALE_ALL=1 runs the larger steps too)`);
    break;
  }
}
failures.report();
