/**
 * Bad input on the Redfish push receiver: a BMC (or anything on the site
 * network) that pushes garbage — not JSON, a JSON array, an event without
 * Events, entries that are not objects, a body past 256 KiB, a body that
 * never ends — is refused with a status and counted as malformed, raises
 * nothing, and holds back no other BMC's push, which is still taken and
 * raises its alarm.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { SubscriptionStore } from '../../main/core/services/monitor/intake/subscription-store.js';
import { tempCore } from '../support/core.js';
import { freeTcpPort } from '../support/ports.js';
import { until } from '../support/until.js';

interface Answer {
  status: number;
  body: string;
}

/** POSTs to the receiver as a BMC does (no certificate check); `body` null sends headers and a first byte, then nothing. */
function post(port: number, path: string, body: string | Buffer | null, headers: Record<string, string> = {}): { answer: Promise<Answer>; abort: () => void } {
  let abort = () => undefined as void;
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    abort = () => req.destroy();
    if (body === null) req.write('{');
    else req.end(body);
  });
  return { answer, abort };
}

const alert = (id: string, message: string) => ({
  '@odata.type': '#Event.v1_7_0.Event',
  Id: id,
  Name: 'Event',
  Events: [{ EventType: 'Alert', EventId: id, MessageId: 'Base.1.0.ResourceStatusChangedCritical', Message: message, MessageSeverity: 'Critical', OriginOfCondition: { '@odata.id': '/redfish/v1/Chassis/1' }, EventTimestamp: new Date().toISOString() }],
});

describe('the Redfish push receiver under bad input', () => {
  let core: Core;
  let cleanup: () => void;
  let port: number;
  const paths: Record<'good' | 'bad', string> = { good: '', bad: '' };
  const devices: Record<'good' | 'bad', string> = { good: '', bad: '' };

  beforeAll(async () => {
    ({ core, cleanup } = tempCore());
    const { warnings } = await core.startMonitoring({ trapPort: null, eventsPort: await freeTcpPort(), redfishEvents: false });
    expect(warnings).toEqual([]);
    port = core.services.monitor.eventsPort!;
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Push branch', code: 'PUSH', latitude: 30, longitude: 120 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    const servers = cabinet.devices.filter((device) => device.protocol === 'redfish');
    const store = new SubscriptionStore(core.db);
    (['good', 'bad'] as const).forEach((which, index) => {
      const device = servers[index]!;
      devices[which] = device.id;
      // Monitored (an address and a credential), so a good event reaches the alarm engine; nothing answers there, which does not matter here.
      core.services.devices.connect({ id: device.id, protocol: 'redfish', url: `https://127.0.0.1:${9 + index}`, username: 'root', password: 'unused-password' });
      const { destination } = store.create(device.id, `https://127.0.0.1:${port}`, new Date().toISOString());
      paths[which] = new URL(destination).pathname;
    });
    core.services.monitor.refreshTargets();
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    cleanup?.();
  });

  const alarmsOf = (deviceId: string) => core.services.alarms.list({ deviceId, state: 'all', includeMuted: true, rootsOnly: false }).alarms;

  it('refuses each malformed push with a status, counts it, raises nothing, and takes a good push meanwhile', async () => {
    const hung = post(port, paths.bad, null, { 'content-length': '100000' });
    const hungEnded = hung.answer.catch(() => undefined);
    const refusals = [
      post(port, paths.bad, 'this is not JSON'),
      post(port, paths.bad, JSON.stringify([alert('x1', 'an array, not an Event')])),
      post(port, paths.bad, JSON.stringify({ Id: 'x2', Name: 'no Events array' })),
      post(port, paths.bad, JSON.stringify({ Id: 'x3', Events: 'not a list' })),
      post(port, paths.bad, Buffer.from([0xff, 0xfe, 0x00, 0x7b])),
      post(port, paths.bad, JSON.stringify({ ...alert('x4', 'padded'), Padding: 'x'.repeat(300 * 1024) })),
      post(port, paths.bad, JSON.stringify({ ...alert('x5', 'padded, length not declared'), Padding: 'x'.repeat(300 * 1024) }), { 'transfer-encoding': 'chunked' }),
    ];
    const settled = await Promise.allSettled(refusals.map((each) => each.answer));
    // Each gets a 400, or (past the bound) the connection cut: never taken.
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') expect(outcome.value.status).toBe(400);
      else expect(String(outcome.reason)).toMatch(/ECONNRESET|socket hang up|EPIPE/);
    }
    // Entries that are not objects: a well-formed Event that says nothing; taken and ignored.
    expect((await post(port, paths.bad, JSON.stringify({ Id: 'x6', Events: [1, null, 'text', []] })).answer).status).toBe(204);

    // A good BMC's push is taken while the hung body is still open, and raises its alarm.
    expect((await post(port, paths.good, JSON.stringify(alert('g1', 'PSU 1 failed'))).answer).status).toBe(204);
    await until('the good push to raise its alarm', () => alarmsOf(devices.good).some((alarm) => alarm.message === 'PSU 1 failed'), 10_000, 100);
    hung.abort();
    await hungEnded;

    const counters = core.services.monitor.status().events.push!;
    expect(counters.accepted).toBe(2);
    expect(counters.malformed).toBeGreaterThanOrEqual(5);
    expect(counters.malformed + counters.accepted).toBeLessThanOrEqual(counters.received);
    expect(alarmsOf(devices.bad).filter((alarm) => alarm.category === 'health')).toEqual([]);
  }, 60_000);
});
