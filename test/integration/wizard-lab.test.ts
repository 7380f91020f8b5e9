/**
 * The first-boot wizard through the API against a lab cabinet: discovery of
 * the lab BMCs and SNMP devices with their factory credentials, the secure
 * step (BMC passwords replaced, the site's SNMPv3 user created on the
 * devices, factory communities off; a BMC that refuses the new password),
 * going back a step without losing a rotated password, configuration with
 * Redfish events pushed to EdgeCab, verification and the report.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../main/core/services/cabinets/templates.js';
import { verifyLogin } from '../../main/core/protocols/redfish/actions.js';
import { SnmpSession } from '../../main/core/protocols/snmp/session.js';
import { createCore, type Core } from '../../main/core/index.js';
import { LAB_COMMUNITY, LabFleet } from '../../main/lab/fleet.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { pushEvent } from '../../main/lab/redfish/push.js';
import type { WizardState } from '../../shared/domain/wizard.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';
import { freeUdpPort } from '../support/snmp-peers.js';

const template = loadTemplates().get('edge-12u')!;
const BASE = 113;

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the first-boot wizard on a lab cabinet', () => {
  let fleet: LabFleet;
  let data: ReturnType<typeof tempDir>;
  let core: Core;
  const client = () => core.client('tester');
  const bmcs = () => fleet.sites[0]!.devices.filter((device) => device.lab instanceof LabBmc).map((device) => device.lab as LabBmc);
  const items = (state: WizardState, step: number) => Object.fromEntries(state.items.filter((item) => item.step === step).map((item) => [item.label, item.state]));

  beforeAll(async () => {
    fleet = await LabFleet.start({ sites: 1, seed: 9, template, mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), addressBase: BASE });
    data = tempDir();
    core = createCore({ dataDir: data.dir, host: 'server' });
    // Traps and pushed events need their receivers: the secure step points the devices at them.
    const { warnings } = await core.startMonitoring({ trapPort: await freeUdpPort(), eventsPort: await freeTcpPort(), redfishEvents: false });
    expect(warnings).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await core?.close();
    data?.cleanup();
  });

  it('goes from an empty site to a secured, configured, monitored cabinet with a report', async () => {
    let state = await client().wizard.start();
    const runId = state.id;
    expect(state).toMatchObject({ step: 1, reachable: 1, budgetSeconds: 7200, overBudget: false });
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
    expect(state.discovery.devices.find((device) => device.protocol === 'redfish')).toMatchObject({ credential: 'Contoso factory default (Administrator)' });
    expect(items(state, 2)[`127.${BASE}.0.5`]).toBe('skipped');
    // The community that answered is named by a label; the community itself (a password) appears nowhere in the answer.
    expect(state.discovery.devices.find((device) => device.kind === 'ups')).toMatchObject({ credential: 'factory community 1 of 2' });
    expect(JSON.stringify(state)).not.toMatch(new RegExp(`\\b${LAB_COMMUNITY}\\b`));
    expect(state.inputs.discover).toEqual({ ranges: `127.${BASE}.0.1-127.${BASE}.0.8`, redfishPorts: [8443], snmpPorts: [1161] });
    // The plan now comes from what was found: 8 addresses, 2 BMCs, 4 SNMP devices.
    expect(state.steps.find((step) => step.step === 3)!.estimateSeconds).toBeLessThan(3600);

    // Certificates are trusted only explicitly.
    const matches = state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint }));
    await expect(client().wizard.confirm({ runId, matches, trusted: {} })).rejects.toThrow(/trust the certificate/);
    const trusted = Object.fromEntries(state.discovery.devices.filter((device) => device.fingerprint).map((device) => [`${device.address}:${device.port}`, device.fingerprint!]));
    state = await client().wizard.confirm({ runId, matches, trusted });
    expect(state.step).toBe(3);

    // Secure: srv2 refuses the new password; every SNMP device with a factory admin gets the site's v3 user.
    const [srv1Bmc, srv2Bmc] = bmcs();
    srv2Bmc!.faults.refusePasswordChange = true;
    state = await client().wizard.secure({ runId });
    expect(items(state, 3)).toMatchObject({ 'Compute 1': 'done', 'Compute 2': 'failed', UPS: 'done', PDU: 'done', Switch: 'done', 'Environment monitor': 'skipped' });
    expect(state.items.find((item) => item.step === 3 && item.label === 'Compute 2')?.detail).toMatch(/the BMC refused the new password, so the factory one stays: .*Password is not in a format/);
    expect(state.findings.map((finding) => finding.text).join('\n')).toMatch(/Environment monitor: no factory SNMPv3 admin user answers/);
    expect(state.inputs.secure).toMatchObject({ snmpUser: 'edgecab-zj-hz-wl', ownKeys: false });
    expect(state.reachable).toBe(3);

    // On the switch: the site user reads, the factory community no longer does.
    const cabinet = core.services.cabinets.viewForSite(state.siteId!)!;
    const switchDevice = core.services.cabinets.device(cabinet.devices.find((device) => device.slotId === 'sw1')!.id);
    const switchSecret = core.services.vault.open<{ version: string; v3: { user: string; authKey: string; privKey: string; authProtocol: string; privProtocol: string } }>(switchDevice.credentialId!);
    expect(switchSecret).toMatchObject({ version: '3', v3: { user: 'edgecab-zj-hz-wl', authProtocol: 'sha', privProtocol: 'aes' } });
    const [host, port] = switchDevice.endpoint!.split(':');
    const read = async (target: ConstructorParameters<typeof SnmpSession>[0]) => {
      const session = new SnmpSession(target);
      try {
        return (await session.get(['1.3.6.1.2.1.1.5.0']))[0]?.value?.toString();
      } finally {
        session.close();
      }
    };
    expect(await read({ host: host!, port: Number(port), version: '3', v3: switchSecret.v3 as never, timeoutMs: 1500, retries: 0 })).toBe('lab-001-sw1');
    await expect(read({ host: host!, port: Number(port), version: '2c', community: LAB_COMMUNITY, timeoutMs: 800, retries: 0 })).rejects.toMatchObject({ code: 'timeout' });

    // Retry only the failure once srv2's fault is lifted.
    // A poll of srv2 asked for while its password changes waits for the change: never two callers on the BMC, never a login with a password being changed.
    srv2Bmc!.faults.refusePasswordChange = false;
    srv2Bmc!.faults.latencyMs = 40;
    srv2Bmc!.maxCallersInFlight = 0;
    core.services.monitor.refreshTargets();
    const srv2Id = cabinet.devices.find((device) => device.slotId === 'srv2')!.id;
    const securing = client().wizard.secure({ runId });
    while (srv2Bmc!.callersInFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const polled = core.services.monitor.scheduler.request(srv2Id);
    state = await securing;
    expect(await polled).toBe(true);
    expect(srv2Bmc!.maxCallersInFlight).toBe(1);
    srv2Bmc!.faults.latencyMs = 0;
    expect(items(state, 3)).toMatchObject({ 'Compute 1': 'done', 'Compute 2': 'done', UPS: 'done' });
    expect(state.items.find((item) => item.step === 3 && item.label === 'UPS')?.attempts).toBe(1);
    expect(core.db.prepare('SELECT count(*) FROM credential_rotations').pluck().get()).toBe(0);
    expect(await verifyLogin({ url: srv2Bmc!.url, username: 'Administrator', password: 'lab-password', pinnedFingerprint: srv2Bmc!.fingerprint })).toBe(false);
    expect(state.step).toBe(4);

    // Going back to step 2 and confirming again never puts a factory password back.
    const srv1 = state.matches.find((match) => match.slotId === 'srv1')!.deviceId;
    const rotated = core.services.cabinets.device(srv1).credentialId!;
    await client().wizard.goto({ runId, step: 2 });
    state = await client().wizard.discover({ runId, ranges: `127.${BASE}.0.3`, redfishPorts: [8443], snmpPorts: [1161], wait: true });
    expect(state.items.find((item) => item.key === `discover:127.${BASE}.0.3`)?.detail).toMatch(/already secured/);
    state = await client().wizard.confirm({ runId, matches, trusted });
    expect(core.services.cabinets.device(srv1).credentialId).toBe(rotated);
    const srv1Secret = core.services.vault.open<{ username: string; password: string }>(rotated);
    expect(srv1Secret.password).not.toBe('lab-password');
    expect(await verifyLogin({ url: srv1Bmc!.url, username: srv1Secret.username, password: srv1Secret.password, pinnedFingerprint: srv1Bmc!.fingerprint })).toBe(true);
    await client().wizard.goto({ runId, step: 4 });

    state = await client().wizard.configure({ runId, ntpServers: ['ntp.branch.example'], dnsServers: ['10.0.0.53'] });
    expect(state.items.filter((item) => item.step === 4 && item.state === 'failed')).toEqual([]);
    expect(srv1Bmc!.resource('/redfish/v1/Managers/BMC/NetworkProtocol')?.NTP).toMatchObject({ NTPServers: ['ntp.branch.example'] });
    expect(core.db.prepare('SELECT count(*) FROM device_baselines').pluck().get()).toBe(6);
    expect(state.inputs.configure).toMatchObject({ ntpServers: ['ntp.branch.example'], dnsServers: ['10.0.0.53'] });
    // Each BMC pushes its events to EdgeCab's receiver, on a path with a secret of its own.
    const subscriptions = core.db.prepare('SELECT * FROM event_subscriptions').all() as { device_id: string; destination: string; subscription_uri: string }[];
    expect(subscriptions).toHaveLength(2);
    const eventsPort = core.services.monitor.eventsPort!;
    // The BMC holds the secret path; the database only its base and the secret's hash, so a copy of it cannot forge events.
    const srv1Subscription = subscriptions.find((each) => each.device_id === srv1)!;
    const pushedTo = String(srv1Bmc!.resource(srv1Subscription.subscription_uri)!.Destination);
    expect(pushedTo).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${eventsPort}/redfish/events/[A-Za-z0-9_-]{43}$`));
    const secretOnBmc = pushedTo.split('/').at(-1)!;
    for (const each of subscriptions) expect(each.destination).toBe(`https://127.0.0.1:${eventsPort}/redfish/events/`);
    expect(JSON.stringify(subscriptions)).not.toContain(secretOnBmc);
    // A push to the BMC's path is taken; one to a path with any other secret is refused.
    const event = { '@odata.type': '#Event.v1_7_0.Event', Id: 'w1', Name: 'Event', Events: [{ EventType: 'Alert', EventId: 'w1', MessageId: 'Base.1.0.Success', Message: 'test', MessageSeverity: 'OK', OriginOfCondition: { '@odata.id': '/redfish/v1/Systems/437XR1138R2' }, EventTimestamp: new Date().toISOString() }] };
    const delivery = { delivered: 0, failed: 0 };
    pushEvent({ Destination: pushedTo }, event, undefined, delivery);
    pushEvent({ Destination: `${pushedTo.slice(0, -8)}AAAAAAAA` }, event, undefined, delivery);
    for (let wait = 0; wait < 100 && delivery.delivered + delivery.failed < 2; wait += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(delivery).toEqual({ delivered: 1, failed: 1 });
    expect(core.services.monitor.status().events.push).toMatchObject({ accepted: 1, refused: 1 });
    // Re-running configure does nothing twice: no second subscription.
    state = await client().wizard.configure({ runId, ntpServers: ['ntp.branch.example'], dnsServers: ['10.0.0.53'], only: [`events:${srv1}`] });
    expect(state.items.find((item) => item.key === `events:${srv1}`)?.detail).toMatch(/already subscribed/);
    expect(core.db.prepare('SELECT count(*) FROM event_subscriptions').pluck().get()).toBe(2);

    state = await client().wizard.verify({ runId });
    expect(state.status).toBe('done');
    expect(Object.values(items(state, 5)).every((each) => each === 'done')).toBe(true);
    const site = core.services.map.one(state.siteId!);
    expect(site?.[6]).not.toBe('unknown');

    const report = await client().wizard.report({ runId });
    expect(report.html).toContain('Acceptance report — Hangzhou West Lake branch (ZJ-HZ-WL)');
    expect(report.html).toContain('BMC account &quot;Administrator&quot; has a new generated password');
    expect(report.html).not.toMatch(/lab-password/);
    expect(report.html).not.toMatch(new RegExp(`\\b${LAB_COMMUNITY}\\b`));
    expect(JSON.stringify(await client().wizard.get({ runId }))).not.toMatch(new RegExp(`\\b${LAB_COMMUNITY}\\b`));
    expect(Buffer.from(report.pdfBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
  }, 180_000);
});
