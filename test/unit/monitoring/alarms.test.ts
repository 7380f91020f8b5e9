import { createServer, type IncomingMessage } from 'node:http';
import { createSocket } from 'node:dgram';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Condition } from '../../../shared/domain/monitoring.js';
import { signBody } from '../../../main/core/services/alarms/forwarding.js';
import { tempCore } from '../../support/core.js';

const fan: Condition = { key: 'fan:1', category: 'thermal', severity: 'major', message: 'Fan 1 has failed', messageKey: 'fanFailed', params: { fan: 'Fan 1' } };

describe('alarms', () => {
  let clock = Date.parse('2026-11-25T08:00:00Z');
  let env: ReturnType<typeof tempCore>;
  let scope: { siteId: string; deviceId: string };
  const at = () => new Date(clock).toISOString();
  const minutes = (count: number) => (clock += count * 60_000);

  beforeEach(() => {
    clock = Date.parse('2026-11-25T08:00:00Z');
    env = tempCore(() => new Date(clock));
    const { services } = env.core;
    const site = services.sites.create({ name: 'Branch', code: 'B1', latitude: 30, longitude: 120, regionId: null, address: null, contact: null });
    const cabinet = services.cabinets.createForSite(site.id, 'edge-12u');
    scope = { siteId: site.id, deviceId: cabinet.devices.find((device) => device.slotId === 'srv1')!.id };
  });
  afterEach(async () => {
    await env.core.close();
    env.cleanup();
  });

  it('keeps one alarm per source and condition, counting repeats with first and last seen', () => {
    const { alarms } = env.core.services;
    alarms.reconcile(scope, [fan], at());
    minutes(1);
    alarms.reconcile(scope, [fan], at());
    minutes(1);
    alarms.reconcile(scope, [fan], at());
    const [only, ...rest] = alarms.list({}).alarms;
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ count: 3, firstSeen: '2026-11-25T08:00:00.000Z', lastSeen: '2026-11-25T08:02:00.000Z', state: 'active' });
  });

  it('clears when the condition ends, and reopens the same alarm when it comes back soon', () => {
    const { alarms } = env.core.services;
    alarms.reconcile(scope, [fan], at());
    minutes(1);
    alarms.reconcile(scope, [], at());
    expect(alarms.list({}).alarms).toEqual([]);
    minutes(1);
    alarms.reconcile(scope, [fan], at());
    const page = alarms.list({ state: 'all' });
    expect(page.alarms).toHaveLength(1);
    expect(alarms.detail(page.alarms[0]!.id).history.map((entry) => entry.kind)).toEqual(['raised', 'cleared', 'reopened']);
  });

  it('damps a flapping condition: held active while it bounces, cleared once it stays away for five minutes', () => {
    const { alarms } = env.core.services;
    for (let bounce = 0; bounce < 4; bounce += 1) {
      alarms.reconcile(scope, [fan], at());
      minutes(1);
      alarms.reconcile(scope, [], at());
      minutes(1);
    }
    const [flapping] = alarms.list({}).alarms;
    expect(flapping).toMatchObject({ state: 'active', flapping: true });
    minutes(3);
    alarms.reconcile(scope, [], at());
    expect(alarms.get(flapping!.id).state).toBe('active');
    minutes(3);
    alarms.reconcile(scope, [], at());
    expect(alarms.get(flapping!.id)).toMatchObject({ state: 'cleared', flapping: false });
  });

  it('leaves trap-only alarms to expire after half an hour instead of clearing them at the next poll', () => {
    const { alarms } = env.core.services;
    alarms.raise(scope, 'trap', { key: 'trap:coldStart', category: 'health', severity: 'warning', message: 'Device restarted', messageKey: 'coldStart', params: {} }, at());
    alarms.reconcile(scope, [], at());
    expect(alarms.list({}).alarms.map((alarm) => alarm.condition)).toEqual(['trap:coldStart']);
    minutes(31);
    alarms.expireEventAlarms(at());
    expect(alarms.list({}).alarms).toEqual([]);
  });

  it('records comments, assignment and acknowledgement in the history with who did it', () => {
    const { alarms } = env.core.services;
    const id = alarms.raise(scope, 'poll', fan, at());
    alarms.comment(id, 'Spare fan ordered', 'ana');
    alarms.assign(id, 'li.wei', 'ana');
    alarms.acknowledge([id], 'ana');
    expect(alarms.get(id)).toMatchObject({ assignee: 'li.wei', acknowledgedBy: 'ana' });
    expect(alarms.detail(id).history.map((entry) => `${entry.kind}:${entry.actor ?? ''}:${entry.text ?? ''}`)).toEqual([
      'raised::Fan 1 has failed',
      'commented:ana:Spare fan ordered',
      'assigned:ana:li.wei',
      'acknowledged:ana:',
    ]);
    expect(() => alarms.acknowledge([id, 9999], 'ana')).toThrow(/No alarm with id 9999/);
  });

  it('refuses a maintenance window that ends before it starts, or names a device of another site', () => {
    const { alarms } = env.core.services;
    expect(() => alarms.addMaintenance({ siteId: scope.siteId, startsAt: '2026-11-25T10:00:00Z', endsAt: '2026-11-25T09:00:00Z', reason: 'x' }, 'ana')).toThrow(/must end after it starts/);
    expect(() => alarms.addMaintenance({ siteId: scope.siteId, deviceId: 'nope', startsAt: '2026-11-25T08:00:00Z', endsAt: '2026-11-25T09:00:00Z', reason: 'x' }, 'ana')).toThrow(/not in this site/);
  });
});

