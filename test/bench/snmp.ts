/**
 * SNMP benchmark: 500 lab agents (switch, UPS, PDU, environment monitor) on
 * loopback in a separate lab process; the poller in this process reads every
 * agent in full (interfaces, sensors, UPS/PDU/environment sections), many at once.
 *   snmp.agents_per_min  agents fully read per minute
 *   snmp.cpu_s           poller CPU time (user + system) for one full round
 *   snmp.rss_mb          poller resident memory after the round
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import { bench, repoRoot } from './report.js';

const AGENTS = 500;
const IN_FLIGHT = 100;
const BASE_PORT = 30_000 + Math.floor(Math.random() * 20_000);

interface LabDeviceLine {
  event: string;
  port: number;
  kind: string;
}

const lab = spawn(
  process.execPath,
  [join(repoRoot, 'main/cli/edgecab.mjs'), 'lab', 'snmp', '--count', String(AGENTS / 4), '--base-port', String(BASE_PORT), '--tick', '60'],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const devices: LabDeviceLine[] = [];
await new Promise<void>((resolve, reject) => {
  lab.once('exit', (code) => reject(new Error(`lab exited with ${code}`)));
  createInterface({ input: lab.stdout! }).on('line', (line) => {
    const parsed = JSON.parse(line) as LabDeviceLine;
    if (parsed.event === 'device') devices.push(parsed);
    if (parsed.event === 'ready') resolve();
  });
});

try {
  const pollAll = async (): Promise<{ seconds: number; failures: number }> => {
    let next = 0;
    let failures = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < devices.length) {
        const device = devices[next++]!;
        try {
          const result = await collectDevice({ host: '127.0.0.1', port: device.port, version: '2c', community: 'public', timeoutMs: 3000, retries: 1 });
          if (result.problems.length > 0) failures += 1;
        } catch {
          failures += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return { seconds: (performance.now() - started) / 1000, failures };
  };
  await pollAll(); // warm-up: JIT, sockets
  const cpuBefore = process.cpuUsage();
  const { seconds, failures } = await pollAll();
  const cpu = process.cpuUsage(cpuBefore);
  if (failures > 0) console.error(`bench snmp: ${failures} of ${devices.length} agents failed or reported problems`);
  bench('snmp.agents_per_min', (devices.length / seconds) * 60, 'agents/min');
  bench('snmp.cpu_s', (cpu.user + cpu.system) / 1e6, 's');
  bench('snmp.rss_mb', process.memoryUsage().rss / 1024 / 1024, 'MB');
} finally {
  lab.kill('SIGTERM');
}
