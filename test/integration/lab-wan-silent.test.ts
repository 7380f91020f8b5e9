/**
 * A lab site whose WAN is down in the "silent" way (`lab --link-down
 * silent`, what the scale benchmark uses): its BMCs take connections and
 * never answer, so the monitor's polls run into their timeout, as behind a
 * link that drops everything, instead of being refused at once. The site
 * still converges to one root alarm, and clears when the link is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../main/core/services/cabinets/templates.js';
import { registerFleet } from '../../main/lab/controller.js';
import { LabFleet, type FleetSite } from '../../main/lab/fleet.js';
import { tempCore } from '../support/core.js';

const template = loadTemplates().get('edge-24u')!;

describe('a lab site behind a WAN that drops everything', () => {
  let fleet: LabFleet;
  let site: FleetSite;
  let siteId: string;
  let env: ReturnType<typeof tempCore>;

  beforeAll(async () => {
    fleet = await LabFleet.start({ sites: 1, seed: 5, template, mockupDir: 'assets/lab/redfish-rackmount1', addressBase: 112, linkDown: 'silent' });
    site = fleet.sites[0]!;
    env = tempCore();
    siteId = registerFleet(env.core.services, fleet, template.id).get(site.code)!;
    env.core.services.monitor.setPlan({ ...env.core.services.monitor.plan(), timeoutSeconds: 2 });
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await env?.core.close();
    env?.cleanup();
  });

  it('times the BMCs out instead of being refused, raises one root for the site, and clears', async () => {
    const monitor = env.core.services.monitor;
    await monitor.pollSite(siteId);
    await fleet.fault(site, 'link-down', true);
    const started = Date.now();
    await monitor.pollSite(siteId);
    // Every BMC poll waited for its 2 s timeout: nothing refused the connection.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const servers = env.core.services.cabinets.viewForSite(siteId)!.devices.filter((device) => device.protocol === 'redfish');
    for (const server of servers) expect(monitor.deviceState(server.id).error).toMatch(/no complete answer within 2 s|within 2000 ms/);
    const shown = env.core.services.alarms.list({ siteId }).alarms;
    expect(shown.map((alarm) => alarm.condition)).toEqual(['site:link-down']);

    await fleet.fault(site, 'link-down', false);
    await monitor.pollSite(siteId);
    expect(env.core.services.alarms.list({ siteId }).alarms).toEqual([]);
  }, 60_000);
});
