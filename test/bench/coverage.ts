/**
 * Device coverage: every recording of a real device in the project's test
 * corpus (../shared/snmp-recordings and test/fixtures/snmp-recordings),
 * served by snmpsim and probed as a user probes it. One line per device
 * (kind, vendor, model, readings found, values refused as implausible),
 * then the summary figures:
 *   coverage.devices            recordings probed
 *   coverage.recognized_pct     of them, with a kind and a vendor
 *   coverage.readings           numeric readings found, over all devices
 *   coverage.implausible        values the agents answered that were refused (out of their MIB range, "not measured")
 * A probe that fails is a failed operation (the suite exits non-zero); a device nothing recognizes is a finding, not a failure.
 * `npm run coverage` runs this suite; `EDGECAB_RECORDINGS=<folder> npm run coverage`
 * scores the recordings of that folder instead (a user's own devices).
 */
import { readdirSync } from 'node:fs';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import type { SnmpDevice } from '../../shared/domain/snmp.js';
import { FIXTURE_RECORDINGS_DIR, RECORDINGS_DIR, startSnmpsim } from '../support/snmp-peers.js';
import { bench, Failures } from './report.js';

const failures = new Failures('coverage');

/** Numbers the device gave as readings: battery, lines, PDU, climate, sensors, host. */
function readings(device: SnmpDevice): number {
  const count = (value: unknown): number => {
    if (typeof value === 'number') return 1;
    if (Array.isArray(value)) return value.reduce((sum: number, each) => sum + count(each), 0);
    if (value && typeof value === 'object') return Object.entries(value).reduce((sum, [key, each]) => sum + (key === 'index' ? 0 : count(each)), 0);
    return 0;
  };
  return count([device.ups, device.pdu, device.environment, device.sensors, device.host]);
}

function modelOf(device: SnmpDevice): string {
  return device.ups?.model?.trim() || device.entities.find((entity) => entity.model?.trim())?.model?.trim() || device.system.descr?.split(/[,\n]/)[0]?.trim().slice(0, 40) || '—';
}

const dirs = process.env.EDGECAB_RECORDINGS ? [process.env.EDGECAB_RECORDINGS] : [RECORDINGS_DIR, FIXTURE_RECORDINGS_DIR];
const communities = dirs.flatMap((dir) => readdirSync(dir).filter((file) => file.endsWith('.snmprec')).map((file) => file.replace(/\.snmprec$/, ''))).sort();
const snmpsim = await startSnmpsim(dirs);
let recognized = 0;
let found = 0;
let refused = 0;
try {
  console.log(`${'recording'.padEnd(32)} ${'kind'.padEnd(12)} ${'vendor'.padEnd(22)} ${'model'.padEnd(40)} readings implausible`);
  for (const community of communities) {
    try {
      const device = await collectDevice({ host: '127.0.0.1', port: snmpsim.port, version: '2c', community, timeoutMs: 3000 });
      const implausible = device.problems.filter((problem) => problem.oid && problem.section !== 'recognition').length;
      const count = readings(device);
      if (device.kind !== 'unknown' && device.vendor) recognized += 1;
      found += count;
      refused += implausible;
      console.log(`${community.padEnd(32)} ${device.kind.padEnd(12)} ${(device.vendor ?? '—').padEnd(22)} ${modelOf(device).padEnd(40)} ${String(count).padStart(8)} ${String(implausible).padStart(11)}`);
    } catch (error) {
      failures.add('probe', `${community}: ${(error as Error).message}`);
    }
  }
  bench('coverage.devices', communities.length, 'devices');
  bench('coverage.recognized_pct', (recognized / communities.length) * 100, '%');
  bench('coverage.readings', found, 'readings');
  bench('coverage.implausible', refused, 'values');
} finally {
  await snmpsim.stop();
}
failures.report();
