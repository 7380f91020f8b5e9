/**
 * Firmware version state from real devices: a lab BMC (Redfish over HTTPS,
 * the DMTF rackmount1 FirmwareInventory) and a lab UPS (SNMP, UPS-MIB), read
 * the way users read them — the monitor's inventory poll and Read now —
 * give each component's version with the time it was read; an upgrade on
 * the BMC starts a new span and ends the old one, so the device shows what
 * it ran when; a read cut short or older than what is known changes
 * nothing; a component no longer shown ends its span.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { LabUps } from '../../main/lab/snmp/devices.js';
import { tempCore } from '../support/core.js';

const MOCKUP = 'assets/lab/redfish-rackmount1';
const BMC_FIRMWARE = '/redfish/v1/UpdateService/FirmwareInventory/BMC';

describe('firmware versions per device and component', () => {
  let clock = Date.parse('2026-12-03T08:00:00Z');
  let core: Core;
  let cleanup: () => void;
  let bmc: LabBmc;
  let ups: LabUps;
  const ids = { siteId: '', server: '', ups: '' };

  beforeAll(async () => {
    ({ core, cleanup } = tempCore(() => new Date(clock)));
    bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
    ups = await new LabUps({ name: 'firmware-ups', port: 0, address: '127.0.0.1', community: 'public' }).start();
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Firmware branch', code: 'FW-1', latitude: 31, longitude: 121 });
    ids.siteId = site.id;
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    ids.server = cabinet.devices.find((device) => device.kind === 'server')!.id;
    ids.ups = cabinet.devices.find((device) => device.kind === 'ups')!.id;
    await client.devices.connect({ id: ids.server, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
    await client.devices.connect({ id: ids.ups, protocol: 'snmp', host: '127.0.0.1', port: ups.port, version: '2c', community: 'public' });
    core.services.monitor.refreshTargets();
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await bmc?.stop();
    await ups?.stop();
    cleanup?.();
  });

  it('knows nothing before the first inventory read', async () => {
    expect(await core.client('test').firmware.device({ id: ids.server })).toEqual({ deviceId: ids.server, readAt: null, components: [], history: [] });
  });

  it('records each component the monitor’s inventory poll reads, with the time it was read: the BMC’s FirmwareInventory, the UPS’s UPS-MIB version', async () => {
    await core.services.monitor.pollSite(ids.siteId, 'inventory');
    const server = await core.client('test').firmware.device({ id: ids.server });
    const expected = (bmc.resource('/redfish/v1/UpdateService/FirmwareInventory')!.Members as { '@odata.id': string }[]).map((member) => bmc.resource(member['@odata.id'])!);
    expect(server.components.map((component) => [component.componentId, component.version]).sort()).toEqual(expected.filter((item) => item.Version).map((item) => [`redfish:${String(item.Id)}`, String(item.Version)]).sort());
    expect(server.readAt).toBe(new Date(clock).toISOString());
    expect(server.components.every((component) => component.source === 'redfish' && component.since === server.readAt)).toBe(true);
    const upsFirmware = await core.client('test').firmware.device({ id: ids.ups });
    expect(upsFirmware.components).toEqual([{ componentId: 'ups', name: 'UPS', version: '1.4.2', source: 'ups', since: new Date(clock).toISOString(), readAt: new Date(clock).toISOString() }]);
  });

  it('keeps what the BMC ran when: an upgrade read by Read now starts a new span and ends the old one; the same version moves its read time on', async () => {
    const first = new Date(clock).toISOString();
    const before = String(bmc.resource(BMC_FIRMWARE)!.Version);
    clock += 3_600_000;
    bmc.resource(BMC_FIRMWARE)!.Version = '2.10.0-edgecab';
    await core.client('test').devices.refresh({ id: ids.server });
    const second = new Date(clock).toISOString();
    const view = await core.client('test').firmware.device({ id: ids.server });
    expect(view.components.find((component) => component.componentId === 'redfish:BMC')).toMatchObject({ version: '2.10.0-edgecab', since: second, readAt: second });
    const bmcSpans = view.history.filter((span) => span.componentId === 'redfish:BMC');
    expect(bmcSpans).toEqual([
      { componentId: 'redfish:BMC', name: expect.any(String), version: '2.10.0-edgecab', from: second, to: second, current: true },
      { componentId: 'redfish:BMC', name: expect.any(String), version: before, from: first, to: first, current: false },
    ]);
    // The BIOS did not change: one span, read again.
    expect(view.history.filter((span) => span.componentId === 'redfish:BIOS')).toEqual([expect.objectContaining({ from: first, to: second, current: true })]);
  });

  it('changes nothing on a read cut short (a FirmwareInventory member the BMC does not answer) or on a read older than what is known', async () => {
    const history = (await core.client('test').firmware.device({ id: ids.server })).history;
    const inventory = bmc.resource('/redfish/v1/UpdateService/FirmwareInventory')!;
    const members = inventory.Members as { '@odata.id': string }[];
    inventory.Members = [...members, { '@odata.id': '/redfish/v1/UpdateService/FirmwareInventory/Missing' }];
    clock += 3_600_000;
    const partial = await core.client('test').devices.refresh({ id: ids.server });
    expect(partial.redfish!.problems.some((problem) => problem.resource.includes('FirmwareInventory/Missing'))).toBe(true);
    expect((await core.client('test').firmware.device({ id: ids.server })).history).toEqual(history);
    inventory.Members = members;
    // The monitor's read from before the upgrade, kept after Read now had kept the upgrade: nothing goes back.
    core.services.firmware.readingKept(ids.server, { observedAt: new Date(Date.parse('2026-12-03T08:30:00Z')).toISOString(), snmp: null, redfish: { ...partial.redfish!, problems: [], firmware: [{ id: 'BMC', name: 'BMC', version: 'old', updateable: true }] } });
    expect((await core.client('test').firmware.device({ id: ids.server })).history).toEqual(history);
  });

  it('ends the span of a component the inventory no longer shows; a BMC without a firmware inventory is named by its manager’s own firmware', async () => {
    const inventory = bmc.resource('/redfish/v1/UpdateService/FirmwareInventory')!;
    const members = inventory.Members as { '@odata.id': string }[];
    inventory.Members = [];
    clock += 3_600_000;
    await core.client('test').devices.refresh({ id: ids.server });
    const view = await core.client('test').firmware.device({ id: ids.server });
    expect(view.components.length).toBeGreaterThan(0);
    expect(view.components.every((component) => component.componentId.startsWith('redfish:manager:'))).toBe(true);
    expect(view.history.some((span) => span.componentId === 'redfish:BIOS' && !span.current)).toBe(true);
    inventory.Members = members;
  });
});
