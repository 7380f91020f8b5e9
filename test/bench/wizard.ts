/**
 * Wizard benchmark: the whole first-boot wizard driven through the API (the
 * in-process client, as the UI calls it) against one lab cabinet (edge-24u:
 * three lab BMCs, switch, UPS, PDU, environment monitor) served by a
 * separate lab process.
 *   wizard.lab_total_s        machine time from start to the acceptance report
 *   wizard.step<N>_s          each step's share
 *   wizard.devices            devices discovered and connected
 */
import { performance } from 'node:perf_hooks';
import { createCore } from '../../main/core/index.js';
import { LAB_SNMP_V3 } from '../../main/lab/fleet.js';
import { tempDir } from '../support/core.js';
import { startEdgecab } from './lib/processes.js';
import { bench, Failures } from './report.js';

const failures = new Failures('wizard');
const lab = await startEdgecab(['lab', '--sites', '1', '--template', 'edge-24u', '--fleet-only', '--json'], 'ready', { stdin: true });

const data = tempDir();
const core = createCore({ dataDir: data.dir, host: 'server' });
const client = core.client('bench');
try {
  const times: number[] = [];
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    times.push((performance.now() - started) / 1000);
    return result;
  };
  const total = performance.now();
  const { id: runId } = await client.wizard.start();
  await timed(() => client.wizard.site({ runId, name: 'Bench branch', code: 'BENCH-1', latitude: 31.2, longitude: 121.4, templateId: 'edge-24u', managementSubnet: '127.100.0.0/24' }));
  const discovered = await timed(async () => {
    const state = await client.wizard.discover({ runId, ranges: '127.100.0.0/28', redfishPorts: [443, 8443], snmpPorts: [161, 1161], wait: true });
    const trusted = Object.fromEntries(state.discovery.devices.filter((device) => device.fingerprint).map((device) => [`${device.address}:${device.port}`, device.fingerprint!]));
    return client.wizard.confirm({ runId, matches: state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint })), trusted });
  });
  await timed(() => client.wizard.secure({ runId, snmpV3: { ...LAB_SNMP_V3 } }));
  await timed(() => client.wizard.configure({ runId, ntpServers: ['10.0.0.1'], dnsServers: ['10.0.0.53'], eventDestination: 'https://10.0.0.5:4780/redfish/events', trapDestination: '10.0.0.5:162' }));
  const done = await timed(async () => {
    const state = await client.wizard.verify({ runId });
    const report = await client.wizard.report({ runId });
    if (!report.pdfBase64 || !report.html) failures.add('acceptance report', `empty report ${report.fileName}`);
    return state;
  });
  // A wizard that "finished" with failed items did not do its work: every failed item is a failed operation.
  for (const item of done.items.filter((each) => each.state === 'failed')) failures.add(`step ${item.step} item`, `${item.key}: ${item.detail ?? item.label}`);
  if (done.status !== 'done') failures.add('wizard run', `ended on step ${done.step} with status ${done.status}`);
  bench('wizard.lab_total_s', (performance.now() - total) / 1000, 's');
  times.forEach((seconds, index) => bench(`wizard.step${index + 1}_s`, seconds, 's'));
  bench('wizard.devices', discovered.matches.filter((match) => match.endpoint).length, 'devices');
} finally {
  await core.close();
  data.cleanup();
  await lab.stop();
}
failures.report();
