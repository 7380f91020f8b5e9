/**
 * Firmware upgrade plans against real lab BMCs (Redfish over HTTPS, the DMTF
 * rackmount1 "3500"), two sites with two servers each, BMCs that declare
 * different apply times (OnReset; OnReset and resetting mid-update;
 * Immediate only; AtMaintenanceWindowStart only): the dry run lists every
 * device with its versions, bytes and apply time; the plan stages what can
 * wait without any reset, never stages an Immediate-only BMC, waits for the
 * window, activates one server per cabinet at a time, waits through a BMC
 * that resets during its update, and ends with every device verified and
 * compliance compliant without a refresh. A BMC that keeps its old version
 * fails and stops its wave; a refused update shows the BMC's own words and
 * MessageId.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import type { LabFirmwareBehaviour } from '../../main/lab/redfish/firmware-updates.js';
import type { PlanDetail } from '../../shared/domain/firmware-plans.js';
import { newPublisherKeys } from '../../main/core/services/apps/signing.js';
import { tempCore } from '../support/core.js';
import { descriptionJson, testPackage } from '../support/firmware-packages.js';

const MOCKUP = 'assets/lab/redfish-rackmount1';
const BMC_FIRMWARE = '/redfish/v1/UpdateService/FirmwareInventory/BMC';
const TARGET = '1.46.0';

const hhmm = (at: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);

describe('firmware upgrade plans', () => {
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  let core: Core;
  let cleanup: () => void;
  const bmcs = new Map<string, LabBmc>();
  const servers = new Map<string, string>();
  let packageId = '';
  const sites: string[] = [];
  // Only signed packages are sent to devices.
  const publisher = newPublisherKeys();
  const signed = (options: Parameters<typeof testPackage>[0]) => testPackage({ ...options, privateKeyPem: publisher.privateKey });

  const behaviours: Record<string, LabFirmwareBehaviour> = {
    A1: { applyTimes: ['Immediate', 'OnReset'] },
    A2: { applyTimes: ['OnReset'], resetDuringUpdateMs: 1500 },
    B1: { applyTimes: ['Immediate'] },
    B2: { applyTimes: ['AtMaintenanceWindowStart'] },
  };

  async function until(plan: number, done: (detail: PlanDetail) => boolean, timeoutMs = 60_000): Promise<PlanDetail> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      await core.services.firmwarePlans.runner.tick();
      const detail = core.services.firmwarePlans.get(plan);
      if (done(detail)) return detail;
      if (Date.now() > end) throw new Error(`plan ${plan} did not get there: ${JSON.stringify(detail.list.map((row) => [row.name, row.phase, row.message]))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    ({ core, cleanup } = tempCore(clock));
    const client = core.client('test');
    core.services.apps.trust({ name: 'Contoso firmware', publicKey: publisher.publicKey }, 'admin');
    for (const [index, code] of ['A', 'B'].entries()) {
      const site = await client.sites.create({ name: `Plan branch ${code}`, code: `FWP-${code}`, latitude: 30 + index, longitude: 120 });
      sites.push(site.id);
      const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
      const computes = cabinet.devices.filter((device) => device.kind === 'server');
      for (const [slot, device] of computes.entries()) {
        const name = `${code}${slot + 1}`;
        const bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' }, taskDurationMs: 200, firmware: behaviours[name]! }).start();
        bmcs.set(name, bmc);
        servers.set(name, device.id);
        await client.devices.connect({ id: device.id, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
        await client.devices.refresh({ id: device.id });
      }
    }
    const bmcPackage = signed({ version: TARGET, models: ['3500'], image: Buffer.concat([Buffer.from(`VERSION=${TARGET}\n`), Buffer.alloc(512 * 1024, 1)]) });
    packageId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(bmcPackage.description)], 'd.json'), image: new File([new Uint8Array(bmcPackage.image)], 'bmc.bin') }, 'alice')).package.id;
    await client.firmware.createBaseline({ name: '3500 BMC', packageIds: [packageId], targets: [{ scope: 'template', id: 'edge-12u' }] });
  }, 60_000);
  afterAll(async () => {
    await core?.services.firmwarePlans.runner.dispose();
    await core?.close();
    for (const bmc of bmcs.values()) await bmc.stop();
    cleanup?.();
  });

  it('the dry run lists every server: current and target version, bytes, the apply time its BMC declares, in waves; nothing is sent', async () => {
    const preview = await core.client('test').firmware.previewPlan({ name: 'dry', packageIds: [packageId], targets: { siteIds: sites }, waveSize: 3, window: { start: '02:00', minutes: 120, timeZone: 'Asia/Shanghai' } });
    const byName = new Map(preview.devices.map((row) => [[...servers].find(([, id]) => id === row.deviceId)![0], row]));
    expect([...byName.keys()].sort()).toEqual(['A1', 'A2', 'B1', 'B2']);
    expect(byName.get('A1')).toMatchObject({ current: '1.45.455b66-rev4', target: TARGET, bytes: 512 * 1024 + 15, applyTime: 'OnReset', component: 'BMC' });
    expect(byName.get('A1')!.applyTimeSource).toMatch(/Immediate, OnReset \(HttpPushUriOptions and SimpleUpdate/);
    expect(byName.get('B1')).toMatchObject({ applyTime: 'Immediate' });
    expect(byName.get('B2')).toMatchObject({ applyTime: 'AtMaintenanceWindowStart' });
    expect(preview).toMatchObject({ waves: 2, bytes: 4 * (512 * 1024 + 15) });
    // The other devices of the cabinets (UPS, PDU, switch …) are no 3500: not listed, not excluded by name.
    expect(preview.excluded).toEqual([]);
    for (const bmc of bmcs.values()) expect(bmc.updates.counts.pushed).toBe(0);
  });

  it('stages without any reset, never stages an Immediate-only BMC, waits for the window, then activates one server per cabinet at a time and verifies each: compliance follows without a refresh', async () => {
    const client = core.client('test');
    const opens = new Date(Date.now() + 10 * 60_000);
    const created = await client.firmware.createPlan({ name: 'Winter BMC', packageIds: [packageId], targets: { siteIds: sites }, waveSize: 10, failureThreshold: 1, window: { start: hhmm(opens), minutes: 60, timeZone: 'Asia/Shanghai' } });
    expect(created).toMatchObject({ state: 'running', windowOpen: false, devices: 4 });
    const staged = await until(created.id, (detail) => detail.list.every((row) => row.phase === 'staged' || row.phase === 'waiting'));
    const phase = (name: string) => staged.list.find((row) => row.deviceId === servers.get(name))!;
    expect([phase('A1').phase, phase('A2').phase, phase('B1').phase, phase('B2').phase]).toEqual(['staged', 'staged', 'waiting', 'waiting']);
    expect(phase('B1').message).toMatch(/only at once: its image is sent inside the window/);
    // Staging touched nothing: no reset anywhere, every server still on its old version; the images wait on A1 and A2 only.
    for (const bmc of bmcs.values()) {
      expect(bmc.updates.counts.resets).toBe(0);
      expect(bmc.resource(BMC_FIRMWARE)!.Version).toBe('1.45.455b66-rev4');
    }
    expect(bmcs.get('A1')!.updates.pending()).toEqual([{ version: TARGET, applyTime: 'OnReset' }]);
    expect(bmcs.get('B1')!.updates.counts.pushed + bmcs.get('B2')!.updates.counts.pushed).toBe(0);
    // Outside the window nothing more happens, however often the plan is looked at.
    for (let look = 0; look < 5; look += 1) await core.services.firmwarePlans.runner.tick();
    expect(core.services.firmwarePlans.get(created.id).list.every((row) => row.phase === 'staged' || row.phase === 'waiting')).toBe(true);

    offset = opens.getTime() - Date.now() + 60_000;
    // The BMCs' clocks move on with EdgeCab's (a window-only BMC applies when its clock reaches the window's start).
    for (const bmc of bmcs.values()) bmc.faults.clockSkewMs = offset;
    const done = await until(created.id, (detail) => detail.state !== 'running', 90_000);
    expect(done.state).toBe('completed');
    expect(done.list.map((row) => row.phase)).toEqual(['verified', 'verified', 'verified', 'verified']);
    for (const bmc of bmcs.values()) expect(bmc.resource(BMC_FIRMWARE)!.Version).toBe(TARGET);
    // One server per cabinet at a time: in each cabinet, the second server's image took effect only after the first was verified.
    for (const site of ['A', 'B']) {
      const [first, second] = done.list.filter((row) => row.siteId === sites[site === 'A' ? 0 : 1]);
      const name = (id: string) => [...servers].find(([, device]) => device === id)![0];
      const verifiedAt = Date.parse(first!.updatedAt) - offset;
      const secondStarted = bmcs.get(name(second!.deviceId))!.updates.activations[0]!.startedAt;
      expect(secondStarted).toBeGreaterThanOrEqual(verifiedAt);
    }
    // A2 reset while taking its update (connections dropped for 1.5 s): waited through, verified.
    expect(bmcs.get('A2')!.updates.activations[0]!.visibleAt - bmcs.get('A2')!.updates.activations[0]!.startedAt).toBeGreaterThanOrEqual(1400);
    expect(bmcs.get('A1')!.updates.counts.resets).toBe(1);
    // The Immediate-only and window-only BMCs were sent their image inside the window, once.
    expect(bmcs.get('B1')!.updates.counts.pushed).toBe(1);
    expect(bmcs.get('B2')!.updates.counts.pushed).toBe(1);
    const compliance = await client.firmware.compliance();
    expect(compliance.fleet).toMatchObject({ compliant: 4, behind: 0 });
  }, 120_000);

  it('by hand, run now: a BMC that keeps its old version after the reset fails and stops its wave; the other server of its cabinet is not activated', async () => {
    const client = core.client('test');
    const next = signed({ version: '1.47.0', models: ['3500'] });
    const nextId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(next.description)], 'd.json'), image: new File([new Uint8Array(next.image)], 'b.bin') }, 'alice')).package.id;
    // Both servers of site A reset to take their image and come back with the old version: the first one activated fails, and the second is never activated.
    for (const name of ['A1', 'A2']) bmcs.get(name)!.updates.behaviour = { applyTimes: ['OnReset'], keepOldVersion: true, resetDuringUpdateMs: 300 };
    const resetsBefore = new Map(['A1', 'A2'].map((name) => [name, bmcs.get(name)!.updates.counts.resets]));
    const plan = await client.firmware.createPlan({ name: 'A by hand', packageIds: [nextId], targets: { siteIds: [sites[0]!] }, waveSize: 10, failureThreshold: 1, window: null });
    const ended = await until(plan.id, (detail) => detail.state !== 'running');
    expect(ended.state).toBe('stopped');
    expect(ended.reason).toMatch(/1 device\(s\) failed \(threshold 1\); nothing more is activated\. 1 image\(s\) stay staged/);
    const [first, second] = ended.list;
    expect(first).toMatchObject({ phase: 'failed', message: `The BMC took the image but still runs ${TARGET}, not 1.47.0` });
    expect(second!.phase).toBe('staged');
    const nameOf = (id: string) => [...servers].find(([, device]) => device === id)![0];
    expect(bmcs.get(nameOf(first!.deviceId))!.updates.counts.resets).toBe(resetsBefore.get(nameOf(first!.deviceId))! + 1);
    expect(bmcs.get(nameOf(second!.deviceId))!.updates.counts.resets).toBe(resetsBefore.get(nameOf(second!.deviceId)));
  }, 60_000);

  it('a refused update shows the BMC’s own words and MessageId, before anything is reset', async () => {
    const client = core.client('test');
    const next = signed({ version: '1.48.0', models: ['3500'] });
    const nextId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(next.description)], 'd.json'), image: new File([new Uint8Array(next.image)], 'b.bin') }, 'alice')).package.id;
    bmcs.get('B1')!.updates.behaviour = { applyTimes: ['Immediate'], refuseUpdates: 'The image failed its signature verification' };
    const plan = await client.firmware.createPlan({ name: 'B1 by hand', packageIds: [nextId], targets: { deviceIds: [servers.get('B1')!] }, waveSize: 1, failureThreshold: 1, window: null });
    const ended = await until(plan.id, (detail) => detail.state !== 'running');
    expect(ended.list[0]).toMatchObject({ phase: 'failed', message: 'The image failed its signature verification', messageId: 'Update.1.0.UpdateFailed' });
    expect(bmcs.get('B1')!.resource(BMC_FIRMWARE)!.Version).toBe(TARGET);
    await expect(client.firmware.createPlan({ name: 'nothing', packageIds: [packageId], targets: { siteIds: sites }, waveSize: 10, failureThreshold: 1, window: null })).rejects.toThrow(/Nothing to upgrade: .*already runs BMC 1\.46\.0/);
  }, 60_000);

  it('an image altered on disk after it was checked in is cut off before its end: the BMC never holds it, the step fails saying why', async () => {
    const client = core.client('test');
    const next = signed({ version: '1.49.0', models: ['3500'], image: Buffer.concat([Buffer.from('VERSION=1.49.0\n'), Buffer.alloc(2 * 1024 * 1024, 9)]) });
    const nextId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(next.description)], 'd.json'), image: new File([new Uint8Array(next.image)], 'b.bin') }, 'alice')).package.id;
    const { path } = core.services.firmwarePackages.imageOf(nextId);
    const altered = readFileSync(path!);
    altered[altered.length - 10] = altered[altered.length - 10]! ^ 0xff;
    writeFileSync(path!, altered);
    const bmc = bmcs.get('B2')!;
    bmc.updates.behaviour = { applyTimes: ['Immediate'] };
    const pushedBefore = bmc.updates.counts.pushed;
    const plan = await client.firmware.createPlan({ name: 'altered', packageIds: [nextId], targets: { deviceIds: [servers.get('B2')!] }, waveSize: 1, failureThreshold: 1, window: null });
    const ended = await until(plan.id, (detail) => detail.state !== 'running');
    expect(ended.list[0]).toMatchObject({ phase: 'failed' });
    expect(ended.list[0]!.message).toMatch(/no longer matches its SHA-256 .* cut off before its end/);
    expect(bmc.updates.counts.pushed).toBe(pushedBefore);
    expect(bmc.resource(BMC_FIRMWARE)!.Version).toBe(TARGET);
  }, 60_000);

  it('never plans a downgrade, an unsigned package, or a device already in a running plan', async () => {
    const client = core.client('test');
    const older = signed({ version: '1.40.0', models: ['3500'] });
    const olderId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(older.description)], 'd.json'), image: new File([new Uint8Array(older.image)], 'b.bin') }, 'alice')).package.id;
    const downgrade = await client.firmware.previewPlan({ name: 'down', packageIds: [olderId], targets: { deviceIds: [servers.get('B1')!] }, waveSize: 1, window: null });
    expect(downgrade.devices).toEqual([]);
    expect(downgrade.excluded[0]!.reason).toMatch(/newer than 1\.40\.0: a plan never downgrades/);
    const unsigned = testPackage({ version: '1.50.0', models: ['3500'] });
    const unsignedId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(unsigned.description)], 'd.json'), image: new File([new Uint8Array(unsigned.image)], 'b.bin') }, 'alice')).package.id;
    await expect(client.firmware.previewPlan({ name: 'unsigned', packageIds: [unsignedId], targets: { deviceIds: [servers.get('B1')!] }, waveSize: 1, window: null })).rejects.toThrow(/is not signed; only packages signed by a trusted publisher are sent/);
    const newer = signed({ version: '1.51.0', models: ['3500'] });
    const newerId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(newer.description)], 'd.json'), image: new File([new Uint8Array(newer.image)], 'b.bin') }, 'alice')).package.id;
    const far = hhmm(new Date(Date.now() + offset + 6 * 3_600_000));
    const first = await client.firmware.createPlan({ name: 'B1 tonight', packageIds: [newerId], targets: { deviceIds: [servers.get('B1')!] }, waveSize: 1, window: { start: far, minutes: 60, timeZone: 'Asia/Shanghai' } });
    const second = await client.firmware.previewPlan({ name: 'B1 again', packageIds: [newerId], targets: { deviceIds: [servers.get('B1')!] }, waveSize: 1, window: null });
    expect(second.devices).toEqual([]);
    expect(second.excluded[0]!.reason).toMatch(/in the running plan "B1 tonight"/);
    await client.firmware.cancelPlan({ id: first.id });
  }, 60_000);

  it('a site that cannot be reached when its step comes waits in the outbox, offline since then, and the plan goes on when it answers again', async () => {
    const client = core.client('test');
    const next = signed({ version: '1.52.0', models: ['3500'] });
    const nextId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(next.description)], 'd.json'), image: new File([new Uint8Array(next.image)], 'b.bin') }, 'alice')).package.id;
    const bmc = bmcs.get('B2')!;
    bmc.updates.behaviour = { applyTimes: ['Immediate', 'OnReset'] };
    // The WAN drops: every connection to the BMC is cut. The dry run cannot ask it how it takes firmware; the plan asks again later.
    bmc.faults.dropConnections = true;
    const plan = await client.firmware.createPlan({ name: 'B2 offline', packageIds: [nextId], targets: { deviceIds: [servers.get('B2')!] }, waveSize: 1, failureThreshold: 1, window: null });

    expect(plan.list[0]).toMatchObject({ applyTime: null });
    expect(plan.list[0]!.message).toMatch(/Not reachable now .*asked again when the plan reaches it/);
    core.services.outbox.start(200);
    const queued = await until(plan.id, (detail) => detail.list[0]!.messageId === 'EdgeCab.Queued');
    expect(queued.list[0]).toMatchObject({ phase: 'pending' });
    expect(queued.list[0]!.message).toMatch(/queued in the outbox \(#\d+\)/);
    const waiting = async () => core.services.outbox.list({ siteId: sites[1]! }).find((item) => item.action === 'firmware.resume')!;
    for (let look = 0; look < 50 && (await waiting()).offlineSince === null; look += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await waiting()).toMatchObject({ state: 'queued', groupId: `firmware-plan:${plan.id}` });
    expect((await waiting()).offlineSince).not.toBeNull();
    // Looked at again and again while offline, the step stays queued.
    for (let look = 0; look < 5; look += 1) await core.services.firmwarePlans.runner.tick();
    expect(core.services.firmwarePlans.get(plan.id).list[0]!.messageId).toBe('EdgeCab.Queued');
    bmc.faults.dropConnections = false;
    const done = await until(plan.id, (detail) => detail.state !== 'running');
    expect(done.list[0]).toMatchObject({ phase: 'verified' });
    expect((await waiting()).state).toBe('done');
    expect(bmc.resource(BMC_FIRMWARE)!.Version).toBe('1.52.0');
  }, 60_000);

  it('a BMC that only pulls (SimpleUpdate, no MultipartHttpPushUri) takes its image from EdgeCab’s own HTTPS image server, and the offer is withdrawn once its task ended', async () => {
    const client = core.client('test');
    const next = signed({ version: '1.53.0', models: ['3500'], image: Buffer.concat([Buffer.from('VERSION=1.53.0\n'), Buffer.alloc(256 * 1024, 5)]) });
    const nextId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(next.description)], 'd.json'), image: new File([new Uint8Array(next.image)], 'b.bin') }, 'alice')).package.id;
    const bmc = bmcs.get('A1')!;
    bmc.updates.behaviour = { applyTimes: ['Immediate', 'OnReset'], multipart: false, pullImages: true };
    expect(bmc.resource('/redfish/v1/UpdateService')!.MultipartHttpPushUri).toBeUndefined();
    const plan = await client.firmware.createPlan({ name: 'A1 pulls', packageIds: [nextId], targets: { deviceIds: [servers.get('A1')!] }, waveSize: 1, failureThreshold: 1, window: null });
    const done = await until(plan.id, (detail) => detail.state !== 'running');
    expect(done.list[0]).toMatchObject({ phase: 'verified' });
    expect(bmc.resource(BMC_FIRMWARE)!.Version).toBe('1.53.0');
    expect(bmc.updates.pulled).toHaveLength(1);
    const uri = new URL(bmc.updates.pulled[0]!);
    expect(uri.protocol).toBe('https:');
    expect(uri.pathname).toMatch(/^\/firmware\/[0-9a-f]{48}\//);
    // Withdrawn: the same address serves nothing now.
    const status = await new Promise<number>((resolve, reject) => httpsGet(uri, { rejectUnauthorized: false }, (response) => resolve(response.statusCode ?? 0)).on('error', reject));
    expect(status).toBe(404);
  }, 60_000);

  it('two plans, one for each server of a cabinet, still activate one server of the cabinet at a time; a server whose model changed is not sent the image', async () => {
    const client = core.client('test');
    const next = signed({ version: '1.54.0', models: ['3500'] });
    const nextId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(next.description)], 'd.json'), image: new File([new Uint8Array(next.image)], 'b.bin') }, 'alice')).package.id;
    for (const name of ['A1', 'A2']) bmcs.get(name)!.updates.behaviour = { applyTimes: ['OnReset'], resetDuringUpdateMs: 800 };
    const before = new Map(['A1', 'A2'].map((name) => [name, bmcs.get(name)!.updates.activations.length]));
    const plans = await Promise.all(['A1', 'A2'].map((name) => client.firmware.createPlan({ name: `${name} alone`, packageIds: [nextId], targets: { deviceIds: [servers.get(name)!] }, waveSize: 1, failureThreshold: 1, window: null })));
    for (const plan of plans) expect((await until(plan.id, (detail) => detail.state !== 'running')).list[0]!.phase).toBe('verified');
    const [a1, a2] = ['A1', 'A2'].map((name) => bmcs.get(name)!.updates.activations.slice(before.get(name)!));
    expect(a1).toHaveLength(1);
    expect(a2).toHaveLength(1);
    const [first, second] = [a1![0]!, a2![0]!].sort((x, y) => x.startedAt - y.startedAt);
    expect(second!.startedAt).toBeGreaterThanOrEqual(first!.visibleAt);

    // Staged for tonight; then the inventory names another model for B1 (the server was swapped): when the window opens, it is not activated.
    const swapped = signed({ version: '1.55.0', models: ['3500'] });
    const swappedId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(swapped.description)], 'd.json'), image: new File([new Uint8Array(swapped.image)], 'b.bin') }, 'alice')).package.id;
    const b1 = bmcs.get('B1')!;
    b1.updates.behaviour = { applyTimes: ['Immediate', 'OnReset'] };
    const opens = new Date(Date.now() + offset + 30 * 60_000);
    const plan = await client.firmware.createPlan({ name: 'B1 swapped', packageIds: [swappedId], targets: { deviceIds: [servers.get('B1')!] }, waveSize: 1, failureThreshold: 1, window: { start: hhmm(opens), minutes: 60, timeZone: 'Asia/Shanghai' } });
    await until(plan.id, (detail) => detail.list[0]!.phase === 'staged');
    const resets = b1.updates.counts.resets;
    core.db.prepare("UPDATE firmware_device_models SET model = 'RH2288 V3' WHERE device_id = ?").run(servers.get('B1')!);
    offset += 31 * 60_000;
    for (const bmc of bmcs.values()) bmc.faults.clockSkewMs = offset;
    const ended = await until(plan.id, (detail) => detail.state !== 'running');
    expect(ended.list[0]).toMatchObject({ phase: 'failed' });
    expect(ended.list[0]!.message).toMatch(/now reports model RH2288 V3, which .* does not list: nothing was sent/);
    expect(b1.updates.counts.resets).toBe(resets);
  }, 60_000);
});
