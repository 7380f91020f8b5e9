/**
 * Cabinet identity and integrity against one lab cabinet (edge-24u: two
 * server BMCs and a storage BMC over Redfish, switch, UPS, PDU and
 * environment monitor over SNMP), polled in-process: the identity is issued
 * and confirmed by polls; a swapped serial raises its mismatch alarm; Secure
 * Boot turned off, a firmware version changed and a TPM removed raise drift
 * alarms with expected and actual values; accepting clears them; the fleet
 * view shows a caller only the sites of their regions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../shared/domain/monitoring.js';
import { loadTemplates } from '../../main/core/services/cabinets/templates.js';
import { registerFleet } from '../../main/lab/controller.js';
import { LabFleet, type FleetSite } from '../../main/lab/fleet.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempCore } from '../support/core.js';
import { labIntegrity } from '../support/lab-integrity.js';
import { sharedPath } from '../support/shared-dir.js';

const template = loadTemplates().get('edge-24u')!;

describe('cabinet identity and integrity on a lab cabinet', () => {
  let fleet: LabFleet;
  let site: FleetSite;
  let siteId: string;
  let env: ReturnType<typeof tempCore>;
  const devices = new Map<string, string>();

  const services = () => env.core.services;
  const client = () => env.core.client('security-test');
  const bmc = (slot: string) => site.devices.find((device) => device.slotId === slot)!.lab as LabBmc;
  const poll = (kind: 'health' | 'inventory' = 'health') => services().monitor.pollSite(siteId, kind);
  const siteAlarms = (prefix: string): Alarm[] => services().alarms.list({ siteId }).alarms.filter((alarm) => alarm.condition.startsWith(prefix));
  const deviceReport = async (slot: string) => (await client().integrity.site({ siteId })).devices.find((device) => device.deviceId === devices.get(slot))!;

  beforeAll(async () => {
    fleet = await LabFleet.start({ sites: 1, seed: 21, template, mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), addressBase: 116 });
    site = fleet.sites[0]!;
    // The lab's servers boot with Secure Boot off; these ones have it on, so turning it off is a change.
    for (const slot of ['srv1', 'srv2', 'storage']) labIntegrity.secureBoot(bmc(slot), true);
    env = tempCore();
    siteId = registerFleet(services(), fleet, template.id).get(site.code)!;
    for (const device of services().cabinets.viewForSite(siteId)!.devices) if (device.slotId) devices.set(device.slotId, device.id);
    services().monitor.setPlan({ ...services().monitor.plan(), timeoutSeconds: 2 });
    // The wizard's step 4 baseline of srv1, as it would have taken it: the firmware it found.
    const firmware = ['BMC', 'BIOS', 'SS'].map((id) => ({ id, name: id, version: labIntegrity.firmwareOf(bmc('srv1'), id), updateable: true }));
    env.core.db.prepare('INSERT INTO device_baselines (device_id, taken_at, config) VALUES (?, ?, ?)').run(devices.get('srv1'), new Date().toISOString(), JSON.stringify({ firmware, managers: [], systems: [{ id: '437XR1138R2', serial: `${site.code}-SRV1` }] }));
    // An inventory poll gives every device a reading (serials, SNMP software), and checks integrity with it.
    await poll('inventory');
    await services().integrity.settled();
  }, 90_000);

  afterAll(async () => {
    await fleet?.stop();
    await env?.core.close();
    env?.cleanup();
  });

  it('issues the cabinet identity bound to each BMC\'s pinned certificate and serials, confirmed by the next poll', async () => {
    const enrolled = await client().nodeIdentity.enrol({ siteId });
    expect(enrolled.status).toBe('valid');
    const hardware = enrolled.current!.hardware;
    expect(hardware.map((device) => device.slotId).sort()).toEqual(['srv1', 'srv2', 'storage']);
    const srv1 = hardware.find((device) => device.slotId === 'srv1')!;
    expect(srv1).toMatchObject({ fingerprint: site.devices.find((device) => device.slotId === 'srv1')!.fingerprint, serials: [`${site.code}-SRV1`] });
    expect(srv1.readAt).not.toBeNull();
    expect(enrolled.current!.lastVerifiedAt).toBeNull();

    await poll();
    const verified = await client().nodeIdentity.get({ siteId });
    expect(Date.parse(verified.current!.lastVerifiedAt!)).toBeGreaterThan(Date.now() - 30_000);
    expect(verified.mismatches).toEqual([]);

    const ca = await client().pki.authority();
    expect(await ca.text()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  }, 60_000);

  it('raises an identity mismatch alarm when a BMC reports another serial, and clears it when the bound one is back', async () => {
    labIntegrity.serial(bmc('srv2'), 'REPLACED-BOARD');
    await poll('inventory');
    const [mismatch, ...more] = siteAlarms('identity-mismatch:');
    expect(more).toEqual([]);
    expect(mismatch).toMatchObject({ condition: `identity-mismatch:${devices.get('srv2')}`, severity: 'major', messageKey: 'identitySerialMismatch', params: { expected: `${site.code}-SRV2`, actual: 'REPLACED-BOARD' } });
    expect((await client().nodeIdentity.get({ siteId })).mismatches).toMatchObject([{ deviceId: devices.get('srv2'), what: 'serial' }]);

    labIntegrity.serial(bmc('srv2'), `${site.code}-SRV2`);
    await poll('inventory');
    await services().integrity.settled();
    expect(siteAlarms('identity-mismatch:')).toEqual([]);
    expect(services().alarms.get(mismatch!.id).state).toBe('cleared');
  }, 60_000);

  it('records every device\'s integrity as first seen: Secure Boot, trusted modules, measurements, firmware against the baseline; nothing differs', async () => {
    const report = await client().integrity.check({ siteId });
    expect(report.devices.map((device) => device.slotId).sort()).toEqual(['env', 'pdu-a', 'srv1', 'srv2', 'storage', 'sw1', 'ups']);
    expect(report.differences).toBe(0);
    expect(report.apps).toEqual({ deployed: 0, checks: [], checkedAt: null, differences: 0, items: [] });
    const srv1 = report.devices.find((device) => device.slotId === 'srv1')!;
    expect(srv1.error).toBeNull();
    expect(srv1.recorded?.source).toBe('first-seen');
    expect(srv1.baselineAt).not.toBeNull();
    const kinds = new Set(srv1.checks.map((check) => check.kind));
    expect([...kinds]).toEqual(['secure-boot', 'tpm', 'measurement', 'firmware']);
    expect(srv1.checks.find((check) => check.property === 'SecureBootEnable')).toMatchObject({ expected: 'Enabled', actual: 'Enabled', ok: true });
    expect(srv1.checks.find((check) => check.kind === 'firmware' && check.component === 'BMC')).toMatchObject({ source: 'baseline', ok: true });
    const ups = report.devices.find((device) => device.slotId === 'ups')!;
    expect(ups.checks.find((check) => check.property === 'upsIdentUPSSoftwareVersion')).toMatchObject({ actual: '1.4.2', ok: true });
    expect(siteAlarms('integrity:')).toEqual([]);
  }, 60_000);

  it('Secure Boot turned off, a firmware version changed, a TPM removed: drift alarms per device and kind with expected and actual; accept clears them', async () => {
    labIntegrity.secureBoot(bmc('srv1'), false);
    labIntegrity.firmwareVersion(bmc('srv1'), 'BMC', '1.46.0-rogue');
    labIntegrity.removeTpm(bmc('storage'));
    await client().integrity.check({ siteId });

    const srv1 = await deviceReport('srv1');
    expect(srv1.differences).toBe(3);
    expect(srv1.checks.filter((check) => check.ok === false).map((check) => [check.property, check.expected, check.actual])).toEqual([
      ['SecureBootCurrentBoot', 'Enabled', 'Disabled'],
      ['SecureBootEnable', 'Enabled', 'Disabled'],
      ['Version', labIntegrity.firmwareOf(bmc('srv2'), 'BMC'), '1.46.0-rogue'],
    ]);
    const drift = siteAlarms('integrity:').map((alarm) => [alarm.condition, alarm.messageKey, alarm.params.expected, alarm.params.actual]);
    expect(drift.sort()).toEqual(
      [
        [`integrity:${devices.get('srv1')}:firmware`, 'integrityFirmware', labIntegrity.firmwareOf(bmc('srv2'), 'BMC'), '1.46.0-rogue'],
        [`integrity:${devices.get('srv1')}:secure-boot`, 'integritySecureBoot', 'Enabled', 'Disabled'],
        [`integrity:${devices.get('storage')}:tpm`, 'integrityTpm', 'Enabled', 'Absent'],
      ].sort(),
    );
    expect(siteAlarms('integrity:').find((alarm) => alarm.condition.endsWith(':secure-boot'))!.message).toContain('Secure Boot of Compute 1');
    // The next health poll leaves them alone: they are not the poll's to clear.
    await poll();
    expect(siteAlarms('integrity:')).toHaveLength(3);

    const fleetView = await client().integrity.fleet();
    expect(fleetView.sites).toEqual([expect.objectContaining({ siteId, devices: 7, devicesChecked: 7, devicesDiffering: 2 })]);
    expect(fleetView.sites[0]!.differences).toBeGreaterThanOrEqual(5);

    const accepted = await client().integrity.accept({ id: devices.get('srv1')! });
    expect(accepted).toMatchObject({ differences: 0, recorded: { source: 'accepted', by: 'security-test' } });
    expect(siteAlarms('integrity:').map((alarm) => alarm.condition)).toEqual([`integrity:${devices.get('storage')}:tpm`]);
    // The accepted state holds at the next check; the storage TPM still differs until it is back.
    await client().integrity.check({ siteId });
    expect((await deviceReport('srv1')).differences).toBe(0);
    expect((await deviceReport('storage')).differences).toBeGreaterThan(0);
  }, 60_000);

  it('a BMC that cannot be read keeps its last report with the failure beside it, and its alarms as they were', async () => {
    await fleet.fault(site, 'link-down', true);
    try {
      await client().integrity.check({ siteId });
      const storage = await deviceReport('storage');
      expect(storage.error).toBeTruthy();
      expect(storage.differences).toBeGreaterThan(0);
      expect(Date.parse(storage.attemptedAt!)).toBeGreaterThan(Date.parse(storage.checkedAt!));
      expect(siteAlarms('integrity:').map((alarm) => alarm.condition)).toEqual([`integrity:${devices.get('storage')}:tpm`]);
    } finally {
      await fleet.fault(site, 'link-down', false);
    }
  }, 60_000);

  it('lists only the caller\'s regions in the fleet view; another region\'s viewer sees neither the site nor its report', async () => {
    const elsewhere = services().regions.create({ name: 'Elsewhere', parentId: null });
    const viewer = env.core.clientAs({ kind: 'user', userId: 'u-viewer', name: 'viewer-elsewhere', grants: [{ role: 'viewer', regionId: elsewhere.id }] });
    expect((await viewer.integrity.fleet()).sites).toEqual([]);
    await expect(viewer.integrity.site({ siteId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(viewer.nodeIdentity.get({ siteId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const labRegion = services().sites.get(siteId).regionId;
    const labViewer = env.core.clientAs({ kind: 'user', userId: 'u-lab', name: 'viewer-lab', grants: [{ role: 'viewer', regionId: labRegion }] });
    expect((await labViewer.integrity.fleet()).sites.map((each) => each.siteId)).toEqual([siteId]);
    await expect(labViewer.integrity.accept({ id: devices.get('storage')! })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(labViewer.nodeIdentity.revoke({ siteId, reason: 'curious' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  }, 60_000);

  it('ends the drift alarms of a device taken out of the cabinet at the next check of its site', async () => {
    expect(siteAlarms('integrity:').map((alarm) => alarm.condition)).toEqual([`integrity:${devices.get('storage')}:tpm`]);
    services().cabinets.remove(devices.get('storage')!);
    const report = await client().integrity.check({ siteId });
    expect(report.devices.map((device) => device.slotId)).not.toContain('storage');
    expect(siteAlarms('integrity:')).toEqual([]);
  }, 60_000);
});
