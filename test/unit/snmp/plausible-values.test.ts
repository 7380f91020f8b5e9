import { describe, expect, it } from 'vitest';
import { bundledProfiles, parseProfile, ProfileError } from '../../../main/core/protocols/snmp/profiles.js';
import { canonicalVendor, kindOfDescription, kindOfObjectId, vendorOfObjectId } from '../../../main/core/protocols/snmp/recognition.js';
import { normalizeSensors } from '../../../main/core/protocols/snmp/normalize.js';
import { readField } from '../../../main/core/protocols/snmp/values.js';
import type { ScalarField } from '../../../shared/domain/snmp-profile.js';

const varbind = (value: unknown) => ({ oid: '1.3.6.1.2.1.33.1.2.4.0', type: 'x', value: value as never });
const field = (extra: Partial<ScalarField>): ScalarField => ({ oid: '1.3.6.1.2.1.33.1.2.4.0', type: 'number', range: [0, 100], ...extra }) as ScalarField;

describe('a value is a reading only where its MIB allows it', () => {
  it('numbers: inside the range read (scaled); outside, or a "not measured" marker, not available with the reason', () => {
    expect(readField(field({}), varbind(57))).toEqual({ value: 57, unavailable: null });
    expect(readField(field({ range: [0, 100] }), varbind(100))).toEqual({ value: 100, unavailable: null });
    expect(readField(field({}), varbind(-1))).toEqual({ value: null, unavailable: "-1 is outside the MIB's range 0..100" });
    expect(readField(field({}), varbind(101))).toEqual({ value: null, unavailable: "101 is outside the MIB's range 0..100" });
    expect(readField(field({ range: [-2147483648, 2147483647], notMeasured: [-1] }), varbind(-1))).toEqual({ value: null, unavailable: '-1 means "not measured"' });
    expect(readField(field({ range: [0, 2147483647], scale: 0.1 }), varbind(5385))).toEqual({ value: 538.5, unavailable: null });
  });

  it('the largest 32-bit values are never readings, except where the value saturates there (ifSpeed)', () => {
    for (const marker of [2147483647, 4294967295, -2147483648]) {
      expect(readField(field({ range: [-2147483648, 4294967295] }), varbind(marker)).value).toBeNull();
    }
    expect(readField(field({ range: [0, 4294967295], saturates: true }), varbind(4294967295))).toEqual({ value: 4294967295, unavailable: null });
    expect(readField(field({ range: [0, 4294967295] }), varbind(4294967295n))).toEqual({ value: null, unavailable: '4294967295 means "not measured"' });
  });

  it('integers, enumerations and wrong types', () => {
    expect(readField(field({ type: 'integer', range: [0, 127] }), varbind(72))).toEqual({ value: 72, unavailable: null });
    expect(readField(field({ type: 'integer', range: [0, 127] }), varbind(200)).unavailable).toBe("200 is outside the MIB's range 0..127");
    expect(readField(field({ type: 'enum', enum: { '2': 'normal' }, range: undefined }), varbind(2))).toEqual({ value: 'normal', unavailable: null });
    expect(readField(field({ type: 'enum', enum: { '2': 'normal' }, range: undefined }), varbind(9))).toEqual({ value: null, unavailable: "9 is not one of the MIB's values" });
    expect(readField(field({}), varbind(Buffer.from('12')))).toEqual({ value: null, unavailable: 'a non-numeric answer where the MIB has a number' });
    // No answer (noSuchObject) is simply not there: no reason to give.
    expect(readField(field({}), varbind(null))).toEqual({ value: null, unavailable: null });
    expect(readField(field({ type: 'string', range: undefined }), varbind(Buffer.from('HUAWEI')))).toEqual({ value: 'HUAWEI', unavailable: null });
    expect(readField(field({ type: 'counter', range: undefined }), varbind(2n ** 40n))).toEqual({ value: String(2n ** 40n), unavailable: null });
    // An OID value may be named by the profile (Liebert's well-known points); one it does not name stays the OID.
    const point = field({ type: 'oid', range: undefined, enum: { '1.3.6.1.4.1.476.1.42.3.4.1.1.2': 'Return air' } });
    expect(readField(point, varbind('1.3.6.1.4.1.476.1.42.3.4.1.1.2'))).toEqual({ value: 'Return air', unavailable: null });
    expect(readField(point, varbind('1.3.6.1.4.1.476.1.42.3.4.1.1.99'))).toEqual({ value: '1.3.6.1.4.1.476.1.42.3.4.1.1.99', unavailable: null });
  });

  it('every number of every shipped profile carries its MIB range, and a profile without one is refused', () => {
    expect(bundledProfiles().length).toBeGreaterThan(5);
    const profile = { id: 'x', description: 'x', kind: 'ups', match: { whenOidExists: '1.3.6.1.2.1.33.1.1' }, sections: [{ target: 'ups', scalars: { 'battery.chargePercent': { oid: '1.3.6.1.2.1.33.1.2.4.0', type: 'number' } } }] };
    expect(() => parseProfile(profile, 'x.json')).toThrow(ProfileError);
    expect(() => parseProfile(profile, 'x.json')).toThrow(/needs "range"/);
    expect(() => parseProfile({ ...profile, sections: [{ target: 'ups', scalars: { 'battery.chargePercent': { oid: '1.3.6.1.2.1.33.1.2.4.0', type: 'number', range: [100, 0] } } }] }, 'x.json')).toThrow(/min ≤ max/);
  });
});

