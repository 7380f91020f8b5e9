/**
 * The monitor running on its own (scheduler, batched writes, trap receiver)
 * against one lab cabinet whose devices send traps to it: a trap raises its
 * alarm before any poll would, and a flapping port is held as one flapping
 * alarm instead of a stream of raise/clear pairs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../shared/domain/monitoring.js';
import { loadTemplates } from '../../main/core/services/cabinets/templates.js';
import { registerFleet } from '../../main/lab/controller.js';
import { LabFleet, type FleetSite } from '../../main/lab/fleet.js';
import { tempCore } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';
import { freeUdpPort } from '../support/snmp-peers.js';

const template = loadTemplates().get('edge-12u')!;

describe('the running monitor with traps', () => {
  let fleet: LabFleet;
  let site: FleetSite;
  let siteId: string;
  let env: ReturnType<typeof tempCore>;
  const services = () => env.core.services;

  async function waitFor(find: () => Alarm | undefined, what: string): Promise<Alarm> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const found = find();
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no ${what}`);
  }

  beforeAll(async () => {
    const trapPort = await freeUdpPort();
    env = tempCore();
    // An hour between health polls: within this test only traps and explicit polls read the devices.
    services().monitor.setPlan({ ...services().monitor.plan(), healthSeconds: 3600, inventorySeconds: 3600, timeoutSeconds: 2 });
    fleet = await LabFleet.start({
      sites: 1,
      seed: 5,
      template,
      mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'),
      addressBase: 112,
      trapTo: { host: '127.0.0.1', port: trapPort },
      flapSeconds: 0.4,
    });
    site = fleet.sites[0]!;
    siteId = registerFleet(services(), fleet, template.id).get(site.code)!;
    await env.core.startMonitoring({ trapPort, redfishEvents: false });
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await env?.core.close();
    env?.cleanup();
  });

  it('raises the UPS alarm from its on-battery trap, and later polls count on the same alarm', async () => {
    await fleet.fault(site, 'ups-on-battery', true);
    const alarm = await waitFor(() => services().alarms.list({ siteId }).alarms.find((each) => each.condition === 'power-source:battery'), 'on-battery alarm');
    expect(alarm).toMatchObject({ origin: 'trap', severity: 'major', deviceName: 'UPS' });
    // The trap also has the UPS polled at once (its count goes to 2); every later poll that sees it counts on the same alarm.
    const before = (await waitFor(() => (services().alarms.get(alarm.id).count >= 2 ? services().alarms.get(alarm.id) : undefined), 'the poll the trap asked for')).count;
    await services().monitor.pollSite(siteId);
    expect(services().alarms.get(alarm.id).count).toBe(before + 1);
    expect(services().alarms.list({ siteId, rootsOnly: false }).alarms.filter((each) => each.condition === 'power-source:battery')).toHaveLength(1);
    await fleet.fault(site, 'ups-on-battery', false);
    await services().monitor.pollSite(siteId);
    expect(services().alarms.get(alarm.id).state).toBe('cleared');
  }, 30_000);

  it('holds a flapping port as one flapping alarm with the NIC behind it as its symptom', async () => {
    await fleet.fault(site, 'port-flapping', true);
    const port = await waitFor(() => {
      const found = services().alarms.list({ siteId, state: 'all' }).alarms.find((each) => each.condition === 'port:1');
      return found?.flapping ? found : undefined;
    }, 'flapping port alarm');
    expect(port).toMatchObject({ state: 'active', flapping: true, origin: 'trap' });
    expect(port.count).toBeGreaterThanOrEqual(3);
    // Every bounce went into the one alarm: no second port alarm was ever raised.
    expect(services().alarms.list({ siteId, state: 'all', rootsOnly: false }).alarms.filter((each) => each.condition === 'port:1')).toHaveLength(1);
    const history = services().alarms.detail(port.id).history.map((entry) => entry.kind);
    expect(history.filter((kind) => kind === 'raised')).toHaveLength(1);
    expect(history.filter((kind) => kind === 'reopened').length).toBeGreaterThanOrEqual(2);

    // Polls while it bounces show srv1's NIC under the port (and, bouncing with it, held as flapping too).
    let nic: Alarm | undefined;
    for (let attempt = 0; attempt < 40 && !nic; attempt += 1) {
      await services().monitor.pollSite(siteId);
      nic = services().alarms.list({ siteId, rootsOnly: false }).alarms.find((each) => each.condition === 'nic:1');
    }
    expect(nic?.rootId).toBe(port.id);
    await fleet.fault(site, 'port-flapping', false);
  }, 30_000);
});
