import { describe, expect, it } from 'vitest';
import { observeRedfish, observeSnmp } from '../../../main/core/services/monitor/observe.js';
import type { RedfishVitals } from '../../../main/core/protocols/redfish/inventory.js';
import type { SnmpDevice, SnmpInterface } from '../../../shared/domain/snmp.js';

const port = (index: string, inOctets: string, extra: Partial<SnmpInterface> = {}): SnmpInterface => ({
  index,
  name: `Gi0/0/${index}`,
  descr: null,
  alias: null,
  type: 6,
  mtu: 1500,
  speedMbps: 1000,
  mac: null,
  adminStatus: 'up',
  operStatus: 'up',
  lastChangeSeconds: 0,
  inOctets,
  outOctets: inOctets,
  inErrors: '0',
  outErrors: '0',
  inDiscards: '0',
  outDiscards: '0',
  highCapacity: true,
  ...extra,
});

function device(overrides: Partial<SnmpDevice>): SnmpDevice {
  return {
    target: { host: '127.0.0.1', port: 161, version: '2c' },
    observedAt: '2026-11-25T00:00:00.000Z',
    kind: 'environment',
    vendor: null,
    profiles: [],
    system: { descr: null, objectId: null, uptimeSeconds: 1000, contact: null, name: null, location: null, services: null },
    interfaces: [],
    entities: [],
    sensors: [],
    ups: null,
    pdu: null,
    environment: null,
    host: null,
    problems: [],
    ...overrides,
  };
}

const environment = (celsius: number, percent: number): SnmpDevice['environment'] => ({
  temperatures: [{ index: '1', name: 'Cabinet air', celsius }],
  humidities: [{ index: '1', name: 'Cabinet air', percent }],
  door: 'normal',
  smoke: 'normal',
  waterLeak: 'normal',
  contacts: [],
});

describe('turning SNMP reads into observations', () => {
  it('records -300 °C and NaN as invalid with the reason, keeps them out of history, and raises no alarm', () => {
    const { observation } = observeSnmp(device({ environment: environment(-300, Number.NaN) }), null, 0);
    expect(observation.conditions).toEqual([]);
    expect(observation.status).toBe('ok');
    expect(observation.metricKeys).toEqual([]);
    const [temperature, humidity] = observation.sensors;
    expect(temperature).toMatchObject({ state: 'invalid', value: -300 });
    expect(temperature?.invalidReason).toBe('-300 °C is outside what a temperature sensor can read (-40 to 125 °C)');
    expect(humidity).toMatchObject({ state: 'invalid', value: null, invalidReason: 'not a number (NaN)' });
  });

  it('raises warning and critical temperature conditions at the thresholds', () => {
    expect(observeSnmp(device({ environment: environment(33, 45) }), null, 0).observation.conditions.map((each) => `${each.key}:${each.severity}`)).toEqual(['temperature:temperature-1:warning']);
    const hot = observeSnmp(device({ environment: environment(41, 45) }), null, 0).observation;
    expect(hot.conditions.map((each) => `${each.key}:${each.severity}`)).toEqual(['temperature:temperature-1:critical']);
    expect(hot.status).toBe('critical');
  });

  it('turns octet counters into bit rates, and a counter going backwards without a restart into an invalid reading', () => {
    const first = observeSnmp(device({ kind: 'switch', interfaces: [port('1', '1000000')] }), null, 0);
    expect(first.observation.sensors.find((each) => each.key === 'traffic-in')).toBeUndefined();
    const second = observeSnmp(device({ kind: 'switch', interfaces: [port('1', '1125000')] }), first.memory, 10_000);
    expect(second.observation.sensors.find((each) => each.key === 'traffic-in')).toMatchObject({ value: 100_000, unit: 'bit/s', state: 'ok' });
    const backwards = observeSnmp(device({ kind: 'switch', system: { ...device({}).system, uptimeSeconds: 1010 }, interfaces: [port('1', '5')] }), second.memory, 20_000);
    const sensor = backwards.observation.sensors.find((each) => each.key === 'traffic-in');
    expect(sensor).toMatchObject({ state: 'invalid', value: null });
    expect(sensor?.invalidReason).toMatch(/counter went backwards from 1125000 to 5 without a restart/);
    expect(backwards.observation.conditions).toEqual([]);
    // After a restart (uptime went down) the counters start afresh: no rate, no invalid reading.
    const restarted = observeSnmp(device({ kind: 'switch', system: { ...device({}).system, uptimeSeconds: 3 }, interfaces: [port('1', '7')] }), backwards.memory, 30_000);
    expect(restarted.observation.sensors.find((each) => each.key === 'traffic-in')).toBeUndefined();
  });

  it('reports a port that is administratively up but down, with its number for network correlation', () => {
    const { observation } = observeSnmp(device({ kind: 'switch', interfaces: [port('1', '0'), port('2', '0', { operStatus: 'down' }), port('3', '0', { adminStatus: 'down', operStatus: 'down' })] }), null, 0);
    expect(observation.conditions).toEqual([{ key: 'port:2', category: 'network', severity: 'major', message: 'Port Gi0/0/2 is down', messageKey: 'portDown', params: { port: 'Gi0/0/2' }, port: 2 }]);
  });
});

describe('power readings of a Redfish chassis', () => {
  const ok = { state: 'Enabled', health: 'OK', healthRollup: 'OK' } as const;
  const vitals = (power: number | null, powerState: 'On' | 'Off', capacity: number | null = 800): RedfishVitals => ({
    observedAt: '2026-12-03T08:00:00.000Z',
    systems: [{ id: 'sys', powerState, status: ok }],
    chassis: [{ id: '1U', status: ok }],
    worst: 'OK',
    chassisReadings: [{ id: '1U', name: 'Chassis', type: null, manufacturer: null, model: null, serial: null, status: ok, powerSupplies: [], fans: [], temperatures: [], voltages: [], powerConsumedWatts: power, powerCapacityWatts: capacity, sources: ['Power'] }],
    nics: [],
    problems: [],
  });
  const powerSensor = (observation: ReturnType<typeof observeRedfish>) => observation.sensors.find((sensor) => sensor.key === 'power-1U')!;

  it('keeps a reading within the rating, and one of 0 W while the system is off', () => {
    expect(powerSensor(observeRedfish(vitals(344, 'On')))).toMatchObject({ value: 344, state: 'ok' });
    expect(observeRedfish(vitals(344, 'On')).metricKeys).toContain('power-1U');
    expect(powerSensor(observeRedfish(vitals(0, 'Off')))).toMatchObject({ value: 0, state: 'ok' });
  });

  it('marks invalid, never kept for energy, a reading above the rating or 0 W while the system is on', () => {
    const above = observeRedfish(vitals(5000, 'On'));
    expect(powerSensor(above)).toMatchObject({ value: null, state: 'invalid', invalidReason: '5000 W is above what the chassis is rated for (800 W)' });
    expect(above.metricKeys).not.toContain('power-1U');
    const zero = observeRedfish(vitals(0, 'On'));
    expect(powerSensor(zero)).toMatchObject({ state: 'invalid', invalidReason: 'reads 0 W while its system is on' });
    expect(zero.metricKeys).not.toContain('power-1U');
    // Without a rating, only the sensor's physical range applies.
    expect(powerSensor(observeRedfish(vitals(5000, 'On', null)))).toMatchObject({ value: 5000, state: 'ok' });
  });
});
