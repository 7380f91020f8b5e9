import { describe, expect, it } from 'vitest';
import { correlate, SITE_LINK_DOWN, type ActiveAlarm, type Wire } from '../../../main/core/services/alarms/correlation.js';

const wires: Wire[] = [
  { kind: 'power', fromDeviceId: 'ups', fromPort: 'out-1', toDeviceId: 'pdu', toPort: 'in' },
  { kind: 'power', fromDeviceId: 'pdu', fromPort: 'outlet-1', toDeviceId: 'srv1', toPort: 'psu-1' },
  { kind: 'power', fromDeviceId: 'pdu', fromPort: 'outlet-2', toDeviceId: 'srv2', toPort: 'psu-1' },
  { kind: 'network', fromDeviceId: 'sw', fromPort: 'port-1', toDeviceId: 'srv1', toPort: 'nic-1' },
  { kind: 'network', fromDeviceId: 'sw', fromPort: 'port-2', toDeviceId: 'srv2', toPort: 'nic-1' },
  { kind: 'network', fromDeviceId: 'sw', fromPort: 'port-24', toDeviceId: null, toPort: 'uplink' },
];

let next = 1;
const alarm = (deviceId: string | null, condition: string, category: ActiveAlarm['category'], extra: Partial<ActiveAlarm> = {}): ActiveAlarm => ({
  id: next++,
  deviceId,
  condition,
  category,
  severity: 'major',
  port: null,
  firstSeen: '2026-11-25T00:00:00Z',
  ...extra,
});

describe('alarm correlation along the cabinet wiring', () => {
  it('makes every alarm of a site a symptom of its link-down root', () => {
    const root = alarm(null, SITE_LINK_DOWN, 'reachability', { severity: 'critical' });
    const others = [alarm('srv1', 'unreachable', 'reachability'), alarm('ups', 'unreachable', 'reachability'), alarm('srv2', 'fan:1', 'thermal')];
    const roots = correlate([root, ...others], wires);
    expect(others.map((each) => roots.get(each.id))).toEqual([root.id, root.id, root.id]);
    expect(roots.has(root.id)).toBe(false);
  });

  it('puts power alarms downstream of the UPS under the UPS alarm, at any depth, and leaves other categories alone', () => {
    const ups = alarm('ups', 'power-source:battery', 'power');
    const pdu = alarm('pdu', 'input-voltage', 'power', { severity: 'minor' });
    const psu = alarm('srv1', 'psu:1U:Bay1', 'power', { severity: 'minor' });
    const fan = alarm('srv1', 'fan:1U:Bay1', 'thermal');
    const roots = correlate([psu, fan, pdu, ups], wires);
    expect(roots.get(pdu.id)).toBe(ups.id);
    expect(roots.get(psu.id)).toBe(ups.id);
    expect(roots.has(fan.id)).toBe(false);
    expect(roots.has(ups.id)).toBe(false);
  });

  it('keeps a PDU power alarm as the root for its servers when the UPS is fine', () => {
    const pdu = alarm('pdu', 'load:overload', 'power', { severity: 'critical' });
    const psu = alarm('srv2', 'psu:1U:Bay1', 'power');
    expect(correlate([pdu, psu], wires).get(psu.id)).toBe(pdu.id);
  });

  it('puts a NIC alarm under the alarm of the switch port at the other end of its cable only', () => {
    const port1 = alarm('sw', 'port:1', 'network', { port: 1 });
    const nic1 = alarm('srv1', 'nic:1', 'network', { port: 1 });
    const nic2 = alarm('srv2', 'nic:1', 'network', { port: 1 });
    const roots = correlate([port1, nic1, nic2], wires);
    expect(roots.get(nic1.id)).toBe(port1.id);
    expect(roots.has(nic2.id)).toBe(false);
  });

  it('leaves unrelated alarms standing on their own', () => {
    const a = alarm('srv1', 'temperature:x', 'thermal');
    const b = alarm('env', 'door', 'environment');
    expect(correlate([a, b], wires).size).toBe(0);
  });
});
