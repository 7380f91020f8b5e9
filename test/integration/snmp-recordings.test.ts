import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import { RECORDINGS_DIR, startSnmpsim, V3, type Peer } from '../support/snmp-peers.js';

/** Values straight from a recording file, decoding snmpsim's hex strings. */
function recorded(file: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of readFileSync(join(RECORDINGS_DIR, file), 'utf8').split('\n')) {
    const [oid, type, value = ''] = line.split('|');
    if (!oid || !type || line.startsWith('#')) continue;
    values.set(oid, type === '4x' ? Buffer.from(value, 'hex').toString('utf8') : value);
  }
  return values;
}

function countRows(values: Map<string, string>, column: string): number {
  return [...values.keys()].filter((oid) => oid.startsWith(`${column}.`)).length;
}

describe('SNMP recordings of real devices, served by snmpsim', () => {
  let snmpsim: Peer;
  const target = (community: string) => ({ host: '127.0.0.1', port: snmpsim.port, version: '2c' as const, community, timeoutMs: 3000 });
  beforeAll(async () => {
    snmpsim = await startSnmpsim();
  }, 30_000);
  afterAll(async () => snmpsim?.stop());

  it.each([
    ['ups-eaton-93e-80', 'ups'],
    ['pdu-apc-ap8641', 'pdu'],
    ['switch-huawei-s5720-36c-ei', 'switch'],
    ['switch-cisco-c3750', 'switch'],
    ['env-geist-wd15', 'environment'],
  ])('%s is probed and normalized as a %s, matching the recording', async (name, kind) => {
    const values = recorded(`${name}.snmprec`);
    const device = await collectDevice(target(name));
    expect(device.problems).toEqual([]);
    expect(device.kind).toBe(kind);
    expect(device.system.descr).toBe(values.get('1.3.6.1.2.1.1.1.0'));
    expect(device.system.objectId).toBe(values.get('1.3.6.1.2.1.1.2.0'));
    expect(device.interfaces).toHaveLength(countRows(values, '1.3.6.1.2.1.2.2.1.1'));
    expect(device.interfaces.length).toBe(Number(values.get('1.3.6.1.2.1.2.1.0')));
  });

  it('reads the UPS battery, input and output as recorded', async () => {
    const values = recorded('ups-eaton-93e-80.snmprec');
    const { ups } = await collectDevice(target('ups-eaton-93e-80'));
    expect(ups?.manufacturer).toBe(values.get('1.3.6.1.2.1.33.1.1.1.0'));
    expect(ups?.battery.status).toBe('normal');
    expect(ups?.battery.chargePercent).toBe(Number(values.get('1.3.6.1.2.1.33.1.2.4.0')));
    expect(ups?.battery.minutesRemaining).toBe(Number(values.get('1.3.6.1.2.1.33.1.2.3.0')));
    expect(ups?.battery.voltageV).toBeCloseTo(Number(values.get('1.3.6.1.2.1.33.1.2.5.0')) / 10);
    expect(ups?.battery.temperatureC).toBe(Number(values.get('1.3.6.1.2.1.33.1.2.7.0')));
    expect(ups?.outputSource).toBe('normal');
    expect(ups?.inputLines.length).toBe(countRows(values, '1.3.6.1.2.1.33.1.3.3.1.3'));
    expect(ups?.outputLines.length).toBe(countRows(values, '1.3.6.1.2.1.33.1.4.4.1.2'));
  });

  it('reads the PDU outlets, their load and switch state, as recorded', async () => {
    const values = recorded('pdu-apc-ap8641.snmprec');
    const { pdu, vendor } = await collectDevice(target('pdu-apc-ap8641'));
    expect(vendor).toBe('APC');
    expect(pdu?.outlets).toHaveLength(countRows(values, '1.3.6.1.4.1.318.1.1.26.9.4.3.1.1'));
    const first = pdu?.outlets.find((outlet) => outlet.index === '1');
    expect(first).toMatchObject({ name: 'CP-CM-SAN-01', currentA: 0.9, powerW: 163, energyKwh: 304.6 });
    // The recording makes outlet 1's switch state a snmpsim "numeric" variation that flips between 1 and 2 as time passes.
    expect(['on', 'off']).toContain(first?.state);
    expect(pdu?.powerKw).toBeCloseTo(1.21);
    expect(pdu?.phases[0]).toMatchObject({ currentA: 6.5, voltageV: 201 });
  });

  it('reads the environment monitor temperature and humidity', async () => {
    const { environment, vendor } = await collectDevice(target('env-geist-wd15'));
    expect(vendor).toBe('Geist');
    expect(environment?.temperatures.map((reading) => reading.name)).toContain('Watchdog Rack 01');
    const internal = environment?.temperatures.find((reading) => reading.index === '1');
    expect(internal?.celsius).toBeGreaterThan(5);
    expect(internal?.celsius).toBeLessThan(35);
    expect(environment?.humidities[0]?.percent).toBeGreaterThanOrEqual(25);
    expect(environment?.door).toBe('unknown');
  });

  it('reads ENTITY inventory from the switches', async () => {
    const values = recorded('switch-huawei-s5720-36c-ei.snmprec');
    const device = await collectDevice(target('switch-huawei-s5720-36c-ei'));
    expect(device.vendor).toBe('Huawei');
    expect(device.entities.length).toBe(countRows(values, '1.3.6.1.2.1.47.1.1.1.1.2'));
    expect(device.entities.some((entity) => entity.serial === '210235956210F7000410')).toBe(true);
  });

  it('speaks SNMPv3 authPriv (SHA / AES-128) to snmpsim, using the recording as context', async () => {
    const device = await collectDevice({
      host: '127.0.0.1',
      port: snmpsim.port,
      version: '3',
      v3: { user: V3.user, authProtocol: 'sha', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey, context: 'ups-eaton-93e-80' },
    });
    expect(device.system.descr).toBe('EATON 93E 80');
    expect(device.kind).toBe('ups');
  });

  it('times out with a clear reason on a wrong community', async () => {
    await expect(collectDevice({ ...target('no-such-community'), timeoutMs: 300, retries: 0 })).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringContaining('no answer'),
    });
  });
});
