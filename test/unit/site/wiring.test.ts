import { describe, expect, it } from 'vitest';
import edge24u from '../../../assets/cabinet-templates/edge-24u.json' with { type: 'json' };
import edge42u from '../../../assets/cabinet-templates/edge-42u.json' with { type: 'json' };
import { parseTemplate, type CabinetView } from '../../../shared/domain/cabinet.js';
import type { Alarm } from '../../../shared/domain/monitoring.js';
import { portKey, powerRunTo, SITE_LINK_DOWN_CONDITION, wiringView, type WireEnd, type WiringAlarm } from '../../../shared/domain/wiring.js';

/** A cabinet as the API returns it, from a shipped model; device ids are the slot ids so expectations read plainly. */
function cabinetFrom(data: unknown): Pick<CabinetView, 'devices' | 'links'> {
  const template = parseTemplate(data, 'test');
  const slots = new Set(template.slots.map((slot) => slot.id));
  return {
    devices: template.slots.map((slot) => ({
      id: slot.id,
      cabinetId: 'c1',
      slotId: slot.id,
      kind: slot.kind,
      name: slot.name.en,
      model: slot.model ?? null,
      u: slot.u,
      heightU: slot.heightU,
      face: slot.face,
      depth: slot.depth,
      protocol: slot.protocol,
      endpoint: null,
      hasCredential: false,
      fingerprint: null,
      status: 'ok',
      observedAt: null,
      error: null,
    })),
    links: template.links.map((link) => ({
      kind: link.kind,
      fromDeviceId: slots.has(link.from.slot) ? link.from.slot : null,
      fromPort: link.from.port,
      toDeviceId: slots.has(link.to.slot) ? link.to.slot : null,
      toPort: link.to.port,
      external: !slots.has(link.from.slot) ? link.from.slot : !slots.has(link.to.slot) ? link.to.slot : null,
    })),
  };
}

let next = 1;
function alarm(deviceId: string | null, condition: string, category: Alarm['category'], extra: Partial<WiringAlarm> = {}): WiringAlarm {
  return { id: next++, deviceId, condition, category, severity: 'minor', rootId: null, symptomCount: 0, firstSeen: '2026-11-25T08:00:00Z', state: 'active', muted: false, ...extra };
}
/** A root and its symptoms as the core links them (rootId, symptomCount). */
function converged(root: WiringAlarm, symptoms: WiringAlarm[]): WiringAlarm[] {
  root.symptomCount = symptoms.length;
  for (const symptom of symptoms) symptom.rootId = root.id;
  return [root, ...symptoms];
}
const text = (ends: readonly WireEnd[]) => ends.map((end) => portKey(end)).join(' → ');

describe('wiring: what to draw', () => {
  it('lays power out as UPS → PDU → loads and network as WAN → switch → devices, every cable once', () => {
    const { power, network } = wiringView(cabinetFrom(edge24u), []);
    const tier = (section: typeof power, key: string) => section.nodes.find((node) => node.key === key)?.tier;
    expect([tier(power, 'ups'), tier(power, 'pdu-a'), tier(power, 'srv1'), tier(power, 'sw1'), tier(power, 'env')]).toEqual([0, 1, 2, 2, 2]);
    expect([tier(network, 'external:wan'), tier(network, 'sw1'), tier(network, 'srv1'), tier(network, 'storage')]).toEqual([0, 1, 2, 2]);
    expect(power.segments).toHaveLength(7);
    expect(network.segments).toHaveLength(4);
    expect(power.nodes.find((node) => node.key === 'pdu-a')!.ports.map((port) => port.id)).toEqual(['in', 'outlet-1', 'outlet-2', 'outlet-3', 'outlet-4', 'outlet-5', 'outlet-6']);
    const wan = network.nodes.find((node) => node.external === 'wan')!;
    expect(wan).toMatchObject({ kind: 'external', slot: 'wan', deviceId: null });
  });

  it('orders the loads after the outlets that feed them, so cables cross as little as they can', () => {
    const { power } = wiringView(cabinetFrom(edge24u), []);
    const loads = power.nodes.filter((node) => node.tier === 2).map((node) => node.key);
    expect(loads).toEqual(['srv1', 'srv2', 'storage', 'sw1', 'cooling', 'env']);
    // Dual-fed in the 42U model: still in PDU A's outlet order, then what only PDU B feeds.
    const tall = wiringView(cabinetFrom(edge42u), []);
    expect(tall.power.nodes.filter((node) => node.tier === 2).map((node) => node.key)).toEqual(['srv1', 'srv2', 'srv3', 'srv4', 'storage', 'sw1', 'env', 'sw2', 'cooling']);
    expect(tall.network.nodes.filter((node) => node.tier === 2).map((node) => node.key)).toEqual(['srv1', 'srv2', 'srv3', 'srv4', 'storage']);
  });

  it('names the whole power run to a server supply, from the UPS', () => {
    const { power } = wiringView(cabinetFrom(edge42u), []);
    const toSrv1 = power.segments.find((segment) => segment.to.node === 'srv3' && segment.to.port.id === 'psu-1')!;
    expect(text(powerRunTo(power, toSrv1))).toBe('ups/out-1 → pdu-a/outlet-3 → srv3/psu-1');
  });

  it('has no focus and nothing highlighted when the site has no alarm', () => {
    const view = wiringView(cabinetFrom(edge24u), []);
    expect(view.focus).toBeNull();
    expect(view.roots).toEqual([]);
    // A cleared or muted alarm is not a problem to trace either.
    const quiet = wiringView(cabinetFrom(edge24u), [alarm('ups', 'power-source:battery', 'power', { state: 'cleared' }), alarm('sw1', 'port:1', 'network', { muted: true })]);
    expect(quiet.focus).toBeNull();
  });
});

