import { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import { TrapReceiver } from '../../main/core/protocols/snmp/traps.js';
import { LabEnvironmentMonitor, LabPdu, LabSwitch, LabUps } from '../../main/lab/snmp/devices.js';
import type { SnmpTrapEvent } from '../../shared/domain/snmp.js';
import { freeUdpPort, V3 } from '../support/snmp-peers.js';

const TRAP_COMMUNITY = 'lab-traps';

describe('lab SNMP devices', () => {
  let receiver: TrapReceiver;
  const traps: SnmpTrapEvent[] = [];
  let labSwitch: LabSwitch;
  let ups: LabUps;
  let pdu: LabPdu;
  let env: LabEnvironmentMonitor;
  const v2c = (port: number) => ({ host: '127.0.0.1', port, version: '2c' as const, community: 'public' });
  const trap = async (kind: SnmpTrapEvent['kind'], from: number): Promise<SnmpTrapEvent> => {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const found = traps.find((event) => event.kind === kind && event.varbinds.length > 0 && from <= traps.indexOf(event));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${kind} trap`);
  };

  beforeAll(async () => {
    receiver = await TrapReceiver.start({ port: await freeUdpPort(), communities: [TRAP_COMMUNITY] });
    receiver.on('trap', (event) => traps.push(event));
    const common = async (name: string) => ({
      name,
      port: await freeUdpPort(),
      seed: 7,
      users: [{ user: V3.user, authProtocol: 'sha256' as const, authKey: V3.authKey, privProtocol: 'aes' as const, privKey: V3.privKey }],
      trapDestinations: [{ host: '127.0.0.1', port: receiver.port, community: TRAP_COMMUNITY }],
    });
    labSwitch = await new LabSwitch({ ...(await common('lab-sw-01')), portCount: 24 }).start();
    ups = await new LabUps(await common('lab-ups-01')).start();
    pdu = await new LabPdu(await common('lab-pdu-01')).start();
    env = await new LabEnvironmentMonitor(await common('lab-env-01')).start();
  });
  afterAll(async () => {
    await Promise.all([labSwitch, ups, pdu, env].map((device) => device?.stop()));
    await receiver?.close();
  });

  it('a switch port goes down: the poll shows it and linkDown arrives', async () => {
    const before = await collectDevice(v2c(labSwitch.port));
    expect(before).toMatchObject({ kind: 'switch', problems: [] });
    expect(before.interfaces).toHaveLength(24);
    expect(before.interfaces[4]).toMatchObject({ operStatus: 'up', speedMbps: 1000, highCapacity: true, name: 'GE0/0/5' });
    const mark = traps.length;
    await labSwitch.setLink(5, false);
    expect((await collectDevice(v2c(labSwitch.port))).interfaces[4]?.operStatus).toBe('down');
    const event = await trap('linkDown', mark);
    expect(event).toMatchObject({ ifIndex: '5', detail: 'GigabitEthernet0/0/5 down' });
    await labSwitch.setLink(5, true);
    await trap('linkUp', mark);
  });

  it('a device read as what it was recognized as: the same reading, without probing for every other vendor\'s MIB; recognized afresh when its sysObjectID changes', async () => {
    const target = v2c(ups.port);
    const told: { objectId: string | null; profiles: string[] }[] = [];
    const full = await collectDevice(target, { onRecognized: (value) => told.push(value) });
    expect(full.profiles).toContain('ups-mib');
    expect(told).toEqual([{ objectId: full.system.objectId, profiles: full.profiles }]);
    let datagrams = 0;
    const send = Socket.prototype.send;
    Socket.prototype.send = function (this: Socket, ...args: Parameters<Socket['send']>) {
      datagrams += 1;
      return send.apply(this, args);
    } as Socket['send'];
    let known: Awaited<ReturnType<typeof collectDevice>>;
    let probed: number;
    try {
      datagrams = 0;
      await collectDevice(target);
      probed = datagrams;
      datagrams = 0;
      known = await collectDevice(target, { recognized: { objectId: full.system.objectId, profiles: full.profiles } });
    } finally {
      Socket.prototype.send = send;
    }
    expect(datagrams).toBeLessThan(probed / 2);
    expect(known.kind).toBe(full.kind);
    expect(known.vendor).toBe(full.vendor);
    expect(known.profiles).toEqual(full.profiles);
    expect(known.ups?.outputSource).toBe(full.ups?.outputSource);
    // What it was recognized as is what is read: a profile left out is not probed for.
    const without = await collectDevice(target, { recognized: { objectId: full.system.objectId, profiles: full.profiles.filter((id) => id !== 'ups-mib') } });
    expect(without.ups).toBeNull();
    // Another sysObjectID than the one recognized: the device was replaced, and is recognized again.
    const replaced = await collectDevice(target, { recognized: { objectId: '1.3.6.1.4.1.9.1.1', profiles: ['standard-mib2'] } });
    expect(replaced.profiles).toEqual(full.profiles);
    expect(replaced.ups).not.toBeNull();
  });

  it('traffic counters move between polls', async () => {
    const first = await collectDevice(v2c(labSwitch.port));
    labSwitch.tick(10);
    const second = await collectDevice(v2c(labSwitch.port));
    expect(BigInt(second.interfaces[0]!.inOctets!)).toBeGreaterThan(BigInt(first.interfaces[0]!.inOctets!));
  });

  it('the UPS goes on battery: source, alarm row and traps; and back', async () => {
    expect((await collectDevice(v2c(ups.port))).ups).toMatchObject({ outputSource: 'normal', alarmsPresent: 0, alarms: [] });
    const mark = traps.length;
    await ups.setOnBattery(true);
    ups.tick(60);
    const onBattery = (await collectDevice(v2c(ups.port))).ups;
    expect(onBattery).toMatchObject({ outputSource: 'battery', alarmsPresent: 1, alarms: [{ condition: 'onBattery' }] });
    expect(onBattery?.battery.secondsOnBattery).toBe(60);
    expect(onBattery?.battery.chargePercent).toBeLessThan(100);
    await trap('upsOnBattery', mark);
    expect((await trap('upsAlarmAdded', mark)).detail).toBe('1.3.6.1.2.1.33.1.6.3.2');
    await ups.setOnBattery(false);
    await trap('upsAlarmRemoved', mark);
    expect((await collectDevice(v2c(ups.port))).ups).toMatchObject({ outputSource: 'normal', alarms: [] });
  });

  it('the UPS carries the load it is given: output power and load follow it, input power with its losses, none on battery', async () => {
    ups.setLoad(2000);
    let read = (await collectDevice(v2c(ups.port))).ups!;
    expect(read.outputLines[0]).toMatchObject({ powerW: 2000, loadPercent: 20, currentA: 9.1 });
    expect(read.inputLines[0]).toMatchObject({ powerW: 2128 });
    await ups.setOnBattery(true);
    read = (await collectDevice(v2c(ups.port))).ups!;
    expect(read.inputLines[0]).toMatchObject({ powerW: 0, voltageV: 0 });
    expect(read.outputLines[0]!.powerW).toBe(2000);
    await ups.setOnBattery(false);
    ups.setLoad(1650);
  });

  it('a PDU outlet is switched off', async () => {
    const before = (await collectDevice(v2c(pdu.port))).pdu;
    expect(before?.outlets).toHaveLength(8);
    expect(before?.outlets[2]?.state).toBe('on');
    pdu.setOutlet(3, false);
    const after = (await collectDevice(v2c(pdu.port))).pdu;
    expect(after?.outlets[2]).toMatchObject({ state: 'off', powerW: 0 });
    expect(after!.powerKw!).toBeLessThan(before!.powerKw!);
  });

  it('the cabinet door opens and water is detected', async () => {
    const before = await collectDevice(v2c(env.port));
    expect(before.environment).toMatchObject({ door: 'normal', smoke: 'normal', waterLeak: 'normal' });
    expect(before.environment?.temperatures[0]?.celsius).toBeCloseTo(24, 0);
    const mark = traps.length;
    await env.setContact('door', true);
    await env.setContact('water', true);
    env.setTemperature(41.5);
    const after = (await collectDevice(v2c(env.port))).environment;
    expect(after).toMatchObject({ door: 'alarm', smoke: 'normal', waterLeak: 'alarm' });
    expect(after?.temperatures[0]?.celsius).toBe(41.5);
    expect((await trap('sensorThreshold', mark)).varbinds).toContainEqual(expect.objectContaining({ value: 'Cabinet door' }));
  });

  it('a forced out-of-range temperature stays until set back, however the lab drifts in between (the flake of monitoring-lab)', async () => {
    env.setTemperature(-300);
    env.tick(5);
    env.tick(5);
    expect((await collectDevice(v2c(env.port))).environment?.temperatures[0]?.celsius).toBe(-300);
    env.setTemperature(46);
    env.tick(5);
    expect((await collectDevice(v2c(env.port))).environment?.temperatures[0]?.celsius).toBe(46);
    env.setTemperature(24);
    env.tick(5);
    const drifted = (await collectDevice(v2c(env.port))).environment?.temperatures[0]?.celsius;
    expect(drifted).toBeGreaterThanOrEqual(23);
    expect(drifted).toBeLessThanOrEqual(25);
  });

  it('answers SNMPv3 authPriv', async () => {
    const device = await collectDevice({
      host: '127.0.0.1',
      port: ups.port,
      version: '3',
      v3: { user: V3.user, authProtocol: 'sha256', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey },
    });
    expect(device.kind).toBe('ups');
  });
});
