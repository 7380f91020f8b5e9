/**
 * UPS and cooling vendors' own MIBs (PowerNet-MIB, XUPS-MIB, MG-SNMP-UPS-MIB,
 * LIEBERT-GP), served by snmpsim from recordings of real devices and from
 * recordings written from the MIBs (mib-*.snmprec): kind, vendor, the exact
 * readings, and every "not measured" or out-of-range answer null with its OID.
 */
import { describe, expect, it } from 'vitest';
import { observeSnmp } from '../../main/core/services/monitor/observe.js';
import { notAvailable, servedRecordings } from '../support/served-recordings.js';

const NO_CONTACTS = { door: 'unknown', smoke: 'unknown', waterLeak: 'unknown', contacts: [] };

describe('UPS and cooling vendor profiles, from recordings', () => {
  const read = servedRecordings();

  it('an APC Smart-UPS (PowerNet-MIB): the tenths objects first, runtime in minutes, its -1 battery current not available', async () => {
    const device = await read('mib-ups-apc-smartups');
    expect([device.kind, device.vendor]).toEqual(['ups', 'APC']);
    expect(device.profiles).toContain('apc-powernet-ups');
    expect(device.ups).toEqual({
      manufacturer: null,
      model: 'Smart-UPS 1500',
      firmware: 'UPS 09.3 (ID18)',
      battery: { status: 'normal', secondsOnBattery: 0, minutesRemaining: 49, chargePercent: 100, voltageV: 27.3, currentA: null, temperatureC: 27.3 },
      inputLines: [{ index: '1', frequencyHz: 50, voltageV: 229.4, currentA: null, powerW: null }],
      outputSource: 'normal',
      outputFrequencyHz: 50,
      outputLines: [{ index: '1', voltageV: 230.1, currentA: 1.5, powerW: null, loadPercent: 24.3 }],
      bypassFrequencyHz: null,
      bypassLines: [],
      alarmsPresent: null,
      alarms: [],
    });
    expect(device.problems).toEqual([
      notAvailable('apc-powernet-ups/ups', '1.3.6.1.4.1.318.1.1.1.2.3.5.0', '-1 means "not measured"'),
      notAvailable('apc-powernet-ups/ups', '1.3.6.1.4.1.318.1.1.1.2.2.9.0', '-1 means "not measured"'),
    ]);
  });

  it('a CyberPower UPS (CPS-MIB): the upsAdvance tenths, on battery; its 4294967295 runtime and 120 % humidity are not available, its °F sensor is not read', async () => {
    const device = await read('mib-ups-cyberpower-ol');
    expect([device.kind, device.vendor]).toEqual(['ups', 'CyberPower']);
    expect(device.ups).toEqual({
      manufacturer: null,
      model: 'OL3000RTXL2U',
      firmware: 'CRA.2.8',
      battery: { status: 'normal', secondsOnBattery: null, minutesRemaining: null, chargePercent: 87, voltageV: null, currentA: null, temperatureC: 31 },
      inputLines: [{ index: '1', frequencyHz: 50, voltageV: 229.6, currentA: null, powerW: null }],
      outputSource: 'battery',
      outputFrequencyHz: 50,
      outputLines: [{ index: '1', voltageV: 230.1, currentA: 4.8, powerW: null, loadPercent: 34 }],
      bypassFrequencyHz: null,
      bypassLines: [],
      alarmsPresent: null,
      alarms: [],
    });
    expect(device.identity).toMatchObject({ serial: 'ZZZ0000000001' });
    expect(device.sensors).toEqual([]);
    expect(device.problems).toEqual([
      notAvailable('cyberpower-ups/ups', '1.3.6.1.4.1.3808.1.1.1.2.2.4.0', '4294967295 means "not measured"'),
      notAvailable('cyberpower-ups/sensors', '1.3.6.1.4.1.3808.1.1.4.3.1.0', "120 is outside the MIB's range 0..100"),
    ]);
  });

  it('a three-phase UPS behind a NetAgent card (XPPC-MIB upsThreePhase): lines R, S, T in, out and bypass, before the single-phase objects; a 65535 load is none', async () => {
    const device = await read('mib-ups-xppc-three-phase');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Phoenixtec']);
    expect(device.ups).toMatchObject({
      inputLines: [
        { index: '1', frequencyHz: 49.9, voltageV: 236 },
        { index: '2', frequencyHz: 49.9, voltageV: 236.7 },
        { index: '3', frequencyHz: 49.9, voltageV: 237.9 },
      ],
      outputFrequencyHz: 50,
      outputLines: [
        { index: '1', voltageV: 231.2, loadPercent: 23.5 },
        { index: '2', voltageV: 231.3, loadPercent: 32.7 },
        { index: '3', voltageV: 231.2, loadPercent: null },
      ],
      bypassFrequencyHz: 49.9,
      bypassLines: [
        { index: '1', voltageV: 234.6, currentA: null, powerW: null },
        { index: '2', voltageV: 236.2, currentA: null, powerW: null },
        { index: '3', voltageV: 236.4, currentA: null, powerW: null },
      ],
    });
    expect(device.problems).toEqual([notAvailable('xppc-ups/ups', '1.3.6.1.4.1.935.1.1.1.8.3.7.0', "65535 is outside the MIB's range 0..2000")]);
  });

  it('a Socomec UPS with a NetVision card (SOCOMECUPS-MIB), mains lost: tenths of V and Hz, its 65535 runtime and current are not available', async () => {
    const device = await read('mib-ups-socomec-netvision');
    expect(device.profiles).toContain('socomec-netvision');
    expect(device.ups).toMatchObject({
      model: 'ITYS 3000',
      battery: { status: 'normal', secondsOnBattery: 120, minutesRemaining: null, chargePercent: 96, voltageV: 81.2 },
      inputLines: [{ index: '1', voltageV: 0, frequencyHz: 0 }],
      outputSource: null,
      outputFrequencyHz: 50,
      outputLines: [{ index: '1', voltageV: 230.1, currentA: null, loadPercent: 38 }],
      bypassFrequencyHz: 0,
      bypassLines: [{ index: '1', voltageV: 0 }],
    });
    expect(device.problems).toEqual([
      notAvailable('socomec-netvision/ups', '1.3.6.1.4.1.4555.1.1.7.1.2.3.0', '65535 means "not measured"'),
      notAvailable('socomec-netvision/ups', '1.3.6.1.4.1.4555.1.1.7.1.4.4.1.3.1', "65535 is outside the MIB's range 0..65534"),
    ]);
    // Its source says nothing of the mains; two minutes on battery do: monitoring raises the on-battery alarm.
    const { observation } = observeSnmp(device, null, Date.now());
    expect(observation.conditions.map((condition) => condition.key)).toContain('power-source:battery');
  });

  it('a Vertiv ITA2 (its agent objects, 13400.2.54): single phase read as line 1, phases B and C all 0 are no lines; hundredths of Hz, tens of W; a 65535 runtime is none', async () => {
    const device = await read('mib-ups-vertiv-ita2');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Vertiv']);
    expect(device.ups).toMatchObject({
      manufacturer: 'Vertiv',
      model: 'ITA2',
      outputSource: 'normal',
      battery: { minutesRemaining: null, chargePercent: 100, voltageV: 216 },
      inputLines: [{ index: '1', frequencyHz: 49.98, voltageV: 229.8, currentA: 4.1 }],
      outputFrequencyHz: 50.01,
      outputLines: [{ index: '1', voltageV: 230.1, currentA: 3.8, powerW: 820, loadPercent: 13.7 }],
      bypassFrequencyHz: 49.98,
      bypassLines: [{ index: '1', voltageV: 229.7 }],
    });
    // identIndex (2.54.1.3) is a number, not a serial.
    expect(device.identity?.serial).toBeNull();
    expect(device.problems).toEqual([notAvailable('vertiv-ita2-ups/ups', '1.3.6.1.4.1.13400.2.54.2.5.7.0', "65535 is outside the MIB's range 0..65534")]);
  });

  it('an EPPC-MIB card (935.10), on battery: system status battery raises the alarm; tenths read, -1 not available', async () => {
    const device = await read('mib-ups-eppc-on-battery');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Phoenixtec']);
    expect(device.ups).toMatchObject({
      manufacturer: 'OEM Power',
      model: 'YDC9103H',
      firmware: '05616-0600',
      battery: { status: 'normal', minutesRemaining: null, chargePercent: 93, voltageV: 257.1 },
      inputLines: [{ index: '1', frequencyHz: 0, voltageV: 0 }],
      outputSource: 'battery',
      outputFrequencyHz: 50,
      outputLines: [{ index: '1', voltageV: 220.1, currentA: null, loadPercent: 41 }],
    });
    expect(device.identity).toMatchObject({ serial: 'ZZ2400000001' });
    expect(device.sensors).toEqual([{ index: 'System.temperatureC', name: 'System', type: 'temperature', value: 29.6, unit: '°C', status: 'ok' }]);
    expect(device.problems).toHaveLength(2);
    expect(device.problems).toEqual(
      expect.arrayContaining([
        notAvailable('eppc-ups/ups', '1.3.6.1.4.1.935.10.1.1.2.18.1.4.1', '-1 means "not measured"'),
        notAvailable('eppc-ups/ups', '1.3.6.1.4.1.935.10.1.1.3.3.0', '-1 means "not measured"'),
      ]),
    );
    expect(observeSnmp(device, null, Date.now()).observation.conditions.map((condition) => condition.key)).toContain('power-source:battery');
  });

  it('an Eaton card answering XUPS-MIB and MGE: per-phase lines, ambient sensor, MGE environment sensor; out-of-range charge and temperature not available', async () => {
    const device = await read('mib-ups-eaton-5px');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Eaton']);
    expect(device.profiles).toEqual(expect.arrayContaining(['eaton-xups', 'mge-ups']));
    expect(device.ups).toEqual({
      manufacturer: 'EATON',
      model: 'Eaton 5PX 1500',
      firmware: 'INV: 02.14.0026',
      battery: { status: 'normal', secondsOnBattery: null, minutesRemaining: 47, chargePercent: null, voltageV: 54, currentA: 0, temperatureC: null },
      inputLines: [{ index: '1', frequencyHz: null, voltageV: 231, currentA: 2, powerW: 0 }],
      outputSource: 'normal',
      outputFrequencyHz: 50,
      outputLines: [{ index: '1', voltageV: 230, currentA: 2.4, powerW: 412, loadPercent: 31 }],
      bypassFrequencyHz: null,
      bypassLines: [],
      alarmsPresent: 0,
      alarms: [],
    });
    expect(device.sensors).toEqual([{ index: 'Ambient.humidityPercent', name: 'Ambient', type: 'humidity', value: 38, unit: '%RH', status: 'ok' }]);
    expect(device.environment).toEqual({
      temperatures: [{ index: '1', name: 'Rack sensor', celsius: 23.5 }],
      humidities: [{ index: '1', name: 'Rack sensor', percent: 45.2 }],
      ...NO_CONTACTS,
    });
    expect(device.problems).toEqual([
      notAvailable('eaton-xups/ups', '1.3.6.1.4.1.534.1.2.4.0', "101 is outside the MIB's range 0..100"),
      notAvailable('eaton-xups/sensors', '1.3.6.1.4.1.534.1.6.1.0', "250 is outside the MIB's range -100..200"),
      notAvailable('mge-ups/ups', '1.3.6.1.4.1.705.1.5.2.0', "101 is outside the MIB's range 0..100"),
    ]);
  });

  it('the Eaton 9PX (MGE sysObjectID, XUPS answered too): XUPS readings, MGE low-battery status; its unconnected environment sensor (all 0) gives no reading', async () => {
    const device = await read('ups-eaton-9px-partial');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Eaton']);
    expect(device.ups).toEqual({
      manufacturer: null,
      model: 'Eaton 9PX 2200i RT 3U',
      firmware: 'INV: 01.17.4945',
      battery: { status: 'normal', secondsOnBattery: null, minutesRemaining: 286.966667, chargePercent: 100, voltageV: 78, currentA: 0, temperatureC: null },
      inputLines: [{ index: '1', frequencyHz: null, voltageV: 243, currentA: 0, powerW: 0 }],
      outputSource: 'normal',
      outputFrequencyHz: 50,
      outputLines: [{ index: '1', voltageV: 231, currentA: 0, powerW: 50, loadPercent: null }],
      bypassFrequencyHz: 50,
      bypassLines: [{ index: '1', voltageV: 243, currentA: null, powerW: null }],
      alarmsPresent: 0,
      alarms: [],
    });
    expect(device.sensors).toEqual([{ index: 'Ambient.temperatureC', name: 'Ambient', type: 'temperature', value: 24, unit: '°C', status: 'ok' }]);
    expect(device.environment).toEqual({ temperatures: [], humidities: [], ...NO_CONTACTS });
    expect(device.problems).toEqual([]);
  });

  it('the Eaton 93E: UPS-MIB stays first, XUPS and MGE only fill what it left empty', async () => {
    const device = await read('ups-eaton-93e-80');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Eaton']);
    expect(device.profiles.filter((id) => ['ups-mib', 'eaton-xups', 'mge-ups'].includes(id))).toEqual(['ups-mib', 'eaton-xups', 'mge-ups']);
    expect(device.ups?.model).toBe('EATON 93E 80');
    // UPS-MIB's 1092 minutes, not XUPS's 65535 seconds (1092.25 minutes).
    expect(device.ups?.battery).toEqual({ status: 'normal', secondsOnBattery: 0, minutesRemaining: 1092, chargePercent: 100, voltageV: 521, currentA: 0, temperatureC: 25 });
    expect(device.ups?.outputLines.map((line) => line.currentA)).toEqual([27, 18, 15]);
    expect(device.sensors).toEqual([{ index: 'Ambient.temperatureC', name: 'Ambient', type: 'temperature', value: 25, unit: '°C', status: 'ok' }]);
    expect(device.problems).toEqual([]);
  });

  it('a Liebert PEX precision cooling unit (LIEBERT-GP environmental) is cooling by Vertiv, its Celsius temperatures and humidities named by their well-known point', async () => {
    const device = await read('cooling-liebert-pex');
    expect([device.kind, device.vendor]).toEqual(['cooling', 'Vertiv']);
    expect(device.profiles).toContain('liebert-gp');
    // Row 2 (supply air, …3.4.1.1.3) answers no measurement: no reading. The unit's own sensors, not the cabinet's climate: no room limits apply.
    const sensor = (index: string, name: string, type: string, value: number, unit: string) => ({ index, name, type, value, unit, status: 'ok' });
    expect(device.sensors).toEqual([
      sensor('1/temperatureC', 'Control temperature', 'temperature', 23, '°C'),
      sensor('3/temperatureC', 'Return air temperature', 'temperature', 23, '°C'),
      sensor('4/temperatureC', 'Compressor 1 temperature', 'temperature', 29, '°C'),
      sensor('5/temperatureC', 'Compressor 2 temperature', 'temperature', 37, '°C'),
      sensor('1/humidityPercent', 'Control humidity', 'humidity', 42, '%RH'),
      sensor('2/humidityPercent', 'Return air humidity', 'humidity', 42, '%RH'),
      // lgpEnvState: the share of each capacity in use.
      sensor('Cooling capacity.usagePercent', 'Cooling capacity', 'other', 0, '%'),
      sensor('Heating capacity.usagePercent', 'Heating capacity', 'other', 0, '%'),
      sensor('Fan capacity.usagePercent', 'Fan capacity', 'other', 100, '%'),
      sensor('Free cooling capacity.usagePercent', 'Free cooling capacity', 'other', 0, '%'),
      sensor('Dehumidifying capacity.usagePercent', 'Dehumidifying capacity', 'other', 0, '%'),
      sensor('Humidifying capacity.usagePercent', 'Humidifying capacity', 'other', 0, '%'),
    ]);
    expect(device.environment).toBeNull();
    // A 37 °C compressor raises nothing.
    expect(observeSnmp(device, null, Date.now()).observation.conditions).toEqual([]);
    expect(device.ups).toBeNull();
    expect(device.problems).toEqual([]);
  });

  it('a Liebert GXT4 (LIEBERT-GP power and environmental) is a UPS: its 65535 runtime and a not-measured tenths temperature are not available, the whole degrees fill in', async () => {
    const device = await read('mib-ups-vertiv-gxt4');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Vertiv']);
    expect(device.profiles.filter((id) => id.startsWith('liebert'))).toEqual(['liebert-gp-power', 'liebert-gp']);
    expect(device.ups?.battery).toEqual({ status: null, secondsOnBattery: null, minutesRemaining: null, chargePercent: 100, voltageV: null, currentA: null, temperatureC: null });
    // Well-known points the profile does not name stay as their OID.
    expect(device.sensors.map((each) => [each.name, each.value])).toEqual([
      ['1.3.6.1.4.1.476.1.42.3.4.1.1.6 temperature', 24.3],
      ['1.3.6.1.4.1.476.1.42.3.4.1.1.4 temperature', 22],
    ]);
    expect(device.problems).toEqual([
      notAvailable('liebert-gp-power/ups', '1.3.6.1.4.1.476.1.42.3.5.1.18.0', '65535 means "not measured"'),
      notAvailable('liebert-gp/sensors', '1.3.6.1.4.1.476.1.42.3.4.1.3.3.1.50.2', '2147483647 means "not measured"'),
    ]);
  });

  it('an APC InRow RC (PowerNet-MIB airIRRC): rack inlet, supply and return air in °C from the Metric objects; a not-measured cooling output is not available', async () => {
    const device = await read('mib-cooling-apc-inrow-rc');
    expect([device.kind, device.vendor]).toEqual(['cooling', 'APC']);
    expect(device.profiles).toContain('apc-inrow');
    expect(device.sensors).toEqual([
      { index: 'Rack inlet.temperatureC', name: 'Rack inlet', type: 'temperature', value: 23.5, unit: '°C', status: 'ok' },
      { index: 'Supply air.temperatureC', name: 'Supply air', type: 'temperature', value: 18.5, unit: '°C', status: 'ok' },
      { index: 'Return air.temperatureC', name: 'Return air', type: 'temperature', value: 32.1, unit: '°C', status: 'ok' },
    ]);
    expect(device.ups).toBeNull();
    expect(device.problems).toEqual([notAvailable('apc-inrow/sensors', '1.3.6.1.4.1.318.1.1.13.3.2.2.2.2.0', '2147483647 means "not measured"')]);
  });

  it('an APC InRow DX (coolingUnitStatusAnalogTable): each reading in the unit and scale the unit names; °F and psi repeats, run hours, a missing value or scale, a 2147483647, a scale of 0 and 3276.7 °C give none', async () => {
    const device = await read('mib-cooling-apc-inrow-dx');
    expect([device.kind, device.vendor]).toEqual(['cooling', 'APC']);
    expect(device.profiles).toContain('apc-cooling-unit');
    expect(device.sensors.map(({ index, name, type, value, unit }) => ({ index, name, type, value, unit }))).toEqual([
      { index: '1.1', name: 'Supply Temperature', type: 'temperature', value: 19.4, unit: '°C' },
      { index: '1.3', name: 'Airflow', type: 'airflow', value: 2296, unit: 'CFM' },
      { index: '1.4', name: 'Cool Output', type: 'power', value: 10800, unit: 'W' },
      { index: '1.5', name: 'Condenser Fan Speed', type: 'fan', value: 16.3, unit: '%' },
      { index: '1.6', name: 'Fan 1', type: 'fan', value: 3510, unit: 'rpm' },
      { index: '1.7', name: 'Compressor Speed', type: 'frequency', value: 24.8, unit: 'Hz' },
      { index: '1.9', name: 'Air Filter Pressure', type: 'other', value: 12, unit: 'Pa' },
      { index: '1.13', name: 'Humidity', type: 'humidity', value: 41, unit: '%RH' },
    ]);
    expect(device.problems).toEqual([
      notAvailable('apc-cooling-unit/sensors', '1.3.6.1.4.1.318.1.1.27.1.4.1.2.1.3.1.12', '2147483647 means "not measured"'),
      notAvailable('apc-cooling-unit/sensors', '1.3.6.1.4.1.318.1.1.27.1.4.1.2.1.5.1.14', "0 is outside the MIB's range 1..1000000"),
      { section: 'sensors', message: 'Lower Supply Temperature: 3276.7 °C is outside what such a reading can be (-60..150); not available' },
    ]);
  });
});
