import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { LabUps } from '../../main/lab/snmp/devices.js';
import { tempCore } from '../support/core.js';
import { MOCKUPS_DIR } from '../support/redfish.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { rejection } from '../support/rejection.js';

describe('a site cabinet with real devices behind it', () => {
  let core: Core;
  let dataDir: string;
  let cleanup: () => void;
  let bmc: LabBmc;
  let ups: LabUps;
  beforeAll(async () => {
    ({ core, cleanup, dataDir } = tempCore());
    bmc = await new LabBmc({ mockupDir: `${MOCKUPS_DIR}/dmtf-public-rackmount1`, users: { admin: 'Bmc-Secret-9' } }).start();
    ups = await new LabUps({ name: 'ups-07', port: await freeUdpPort(), community: 'cabinet-ro' }).start();
  });
  afterAll(async () => {
    await bmc?.stop();
    await ups?.stop();
    cleanup();
  });

  it('sets up the cabinet from a model, connects a server and a UPS, reads them, and restarts the server', async () => {
    const client = core.client('desktop:tester');
    const site = await client.sites.create({ name: 'Branch 7', code: 'BR-7', latitude: 30.5, longitude: 114.3 });
    expect(await client.cabinets.get({ siteId: site.id })).toBeNull();
    const view = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
    expect(view.cabinet.heightU).toBe(42);
    expect(view.devices.map((device) => device.slotId)).toEqual(expect.arrayContaining(['ups', 'pdu-a', 'srv1', 'sw1', 'env', 'cooling']));
    expect(view.links.find((link) => link.kind === 'network' && link.external === 'wan')).toBeDefined();
    expect((await rejection(client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' }))).code).toBe('CONFLICT');

    const server = view.devices.find((device) => device.slotId === 'srv1')!;
    await client.devices.connect({ id: server.id, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Secret-9' });
    // The BMC's certificate is not trusted yet: refused with its fingerprint, trusted on request.
    const untrusted = await rejection(client.devices.refresh({ id: server.id }));
    expect(untrusted.data).toEqual({ reason: 'tls_untrusted', fingerprint: bmc.fingerprint });
    await client.devices.trustCertificate({ id: server.id, fingerprint: bmc.fingerprint });
    const reading = await client.devices.refresh({ id: server.id });
    expect(reading.status).toBe('warning');
    expect(reading.redfish?.systems[0]?.serial).toBe('437XR1138R2');

    await client.devices.power({ id: server.id, action: 'ForceOff' });
    expect(bmc.resource('/redfish/v1/Systems/437XR1138R2')!.PowerState).toBe('Off');
    const restarted = await client.devices.power({ id: server.id, action: 'GracefulRestart' });
    expect(restarted.redfish?.systems[0]?.powerState).toBe('On');

    const upsDevice = view.devices.find((device) => device.slotId === 'ups')!;
    await client.devices.connect({ id: upsDevice.id, protocol: 'snmp', host: '127.0.0.1', port: ups.port, version: '2c', community: 'cabinet-ro' });
    expect((await client.devices.refresh({ id: upsDevice.id })).status).toBe('ok');
    await ups.setOnBattery(true);
    expect((await client.devices.refresh({ id: upsDevice.id })).status).toBe('warning');
    const detail = await client.devices.get({ id: upsDevice.id });
    expect(detail.history.map((point) => point.status)).toEqual(['ok', 'warning']);
    expect(detail.history[1]?.loadPercent).toBe(55);
    expect(detail.latest?.snmp?.ups?.outputSource).toBe('battery');

    const after = (await client.cabinets.get({ siteId: site.id }))!;
    expect(after.devices.find((device) => device.id === upsDevice.id)).toMatchObject({ status: 'warning', hasCredential: true, endpoint: `127.0.0.1:${ups.port}` });

    // Every action is audited, and no secret is in the log or the answers.
    const audit = await client.audit.list({ limit: 50 });
    const operations = audit.items.map((entry) => entry.operation);
    expect(operations).toEqual(expect.arrayContaining(['devices.power', 'devices.connect', 'devices.trustCertificate', 'cabinets.create']));
    expect(audit.items.find((entry) => entry.operation === 'devices.power')).toMatchObject({ actor: 'desktop:tester', outcome: 'ok', target: server.id });
    expect(JSON.stringify(audit.items)).not.toMatch(/Bmc-Secret-9|cabinet-ro/);
    expect(JSON.stringify(after)).not.toMatch(/Bmc-Secret-9|cabinet-ro/);
  });

  it('keeps credentials sealed: the database alone does not reveal them', async () => {
    // Every other secret too: the alarm webhook's, SNMP communities, API tokens (kept as hashes).
    await core.client('t').alarms.setForwarding({ desktopCritical: false, webhook: { url: 'https://127.0.0.1:1/hook', secret: 'Webhook-Secret-4d2a', minSeverity: 'critical' }, syslog: null });
    const { token } = core.services.identity.createToken((await core.services.identity.createUser({ name: 'sealed-check', displayName: null, password: 'correct horse battery 7', grants: [{ role: 'viewer', regionId: null }] })).id, { name: 'sealed', scope: 'viewer', expiresInDays: 1 });
    expect((await core.client('t').alarms.forwarding()).webhook).toMatchObject({ url: 'https://127.0.0.1:1/hook' });
    const database = readFileSync(join(dataDir, 'edgecab.sqlite'));
    const wal = (() => {
      try {
        return readFileSync(join(dataDir, 'edgecab.sqlite-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    const files = Buffer.concat([database, wal]);
    for (const secret of ['Bmc-Secret-9', 'cabinet-ro', 'Webhook-Secret-4d2a', token, 'correct horse battery 7']) expect(files.includes(secret), secret).toBe(false);
    expect(statSync(join(dataDir, 'credentials.key')).mode & 0o777).toBe(0o600);
  });

  it('places, moves and removes devices with the placement rules, naming the problem', async () => {
    const client = core.client('t');
    const site = await client.sites.create({ name: 'Branch 8', code: 'BR-8', latitude: 31, longitude: 121 });
    const view = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    const overlap = await rejection(client.devices.add({ cabinetId: view.cabinet.id, kind: 'server', name: 'Extra', u: 4, heightU: 1, face: 'front', depth: 'full', protocol: 'redfish' }));
    expect(overlap.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(overlap.data)).toMatch(/overlaps Compute 1/);
    const added = await client.devices.add({ cabinetId: view.cabinet.id, kind: 'storage', name: 'NAS', u: 6, heightU: 2, face: 'front', depth: 'full', protocol: 'none' });
    const outside = await rejection(client.devices.update({ id: added.id, u: 12 }));
    expect(JSON.stringify(outside.data)).toMatch(/outside the cabinet \(U1–U12\)/);
    const moved = await client.devices.update({ id: added.id, u: 6, name: 'NAS 1' });
    expect(moved).toMatchObject({ name: 'NAS 1', u: 6 });
    await client.devices.remove({ id: added.id });
    expect((await client.cabinets.get({ siteId: site.id }))!.devices.some((device) => device.id === added.id)).toBe(false);
  });
});
