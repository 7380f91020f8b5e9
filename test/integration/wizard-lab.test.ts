/**
 * The first-boot wizard through the API against a lab cabinet: discovery of
 * the lab BMCs and SNMP devices with their factory credentials, the secure
 * step (including a BMC that refuses the new password, and a crash between
 * "password changed" and "password stored"), configuration, verification and
 * the acceptance report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../main/core/services/cabinets/templates.js';
import { verifyLogin } from '../../main/core/protocols/redfish/actions.js';
import { createCore, type Core } from '../../main/core/index.js';
import { LAB_SNMP_V3, LabFleet } from '../../main/lab/fleet.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import type { WizardState } from '../../shared/domain/wizard.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const template = loadTemplates().get('edge-12u')!;
const BASE = 113;

describe('the first-boot wizard on a lab cabinet', () => {
  let fleet: LabFleet;
  let data: ReturnType<typeof tempDir>;
  let core: Core;
  let crashOn: string | null = null;
  const open = () =>
    createCore({
      dataDir: data.dir,
      host: 'server',
      rotationHooks: {
        afterPasswordChange: (deviceId) => {
          if (deviceId === crashOn) throw new Error('simulated crash: the process died here');
        },
      },
    });
  const client = () => core.client('tester');
  const bmcs = () => fleet.sites[0]!.devices.filter((device) => device.lab instanceof LabBmc).map((device) => device.lab as LabBmc);
  const items = (state: WizardState, step: number) => Object.fromEntries(state.items.filter((item) => item.step === step).map((item) => [item.label, item.state]));

  beforeAll(async () => {
    fleet = await LabFleet.start({ sites: 1, seed: 9, template, mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), addressBase: BASE });
    data = tempDir();
    core = open();
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await core?.close();
    data?.cleanup();
  });

  it('goes from an empty site to a secured, configured, monitored cabinet with a report, resuming after a crash', async () => {
    let state = await client().wizard.start();
    const runId = state.id;
    expect(state).toMatchObject({ step: 1, reachable: 1, budgetSeconds: 7200 });
    await expect(client().wizard.discover({ runId, ranges: `127.${BASE}.0.0/29` })).rejects.toThrow(/Finish step 1 first/);

    state = await client().wizard.site({ runId, name: 'Hangzhou West Lake branch', code: 'ZJ-HZ-WL', latitude: 30.25, longitude: 120.15, address: 'Nanshan Rd 1', contact: 'Li Wei', templateId: 'edge-12u', managementSubnet: `127.${BASE}.0.0/24` });
    expect(state.preflight.map((check) => [check.id, check.ok])).toEqual([
      ['interface', true],
      ['subnet', true],
      ['time', true],
    ]);
    expect(state).toMatchObject({ step: 2, reachable: 2 });

    state = await client().wizard.discover({ runId, ranges: `127.${BASE}.0.1-127.${BASE}.0.8`, redfishPorts: [8443], snmpPorts: [1161], wait: true });
    expect(state.discovery).toMatchObject({ running: false, total: 8, done: 8 });
    const found = state.discovery.devices.map((device) => `${device.address}:${device.protocol}:${device.kind}`).sort();
    expect(found).toEqual([`127.${BASE}.0.1:snmp:ups`, `127.${BASE}.0.2:snmp:pdu`, `127.${BASE}.0.3:redfish:server`, `127.${BASE}.0.4:redfish:server`, `127.${BASE}.0.6:snmp:switch`, `127.${BASE}.0.7:snmp:environment`]);
    expect(state.discovery.devices.find((device) => device.protocol === 'redfish')?.credential).toBe('Contoso factory default (Administrator)');
    expect(items(state, 2)[`127.${BASE}.0.5`]).toBe('skipped');
    expect(state.matches.map((match) => `${match.slotId}=${match.endpoint}`)).toEqual([
      `ups=127.${BASE}.0.1:1161`,
      `pdu-a=127.${BASE}.0.2:1161`,
      `srv1=127.${BASE}.0.3:8443`,
      `srv2=127.${BASE}.0.4:8443`,
      'cooling=null',
      `sw1=127.${BASE}.0.6:1161`,
      `env=127.${BASE}.0.7:1161`,
    ]);

    // Certificates are trusted only explicitly.
    const matches = state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint }));
    await expect(client().wizard.confirm({ runId, matches, trusted: {} })).rejects.toThrow(/trust the certificate/);
    const trusted = Object.fromEntries(state.discovery.devices.filter((device) => device.fingerprint).map((device) => [`${device.address}:${device.port}`, device.fingerprint!]));
    state = await client().wizard.confirm({ runId, matches, trusted });
    expect(state.step).toBe(3);

    // Secure: srv2 refuses the new password; srv1's change "crashes" between the BMC taking it and EdgeCab recording it.
    const [srv1Bmc, srv2Bmc] = bmcs();
    srv2Bmc!.faults.refusePasswordChange = true;
    const srv1 = state.matches.find((match) => match.slotId === 'srv1')!.deviceId;
    crashOn = srv1;
    state = await client().wizard.secure({ runId, snmpV3: { ...LAB_SNMP_V3 } });
    expect(items(state, 3)).toMatchObject({ 'Compute 1': 'failed', 'Compute 2': 'failed', UPS: 'done', PDU: 'done', Switch: 'done', 'Environment monitor': 'skipped' });
    expect(state.items.find((item) => item.step === 3 && item.label === 'Compute 2')?.detail).toMatch(/the BMC refused the new password, so the factory one stays: .*Password is not in a format/);
    expect(state.findings.map((finding) => finding.text).join('\n')).toMatch(/Environment monitor: does not allow SNMPv3 authPriv/);
    expect(state.reachable).toBe(3);

    // The process "dies" now; what is on disk must open srv1's BMC: its new password was stored before it was set.
    await core.close();
    crashOn = null;
    core = open();
    const rotation = core.db.prepare('SELECT pending_credential_id FROM credential_rotations WHERE device_id = ?').pluck().get(srv1) as string;
    const pending = core.services.wizard['deps'].vault.open<{ username: string; password: string }>(rotation);
    expect(await verifyLogin({ url: srv1Bmc!.url, username: pending.username, password: pending.password, pinnedFingerprint: srv1Bmc!.fingerprint })).toBe(true);

    // Resume: the same run, at step 3; retry only the failures once srv2's fault is lifted.
    state = await client().wizard.get({ runId });
    expect(state.step).toBe(3);
    srv2Bmc!.faults.refusePasswordChange = false;
    state = await client().wizard.secure({ runId, snmpV3: { ...LAB_SNMP_V3 } });
    expect(items(state, 3)).toMatchObject({ 'Compute 1': 'done', 'Compute 2': 'done', UPS: 'done' });
    expect(state.items.find((item) => item.step === 3 && item.label === 'UPS')?.attempts).toBe(1);
    expect(core.db.prepare('SELECT count(*) FROM credential_rotations').pluck().get()).toBe(0);
    // The factory password no longer opens the BMCs; the stored one does.
    expect(await verifyLogin({ url: srv2Bmc!.url, username: 'Administrator', password: 'lab-password', pinnedFingerprint: srv2Bmc!.fingerprint })).toBe(false);
    expect(state.step).toBe(4);

    state = await client().wizard.configure({ runId, ntpServers: ['ntp.branch.example'], dnsServers: ['10.0.0.53'], eventDestination: 'https://edgecab.example:4780/redfish/events', trapDestination: '10.0.0.5:162' });
    expect(state.items.filter((item) => item.step === 4 && item.state === 'failed')).toEqual([]);
    expect(srv1Bmc!.resource('/redfish/v1/Managers/BMC/NetworkProtocol')?.NTP).toMatchObject({ NTPServers: ['ntp.branch.example'] });
    expect(core.db.prepare('SELECT count(*) FROM device_baselines').pluck().get()).toBe(6);
    // Re-running configure does nothing twice: no second subscription.
    state = await client().wizard.configure({ runId, ntpServers: ['ntp.branch.example'], dnsServers: ['10.0.0.53'], eventDestination: 'https://edgecab.example:4780/redfish/events', trapDestination: '10.0.0.5:162', only: [`events:${srv1}`] });
    expect(state.items.find((item) => item.key === `events:${srv1}`)?.detail).toMatch(/already subscribed/);

    state = await client().wizard.verify({ runId });
    expect(state.status).toBe('done');
    expect(Object.values(items(state, 5)).every((each) => each === 'done')).toBe(true);
    const site = core.services.map.one(state.siteId!);
    expect(site?.[6]).not.toBe('unknown');

    const report = await client().wizard.report({ runId });
    expect(report.html).toContain('Acceptance report — Hangzhou West Lake branch (ZJ-HZ-WL)');
    expect(report.html).toContain('BMC account &quot;Administrator&quot; has a new generated password');
    expect(report.html).not.toMatch(/lab-password/);
    expect(Buffer.from(report.pdfBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
  }, 180_000);
});
