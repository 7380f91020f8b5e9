/**
 * Standing power caps through real BMCs (lab BMCs speaking Redfish over
 * HTTPS): a site's cap holds each server whose BMC limits power to it, read
 * back from the BMC (a Control, the legacy PowerControl), and a BMC without
 * a limit is reported as unsupported, not failed; a cabinet model's cap
 * holds at every site without a cap of its own; the hourly check puts back
 * a limit changed behind EdgeCab's back; an unreachable BMC is failed with
 * its reason, said once; a cap removed gives back the limit from before,
 * and leaves alone one someone set since. Bad input is refused with the
 * field named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { rejection } from '../support/rejection.js';
import { tempCore } from '../support/core.js';

const MOCKUP = 'assets/lab/redfish-rackmount1';
const CHASSIS = '/redfish/v1/Chassis/1U';
const POWER = `${CHASSIS}/Power`;
const CONTROL = `${CHASSIS}/Controls/PowerLimit`;

describe('standing power caps per site and cabinet model', () => {
  let core: Core;
  let cleanup: () => void;
  const bmcs: LabBmc[] = [];
  let first = { siteId: '', control: '', legacy: '', plain: '' };
  let second = { siteId: '', control: '' };
  let controlBmc: LabBmc;
  let legacyBmc: LabBmc;
  let secondBmc: LabBmc;
  const limitOn = (bmc: LabBmc) => (bmc.resource(CONTROL)!.ControlMode === 'Disabled' ? null : bmc.resource(CONTROL)!.SetPoint);
  const legacyLimit = (bmc: LabBmc) => (bmc.resource(POWER)!.PowerControl as { PowerLimit?: { LimitInWatts: number | null } }[])[0]!.PowerLimit?.LimitInWatts ?? null;
  const lab = async () => {
    const bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
    bmcs.push(bmc);
    return bmc;
  };

  beforeAll(async () => {
    ({ core, cleanup } = tempCore());
    const client = core.client('test');
    controlBmc = await lab();
    legacyBmc = await lab();
    const plainBmc = await lab();
    secondBmc = await lab();
    delete legacyBmc.resource(CHASSIS)!.Controls;
    delete plainBmc.resource(CHASSIS)!.Controls;
    delete (plainBmc.resource(POWER)!.PowerControl as Record<string, unknown>[])[0]!.PowerLimit;
    const connect = (id: string, bmc: LabBmc) => client.devices.connect({ id, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
    const siteWith = async (code: string) => {
      const site = await client.sites.create({ name: `Caps ${code}`, code, latitude: 31, longitude: 121 });
      const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-24u' });
      return { siteId: site.id, servers: cabinet.devices.filter((device) => device.kind === 'server' || device.kind === 'storage').map((device) => device.id) };
    };
    const a = await siteWith('CP-1');
    first = { siteId: a.siteId, control: a.servers[0]!, legacy: a.servers[1]!, plain: a.servers[2]! };
    await connect(first.control, controlBmc);
    await connect(first.legacy, legacyBmc);
    await connect(first.plain, plainBmc);
    const b = await siteWith('CP-2');
    second = { siteId: b.siteId, control: b.servers[0]! };
    await connect(second.control, secondBmc);
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    for (const bmc of bmcs) await bmc.stop();
    cleanup?.();
  });

  const server = (view: Awaited<ReturnType<Core['services']['standingCaps']['view']>>, id: string) => view.servers.find((each) => each.deviceId === id)!;

  it('holds each server of the site to its cap, read back from the BMC; a BMC without a limit is unsupported, not failed', async () => {
    const client = core.client('test');
    expect(limitOn(controlBmc)).toBe(500);
    const view = await client.energy.setSiteCap({ siteId: first.siteId, capWatts: 400 });
    expect(view.siteCapWatts).toBe(400);
    expect(server(view, first.control)).toMatchObject({ capWatts: 400, source: 'site', outcome: 'applied', limitWatts: 400 });
    expect(server(view, first.legacy)).toMatchObject({ capWatts: 400, source: 'site', outcome: 'applied', limitWatts: 400 });
    expect(server(view, first.plain)).toMatchObject({ capWatts: 400, outcome: 'unsupported', limitWatts: null, detail: expect.stringMatching(/declares no power limit/) });
    expect(limitOn(controlBmc)).toBe(400);
    expect(legacyLimit(legacyBmc)).toBe(400);
    const audited = (await client.audit.list({ limit: 50 })).items.filter((entry) => entry.operation === 'energy.capApply');
    expect(audited.map((entry) => entry.target).sort()).toEqual([first.control, first.legacy].sort());
    expect(audited[0]!.detail).toMatch(/held to 400 W by the site's standing cap of 400 W \(was 500 W; read back from the BMC\)/);
    // The cap below what the BMC allows is held at its floor (150 W for this one).
    expect(server(await client.energy.setSiteCap({ siteId: first.siteId, capWatts: 60 }), first.control)).toMatchObject({ outcome: 'applied', limitWatts: 150 });
    await client.energy.setSiteCap({ siteId: first.siteId, capWatts: 400 });
  });

  it('holds a cabinet model’s cap at every site without a cap of its own; the site’s own cap wins', async () => {
    const client = core.client('test');
    expect(await client.energy.setModelCap({ templateId: 'edge-24u', capWatts: 350 })).toEqual({ templateId: 'edge-24u', capWatts: 350, sites: 2 });
    await core.services.powerLimits.settled(second.siteId);
    await core.services.powerLimits.settled(first.siteId);
    expect(limitOn(secondBmc)).toBe(350);
    const view = await client.energy.caps({ siteId: second.siteId });
    expect(view.models).toEqual([{ templateId: 'edge-24u', name: { en: expect.any(String), 'zh-CN': expect.any(String) }, capWatts: 350 }]);
    expect(server(view, second.control)).toMatchObject({ capWatts: 350, source: 'model', outcome: 'applied', limitWatts: 350 });
    expect(limitOn(controlBmc)).toBe(400);
  });

  it('puts a limit changed behind EdgeCab’s back in the hourly check, and says an unreachable BMC failed once, with why', async () => {
    // Someone raised the limit on the BMC itself.
    controlBmc.resource(CONTROL)!.SetPoint = 900;
    await core.services.standingCaps.checkAll();
    expect(limitOn(controlBmc)).toBe(400);
    await secondBmc.stop();
    await core.services.standingCaps.checkAll();
    await core.services.standingCaps.checkAll();
    const view = await core.client('test').energy.caps({ siteId: second.siteId });
    expect(server(view, second.control)).toMatchObject({ outcome: 'failed', limitWatts: null, detail: expect.any(String) });
    const failures = (await core.client('test').audit.list({ limit: 100 })).items.filter((entry) => entry.operation === 'energy.capApply' && entry.outcome === 'error');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.target).toBe(second.control);
  });

  it('gives each server back the limit it had before when the caps are removed: the site’s first (the model’s holds again), then the model’s', async () => {
    const client = core.client('test');
    const view = await client.energy.setSiteCap({ siteId: first.siteId, capWatts: null });
    expect(view.siteCapWatts).toBeNull();
    expect(server(view, first.control)).toMatchObject({ capWatts: 350, source: 'model', outcome: 'applied', limitWatts: 350 });
    await client.energy.setModelCap({ templateId: 'edge-24u', capWatts: null });
    await core.services.powerLimits.settled(first.siteId);
    expect(limitOn(controlBmc)).toBe(500);
    expect(legacyLimit(legacyBmc)).toBe(500);
    const lifted = (await client.audit.list({ limit: 100 })).items.filter((entry) => entry.operation === 'energy.capLift');
    expect(lifted.map((entry) => entry.detail)).toContain(`${core.services.cabinets.device(first.control).name}: set back to 500 W: the standing cap was removed (read back from the BMC)`);
    const after = await client.energy.caps({ siteId: first.siteId });
    expect(after.servers.map((each) => [each.capWatts, each.outcome])).toEqual(after.servers.map(() => [null, 'pending']));
  });

  it('leaves a limit someone set on the BMC after the cap alone when the cap is removed', async () => {
    const client = core.client('test');
    await client.energy.setSiteCap({ siteId: first.siteId, capWatts: 450 });
    expect(limitOn(controlBmc)).toBe(450);
    // An operator changes it by hand on the BMC; the cap is removed before the hourly check.
    controlBmc.resource(CONTROL)!.SetPoint = 620;
    await client.energy.setSiteCap({ siteId: first.siteId, capWatts: null });
    expect(limitOn(controlBmc)).toBe(620);
    expect(legacyLimit(legacyBmc)).toBe(500);
  });

  it('takes the limit from before the cap from the first read that succeeds: a BMC down when the cap is set gets its own limit back when the cap goes', async () => {
    const client = core.client('test');
    const bmc = await lab();
    const site = await client.sites.create({ name: 'Caps CP-3', code: 'CP-3', latitude: 31, longitude: 121 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    const id = cabinet.devices.find((device) => device.kind === 'server')!.id;
    await client.devices.connect({ id, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
    const port = bmc.port;
    (bmc.resource(CONTROL) as { SetPoint: number }).SetPoint = 640;
    await bmc.stop();
    expect(server(await client.energy.setSiteCap({ siteId: site.id, capWatts: 400 }), id)).toMatchObject({ outcome: 'failed', limitWatts: null });
    await bmc.start(port);
    await core.services.standingCaps.checkAll();
    expect(limitOn(bmc)).toBe(400);
    await client.energy.setSiteCap({ siteId: site.id, capWatts: null });
    expect(limitOn(bmc)).toBe(640);
  });

  it('refuses a cap outside 50–100,000 W, an unknown cabinet model and an unknown site, naming what is wrong', async () => {
    const client = core.client('test');
    expect((await rejection(client.energy.setSiteCap({ siteId: first.siteId, capWatts: 20 }))).code).toBe('BAD_REQUEST');
    expect((await rejection(client.energy.setModelCap({ templateId: 'edge-99u', capWatts: 300 }))).message).toMatch(/No cabinet model "edge-99u"/);
    expect((await rejection(client.energy.setSiteCap({ siteId: 'nope', capWatts: 300 }))).code).toBe('NOT_FOUND');
  });
});
