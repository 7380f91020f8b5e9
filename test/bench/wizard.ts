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
import { tempDir } from '../support/core.js';
import { startEdgecab } from './lib/processes.js';
import { bench, Failures } from './report.js';
import type { WizardState } from '../../shared/domain/wizard.js';

const failures = new Failures('wizard');
const lab = await startEdgecab(['lab', '--sites', '1', '--template', 'edge-24u', '--fleet-only', '--json'], 'ready', { stdin: true });

class StepFailed extends Error {
  constructor(readonly step: number) {
    super(`step ${step} has failed items`);
  }
}

const data = tempDir();
const core = createCore({ dataDir: data.dir, host: 'server' });
const client = core.client('bench');
try {
  const times: number[] = [];
  /** Runs one step; its failed items are failed operations, and the next step cannot start after them. */
  const timed = async (step: number, work: () => Promise<WizardState>): Promise<WizardState> => {
    const started = performance.now();
    const state = await work();
    times.push((performance.now() - started) / 1000);
    const failed = state.items.filter((item) => item.step === step && item.state === 'failed');
    for (const item of failed) failures.add(`step ${step} item`, `${item.key}: ${item.detail ?? item.label}`);
    if (failed.length > 0) throw new StepFailed(step);
    return state;
  };
  const total = performance.now();
  const { id: runId } = await client.wizard.start();
  await timed(1, () => client.wizard.site({ runId, name: 'Bench branch', code: 'BENCH-1', latitude: 31.2, longitude: 121.4, templateId: 'edge-24u', managementSubnet: '127.100.0.0/24' }));
  const discovered = await timed(2, async () => {
    const state = await client.wizard.discover({ runId, ranges: '127.100.0.0/28', redfishPorts: [443, 8443], snmpPorts: [161, 1161], wait: true });
    const trusted = Object.fromEntries(state.discovery.devices.filter((device) => device.fingerprint).map((device) => [`${device.address}:${device.port}`, device.fingerprint!]));
    return client.wizard.confirm({ runId, matches: state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint })), trusted });
  });
  // The site's SNMPv3 user is left to EdgeCab to make, as the UI leaves it.
  await timed(3, () => client.wizard.secure({ runId }));
  // Event and trap destinations are left to the wizard, as the UI leaves them unless the user names one (NAT).
  await timed(4, () => client.wizard.configure({ runId, ntpServers: ['10.0.0.1'], dnsServers: ['10.0.0.53'] }));
  const done = await timed(5, async () => {
    const state = await client.wizard.verify({ runId });
    const report = await client.wizard.report({ runId });
    if (!report.pdfBase64 || !report.html) failures.add('acceptance report', `empty report ${report.fileName}`);
    return state;
  });
  if (done.status !== 'done') failures.add('wizard run', `ended on step ${done.step} with status ${done.status}`);
  bench('wizard.lab_total_s', (performance.now() - total) / 1000, 's');
  times.forEach((seconds, index) => bench(`wizard.step${index + 1}_s`, seconds, 's'));
  bench('wizard.devices', discovered.matches.filter((match) => match.endpoint).length, 'devices');
} catch (error) {
  // A step with failed items was counted above; anything else is a failure of its own.
  if (!(error instanceof StepFailed)) failures.add('wizard call', error);
} finally {
  await core.close();
  data.cleanup();
  await lab.stop();
}
failures.report();
