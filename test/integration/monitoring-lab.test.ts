/**
 * Monitoring against one lab cabinet (edge-24u: two lab BMCs and a lab
 * storage BMC over Redfish; switch, UPS, PDU and environment monitor over
 * SNMP), driven poll by poll: each fault must give exactly the alarms a
 * regional admin should see, with the right roots and symptoms, and clear.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../../shared/domain/monitoring.js';
import { loadTemplates } from '../../main/core/services/cabinets/templates.js';
import { registerFleet } from '../../main/lab/controller.js';
import { LabFleet, type FleetSite } from '../../main/lab/fleet.js';
import { LabEnvironmentMonitor } from '../../main/lab/snmp/devices.js';
import { tempCore } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const template = loadTemplates().get('edge-24u')!;

describe('monitoring a lab cabinet', () => {
  let fleet: LabFleet;
  let site: FleetSite;
  let siteId: string;
  let env: ReturnType<typeof tempCore>;
  const devices = new Map<string, string>();

  const services = () => env.core.services;
  const poll = () => services().monitor.pollSite(siteId);
  const alarms = (rootsOnly = true): Alarm[] => services().alarms.list({ rootsOnly, siteId }).alarms;
  const describeAlarm = (alarm: Alarm) => `${alarm.deviceName ?? 'site'}:${alarm.condition}`;
  const slotOf = (deviceId: string | null) => [...devices].find(([, id]) => id === deviceId)?.[0] ?? 'site';

  beforeAll(async () => {
    fleet = await LabFleet.start({ sites: 1, seed: 3, template, mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), addressBase: 110 });
    site = fleet.sites[0]!;
    env = tempCore();
    const ids = registerFleet(env.core.services, fleet, template.id);
    siteId = ids.get(site.code)!;
    for (const device of services().cabinets.viewForSite(siteId)!.devices) if (device.slotId) devices.set(device.slotId, device.id);
    // Short timeouts: an unreachable device answers nothing, and the test should not wait the default 10 s for it.
    services().monitor.setPlan({ ...services().monitor.plan(), timeoutSeconds: 2 });
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await env?.core.close();
    env?.cleanup();
  });

  beforeEach(async () => {
    for (const fault of [...site.faults]) await fleet.fault(site, fault, false);
  });

  it('reads every connected device on a healthy cabinet: states, sensors with their time, metric samples, and no alarm', async () => {
    await poll();
    // Samples are kept per second: the second poll must fall in another second, as on any real plan.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await poll();
    expect(alarms()).toEqual([]);
    const view = services().cabinets.viewForSite(siteId)!;
    const polled = view.devices.filter((device) => device.protocol !== 'none' && device.hasCredential);
    expect(polled.map((device) => device.slotId).sort()).toEqual(['env', 'pdu-a', 'srv1', 'srv2', 'storage', 'sw1', 'ups']);
    expect(polled.every((device) => device.status === 'ok')).toBe(true);
    const ups = services().monitor.deviceState(devices.get('ups')!);
    expect(ups.sensors.find((sensor) => sensor.key === 'battery-charge')).toMatchObject({ value: 100, unit: '%', state: 'ok', invalidReason: null });
    expect(Date.parse(ups.sensors[0]!.observedAt)).toBeGreaterThan(Date.now() - 60_000);
    const server = services().monitor.deviceState(devices.get('srv1')!);
    expect(server.sensors.some((sensor) => sensor.kind === 'fan' && sensor.state === 'ok')).toBe(true);
    expect(server.series.find((series) => series.key === 'power-1U')?.points.length).toBe(2);
    // Two polls of the switch give a traffic rate from its octet counters.
    const sw = services().monitor.deviceState(devices.get('sw1')!);
    expect(sw.sensors.find((sensor) => sensor.key === 'traffic-in')?.state).toBe('ok');
    expect(services().map.one(siteId)?.[6]).toBe('ok');
  }, 60_000);

  it('takes the whole site away: one root alarm for the site, every device unreachable under it; clears when it comes back', async () => {
    await fleet.fault(site, 'link-down', true);
    await poll();
    const shown = alarms();
    expect(shown.map(describeAlarm)).toEqual(['site:site:link-down']);
    expect(shown[0]).toMatchObject({ severity: 'critical', category: 'reachability', symptomCount: 7 });
    const detail = services().alarms.detail(shown[0]!.id);
    expect(detail.symptoms.map((symptom) => `${slotOf(symptom.deviceId)}:${symptom.condition}`).sort()).toEqual(
      ['env', 'pdu-a', 'srv1', 'srv2', 'storage', 'sw1', 'ups'].map((slot) => `${slot}:unreachable`),
    );
    const page = services().alarms.list({ siteId });
    expect(page.shown).toBe(1);
    expect(page.convergenceRatio).toBeGreaterThanOrEqual(8);
    expect(services().map.one(siteId)?.[6]).toBe('unreachable');

    await fleet.fault(site, 'link-down', false);
    await poll();
    expect(alarms()).toEqual([]);
    expect(services().alarms.get(shown[0]!.id).state).toBe('cleared');
    expect(services().alarms.detail(shown[0]!.id).history.map((entry) => entry.kind)).toEqual(['raised', 'cleared']);
  }, 60_000);

  it('puts the UPS on battery: the UPS alarm is the root, the PDU input and the servers\' power supplies are its symptoms', async () => {
    await fleet.fault(site, 'ups-on-battery', true);
    await poll();
    const shown = alarms();
    expect(shown.map((alarm) => `${slotOf(alarm.deviceId)}:${alarm.condition}`)).toEqual(['ups:power-source:battery']);
    expect(shown[0]).toMatchObject({ severity: 'major', category: 'power' });
    const symptoms = services().alarms.detail(shown[0]!.id).symptoms.map((symptom) => `${slotOf(symptom.deviceId)}:${symptom.condition}`).sort();
    expect(symptoms).toEqual(['pdu-a:input-voltage', 'srv1:psu:1U:Bay1', 'srv2:psu:1U:Bay1', 'storage:psu:1U:Bay1']);

    await fleet.fault(site, 'ups-on-battery', false);
    await poll();
    expect(alarms(false)).toEqual([]);
  }, 60_000);

  it('fails a server fan: one major alarm on that server, nothing else', async () => {
    await fleet.fault(site, 'fan-failed', true);
    await poll();
    const shown = alarms(false);
    expect(shown.map((alarm) => `${slotOf(alarm.deviceId)}:${alarm.condition}`)).toEqual(['srv1:fan:1U:Bay1']);
    expect(shown[0]).toMatchObject({ severity: 'major', category: 'thermal', rootId: null });
    expect(services().cabinets.device(devices.get('srv1')!).status).toBe('critical');

    await fleet.fault(site, 'fan-failed', false);
    await poll();
    expect(alarms(false)).toEqual([]);
    expect(services().cabinets.device(devices.get('srv1')!).status).toBe('ok');
  }, 60_000);

  it('raises an alarm from a BMC\'s Redfish event at once, and files it under the fan alarm the next poll confirms', async () => {
    services().monitor.refreshTargets();
    services().monitor.startEventStreams();
    // Give the SSE streams a moment to open before the BMC speaks.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await fleet.fault(site, 'fan-failed', true);
    let fromEvent: Alarm | undefined;
    for (let attempt = 0; attempt < 50 && !fromEvent; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      services().monitor.flush();
      fromEvent = alarms(false).find((alarm) => alarm.origin === 'redfish-event');
    }
    expect(fromEvent).toMatchObject({ condition: 'event:ResourceEvent.ResourceErrorsDetected', severity: 'critical', message: 'Fan Bay1 stopped: 0 RPM' });
    expect(slotOf(fromEvent!.deviceId)).toBe('srv1');
    await poll();
    const shown = alarms();
    expect(shown.map((alarm) => `${slotOf(alarm.deviceId)}:${alarm.condition}`)).toEqual(['srv1:fan:1U:Bay1']);
    expect(services().alarms.detail(shown[0]!.id).symptoms.map((symptom) => symptom.id)).toEqual([fromEvent!.id]);
    await fleet.fault(site, 'fan-failed', false);
    await poll();
    expect(alarms(false)).toEqual([]);
    services().monitor.stopEventStreams();
  }, 60_000);

  it('takes a switch port down: the server NIC on that cable is a symptom of the port alarm', async () => {
    // The fault's first flap takes port 1 (and the NIC of srv1 cabled to it) down.
    await fleet.fault(site, 'port-flapping', true);
    await poll();
    const shown = alarms();
    expect(shown.map((alarm) => `${slotOf(alarm.deviceId)}:${alarm.condition}`)).toEqual(['sw1:port:1']);
    expect(services().alarms.detail(shown[0]!.id).symptoms.map((symptom) => `${slotOf(symptom.deviceId)}:${symptom.condition}`)).toEqual(['srv1:nic:1']);

    await fleet.fault(site, 'port-flapping', false);
    await poll();
    expect(alarms(false)).toEqual([]);
  }, 60_000);

  it('raises a critical temperature alarm when the environment reads out of range, and records nonsense as invalid without an alarm', async () => {
    await fleet.fault(site, 'sensor-out-of-range', true);
    await poll();
    expect(alarms().map((alarm) => `${slotOf(alarm.deviceId)}:${alarm.condition}:${alarm.severity}`)).toEqual(['env:temperature:temperature-1:critical']);
    await fleet.fault(site, 'sensor-out-of-range', false);

    const monitor = site.devices.find((device) => device.kind === 'environment')!.lab as LabEnvironmentMonitor;
    monitor.setTemperature(-300);
    await poll();
    expect(alarms(false)).toEqual([]);
    const sensor = services().monitor.deviceState(devices.get('env')!).sensors.find((each) => each.key === 'temperature-1');
    expect(sensor).toMatchObject({ state: 'invalid', value: -300 });
    expect(sensor?.invalidReason).toMatch(/outside what a temperature sensor can read/);
    monitor.setTemperature(25);
    await poll();
  }, 60_000);

  it('mutes alarms inside a maintenance window but keeps them in history; acknowledging a root acknowledges its symptoms', async () => {
    const window = services().alarms.addMaintenance({ siteId, startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'UPS battery swap' }, 'tester');
    await fleet.fault(site, 'ups-on-battery', true);
    await poll();
    expect(alarms()).toEqual([]);
    const muted = services().alarms.list({ siteId, includeMuted: true }).alarms;
    expect(muted.map((alarm) => alarm.condition)).toEqual(['power-source:battery']);
    expect(services().alarms.detail(muted[0]!.id).history.map((entry) => entry.kind)).toContain('muted');
    expect(services().map.one(siteId)?.[6]).toBe('maintenance');

    services().alarms.removeMaintenance(window.id);
    await poll();
    const root = alarms()[0]!;
    expect(root.condition).toBe('power-source:battery');
    services().alarms.acknowledge([root.id], 'tester');
    const acknowledged = services().alarms.list({ siteId, rootsOnly: false }).alarms;
    expect(acknowledged.length).toBe(5);
    expect(acknowledged.every((alarm) => alarm.acknowledgedBy === 'tester')).toBe(true);
  }, 60_000);
});
