/**
 * Power limits through the BMC (a lab BMC speaking Redfish over HTTPS, the
 * DMTF rackmount1 Power resource): read, set and lifted, each read back; a
 * BMC that declares no PowerLimit is reported as such and refused a limit
 * (409), not failed. The emergency policy: a lab UPS (SNMP) seen on battery
 * holds the site's servers to the cap, verified by reading the BMC back,
 * each step audited and written into the on-battery alarm's history; mains
 * back sets each server back to the limit it had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { LabUps } from '../../main/lab/snmp/devices.js';
import { rejection } from '../support/rejection.js';
import { tempCore } from '../support/core.js';

const MOCKUP = 'assets/lab/redfish-rackmount1';
const CHASSIS = '/redfish/v1/Chassis/1U';
const POWER = `${CHASSIS}/Power`;
const CONTROL = `${CHASSIS}/Controls/PowerLimit`;

describe('power limits and the emergency policy', () => {
  let core: Core;
  let cleanup: () => void;
  let capped: LabBmc;
  let legacy: LabBmc;
  let plain: LabBmc;
  let ups: LabUps;
  let siteId = '';
  const ids = { capped: '', legacy: '', plain: '', ups: '' };
  /** The limit a Control-style BMC holds (null: disabled), as the BMC itself has it. */
  const limitOn = (bmc: LabBmc) => (bmc.resource(CONTROL)!.ControlMode === 'Disabled' ? null : bmc.resource(CONTROL)!.SetPoint);
  const legacyLimit = (bmc: LabBmc) => (bmc.resource(POWER)!.PowerControl as { PowerLimit?: { LimitInWatts: number | null } }[])[0]!.PowerLimit?.LimitInWatts;

  beforeAll(async () => {
    ({ core, cleanup } = tempCore());
    capped = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
    legacy = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
    plain = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
    // An older BMC: no Controls, only the legacy Power resource's PowerLimit.
    delete legacy.resource(CHASSIS)!.Controls;
    // A BMC that does not limit power: neither.
    delete plain.resource(CHASSIS)!.Controls;
    delete (plain.resource(POWER)!.PowerControl as Record<string, unknown>[])[0]!.PowerLimit;
    ups = await new LabUps({ name: 'limits-ups', port: 0, address: '127.0.0.1', community: 'public' }).start();
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Limits branch', code: 'PL-1', latitude: 31, longitude: 121 });
    siteId = site.id;
    const cabinet = await client.cabinets.create({ siteId, templateId: 'edge-24u' });
    const servers = cabinet.devices.filter((device) => device.kind === 'server' || device.kind === 'storage');
    ids.capped = servers[0]!.id;
    ids.legacy = servers[1]!.id;
    ids.plain = servers[2]!.id;
    ids.ups = cabinet.devices.find((device) => device.kind === 'ups')!.id;
    for (const [id, bmc] of [[ids.capped, capped], [ids.legacy, legacy], [ids.plain, plain]] as const) {
      await client.devices.connect({ id, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
    }
    await client.devices.connect({ id: ids.ups, protocol: 'snmp', host: '127.0.0.1', port: ups.port, version: '2c', community: 'public' });
    core.services.monitor.refreshTargets();
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await capped?.stop();
    await legacy?.stop();
    await plain?.stop();
    await ups?.stop();
    cleanup?.();
  });

  it('reads, sets and lifts a limit through a Control or the legacy PowerControl, each as the BMC shows it afterwards; the reading follows the limit', async () => {
    const client = core.client('test');
    expect(await client.energy.powerLimit({ id: ids.capped })).toMatchObject({ supported: true, via: 'Control', limitWatts: 500, minWatts: 150, maxWatts: 1000 });
    const held = await client.energy.setPowerLimit({ id: ids.capped, watts: 280 });
    expect(held).toMatchObject({ supported: true, limitWatts: 280 });
    expect(limitOn(capped)).toBe(280);
    expect(held.consumedWatts).toBeLessThanOrEqual(280);
    expect((await client.energy.setPowerLimit({ id: ids.capped, watts: null })).limitWatts).toBeNull();
    expect(limitOn(capped)).toBeNull();
    // Beyond what the BMC allows: refused with the bounds, nothing sent.
    expect((await rejection(client.energy.setPowerLimit({ id: ids.capped, watts: 5_000 }))).message).toMatch(/5000 W is outside what the BMC allows \(150–1000 W\)/);
    expect((await client.energy.setPowerLimit({ id: ids.capped, watts: 500 })).limitWatts).toBe(500);

    expect(await client.energy.powerLimit({ id: ids.legacy })).toMatchObject({ supported: true, via: 'PowerControl', limitWatts: 500, capacityWatts: 800 });
    expect((await client.energy.setPowerLimit({ id: ids.legacy, watts: 320 })).limitWatts).toBe(320);
    expect(legacyLimit(legacy)).toBe(320);
    // The patch changed the limit only: the rest of PowerControl is as it was (arrays patched member by member).
    expect((legacy.resource(POWER)!.PowerControl as { PowerCapacityWatts: number }[])[0]!.PowerCapacityWatts).toBe(800);
    expect((await client.energy.setPowerLimit({ id: ids.legacy, watts: 500 })).limitWatts).toBe(500);
  });

  it('reports a BMC without a power limit as such, and refuses to set one (409), without failing', async () => {
    const client = core.client('test');
    expect(await client.energy.powerLimit({ id: ids.plain })).toMatchObject({ supported: false, reason: expect.stringMatching(/declares no power limit/) });
    const refused = await rejection(client.energy.setPowerLimit({ id: ids.plain, watts: 300 }));
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect(refused.message).toMatch(/does not limit power/);
  });

  it('holds the servers to the cap while the UPS is on battery, and sets them back when mains returns, each step audited and in the alarm history', async () => {
    const client = core.client('test');
    expect(await client.energy.setPolicy({ siteId, enabled: true, capWatts: 300 })).toMatchObject({ enabled: true, capWatts: 300, capped: [] });
    await ups.setOnBattery(true);
    await core.services.monitor.pollSite(siteId);
    core.services.monitor.flush();
    await core.services.powerLimits.settled(siteId);
    expect(limitOn(capped)).toBe(300);
    expect(legacyLimit(legacy)).toBe(300);
    expect((await client.energy.policy({ siteId })).capped.map((each) => [each.deviceId, each.previousWatts]).sort()).toEqual([[ids.capped, 500], [ids.legacy, 500]].sort());
    const alarm = core.services.alarms.list({ siteId, deviceId: ids.ups, state: 'active', rootsOnly: false, includeMuted: true }).alarms.find((each) => each.messageKey === 'upsOnBattery')!;
    const history = () => core.services.alarms.detail(alarm.id).history.filter((entry) => entry.kind === 'commented').map((entry) => entry.text);
    const nameOf = (id: string) => core.services.cabinets.device(id).name;
    const held = (id: string) => `${nameOf(id)}: held to 300 W while the UPS is on battery (was 500 W; read back from the BMC)`;
    expect(history().sort()).toEqual([held(ids.capped), held(ids.legacy), `${nameOf(ids.plain)}: not capped: the BMC declares no power limit (its PowerControl has no PowerLimit)`].sort());
    const audited = (await client.audit.list({ limit: 50 })).items.filter((entry) => entry.operation.startsWith('energy.emergency'));
    expect(audited.map((entry) => [entry.operation, entry.target, entry.outcome])).toEqual(expect.arrayContaining([['energy.emergencyCap', ids.capped, 'ok']]));

    // The runtime at the load now, and with the cap (servers held to 300 W draw less of the UPS).
    const { runtime } = await client.energy.policy({ siteId });
    expect(runtime).toMatchObject({ upsId: ids.ups, minutes: expect.any(Number), loadWatts: expect.any(Number) });
    expect(runtime!.minutesWithCap).toBeGreaterThanOrEqual(runtime!.minutes);

    // A second UPS of the site, on mains, polled: the first is still on battery, so nothing is lifted (no capping and lifting by turns).
    const second = await new LabUps({ name: 'limits-ups-2', port: 0, address: '127.0.0.1', community: 'public' }).start();
    try {
      const cabinet = (await client.cabinets.get({ siteId }))!;
      const other = await client.devices.add({ cabinetId: cabinet.cabinet.id, kind: 'ups', name: 'UPS 2', u: 22, heightU: 1, face: 'rear', depth: 'half', protocol: 'snmp' });
      await client.devices.connect({ id: other.id, protocol: 'snmp', host: '127.0.0.1', port: second.port, version: '2c', community: 'public' });
      core.services.monitor.refreshTargets();
      await core.services.monitor.pollSite(siteId);
      core.services.monitor.flush();
      await core.services.powerLimits.settled(siteId);
      expect(limitOn(capped)).toBe(300);
      await client.devices.remove({ id: other.id });
      core.services.monitor.refreshTargets();
    } finally {
      await second.stop();
    }

    // Another poll on battery caps nothing twice.
    await core.services.monitor.pollSite(siteId);
    await core.services.powerLimits.settled(siteId);
    expect(history()).toHaveLength(3);

    await ups.setOnBattery(false);
    await core.services.monitor.pollSite(siteId);
    core.services.monitor.flush();
    await core.services.powerLimits.settled(siteId);
    expect(limitOn(capped)).toBe(500);
    expect(legacyLimit(legacy)).toBe(500);
    expect((await client.energy.policy({ siteId })).capped).toEqual([]);
    expect(history().slice(-2).sort()).toEqual([ids.capped, ids.legacy].map((id) => `${nameOf(id)}: set back to 500 W: mains is back (read back from the BMC)`).sort());
  });

  it('leaves a limit an operator set by hand during the outage as it is when mains returns, and says so in the alarm history', async () => {
    const client = core.client('test');
    await ups.setOnBattery(true);
    await core.services.monitor.pollSite(siteId);
    core.services.monitor.flush();
    await core.services.powerLimits.settled(siteId);
    expect(legacyLimit(legacy)).toBe(300);
    // The operator needs more for the legacy server while on battery.
    expect((await client.energy.setPowerLimit({ id: ids.legacy, watts: 420 })).limitWatts).toBe(420);
    expect((await client.energy.policy({ siteId })).capped.map((each) => each.deviceId)).toEqual([ids.capped]);
    // Polls on battery do not cap it again.
    await core.services.monitor.pollSite(siteId);
    await core.services.powerLimits.settled(siteId);
    expect(legacyLimit(legacy)).toBe(420);
    const alarm = core.services.alarms.list({ siteId, deviceId: ids.ups, state: 'active', rootsOnly: false, includeMuted: true }).alarms.find((each) => each.messageKey === 'upsOnBattery')!;
    const name = core.services.cabinets.device(ids.legacy).name;
    expect(core.services.alarms.detail(alarm.id).history.map((entry) => entry.text)).toContain(`${name}: set to 420 W by hand while the UPS is on battery: left as it is when mains returns`);

    await ups.setOnBattery(false);
    await core.services.monitor.pollSite(siteId);
    core.services.monitor.flush();
    await core.services.powerLimits.settled(siteId);
    expect(limitOn(capped)).toBe(500);
    expect(legacyLimit(legacy)).toBe(420);
    expect((await client.energy.policy({ siteId })).capped).toEqual([]);
    expect(core.db.prepare('SELECT COUNT(*) FROM energy_caps').pluck().get()).toBe(0);
  });
});