describe('recognition data', () => {
  it('vendor by enterprise number, but not the agent software; kind by product tree, longest prefix; a maker written as EdgeCab writes it', () => {
    expect(vendorOfObjectId('1.3.6.1.4.1.2011.2.23.276')).toBe('Huawei');
    expect(vendorOfObjectId('1.3.6.1.4.1.25506.1.1')).toBe('H3C');
    expect(vendorOfObjectId('1.3.6.1.4.1.19536.10.1')).toBe('Panduit');
    expect(vendorOfObjectId('1.3.6.1.4.1.4555.1.1.7')).toBe('Socomec');
    expect([vendorOfObjectId('1.3.6.1.4.1.31034.11.1'), kindOfObjectId('1.3.6.1.4.1.31034.11.1')]).toEqual(['Schleifenbauer', 'pdu']);
    expect([vendorOfObjectId('1.3.6.1.4.1.674.10903.200.3.1'), kindOfObjectId('1.3.6.1.4.1.674.10903.200.3.1')]).toEqual(['Dell', 'pdu']);
    expect(vendorOfObjectId('1.3.6.1.4.1.8072.3.2.10')).toBeNull();
    expect(vendorOfObjectId('1.3.6.1.2.1.1')).toBeNull();
    expect(kindOfObjectId('1.3.6.1.4.1.705.1')).toBe('ups');
    expect(kindOfObjectId('1.3.6.1.4.1.318.1.3.4.6')).toBe('pdu');
    // 1.3.6.1.4.1.3180… is another enterprise than APC's 318.
    expect(kindOfObjectId('1.3.6.1.4.1.3180.1.3.4')).toBeNull();
    expect(kindOfDescription('UPS Web/SNMP Agent, Emerson Network Power Co., Ltd.')).toBe('ups');
    expect(kindOfDescription('Uninitialized')).toBeNull();
    expect(canonicalVendor('HUAWEI')).toBe('Huawei');
    expect(canonicalVendor('Eaton Corporation')).toBe('Eaton');
    expect(canonicalVendor('  ')).toBeNull();
    expect(canonicalVendor('None')).toBeNull();
    expect(canonicalVendor('EAST')).toBe('EAST');
  });

  it('switches by what they say of themselves, never a "Switched" PDU; ZXR10 switches and earlier Eaton ePDUs by product tree; Delta by number', () => {
    expect(kindOfDescription('Cisco IOS Software, Catalyst 4500 L3 Switch Software (cat4500-IPBASE-M)')).toBe('switch');
    expect(kindOfDescription('Cisco NX-OS(tm) nxos.7.0.3.I7.7.bin, Software (nxos)')).toBe('switch');
    expect(kindOfDescription('HPE Comware Platform Software … HPE 5900AF-48G-4XG-2QSFP+ Switch')).toBe('switch');
    expect(kindOfDescription('APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.4.6 PN:apc_hw05_aos_646.bin) Switched Rack PDU')).toBe('pdu');
    expect(kindOfDescription('Cisco IOS Software, ir800 Software (ir800-UNIVERSALK9-M)')).toBeNull();
    expect(kindOfObjectId('1.3.6.1.4.1.3902.3.100.20')).toBe('switch');
    expect(kindOfObjectId('1.3.6.1.4.1.534.6.6.6')).toBe('pdu');
    expect(vendorOfObjectId('1.3.6.1.4.1.2254.2.5')).toBe('Delta');
  });
});

