/**
 * Switch vendors' profiles (ruijie-system, cisco-entity-sensor) against
 * recordings of real switches (test/fixtures/snmp-recordings, from
 * snmpsim-data, trimmed to the subtrees EdgeCab reads): kind, vendor and
 * exact readings, and a value the MIB says is "not measured" refused with
 * its OID. Also the enterprise numbers recognition names (BDCOM, Maipu,
 * Digital China) and the Ruijie switch product tree.
 */
import { describe, expect, it } from 'vitest';
import { bundledProfiles } from '../../main/core/protocols/snmp/profiles.js';
import { kindOfObjectId, vendorOfObjectId } from '../../main/core/protocols/snmp/recognition.js';
import { readField } from '../../main/core/protocols/snmp/values.js';
import { servedRecordings } from '../support/served-recordings.js';

describe("switch vendors' profiles, from recordings of real switches", () => {
  const read = servedRecordings();
  const reading = ({ name, type, value, unit, status }: { name: string | null; type: string; value: number | null; unit: string | null; status: string }) => ({ name, type, value, unit, status });

  it('the profiles are bundled and valid', () => {
    const ids = bundledProfiles().map((profile) => profile.id);
    expect(ids).toEqual(expect.arrayContaining(['ruijie-system', 'cisco-entity-sensor']));
  });

  it('Ruijie S5750: a switch by Ruijie, CPU (5 min) and memory per node from RUIJIE-PROCESS-MIB / RUIJIE-MEMORY-MIB; its temperature chip answers 0, "not supported", refused with its OID', async () => {
    const device = await read('switch-ruijie-s5750-24gt12sfp');
    expect([device.kind, device.vendor]).toEqual(['switch', 'Ruijie']);
    expect(device.profiles).toContain('ruijie-system');
    expect(device.sensors.filter((sensor) => sensor.index.includes('/')).map(reading)).toEqual([
      { name: 'number 1 CPU', type: 'other', value: 37, unit: '%', status: 'ok' },
      { name: 'number 1 memory', type: 'other', value: 50, unit: '%', status: 'ok' },
    ]);
    // ruijieSystemTemperatureCurrent of "number 1:invalid" is 0: no temperature reading, and the problem names the OID.
    expect(device.sensors.some((sensor) => sensor.type === 'temperature')).toBe(false);
    expect(device.problems).toContainEqual({
      section: 'ruijie-system/sensors',
      oid: '1.3.6.1.4.1.4881.1.1.10.2.1.1.23.1.3.1',
      message: '1.3.6.1.4.1.4881.1.1.10.2.1.1.23.1.3.1: 0 means "not measured"; not available',
    });
    expect(device.problems.filter((problem) => problem.section === 'recognition')).toEqual([]);
  });

  it('Cisco Nexus 5548UP: CISCO-ENTITY-SENSOR values with scale and precision applied (milli → units), named by ENTITY-MIB where it names them, and CPU from CISCO-PROCESS-MIB', async () => {
    const device = await read('switch-cisco-n5548up');
    expect([device.kind, device.vendor]).toEqual(['switch', 'Cisco']);
    expect(device.profiles).toContain('cisco-entity-sensor');
    const byIndex = new Map(device.sensors.map((sensor) => [sensor.index, reading(sensor)]));
    // 21598: celsius, units, precision 0, 40; entPhysicalName "Module-1, Outlet".
    expect(byIndex.get('21598')).toEqual({ name: 'Module-1, Outlet', type: 'temperature', value: 40, unit: '°C', status: 'ok' });
    // 25816: voltsAC, milli, 3248 → 3.248 V; 25821: celsius, milli, 52394 → 52.394 °C (transceiver sensors, not in the walk's entPhysicalTable).
    expect(byIndex.get('25816')).toEqual({ name: null, type: 'voltage', value: 3.248, unit: 'V', status: 'ok' });
    expect(byIndex.get('25821')).toEqual({ name: null, type: 'temperature', value: 52.394, unit: '°C', status: 'ok' });
    // 25827: dBm (14) has no type of its own: other, without a unit, -1931 milli → -1.931.
    expect(byIndex.get('25827')).toEqual({ name: null, type: 'other', value: -1.931, unit: null, status: 'ok' });
    expect(byIndex.get('CPU.cpuPercent')).toEqual({ name: 'CPU', type: 'other', value: 16, unit: '%', status: 'ok' });
    expect(device.sensors.filter((sensor) => /^\d+$/.test(sensor.index))).toHaveLength(76);
    expect(device.problems.filter((problem) => problem.oid)).toEqual([]);
  });

  it('Cisco Catalyst 3750 (IOS): transceiver sensors of CISCO-ENTITY-SENSOR named by ENTITY-MIB, precision 1 and milli scale applied', async () => {
    const device = await read('switch-cisco-c3750');
    expect([device.kind, device.vendor]).toEqual(['switch', 'Cisco']);
    const byIndex = new Map(device.sensors.map((sensor) => [sensor.index, reading(sensor)]));
    expect(byIndex.get('1019')).toEqual({ name: 'Gi1/0/1 Module Temperature Sensor', type: 'temperature', value: 41.9, unit: '°C', status: 'ok' });
    expect(byIndex.get('1020')).toEqual({ name: 'Gi1/0/1 Supply Voltage Sensor', type: 'voltage', value: 3.34, unit: 'V', status: 'ok' });
    expect(byIndex.get('1021')).toEqual({ name: 'Gi1/0/1 Bias Current Sensor', type: 'current', value: 0.0195, unit: 'A', status: 'ok' });
    expect(byIndex.get('1023')).toEqual({ name: 'Gi1/0/1 Receive Power Sensor', type: 'other', value: -6, unit: null, status: 'ok' });
    expect(byIndex.get('CPU.cpuPercent')).toEqual({ name: 'CPU', type: 'other', value: 29, unit: '%', status: 'ok' });
  });

  it('Cisco Catalyst 3560G: CPU (5 min) from CISCO-PROCESS-MIB beside its CISCO-ENVMON states; no CISCO-ENTITY-SENSOR table, so no entity sensors', async () => {
    const device = await read('switch-cisco-c3560g-48ts');
    expect([device.kind, device.vendor]).toEqual(['switch', 'Cisco']);
    expect(device.sensors.find((sensor) => sensor.index === 'CPU.cpuPercent')).toMatchObject({ name: 'CPU', type: 'other', value: 28, unit: '%', status: 'ok' });
    expect(device.sensors.filter((sensor) => /^\d+$/.test(sensor.index))).toEqual([]);
  });

  it('a CISCO-ENTITY-SENSOR value of ±1000000000 (under/overflow) is refused as "not measured"; a reading inside the range is read', () => {
    const profile = bundledProfiles().find((each) => each.id === 'cisco-entity-sensor')!;
    const rawValue = profile.sections[0]!.tables!.entitySensors!.columns.rawValue!;
    const varbind = (value: number) => ({ oid: '1.3.6.1.4.1.9.9.91.1.1.1.1.4.21598', type: 'Integer', value });
    expect(readField(rawValue, varbind(1000000000))).toEqual({ value: null, unavailable: '1000000000 means "not measured"' });
    expect(readField(rawValue, varbind(-1000000000))).toEqual({ value: null, unavailable: '-1000000000 means "not measured"' });
    expect(readField(rawValue, varbind(-1931))).toEqual({ value: -1931, unavailable: null });
  });

  it('enterprise numbers from the vendors\' SMI modules name their makers; Ruijie switch products are switches', () => {
    expect(vendorOfObjectId('1.3.6.1.4.1.3320.1.283.0')).toBe('BDCOM');
    expect(vendorOfObjectId('1.3.6.1.4.1.5651.1.102.16')).toBe('Maipu');
    expect(vendorOfObjectId('1.3.6.1.4.1.6339.1.1.2.29')).toBe('Digital China');
    expect(kindOfObjectId('1.3.6.1.4.1.4881.1.1.10.1.41')).toBe('switch');
    expect(kindOfObjectId('1.3.6.1.4.1.4881.1.2.1')).toBeNull();
  });
});
