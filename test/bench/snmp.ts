/**
 * SNMP benchmark: 500 lab agents (switch, UPS, PDU, environment monitor) on
 * loopback in a separate lab process, each on a port the lab reports; the
 * poller in this process reads every agent in full (interfaces, sensors,
 * UPS/PDU/environment sections), 100 agents at once. Net-SNMP's
 * `snmpbulkwalk` then walks the same table columns of the same agents in
 * the same run, 16 agents at once (where it is fastest; see PEER_IN_FLIGHT).
 *   snmp.agents_per_min           agents fully read per minute by EdgeCab's collector (one round before the peer's, one after)
 *   snmp.netsnmp_agents_per_min   agents per minute whose columns snmpbulkwalk walked (one run per column, 2 at once per agent)
 *   snmp.vs_netsnmp               agents_per_min ÷ netsnmp_agents_per_min (higher is better; above 1 EdgeCab is faster)
 *   snmp.cpu_s                    poller CPU time (user + system) for one full round (the first)
 *   snmp.rss_mb                   poller resident memory after the round
 * Any agent that failed or reported problems, and any walk that failed, makes the suite exit non-zero.
 */
import { performance } from 'node:perf_hooks';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import { inParallel, startEdgecab } from './lib/processes.js';
import { bulkwalkAgent, walkedColumns } from './lib/snmp-netsnmp.js';
import { bench, Failures } from './report.js';

const AGENTS = 500;
const IN_FLIGHT = 100;
/** What EdgeCab's collector uses: the monitor's 3 s per request, one retry, 25 rows per GETBULK, 2 requests in flight per agent. */
const TIMEOUT_MS = 3000;
const RETRIES = 1;
const MAX_REPETITIONS = 25;
const PER_AGENT_IN_FLIGHT = 2;
/**
 * Agents Net-SNMP walks at once. Each walk is a process, so past a few per
 * core they only queue for the CPU: on 2 cores its throughput levels off from
 * 8 agents at once, and at EdgeCab's 100 its walks began to time out. 16 is
 * the peer at its best, not held back.
 */
const PEER_IN_FLIGHT = 16;

interface LabDeviceLine {
  event: string;
  port: number;
  kind: string;
}

const failures = new Failures('snmp');
// No --base-port: the lab's agents take the ports it reports, one line each.
const lab = await startEdgecab<LabDeviceLine>(['lab', 'snmp', '--count', String(AGENTS / 4), '--tick', '60'], 'ready', { stdin: true });
const devices = lab.lines.filter((line) => line.event === 'device');
if (devices.length !== AGENTS) failures.add('lab agent', `${devices.length} of ${AGENTS} started`);

try {
  /** The profiles that applied to each agent, from EdgeCab's last read: they say which columns it walked. */
  const profiles: string[][] = [];
  const pollAll = (count: (kind: string, error: unknown) => void): Promise<number> =>
    inParallel(devices.length, IN_FLIGHT, async (index) => {
      const device = devices[index]!;
      try {
        const result = await collectDevice({ host: '127.0.0.1', port: device.port, version: '2c', community: 'public', timeoutMs: TIMEOUT_MS, retries: RETRIES });
        profiles[index] = result.profiles;
        if (result.problems.length > 0) count('agent problems', `${device.kind} on ${device.port}: ${JSON.stringify(result.problems.slice(0, 2))}`);
      } catch (error) {
        count('agent', error);
      }
    });
  await pollAll((kind, error) => failures.add(`warm-up ${kind}`, error)); // warm-up: JIT, sockets
  const cpuBefore = process.cpuUsage();
  const seconds = await pollAll((kind, error) => failures.add(kind, error));
  const cpu = process.cpuUsage(cpuBefore);
  const rss = process.memoryUsage().rss;

  const options = { community: 'public', timeoutSeconds: TIMEOUT_MS / 1000, retries: RETRIES, maxRepetitions: MAX_REPETITIONS, perAgent: PER_AGENT_IN_FLIGHT };
  let walks = 0;
  let rows = 0;
  const peerStarted = performance.now();
  await inParallel(devices.length, PEER_IN_FLIGHT, async (index) => {
    const columns = walkedColumns(profiles[index] ?? []);
    walks += columns.length;
    try {
      const walked = await bulkwalkAgent(devices[index]!.port, columns, options);
      rows += walked;
    } catch (error) {
      failures.add('snmpbulkwalk', error);
    }
  });
  const peerSeconds = (performance.now() - peerStarted) / 1000;
  console.error(`bench snmp: snmpbulkwalk ran ${walks} walks (one per column) over ${devices.length} agents, ${rows} rows`);
  // EdgeCab's round again after the peer's: load from elsewhere on the machine that came and went meanwhile falls on both.
  const secondSeconds = await pollAll((kind, error) => failures.add(kind, error));
  console.error(`bench snmp: EdgeCab's rounds before and after the peer took ${seconds.toFixed(1)} s and ${secondSeconds.toFixed(1)} s`);

  const edgecab = ((devices.length * 2) / (seconds + secondSeconds)) * 60;
  const netsnmp = (devices.length / peerSeconds) * 60;
  bench('snmp.agents_per_min', edgecab, 'agents/min');
  bench('snmp.netsnmp_agents_per_min', netsnmp, 'agents/min');
  bench('snmp.vs_netsnmp', edgecab / netsnmp, 'ratio');
  bench('snmp.cpu_s', (cpu.user + cpu.system) / 1e6, 's');
  bench('snmp.rss_mb', rss / 1024 / 1024, 'MB');
} finally {
  await lab.stop();
}
failures.report();
