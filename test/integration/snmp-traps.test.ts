import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrapReceiver } from '../../main/core/protocols/snmp/traps.js';
import type { SnmpTrapEvent } from '../../shared/domain/snmp.js';
import { freeUdpPort, V3 } from '../support/snmp-peers.js';

const run = promisify(execFile);
const COMMUNITY = 'edgecab-traps';

describe('trap and inform receiver', () => {
  let receiver: TrapReceiver;
  const events: SnmpTrapEvent[] = [];
  const next = async (predicate: (event: SnmpTrapEvent) => boolean): Promise<SnmpTrapEvent> => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const found = events.find(predicate);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no such trap arrived');
  };
  const target = () => `127.0.0.1:${receiver.port}`;

  beforeAll(async () => {
    receiver = await TrapReceiver.start({
      port: await freeUdpPort(),
      communities: [COMMUNITY],
      users: [{ user: V3.user, authProtocol: 'sha', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey }],
    });
    receiver.on('trap', (event) => events.push(event));
  });
  afterAll(async () => receiver?.close());

  it('decodes a v2c linkDown from snmptrap, with the interface', async () => {
    await run('snmptrap', ['-v', '2c', '-c', COMMUNITY, '-m', '', target(), '', '1.3.6.1.6.3.1.1.5.3',
      '1.3.6.1.2.1.2.2.1.1.7', 'i', '7', '1.3.6.1.2.1.2.2.1.2.7', 's', 'GigabitEthernet0/0/7']);
    const event = await next((each) => each.kind === 'linkDown');
    expect(event).toMatchObject({ version: '2c', securityName: COMMUNITY, ifIndex: '7', detail: 'GigabitEthernet0/0/7 down' });
    expect(event.source.address).toBe('127.0.0.1');
  });

  it('decodes a v3 authPriv UPS on-battery trap', async () => {
    await run('snmptrap', ['-v', '3', '-u', V3.user, '-l', 'authPriv', '-a', 'SHA', '-A', V3.authKey, '-x', 'AES', '-X', V3.privKey,
      '-e', '0x8000000001020304', '-m', '', target(), '', '1.3.6.1.2.1.33.2.1', '1.3.6.1.2.1.33.1.2.2.0', 'i', '12']);
    const event = await next((each) => each.kind === 'upsOnBattery');
    expect(event).toMatchObject({ version: '3', securityName: V3.user });
    expect(event.varbinds).toContainEqual(expect.objectContaining({ oid: '1.3.6.1.2.1.33.1.2.2.0', value: '12' }));
  });

  it('acknowledges an inform (snmpinform returns only when answered)', async () => {
    await run('snmpinform', ['-v', '2c', '-c', COMMUNITY, '-m', '', '-t', '2', '-r', '0', target(), '', '1.3.6.1.6.3.1.1.5.1']);
    await next((each) => each.kind === 'coldStart');
  });

  it('maps UPS alarm and sensor threshold traps, and keeps unknown traps', async () => {
    await run('snmptrap', ['-v', '2c', '-c', COMMUNITY, '-m', '', target(), '', '1.3.6.1.2.1.33.2.3',
      '1.3.6.1.2.1.33.1.6.2.1.2.1', 'o', '1.3.6.1.2.1.33.1.6.3.2']);
    await run('snmptrap', ['-v', '2c', '-c', COMMUNITY, '-m', '', target(), '', '1.3.6.1.4.1.9.9.91.2.0.1',
      '1.3.6.1.4.1.9.9.91.1.1.1.1.4.1001', 'i', '55']);
    await run('snmptrap', ['-v', '2c', '-c', COMMUNITY, '-m', '', target(), '', '1.3.6.1.4.1.99999.0.42', '1.3.6.1.4.1.99999.1', 's', 'custom']);
    expect((await next((each) => each.kind === 'upsAlarmAdded')).detail).toBe('1.3.6.1.2.1.33.1.6.3.2');
    await next((each) => each.kind === 'sensorThreshold');
    const unknown = await next((each) => each.trapOid === '1.3.6.1.4.1.99999.0.42');
    expect(unknown.kind).toBe('unknown');
    expect(unknown.varbinds).toContainEqual(expect.objectContaining({ value: 'custom' }));
  });

  it('counts and refuses a wrong community and garbage datagrams, and keeps working', async () => {
    const before = receiver.stats();
    await run('snmptrap', ['-v', '2c', '-c', 'not-ours', '-m', '', target(), '', '1.3.6.1.6.3.1.1.5.2']);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.send(Buffer.from('this is not BER at all'), receiver.port, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => socket.send(Buffer.alloc(4000, 0x30), receiver.port, '127.0.0.1', () => resolve()));
    socket.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = receiver.stats();
    expect(after.refused).toBeGreaterThan(before.refused);
    expect(after.malformed).toBeGreaterThanOrEqual(before.malformed + 2);
    expect(events.some((event) => event.kind === 'warmStart')).toBe(false);
    await run('snmptrap', ['-v', '2c', '-c', COMMUNITY, '-m', '', target(), '', '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.2', 'i', '2']);
    await next((each) => each.kind === 'linkUp');
  });
});

describe('a trap flood', () => {
  it('is bounded: a burst of 10,000 traps is counted, what the backlog cannot hold is dropped and counted, and the receiver stays up', async () => {
    const receiver = await TrapReceiver.start({ port: await freeUdpPort(), communities: [COMMUNITY], maxBacklog: 10 });
    let delivered = 0;
    receiver.on('trap', () => {
      delivered += 1;
    });
    try {
      // Another process sends the burst, as a flood from the network would arrive.
      const burst = 10_000;
      const script = `
        const snmp = require('net-snmp');
        const session = snmp.createSession('127.0.0.1', '${COMMUNITY}', { trapPort: ${receiver.port}, version: snmp.Version2c });
        let sent = 0;
        for (let i = 0; i < ${burst}; i++) {
          session.trap('1.3.6.1.6.3.1.1.5.3', [{ oid: '1.3.6.1.2.1.2.2.1.1.1', type: snmp.ObjectType.Integer, value: i }], () => {
            if (++sent === ${burst}) session.close();
          });
        }`;
      await run(process.execPath, ['-e', script], { cwd: process.cwd() });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const stats = receiver.stats();
      expect(stats.received).toBeGreaterThan(1000);
      expect(stats.received).toBeLessThanOrEqual(burst);
      expect(stats.dropped).toBeGreaterThan(0);
      expect(stats.delivered + stats.dropped).toBe(stats.received);
      expect(delivered).toBe(stats.delivered);
      await run('snmptrap', ['-v', '2c', '-c', COMMUNITY, '-m', '', `127.0.0.1:${receiver.port}`, '', '1.3.6.1.6.3.1.1.5.1']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.stats().received).toBe(stats.received + 1);
    } finally {
      await receiver.close();
    }
  });
});
