/**
 * Recordings of real devices EdgeCab had no profile written against,
 * served by snmpsim: kind and vendor from several signals (a MIB that
 * answers, the enterprise number and product tree of sysObjectID, what the
 * device says of its maker and of itself), and never a "not measured"
 * marker or a value outside its MIB range reported as a reading.
 */
import { describe, expect, it } from 'vitest';
import { observeSnmp } from '../../main/core/services/monitor/observe.js';
import { servedRecordings } from '../support/served-recordings.js';

describe('devices EdgeCab was not written against, from recordings', () => {
  const read = servedRecordings();

  it.each([
    ['ups-huawei-ups5000-gse200m', 'ups', 'Huawei'],
    ['ups-east-istars', 'ups', 'EAST'],
    ['ups-phoenixtec', 'ups', 'Phoenixtec'],
    ['ups-eaton-9px-partial', 'ups', 'Eaton'],
    ['ups-emerson-network-power', 'ups', 'Emerson Network Power'],
    ['pdu-apc-ap7902b', 'pdu', 'APC'],
    ['pdu-apc-ap8932', 'pdu', 'APC'],
    ['switch-h3c-e528', 'switch', 'H3C'],
    // Recognized by their product tree under the enterprise number alone.
    ['mib-environment-rittal-cmc-tc', 'environment', 'Rittal'],
    ['mib-ups-socomec-netvision', 'ups', 'Socomec'],
    // A Liebert UPS system card answering only the power branch's measurement points, and the environmental group too, is a UPS.
    ['mib-ups-liebert-load-bus', 'ups', 'Vertiv'],
    // UPS-MIB without its (optional) identity group is still a UPS.
    ['mib-ups-upsmib-without-ident', 'ups', 'Delta'],
    // The five of ../shared/snmp-recordings, the profiles' first recordings.
    ['ups-eaton-93e-80', 'ups', 'Eaton'],
    ['pdu-apc-ap8641', 'pdu', 'APC'],
    ['switch-huawei-s5720-36c-ei', 'switch', 'Huawei'],
    ['switch-cisco-c3750', 'switch', 'Cisco'],
    ['env-geist-wd15', 'environment', 'Geist'],
  ])('%s is a %s made by %s', async (community, kind, vendor) => {
    const device = await read(community);
    expect([device.kind, device.vendor]).toEqual([kind, vendor]);
    expect(device.problems.filter((problem) => problem.section === 'recognition')).toEqual([]);
  });

  it('the Huawei UPS card: its -1 for charge, runtime and temperature are not available, each with its OID and why; what it measures is read exactly', async () => {
    const device = await read('ups-huawei-ups5000-gse200m');
    expect(device.ups!.battery).toEqual({ status: 'normal', secondsOnBattery: 0, minutesRemaining: null, chargePercent: null, voltageV: 538.5, currentA: 0, temperatureC: null });
    expect(device.ups!.manufacturer).toBe('HUAWEI');
    // This card sends frequencies in hundredths and the bypass voltage in tenths, against the MIB's tenths and whole volts:
    // 499.9 Hz and 2358 V are refused, each with its reason, while the bypass line's current and power are read.
    expect([device.ups!.outputFrequencyHz, device.ups!.inputLines[0]!.frequencyHz, device.ups!.bypassFrequencyHz]).toEqual([null, null, null]);
    expect(device.ups!.bypassLines).toEqual([{ index: '1', voltageV: null, currentA: 0, powerW: 34 }]);
    expect(device.problems).toEqual(
      expect.arrayContaining([
        { section: 'ups-mib/ups', oid: '1.3.6.1.2.1.33.1.4.2.0', message: "1.3.6.1.2.1.33.1.4.2.0: 4999 is outside the MIB's range 0..1000; not available" },
        { section: 'ups-mib/ups', oid: '1.3.6.1.2.1.33.1.5.1.0', message: "1.3.6.1.2.1.33.1.5.1.0: 4997 is outside the MIB's range 0..1000; not available" },
        { section: 'ups-mib/ups', oid: '1.3.6.1.2.1.33.1.5.3.1.2.1', message: "1.3.6.1.2.1.33.1.5.3.1.2.1: 2358 is outside the MIB's range 0..1000; not available" },
      ]),
    );
    expect(device.problems).toEqual(
      expect.arrayContaining([
        { section: 'ups-mib/ups', oid: '1.3.6.1.2.1.33.1.2.3.0', message: "1.3.6.1.2.1.33.1.2.3.0: -1 is outside the MIB's range 0..2147483647; not available" },
        { section: 'ups-mib/ups', oid: '1.3.6.1.2.1.33.1.2.4.0', message: "1.3.6.1.2.1.33.1.2.4.0: -1 is outside the MIB's range 0..100; not available" },
        { section: 'ups-mib/ups', oid: '1.3.6.1.2.1.33.1.2.7.0', message: '1.3.6.1.2.1.33.1.2.7.0: -1 means "not measured"; not available' },
      ]),
    );
    // Monitoring shows them as not read, and nothing about them is an alarm.
    const { observation } = observeSnmp(device, null, Date.now());
    const readings = Object.fromEntries(observation.sensors.map((sensor) => [sensor.key, sensor.value]));
    expect(readings).toMatchObject({ 'battery-charge': null, 'battery-runtime': null, 'battery-temperature': null });
    expect(observation.conditions).toEqual([]);
  });

  it("switches' CPU, memory and temperature per board from their vendor's entity tables, named by ENTITY-MIB; boards that measure nothing give none", async () => {
    const huawei = await read('switch-huawei-s5720-36c-ei');
    expect(huawei.sensors.filter((sensor) => sensor.index.includes('/')).map(({ name, value, unit, type }) => ({ name, value, unit, type }))).toEqual([
      { name: 'MPU Board 0 temperature', value: 42, unit: '°C', type: 'temperature' },
      { name: 'MPU Board 0 CPU', value: 38, unit: '%', type: 'other' },
      { name: 'MPU Board 0 memory', value: 7, unit: '%', type: 'other' },
    ]);
    const h3c = await read('switch-h3c-e528');
    const boards = h3c.sensors.filter((sensor) => sensor.index.includes('/'));
    expect(boards.filter((sensor) => sensor.type === 'temperature').map((sensor) => sensor.value)).toEqual([40, 40]);
    expect(boards.find((sensor) => sensor.name?.endsWith('memory'))?.value).toBe(55);
    // The recording varies this CPU figure on each read (an snmpsim variation): any reading is within the MIB's range.
    const cpu = boards.find((sensor) => sensor.name?.endsWith('CPU'))!.value!;
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThanOrEqual(100);
  });

  it("a Cisco switch's fans and power supplies by their state (CISCO-ENVMON-MIB), named as the switch names them", async () => {
    const cisco = await read('switch-cisco-c3750');
    // CISCO-ENVMON's state rows (its CISCO-ENTITY-SENSOR readings and CPU: test/integration/snmp-vendor-switches.test.ts).
    const states = cisco.sensors.filter((sensor) => sensor.index.endsWith('Status'));
    expect(states.map(({ name, type, value, status }) => ({ name, type, value, status }))).toEqual([
      { name: 'Switch#1, Fan#1', type: 'fan', value: null, status: 'ok' },
      { name: 'Sw1, PS1 Normal, RPS NotExist', type: 'power', value: null, status: 'ok' },
    ]);
  });

  it('a cooling unit that answers only its vendor MIB (LIEBERT-GP environmental, generic sysObjectID) is recognized by that MIB', async () => {
    const device = await read('cooling-liebert-pex');
    expect([device.kind, device.vendor]).toEqual(['cooling', 'Vertiv']);
    expect(device.problems.filter((problem) => problem.section === 'recognition')).toEqual([]);
  });

  it('a UPS answering UPS-MIB without upsIdent is read as one; a Geist PDU under the Watchdog product tree is no environment monitor', async () => {
    const ups = await read('mib-ups-upsmib-without-ident');
    expect(ups.ups).toMatchObject({ manufacturer: null, outputSource: 'normal', battery: { status: 'normal', minutesRemaining: 38, chargePercent: 87, voltageV: 271.2 } });
    expect(ups.ups!.inputLines).toEqual([{ index: '1', frequencyHz: 50, voltageV: 228, currentA: null, powerW: null }]);
    // 2300 for 230.0 V is tenths, against the MIB: not a reading.
    expect(ups.ups!.outputLines).toEqual([{ index: '1', voltageV: null, currentA: null, powerW: null, loadPercent: 31 }]);
    expect(ups.problems).toContainEqual({ section: 'ups-mib/ups', oid: '1.3.6.1.2.1.33.1.4.4.1.2.1', message: "1.3.6.1.2.1.33.1.4.4.1.2.1: 2300 is outside the MIB's range 0..1000; not available" });
    const pdu = await read('mib-pdu-geist-without-v4');
    expect([pdu.kind, pdu.vendor, pdu.environment]).toEqual(['unknown', 'Geist', null]);
    expect(pdu.profiles).not.toContain('geist-v4');
  });

  it.each([
    // ENTITY-MIB gives the switch's software and serial; its walk has no model name (the model is only in sysDescr).
    ['switch-huawei-s5720-36c-ei', { model: null, serial: '210235956210F7000410', firmware: 'Version 5.160 V200R007C00SPC500', sources: { model: null, serial: 'entity', firmware: 'entity' } }],
    ['mib-ups-apc-smartups', { model: 'Smart-UPS 1500', serial: 'AS1903123456', firmware: 'UPS 09.3 (ID18)', sources: { model: 'ups', serial: 'vendor', firmware: 'ups' } }],
    ['mib-pdu-raritan-px3', { model: 'PX3-5190R', serial: 'PX3A123456', firmware: null, sources: { model: 'vendor', serial: 'vendor', firmware: null } }],
    ['ups-eaton-93e-80', { model: 'EATON 93E 80', serial: null, firmware: 'INV: 2.08.0011', sources: { model: 'vendor', serial: null, firmware: 'vendor' } }],
  ])('%s: model, serial and firmware, each with where it came from', async (community, identity) => {
    const device = await read(community);
    expect(device.identity).toEqual(identity);
  });

  it('a Megatec NetAgent card (XPPC-MIB only): battery, single-phase input and output in tenths, on battery; its 254 °C is not available; where UPS-MIB answers too, UPS-MIB stays', async () => {
    const device = await read('mib-ups-xppc-netagent');
    expect([device.kind, device.vendor]).toEqual(['ups', 'Phoenixtec']);
    expect(device.ups).toMatchObject({
      model: 'KR1000',
      outputSource: 'battery',
      outputFrequencyHz: 50,
      battery: { status: 'normal', chargePercent: 96, temperatureC: null, voltageV: null },
      inputLines: [{ index: '1', voltageV: 231.8, frequencyHz: 49.9, currentA: null, powerW: null }],
      outputLines: [{ index: '1', voltageV: 220.1, loadPercent: 23, currentA: null, powerW: null }],
    });
    expect(device.problems).toEqual([{ section: 'xppc-ups/ups', oid: '1.3.6.1.4.1.935.1.1.1.2.2.3.0', message: "1.3.6.1.4.1.935.1.1.1.2.2.3.0: 2540 is outside the MIB's range -400..1500; not available" }]);
    // On battery raises the monitor's alarm, as for UPS-MIB.
    expect(observeSnmp(device, null, Date.now()).observation.conditions.map((condition) => condition.key)).toContain('power-source:battery');
    // The Phoenixtec walk answers both: XPPC's single line is UPS-MIB's line 1, not a fourth line.
    const both = await read('ups-phoenixtec');
    expect(both.profiles).toEqual(expect.arrayContaining(['ups-mib', 'xppc-ups']));
    expect(both.ups!.inputLines.map((line) => line.index)).toEqual(['1', '2', '3']);
    expect(both.ups!.outputLines.map((line) => line.index)).toEqual(['1', '2', '3']);
  });
});