describe('wiring: an alarm, its symptoms and the path between them', () => {
  it('UPS on battery: the UPS is the cause, the PDU input and the power supplies it feeds are affected, along the outlets', () => {
    const ups = alarm('ups', 'power-source:battery', 'power', { severity: 'major' });
    const symptoms = [
      alarm('pdu-a', 'input-voltage', 'power'),
      alarm('srv1', 'psu:1U:Bay1', 'power'),
      alarm('srv2', 'psu:1U:Bay1', 'power'),
      alarm('storage', 'psu:1U:Bay1', 'power'),
    ];
    const { focus } = wiringView(cabinetFrom(edge24u), converged(ups, symptoms));
    expect(focus!.root.id).toBe(ups.id);
    expect(focus!.symptoms).toHaveLength(4);
    expect(focus!.nodes.power.get('ups')).toBe('root');
    expect(['pdu-a', 'srv1', 'srv2', 'storage'].map((key) => focus!.nodes.power.get(key))).toEqual(['symptom', 'symptom', 'symptom', 'symptom']);
    expect(focus!.ports.get('pdu-a/in')).toBe('symptom');
    expect(focus!.ports.get('srv1/psu-1')).toBe('symptom');
    expect(focus!.ports.get('pdu-a/outlet-1')).toBe('path');
    expect(focus!.ports.get('ups/out-1')).toBe('path');
    // The switch, cooling and monitor hang off the same PDU but report nothing: not on the path.
    expect(focus!.nodes.power.has('sw1')).toBe(false);
    expect(focus!.ports.has('pdu-a/outlet-4')).toBe(false);
    expect([...focus!.segments].sort()).toEqual([
      'power:pdu-a/outlet-1>srv1/psu-1',
      'power:pdu-a/outlet-2>srv2/psu-1',
      'power:pdu-a/outlet-3>storage/psu-1',
      'power:ups/out-1>pdu-a/in',
    ]);
    const chain = (id: number) => text(focus!.chains.find((each) => each.alarm.id === id)!.ends);
    expect(chain(symptoms[0]!.id)).toBe('ups/out-1 → pdu-a/in');
    expect(chain(symptoms[1]!.id)).toBe('ups/out-1 → pdu-a/outlet-1 → srv1/psu-1');
  });

  it('in the 42U model, a warning on power supply 1 follows PDU A only, not the PDU B feed of the same server', () => {
    const ups = alarm('ups', 'power-source:battery', 'power', { severity: 'major' });
    const psu = alarm('srv1', 'psu:1U:Bay1', 'power');
    const { focus } = wiringView(cabinetFrom(edge42u), converged(ups, [psu]));
    expect([...focus!.segments].sort()).toEqual(['power:pdu-a/outlet-1>srv1/psu-1', 'power:ups/out-1>pdu-a/in']);
    expect(focus!.nodes.power.get('pdu-a')).toBe('path');
    expect(focus!.nodes.power.has('pdu-b')).toBe(false);
  });

  it('a power alarm on a device as a whole lights every feed to it', () => {
    const ups = alarm('ups', 'power-source:battery', 'power', { severity: 'major' });
    const whole = alarm('srv2', 'power:chassis', 'power');
    const { focus } = wiringView(cabinetFrom(edge42u), converged(ups, [whole]));
    expect([...focus!.segments].filter((id) => id.endsWith('srv2/psu-1') || id.endsWith('srv2/psu-2'))).toHaveLength(2);
    expect(focus!.nodes.power.get('srv2')).toBe('symptom');
  });

  it('port down: the switch port is the cause and the NIC at the other end of its cable is affected', () => {
    const port = alarm('sw1', 'port:1', 'network', { severity: 'major' });
    const nic = alarm('srv1', 'nic:1', 'network', { severity: 'major' });
    const { focus } = wiringView(cabinetFrom(edge42u), converged(port, [nic]));
    expect(focus!.ports.get('sw1/port-1')).toBe('root');
    // The switch is the cause in the network drawing; its power cabling is not involved.
    expect(focus!.nodes.network.get('sw1')).toBe('root');
    expect(focus!.nodes.network.get('srv1')).toBe('symptom');
    expect(focus!.nodes.power.has('sw1')).toBe(false);
    expect(focus!.nodes.power.has('srv1')).toBe(false);
    expect(focus!.ports.get('srv1/nic-1')).toBe('symptom');
    expect(focus!.ports.has('srv1/nic-2')).toBe(false);
    expect([...focus!.segments]).toEqual(['network:sw1/port-1>srv1/nic-1']);
    expect(text(focus!.chains[0]!.ends)).toBe('sw1/port-1 → srv1/nic-1');
  });

  it('site link down: the WAN uplink is the cause; cabled devices are reached through the switch, the rest are marked without a path', () => {
    const site = alarm(null, SITE_LINK_DOWN_CONDITION, 'reachability', { severity: 'critical' });
    const srv1 = alarm('srv1', 'unreachable', 'reachability', { severity: 'major' });
    const sw1 = alarm('sw1', 'unreachable', 'reachability', { severity: 'major' });
    const ups = alarm('ups', 'unreachable', 'reachability', { severity: 'major' });
    const { focus, roots } = wiringView(cabinetFrom(edge24u), converged(site, [srv1, sw1, ups]));
    expect(roots.map((each) => each.id)).toEqual([site.id]);
    expect(focus!.nodes.network.get('external:wan')).toBe('root');
    expect(focus!.nodes.network.get('sw1')).toBe('symptom');
    expect(['srv1', 'sw1', 'ups'].map((key) => focus!.nodes.power.get(key))).toEqual(['symptom', 'symptom', 'symptom']);
    expect([...focus!.segments].sort()).toEqual(['network:sw1/port-1>srv1/nic-1', 'network:sw1/port-24>external:wan/uplink']);
    const chain = (id: number) => text(focus!.chains.find((each) => each.alarm.id === id)!.ends);
    expect(chain(srv1.id)).toBe('external:wan/uplink → sw1/port-1 → srv1/nic-1');
    expect(chain(sw1.id)).toBe('external:wan/uplink → sw1/port-24');
    // The UPS is managed over a network the model does not draw: affected, but no cable to show.
    expect(chain(ups.id)).toBe('');
  });

  it('focuses the worst root by default, and the root of a symptom when the symptom is chosen', () => {
    const door = alarm('env', 'door', 'environment', { severity: 'warning' });
    const port = alarm('sw1', 'port:2', 'network', { severity: 'major' });
    const nic = alarm('srv2', 'nic:1', 'network', { severity: 'major' });
    const alarms = [door, ...converged(port, [nic])];
    const cabinet = cabinetFrom(edge24u);
    expect(wiringView(cabinet, alarms).roots.map((each) => each.id)).toEqual([port.id, door.id]);
    expect(wiringView(cabinet, alarms).focus!.root.id).toBe(port.id);
    expect(wiringView(cabinet, alarms, door.id).focus!.root.id).toBe(door.id);
    expect(wiringView(cabinet, alarms, door.id).focus!.nodes.power.get('env')).toBe('root');
    expect(wiringView(cabinet, alarms, nic.id).focus!.root.id).toBe(port.id);
    // An alarm that is gone (cleared since the list was read) falls back to the worst root.
    expect(wiringView(cabinet, alarms, 9999).focus!.root.id).toBe(port.id);
  });

  it('skips cables to a device that is no longer in the cabinet', () => {
    const cabinet = cabinetFrom(edge24u);
    const without = { devices: cabinet.devices.filter((device) => device.id !== 'srv2'), links: cabinet.links };
    const { power } = wiringView(without, []);
    expect(power.segments.some((segment) => segment.to.node === 'srv2')).toBe(false);
    expect(power.nodes.some((node) => node.key === 'srv2')).toBe(false);
  });
});
