import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changePassword,
  createAccount,
  createSubscription,
  deleteSubscription,
  patchWithEtag,
  pushFirmware,
  readEventStream,
  resetManager,
  resetSystem,
  setDns,
  setHostName,
  setNtp,
  verifyLogin,
} from '../../main/core/protocols/redfish/actions.js';
import { RedfishClient } from '../../main/core/protocols/redfish/client.js';
import { readInventory } from '../../main/core/protocols/redfish/inventory.js';
import type { LabBmc } from '../../main/lab/redfish/bmc.js';
import { clientFor, startBmc } from '../support/redfish.js';
import { until } from '../support/until.js';

const SYSTEM = '/redfish/v1/Systems/437XR1138R2';
const MANAGER = '/redfish/v1/Managers/BMC';

describe('Redfish actions against a lab BMC', () => {
  let bmc: LabBmc;
  let client: RedfishClient;
  beforeAll(async () => {
    bmc = await startBmc('dmtf-public-rackmount1', { taskDurationMs: 200 });
    client = clientFor(bmc);
  });
  afterAll(async () => {
    await client?.close();
    await bmc?.stop();
  });

  it('logs in with a session, and deletes it on close', async () => {
    const own = clientFor(bmc);
    await own.get('/redfish/v1/Systems');
    const open = bmc.activeSessions;
    expect(open).toBeGreaterThanOrEqual(1);
    await own.close();
    expect(bmc.activeSessions).toBe(open - 1);
  });

  it('logs in again when the BMC drops the session (401)', async () => {
    await client.get('/redfish/v1/Systems');
    bmc.expireSessions();
    await expect(client.get('/redfish/v1/Managers')).resolves.toMatchObject({ Members: expect.any(Array) });
  });

  it('resets the system with an allowed type, and refuses one the service does not list', async () => {
    await resetSystem(client, SYSTEM, 'ForceOff');
    expect(bmc.resource(SYSTEM)!.PowerState).toBe('Off');
    await resetSystem(client, SYSTEM, 'On');
    expect(bmc.resource(SYSTEM)!.PowerState).toBe('On');
    await expect(resetSystem(client, SYSTEM, 'PowerCycle')).rejects.toMatchObject({ code: 'not_allowed', message: expect.stringContaining('allowed: On, ForceOff') });
  });

  it('resets the manager', async () => {
    await expect(resetManager(client, MANAGER, 'GracefulRestart')).resolves.toBeNull();
    await expect(resetManager(client, MANAGER, 'ForceOff')).rejects.toMatchObject({ code: 'not_allowed' });
  });

  it('sets NTP, DNS and the host name, with If-Match on the ETag', async () => {
    await setNtp(client, MANAGER, ['ntp1.example.cn', 'ntp2.example.cn']);
    await setDns(client, MANAGER, ['10.0.0.53']);
    await setHostName(client, MANAGER, 'branch-07-bmc');
    const inventory = await readInventory(client);
    expect(inventory.managers[0]).toMatchObject({ ntpServers: ['ntp1.example.cn', 'ntp2.example.cn'], ntpEnabled: true, hostName: expect.any(String) });
    expect(inventory.managers[0]!.dnsServers).toContain('10.0.0.53');
    const protocol = bmc.resource(`${MANAGER}/NetworkProtocol`)!;
    expect((protocol.NTP as { NTPServers: string[] }).NTPServers).toEqual(['ntp1.example.cn', 'ntp2.example.cn']);
  });

  it('refuses a PATCH whose ETag is stale (412), so a concurrent change is not overwritten', async () => {
    const uri = `${MANAGER}/NetworkProtocol`;
    const stale = (await client.request('GET', uri)).headers.etag!;
    await patchWithEtag(client, uri, { HostName: 'changed-meanwhile' });
    await expect(client.request('PATCH', uri, { json: { HostName: 'mine' } }, { 'if-match': stale })).rejects.toMatchObject({ code: 'precondition_failed' });
  });

  it('creates an account, changes its password, and proves it by logging in', async () => {
    await createAccount(client, 'edgecab-ops', 'First-Pass-2026!', 'Administrator');
    const base = { url: bmc.url, pinnedFingerprint: bmc.fingerprint, requestTimeoutMs: 3000 };
    expect(await verifyLogin({ ...base, username: 'edgecab-ops', password: 'First-Pass-2026!' })).toBe(true);
    await changePassword(client, 'edgecab-ops', 'Second-Pass-2026!');
    expect(await verifyLogin({ ...base, username: 'edgecab-ops', password: 'Second-Pass-2026!' })).toBe(true);
    expect(await verifyLogin({ ...base, username: 'edgecab-ops', password: 'First-Pass-2026!' })).toBe(false);
  });

  it('creates and deletes an event subscription', async () => {
    const uri = await createSubscription(client, 'https://edgecab.example/events', ['Alert']);
    expect(bmc.resource(uri)).toMatchObject({ Destination: 'https://edgecab.example/events' });
    await deleteSubscription(client, uri);
    expect(bmc.resource(uri)).toBeUndefined();
  });

  it('delivers a server-sent event when the system is reset', async () => {
    const abort = new AbortController();
    const events: string[] = [];
    const reading = readEventStream(client, (event) => {
      events.push(JSON.stringify(event));
      if (events.some((text) => text.includes('ForceRestart'))) abort.abort();
    }, abort.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await resetSystem(client, SYSTEM, 'ForceRestart');
    await reading;
    expect(events.join()).toMatch(/System reset \(ForceRestart\)/);
  });

  it('reads server-sent events framed with CRLF, with a character split across chunks, and names garbage without stopping', async () => {
    const abort = new AbortController();
    const messages: string[] = [];
    const malformed: string[] = [];
    const reading = readEventStream(client, (event) => {
      messages.push(String((event.Events as { Message: string }[])[0]!.Message));
      if (messages.length === 2) abort.abort();
    }, abort.signal, (reason) => malformed.push(reason));
    await until('the stream to open', () => bmc.writeSse(': keep-alive\r\n\r\n') > 0, 5_000, 20);
    const event = (message: string) => JSON.stringify({ Id: message, Events: [{ MessageId: 'Base.1.0.Success', Message: message, MessageSeverity: 'OK' }] });
    bmc.writeSse('data: not json\r\n\r\ndata: [1, 2]\r\n\r\n');
    // "温度" in UTF-8, cut inside its first character between two writes.
    const bytes = Buffer.from(`id: 7\r\ndata: ${event('温度 high')}\r\n\r\n`);
    const cut = bytes.indexOf(Buffer.from('温')) + 1;
    bmc.writeSse(bytes.subarray(0, cut));
    await new Promise((resolve) => setTimeout(resolve, 50));
    bmc.writeSse(bytes.subarray(cut));
    bmc.writeSse(`data: ${event('second')}\n\n`);
    await reading;
    expect(messages).toEqual(['温度 high', 'second']);
    expect(malformed).toEqual(['an event that is not JSON', 'an event that is not a JSON object']);
  });

  it('stops a stream that sends one event past 1 MiB, naming it', async () => {
    const reading = readEventStream(client, () => undefined, AbortSignal.timeout(20_000));
    await until('the stream to open', () => bmc.writeSse(': keep-alive\n\n') > 0, 5_000, 20);
    bmc.writeSse(`data: ${'x'.repeat(1100 * 1024)}`);
    await expect(reading).rejects.toThrow(/an event larger than 1 MiB/);
  });

  it('takes a stream for dead after three heartbeats of silence once it knows the cadence, not after the client\'s limit', async () => {
    const own = clientFor(bmc, { streamIdleMs: 120_000 });
    try {
      const heartbeat = JSON.stringify({ Id: 'hb', Events: [{ MessageId: 'HeartbeatEvent.1.0.RedfishServiceFunctional', Message: 'alive', MessageSeverity: 'OK' }] });
      const passed: unknown[] = [];
      const reading = readEventStream(own, (event) => passed.push(event), AbortSignal.timeout(60_000));
      await until('the stream to open', () => bmc.writeSse(': keep-alive\n\n') > 0, 5_000, 20);
      const started = Date.now();
      for (let beat = 0; beat < 3; beat += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        bmc.writeSse(beat === 1 ? `data: ${heartbeat}\n\n` : ': keep-alive\n\n');
      }
      // Silent from here: the cadence is 1.5 s, so the 5 s floor ends it, long before the client's 120 s.
      await expect(reading).rejects.toThrow(/silent for 5 s .*far more often/);
      expect(Date.now() - started).toBeLessThan(30_000);
      // The heartbeat event only kept the stream alive; it is not passed on as an event.
      expect(passed).toEqual([]);
    } finally {
      await own.close();
    }
  }, 60_000);

  it('pushes firmware with multipart: Immediate applies at once, OnReset only after a reset', async () => {
    const bmcFirmware = '/redfish/v1/UpdateService/FirmwareInventory/BMC';
    const progress: string[] = [];
    const now = await pushFirmware(client, { data: Buffer.from('IMAGE\nVERSION=2.0.1\n'), fileName: 'bmc-2.0.1.bin' }, {
      targets: [bmcFirmware],
      applyTime: 'Immediate',
      onProgress: (task) => progress.push(task.state),
    });
    expect(now?.state).toBe('Completed');
    expect(progress).toContain('Completed');
    expect(bmc.resource(bmcFirmware)!.Version).toBe('2.0.1');

    await pushFirmware(client, { data: Buffer.from('VERSION=2.1.0'), fileName: 'bmc-2.1.0.bin' }, { targets: [bmcFirmware], applyTime: 'OnReset' });
    expect(bmc.resource(bmcFirmware)!.Version).toBe('2.0.1');
    await resetSystem(client, SYSTEM, 'GracefulRestart');
    expect(bmc.resource(bmcFirmware)!.Version).toBe('2.1.0');
  });
});

describe('older BMCs', () => {
  it('fall back to Basic auth without a SessionService, and to SimpleUpdate without multipart push', async () => {
    const { LabBmc } = await import('../../main/lab/redfish/bmc.js');
    const { MOCKUPS_DIR } = await import('../support/redfish.js');
    const bmc = await new LabBmc({ mockupDir: `${MOCKUPS_DIR}/dmtf-public-rackmount1`, sessions: false, modernUpdateService: false, taskDurationMs: 50 }).start();
    const client = clientFor(bmc);
    try {
      await client.get('/redfish/v1/Systems');
      expect(bmc.activeSessions).toBe(0);
      await expect(pushFirmware(client, { data: Buffer.from('x'), fileName: 'x.bin' }, { applyTime: 'Immediate' })).rejects.toMatchObject({
        code: 'not_supported',
        message: expect.stringContaining('SimpleUpdate'),
      });
      const task = await pushFirmware(client, { imageUri: 'https://images.example/bios-3.bin' }, { targets: ['/redfish/v1/UpdateService/FirmwareInventory/BIOS'], applyTime: 'Immediate' });
      expect(task?.state).toBe('Completed');
    } finally {
      await client.close();
      await bmc.stop();
    }
  });

  it('refuse wrong credentials with a clear reason', async () => {
    const bmc = await startBmc('dmtf-public-rackmount1');
    const client = clientFor(bmc, { password: 'wrong' });
    try {
      await expect(client.get('/redfish/v1/Systems')).rejects.toMatchObject({ code: 'auth', message: expect.stringContaining('rejected') });
    } finally {
      await client.close();
      await bmc.stop();
    }
  });
});