describe("vendors' per-row tables as sensors", () => {
  it('measurements take the row status; state-only columns are sensors of that state; boards are named by ENTITY-MIB unless the row names itself', () => {
    const names = new Map<string, string | null>([['67108873', 'MPU Board 0']]);
    const sensors = normalizeSensors(
      {
        scalars: {},
        tables: {
          boards: [{ index: '67108873', temperatureC: 42, cpuPercent: 38 }],
          temperatures: [{ index: '1', name: 'Inlet', temperatureC: 61, status: 'nonoperational' }],
          fans: [{ index: '2', name: 'Fan#2', fanStatus: 'nonoperational' }, { index: '3', name: 'Fan#3', fanStatus: null }],
        },
      },
      names,
    );
    expect(sensors.map(({ index, name, type, value, status }) => [index, name, type, value, status])).toEqual([
      ['67108873/temperatureC', 'MPU Board 0 temperature', 'temperature', 42, 'ok'],
      ['67108873/cpuPercent', 'MPU Board 0 CPU', 'other', 38, 'ok'],
      ['1/temperatureC', 'Inlet temperature', 'temperature', 61, 'nonoperational'],
      ['2/fanStatus', 'Fan#2', 'fan', null, 'nonoperational'],
      // A state the MIB does not list is no "ok".
      ['3/fanStatus', 'Fan#3', 'fan', null, 'unknown'],
    ]);
  });
});

describe('what a profile may name, and how profiles fill one section', () => {
  const profile = (section: Record<string, unknown>) => ({ id: 'x', description: 'x', match: { whenOidExists: '1.3.6.1.4.1.9999.1' }, sections: [section] });

  it('a field normalization would not read is refused, named (a typo would otherwise be read and dropped)', () => {
    expect(() => parseProfile(profile({ target: 'ups', scalars: { 'battery.chargePercnt': { oid: '1.3.6.1.4.1.9999.1.1.0', type: 'number', range: [0, 100] } } }), 'typo.json')).toThrow(
      'sections.0 (ups): scalar "battery.chargePercnt" is not a field EdgeCab reads',
    );
    expect(() => parseProfile(profile({ target: 'pdu', tables: { inlets: { entry: '1.3.6.1.4.1.9999.1.2.1', columns: { currentA: { column: 2, type: 'number', range: [0, 1000] } } } } }), 'table.json')).toThrow(
      'table "inlets" (a pdu section has device, phases, outlets, switchedOutlets)',
    );
    expect(() => parseProfile(profile({ target: 'sensors', tables: { boards: { entry: '1.3.6.1.4.1.9999.1.3.1', columns: { tempC: { column: 2, type: 'number', range: [0, 100] } } } } }), 'column.json')).toThrow(
      'column "boards.tempC" is not a field EdgeCab reads',
    );
    // Vendors' sensor tables may have any name, and scalars name what they measure.
    expect(
      parseProfile(
        profile({
          target: 'sensors',
          scalars: { 'Supply air.temperatureC': { oid: '1.3.6.1.4.1.9999.1.4.0', type: 'number', range: [-100, 200] } },
          tables: { boards: { entry: '1.3.6.1.4.1.9999.1.3.1', columns: { name: { column: 1, type: 'string' }, temperatureC: { column: 2, type: 'number', range: [0, 100] } } } },
        }),
        'good.json',
      ).id,
    ).toBe('x');
    for (const shipped of bundledProfiles()) expect(shipped.id).toMatch(/^[a-z0-9-]+$/);
  });

  it('sensors from scalars are named by what they measure; TimeTicks scale to minutes', () => {
    const sensors = normalizeSensors({ scalars: { 'Supply air.temperatureC': 18.5, 'Return air.temperatureC': null, 'Room.humidityPercent': 41 }, tables: {} }, new Map());
    expect(sensors.map((sensor) => [sensor.name, sensor.type, sensor.value, sensor.unit])).toEqual([
      ['Supply air', 'temperature', 18.5, '°C'],
      ['Room', 'humidity', 41, '%RH'],
    ]);
    const runtime = { oid: '1.3.6.1.4.1.318.1.1.1.2.2.3.0', type: 'timeticks', scale: 1 / 60 } as ScalarField;
    expect(readField(runtime, { ...varbind(720000), oid: runtime.oid })).toEqual({ value: 120, unavailable: null });
  });
});