describe('alarm forwarding', () => {
  let env: ReturnType<typeof tempCore>;
  afterEach(async () => {
    await env.core.close();
    env.cleanup();
  });

  it('posts signed JSON to the webhook, retrying after a server error, and sends RFC 5424 syslog over UDP and TCP', async () => {
    env = tempCore();
    const { services } = env.core;
    const site = services.sites.create({ name: 'Branch "North"', code: 'B2', latitude: 30, longitude: 120, regionId: null, address: null, contact: null });
    const cabinet = services.cabinets.createForSite(site.id, 'edge-12u');
    const ups = cabinet.devices.find((device) => device.slotId === 'ups')!;

    const deliveries: { headers: IncomingMessage['headers']; body: string }[] = [];
    let failures = 1;
    const http = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body });
        res.writeHead(failures-- > 0 ? 503 : 204).end();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const udp = createSocket('udp4');
    const udpLines: string[] = [];
    udp.on('message', (message) => udpLines.push(message.toString('utf8')));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const tcpFrames: string[] = [];
    const tcp = createTcpServer((socket) => {
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString('utf8')));
      socket.on('end', () => tcpFrames.push(data));
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const secret = 'a-secret-of-enough-length';
      services.forwarder.setConfig({
        desktopCritical: true,
        webhook: { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hooks/edgecab`, secret, minSeverity: 'major' },
        syslog: { host: '127.0.0.1', port: (udp.address() as AddressInfo).port, transport: 'udp', minSeverity: 'warning' },
      });
      expect(services.forwarder.publicConfig().webhook?.secret).toMatch(/^•+$/);
      const id = services.alarms.raise({ siteId: site.id, deviceId: ups.id }, 'poll', { key: 'power-source:battery', category: 'power', severity: 'major', message: 'UPS is on battery', messageKey: 'upsOnBatteryTrap', params: {} }, new Date().toISOString());
      services.forwarder.forward([services.alarms.get(id)], []);
      await services.forwarder.settled();

      expect(deliveries).toHaveLength(2);
      const delivered = deliveries[1]!;
      expect(delivered.headers['x-edgecab-delivery-attempt']).toBe('2');
      expect(delivered.headers['x-edgecab-signature']).toBe(signBody(secret, String(delivered.headers['x-edgecab-timestamp']), delivered.body));
      expect(JSON.parse(delivered.body)).toMatchObject({ type: 'alarm.raised', alarm: { id, severity: 'major', siteName: 'Branch "North"', condition: 'power-source:battery' } });
      expect(services.forwarder.stats).toMatchObject({ webhookSent: 1, webhookFailed: 0 });

      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(udpLines).toHaveLength(1);
      expect(udpLines[0]).toMatch(/^<131>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ edgecab \d+ ALARM_RAISED \[edgecab@32473 alarm="\d+" site="Branch \\"North\\"" device="UPS" condition="power-source:battery" severity="major" count="1"\] \uFEFFUPS is on battery$/);

      services.forwarder.setConfig({ desktopCritical: false, webhook: null, syslog: { host: '127.0.0.1', port: (tcp.address() as AddressInfo).port, transport: 'tcp', minSeverity: 'warning' } });
      services.forwarder.forward([], [services.alarms.get(id)]);
      await services.forwarder.settled();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [frame] = tcpFrames;
      const [length, ...rest] = frame!.split(' ');
      expect(Number(length)).toBe(Buffer.byteLength(rest.join(' ')));
      expect(rest.join(' ')).toMatch(/^<133>1 .* ALARM_CLEARED /);
    } finally {
      http.close();
      udp.close();
      tcp.close();
    }
  });
});

describe('offline state', () => {
  it('says the core is offline, with the time of the last good data, when no device answered for three poll intervals', async () => {
    let clock = Date.parse('2026-11-25T08:00:00Z');
    const env = tempCore(() => new Date(clock));
    try {
      const { services } = env.core;
      const site = services.sites.create({ name: 'Branch', code: 'O1', latitude: 30, longitude: 120, regionId: null, address: null, contact: null });
      const cabinet = services.cabinets.createForSite(site.id, 'edge-12u');
      const ups = cabinet.devices.find((device) => device.slotId === 'ups')!;
      // Nothing listens on this port: every poll fails.
      services.devices.connect({ id: ups.id, protocol: 'snmp', host: '127.0.0.1', port: 9, version: '2c', community: 'public' });
      env.core.db.prepare("INSERT INTO device_state (device_id, status, observed_at) VALUES (?, 'ok', '2026-11-25T07:55:00.000Z')").run(ups.id);
      env.core.db
        .prepare("INSERT INTO device_sensors (device_id, key, kind, label, value, unit, state, observed_at) VALUES (?, 'battery-charge', 'charge', 'Battery charge', 100, '%', 'ok', '2026-11-25T07:55:00.000Z')")
        .run(ups.id);
      services.monitor.setPlan({ ...services.monitor.plan(), timeoutSeconds: 1 });
      await env.core.startMonitoring({ trapPort: null, redfishEvents: false });
      await services.monitor.pollSite(site.id);
      expect(services.monitor.status().offline).toBe(false);
      expect(services.monitor.status().failures).toBeGreaterThanOrEqual(1);
      clock += 3 * 60_000;
      expect(services.monitor.status()).toMatchObject({ offline: true, dataAsOf: '2026-11-25T07:55:00.000Z' });
    } finally {
      await env.core.close();
      env.cleanup();
    }
  });
});
