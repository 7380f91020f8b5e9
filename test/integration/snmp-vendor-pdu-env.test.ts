/**
 * PDU and environment-monitor vendors' profiles (Raritan PDU2-MIB, Sentry4,
 * Eaton ePDU, APC NetBotz, APC EMS / universal I/O, AKCP sensorProbe) on
 * recordings written from their MIBs: kind, vendor and the normalized
 * readings exactly, and every "not measured" or out-of-range answer null
 * with a problem naming its OID.
 */
import { describe, expect, it } from 'vitest';
import { notAvailable, servedRecordings } from '../support/served-recordings.js';

const noContacts = { door: 'unknown', smoke: 'unknown', waterLeak: 'unknown', contacts: [] };

describe('PDU and environment vendors, from recordings written from their MIBs', () => {
  const read = servedRecordings();

  it('Raritan PX3 (PDU2-MIB): name, outlets by outlet alone, label when unnamed, switching state; inlet and outlet current, voltage, power and energy from the sensor-type-indexed measurements, each scaled by its own decimal digits', async () => {
    const device = await read('mib-pdu-raritan-px3');
    expect([device.kind, device.vendor]).toEqual(['pdu', 'Raritan']);
    expect(device.profiles).toContain('raritan-pdu2');
    const outlet = (index: string, name: string, state: string, currentA: number | null, powerW: number | null, energyKwh: number | null = null) => ({ index, name, state, currentA, powerW, energyKwh });
    expect(device.pdu).toEqual({
      name: 'PX3 Rack 7 A',
      powerKw: 0.901,
      energyKwh: 1234.567,
      loadState: null,
      phases: [{ index: '1', currentA: 4.12, voltageV: 230, powerKw: 0.901 }],
      outlets: [outlet('1', 'web-01', 'on', 1.2, 270, 456.789), outlet('2', '2', 'on', 0.9, 205), outlet('3', 'db-01', 'off', 0, null), outlet('4', 'spare', 'unknown', null, 0)],
    });
    // External sensors: °C temperature and %RH humidity by their own digits; the °F one, the unavailable probe and the door contact give none.
    expect(device.environment).toEqual({
      temperatures: [{ index: '1', name: 'Rack inlet', celsius: 23.6 }],
      humidities: [{ index: '2', name: 'Rack humidity', percent: 41 }],
      door: 'unknown',
      smoke: 'unknown',
      waterLeak: 'unknown',
      contacts: [],
    });
    expect(device.sensors.map(({ name, type, value, unit }) => ({ name, type, value, unit }))).toEqual([{ name: 'I1 frequency', type: 'frequency', value: 50, unit: 'Hz' }]);
    expect(device.problems).toEqual([
      notAvailable('raritan-pdu2/pdu', '1.3.6.1.4.1.13742.6.4.1.2.1.3.1.4', "13 is not one of the MIB's values"),
      // Outlet 3's power sensor says it is not available: no reading, and nothing implausible to report
      // (outlet 2's power, whose availability is not answered at all, is read: silence proves nothing).
      // Outlet 4's current without its decimal digits could be off by a factor of 1000: not a reading.
      { section: 'raritan-pdu2/pdu', oid: '1.3.6.1.4.1.13742.6.5.4.3.1.4.1.4.1', message: '1.3.6.1.4.1.13742.6.5.4.3.1.4.1.4.1: its decimal digits (1.3.6.1.4.1.13742.6.3.5.4.1.7.1.4.1) were not answered; not available' },
      // External sensor 6 does not say its unit: no reading, and said.
      {
        section: 'raritan-pdu2/environment',
        oid: '1.3.6.1.4.1.13742.6.5.5.3.1.4.1.6',
        message: '1.3.6.1.4.1.13742.6.5.5.3.1.4.1.6: 1.3.6.1.4.1.13742.6.3.6.3.1.16.1.6, which says what it is, was not answered; not read (nor any other row lacking it)',
      },
    ]);
  });

  it('Server Technology PRO2 (Sentry4-MIB): phases, outlets, humidity and water; -1 is not measured', async () => {
    const device = await read('mib-pdu-sentry4-pro2');
    expect([device.kind, device.vendor]).toEqual(['pdu', 'Server Technology']);
    expect(device.pdu).toEqual({
      name: 'PRO2 Rack 7',
      powerKw: null,
      energyKwh: null,
      loadState: null,
      phases: [{ index: '1.1.1', currentA: 4.12, voltageV: 230.1, powerKw: 0.901 }],
      outlets: [
        { index: '1.1.1', name: 'Master_Outlet_1', state: 'on', currentA: 1.2, powerW: 270, energyKwh: 123.456 },
        { index: '1.1.2', name: 'Master_Outlet_2', state: 'off', currentA: 0, powerW: 0, energyKwh: 0 },
        { index: '1.1.3', name: 'Master_Outlet_3', state: 'unknown', currentA: null, powerW: null, energyKwh: null },
      ],
    });
    // Its temperature (231, tenths in the scale st4TempSensorScale chooses) is not read.
    expect(device.environment).toEqual({
      temperatures: [],
      humidities: [{ index: '1.1', name: 'Humid_Sensor_A1', percent: 45 }],
      door: 'unknown',
      smoke: 'unknown',
      waterLeak: 'normal',
      contacts: [{ index: '1.1', name: 'Water_Sensor_A1', kind: 'water', state: 'normal' }],
    });
    const notMeasured = '-1 means "not measured"';
    expect(device.problems).toEqual([
      notAvailable('sentry4/pdu', '1.3.6.1.4.1.1718.4.1.8.3.1.3.1.1.3', notMeasured),
      notAvailable('sentry4/pdu', '1.3.6.1.4.1.1718.4.1.8.3.1.7.1.1.3', notMeasured),
      notAvailable('sentry4/pdu', '1.3.6.1.4.1.1718.4.1.8.3.1.14.1.1.3', notMeasured),
      notAvailable('sentry4/environment', '1.3.6.1.4.1.1718.4.1.10.3.1.1.1.2', notMeasured),
      notAvailable('sentry4/sensors', '1.3.6.1.4.1.1718.4.1.3.3.1.11.1.1', notMeasured),
    ]);
    // The input cord's power and each line's current, named as the PDU names them.
    expect(device.sensors.map(({ name, type, value, unit }) => ({ name, type, value, unit }))).toEqual([
      { name: 'Master_Cord_A power', type: 'power', value: 901, unit: 'W' },
      { name: 'AA:L1 current', type: 'current', value: 4.12, unit: 'A' },
      { name: 'AA:L2 current', type: 'current', value: 3.88, unit: 'A' },
    ]);
  });

  it('Vertiv / Geist rack PDU (VERTIV-V5-MIB): total power and energy, phases, breaker and line currents; 4294967295 is no voltage', async () => {
    const device = await read('mib-pdu-vertiv-geist-v5');
    expect([device.kind, device.vendor]).toEqual(['pdu', 'Geist']);
    expect(device.profiles).toContain('geist-v5-pdu');
    expect(device.pdu).toMatchObject({
      name: 'MN03EDR1 Total',
      powerKw: 4.399,
      energyKwh: 15683.998,
      phases: [
        { index: '1', voltageV: 206.8, currentA: 7.25, powerKw: 1.464 },
        { index: '2', voltageV: 207.9, currentA: 7.28, powerKw: 1.477 },
        { index: '3', voltageV: null, currentA: 7.23, powerKw: 1.458 },
      ],
    });
    expect(device.sensors.map(({ name, type, value, unit }) => ({ name, type, value, unit }))).toEqual([
      { name: 'Circuit 1 - Phase AB current', type: 'current', value: 4.67, unit: 'A' },
      { name: 'Circuit 2 - Phase BC current', type: 'current', value: 4.7, unit: 'A' },
      { name: 'Line A current', type: 'current', value: 12.55, unit: 'A' },
    ]);
    expect(device.problems).toEqual([notAvailable('geist-v5-pdu/pdu', '1.3.6.1.4.1.21239.5.2.3.2.1.4.3', '4294967295 means "not measured"')]);
  });

  it('Server Technology Sentry3 CDU (Sentry3-MIB): each tower infeed as a phase, probe humidity while found; -1 is not measured, a probe not found is not even checked, temperatures (scale per probe) are not read', async () => {
    const device = await read('mib-pdu-sentry3-cw24');
    expect([device.kind, device.vendor]).toEqual(['pdu', 'Server Technology']);
    expect(device.pdu?.phases).toEqual([
      { index: '1.1', currentA: 4.12, voltageV: 209.3, powerKw: null },
      { index: '2.1', currentA: null, voltageV: 206.1, powerKw: null },
    ]);
    expect(device.environment).toMatchObject({ temperatures: [], humidities: [{ index: '1.1', name: 'Temp_Humid_Sensor_A1', percent: 47 }] });
    expect(device.problems).toEqual([notAvailable('sentry3/pdu', '1.3.6.1.4.1.1718.3.2.2.1.7.2.1', '-1 means "not measured"')]);
  });

  it('Eaton ePDU G3 (EATON-EPDU-MIB): total power and energy, input current, outlets, humidity; a negative watts value and a disconnected probe are no readings', async () => {
    const device = await read('mib-pdu-eaton-epdu-g3');
    expect([device.kind, device.vendor]).toEqual(['pdu', 'Eaton']);
    expect(device.pdu).toEqual({
      name: null,
      powerKw: 1.84,
      energyKwh: 5234.567,
      loadState: null,
      phases: [{ index: '0.1.1', currentA: 8, voltageV: null, powerKw: null }],
      outlets: [
        { index: '0.1', name: 'Server A', state: 'on', currentA: 1.5, powerW: 345, energyKwh: 100 },
        { index: '0.2', name: 'Server B', state: 'on', currentA: 2.5, powerW: 575, energyKwh: 2 },
        { index: '0.3', name: 'Spare', state: 'off', currentA: 0, powerW: null, energyKwh: 0 },
      ],
    });
    expect(device.environment).toEqual({ temperatures: [], humidities: [{ index: '0.1', name: 'Humidity 1', percent: 45.2 }], ...noContacts });
    expect(device.problems).toEqual([notAvailable('eaton-epdu/pdu', '1.3.6.1.4.1.534.6.6.7.6.5.1.3.0.3', "-1 is outside the MIB's range 0..2147483647")]);
  });

  it('APC NetBotz 450 (NETBOTZV2-MIB): temperatures and humidity in tenths; a value outside -500..1000 is none', async () => {
    const device = await read('mib-environment-apc-netbotz-450');
    expect([device.kind, device.vendor]).toEqual(['environment', 'APC']);
    expect(device.pdu).toBeNull();
    expect(device.environment).toEqual({
      temperatures: [
        { index: '1', name: 'Rack 7 inlet', celsius: 22.4 },
        { index: '2', name: 'Rack 7 outlet', celsius: 31.8 },
      ],
      humidities: [{ index: '1', name: 'Rack 7 humidity', percent: 41.5 }],
      ...noContacts,
    });
    expect(device.problems).toEqual([notAvailable('apc-netbotz/environment', '1.3.6.1.4.1.5528.100.4.1.1.1.2.3', "1250 is outside the MIB's range -500..1000")]);
  });

  it('APC EMS (PowerNet-MIB): universal I/O temperature and humidity, EMS probe humidity; -1 and 255 are no readings', async () => {
    const device = await read('mib-environment-apc-ems-ap9340');
    expect([device.kind, device.vendor]).toEqual(['environment', 'APC']);
    expect(device.profiles).toEqual(expect.arrayContaining(['apc-ems', 'apc-uio']));
    expect(device.environment).toEqual({
      temperatures: [
        { index: '1.1', name: 'Port 1 Temp 1', celsius: 23 },
        { index: '2.1', name: 'Port 2 Temp/Humidity', celsius: 25 },
      ],
      humidities: [
        { index: '1', name: 'EMS probe 1', percent: 48 },
        { index: '2.1', name: 'Port 2 Temp/Humidity', percent: 41 },
      ],
      ...noContacts,
    });
    expect(device.problems).toEqual(
      expect.arrayContaining([
        notAvailable('apc-uio/environment', '1.3.6.1.4.1.318.1.1.25.1.2.1.6.3.1', '-1 means "not measured"'),
        notAvailable('apc-uio/environment', '1.3.6.1.4.1.318.1.1.25.1.2.1.7.1.1', '-1 means "not measured"'),
        notAvailable('apc-uio/environment', '1.3.6.1.4.1.318.1.1.25.1.2.1.7.3.1', '-1 means "not measured"'),
        notAvailable('apc-ems/environment', '1.3.6.1.4.1.318.1.1.10.3.13.1.1.6.2', "255 is outside the MIB's range 0..100"),
      ]),
    );
    expect(device.problems).toHaveLength(4);
  });

  it("APC NetBotz Rack Monitor 250 (PowerNet-MIB wireless sensors): tenths of °C while the monitor says celsius, humidity where the sensor has one, nothing from an inactive sensor", async () => {
    const device = await read('mib-environment-apc-netbotz-250');
    expect([device.kind, device.vendor]).toEqual(['environment', 'APC']);
    expect(device.environment).toEqual({
      temperatures: [
        { index: '1', name: 'THUM-01-B3-F', celsius: 24.1 },
        { index: '2', name: 'TEMP-02-B5-R', celsius: 30.6 },
      ],
      humidities: [{ index: '1', name: 'THUM-01-B3-F', percent: 44 }],
      ...noContacts,
    });
    expect(device.problems).toEqual([
      notAvailable('apc-ems/environment', '1.3.6.1.4.1.318.1.1.10.5.1.1.1.5.4', '-2147483647 means "not measured"'),
      notAvailable('apc-ems/environment', '1.3.6.1.4.1.318.1.1.10.5.1.1.1.8.2', '-1 means "not measured"'),
      notAvailable('apc-ems/environment', '1.3.6.1.4.1.318.1.1.10.5.1.1.1.8.4', '-1 means "not measured"'),
    ]);
    // The same monitor set to °F: its humidity is still read, no temperature is taken for °C.
    const fahrenheit = await read('mib-environment-apc-netbotz-250-fahrenheit');
    expect(fahrenheit.environment?.temperatures).toEqual([]);
    expect(fahrenheit.environment?.humidities).toEqual([{ index: '1', name: 'THUM-01-B3-F', percent: 44 }]);
  });

  it('AKCP sensorProbe2 (SPAGENT-MIB): humidity, and temperatures of online sensors that say °C; 120 % is none', async () => {
    const device = await read('mib-environment-akcp-sensorprobe2');
    expect([device.kind, device.vendor]).toEqual(['environment', 'AKCP']);
    expect(device.environment).toEqual({
      temperatures: [
        { index: '0', name: 'Temperature Port 1', celsius: 24 },
        { index: '3', name: 'Temperature Port 4', celsius: 23 },
        // Port 5 does not say its unit: no reading. Whole degrees are read, never the Raw tenths (port 6 answers 0 there).
        { index: '5', name: 'Temperature Port 6', celsius: 21 },
      ],
      humidities: [{ index: '0', name: 'Humidity Port 1', percent: 38 }],
      ...noContacts,
    });
    expect(device.problems).toEqual([
      notAvailable('akcp-sensorprobe/environment', '1.3.6.1.4.1.3854.1.2.2.1.17.1.3.1', "120 is outside the MIB's range 0..100"),
      // Port 5 does not say its unit: said once, no reading.
      {
        section: 'akcp-sensorprobe/environment',
        oid: '1.3.6.1.4.1.3854.1.2.2.1.16.1.3.4',
        message: '1.3.6.1.4.1.3854.1.2.2.1.16.1.3.4: 1.3.6.1.4.1.3854.1.2.2.1.16.1.12.4, which says what it is, was not answered; not read (nor any other row lacking it)',
      },
    ]);
  });
});
