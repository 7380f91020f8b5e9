/**
 * An SNMP agent's move to the site's SNMPv3 user, interrupted (the core
 * stopped midway — here the run is stopped at a step and the core is then
 * opened again from its database, as after a kill): the rotation record it
 * left is settled by monitoring's next poll, which then polls with the
 * site user; meanwhile the trap receiver already takes the site user's
 * traps. A re-run with other keys ("use my own") settles the pending
 * passphrases first and never discards them unproven, and the wizard
 * refuses to change the site user while a device's change is unsettled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureAgent, type SecureStep } from '../../main/core/protocols/snmp/admin/secure-agent.js';
import { SnmpSession } from '../../main/core/protocols/snmp/session.js';
import { createCore, type Core } from '../../main/core/index.js';
import { LAB_SNMP_V3_ADMIN } from '../../main/lab/fleet.js';
import { LabUps } from '../../main/lab/snmp/devices.js';
import type { SnmpV3Credentials } from '../../shared/domain/snmp.js';
import { tempDir } from '../support/core.js';
import { freeUdpPort } from '../support/snmp-peers.js';

const FIRST = { user: 'edgecab-site', authKey: 'site-auth-Lq83nVx0Ps', privKey: 'site-priv-Ww5cYt1mKd', authProtocol: 'sha', privProtocol: 'aes' } satisfies SnmpV3Credentials;
const OWN = { user: 'edgecab-site', authKey: 'my-own-auth-9vXq2LmR', privKey: 'my-own-priv-3KdP8wZt', authProtocol: 'sha', privProtocol: 'aes' } satisfies SnmpV3Credentials;

const labUps = (name: string) => new LabUps({ name, port: 0, community: 'public', writeCommunity: 'private', adminUsers: [{ ...LAB_SNMP_V3_ADMIN }] }).start();

/** Reads sysName with these credentials; null when the agent does not answer them. */
async function reads(port: number, target: { version: '2c'; community: string } | { version: '3'; v3: SnmpV3Credentials }): Promise<string | null> {
  const session = new SnmpSession({ host: '127.0.0.1', port, timeoutMs: 700, retries: 0, ...target });
  try {
    return String((await session.get(['1.3.6.1.2.1.1.5.0']))[0]?.value ?? '');
  } catch {
    return null;
  } finally {
    session.close();
  }
}

/** A site whose UPS slot is connected to the lab UPS with its factory community. */
async function siteWithUps(core: Core, code: string, ups: LabUps): Promise<{ siteId: string; deviceId: string; endpoint: string }> {
  const client = core.client('test');
  const site = await client.sites.create({ name: `Pending ${code}`, code, latitude: 30, longitude: 120 });
  const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
  const deviceId = cabinet.devices.find((device) => device.slotId === 'ups')!.id;
  await client.devices.connect({ id: deviceId, protocol: 'snmp', host: '127.0.0.1', port: ups.port, version: '2c', community: 'public' });
  return { siteId: site.id, deviceId, endpoint: core.services.cabinets.device(deviceId).endpoint! };
}

/** What secure.ts does, stopped right after `step` (the factory admin or the communities already gone): the record stays. */
async function interruptedSecure(core: Core, target: { deviceId: string; endpoint: string }, port: number, step: SecureStep['step'], trapPort: number | null): Promise<void> {
  // As the wizard does: informs to EdgeCab's receiver, keyed for EdgeCab's engine (kept in the database, the same after a restart).
  await core.services.rotation.beginSnmp({ ...target, fingerprint: null }, { version: '3', v3: FIRST });
  const stop = (each: SecureStep) => {
    if (each.step === step) throw new Error(`stopped after ${step}`);
  };
  const plan = { user: FIRST.user, authKey: FIRST.authKey, privKey: FIRST.privKey, destination: trapPort ? { host: '127.0.0.1', port: trapPort, kind: 'inform' as const, engineId: core.services.monitor.engineId() } : null, communities: ['public'] };
  await expect(secureAgent({ host: '127.0.0.1', port, admin: { ...LAB_SNMP_V3_ADMIN }, timeoutMs: 700, retries: 1 }, plan, { onStep: stop })).rejects.toThrow(/stopped after/);
}

describe('SNMP rotations left unsettled by an interrupted Secure step', () => {
  const dirs: { cleanup: () => void }[] = [];
  const devices: LabUps[] = [];
  const cores: Core[] = [];
  const open = (dataDir: string) => {
    const core = createCore({ dataDir, host: 'server' });
    cores.push(core);
    return core;
  };
  const fresh = () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir.dir;
  };

  afterAll(async () => {
    for (const core of cores) await core.close().catch(() => undefined);
    await Promise.all(devices.map((device) => device.stop()));
    dirs.forEach((dir) => dir.cleanup());
  });

  let ups: LabUps;
  beforeAll(async () => {
    ups = await labUps('lab-ups-pending');
    devices.push(ups);
  });

  it("after the communities went: the trap receiver takes the site user's traps at once, and the next poll settles the change and polls with the site user", async () => {
    const dataDir = fresh();
    const trapPort = await freeUdpPort();
    const first = open(dataDir);
    const target = await siteWithUps(first, 'PR-1', ups);
    await interruptedSecure(first, target, ups.port, 'communities', trapPort);
    expect(await reads(ups.port, { version: '2c', community: 'public' })).toBeNull();
    await first.close();

    const core = open(dataDir);
    // Polls far apart and stopped: nothing but the inform (and the poll it asks for) runs before the poll below.
    core.services.monitor.setPlan({ ...core.services.monitor.plan(), healthSeconds: 3600 });
    const { warnings } = await core.startMonitoring({ trapPort, eventsPort: null, redfishEvents: false });
    expect(warnings).toEqual([]);
    core.services.monitor.scheduler.stop();
    expect(core.services.rotation.record(target.deviceId)).not.toBeNull();
    await ups.setOnBattery(true);
    // The UPS informs as the site user it was being given: taken (its alarm raised by the inform itself), not refused as an unknown user.
    let alarm;
    for (let wait = 0; wait < 100 && !alarm; wait += 1) {
      core.services.monitor.flush();
      alarm = core.services.alarms.list({ siteId: target.siteId, rootsOnly: false }).alarms.find((each) => each.origin === 'trap');
      if (!alarm) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(alarm).toMatchObject({ condition: 'power-source:battery' });
    await ups.setOnBattery(false);

    await core.services.monitor.pollSite(target.siteId);
    const device = core.services.cabinets.device(target.deviceId);
    expect(device.status).not.toBe('unreachable');
    expect(core.services.rotation.record(target.deviceId)).toBeNull();
    expect(core.services.vault.open<{ version: string; v3: SnmpV3Credentials }>(device.credentialId!)).toMatchObject({ version: '3', v3: { user: FIRST.user, authKey: FIRST.authKey } });
  }, 60_000);

  it('"use my own" keys after the factory admin went: the pending site user is settled first, not discarded, and the device stays reachable', async () => {
    const other = await labUps('lab-ups-own-keys');
    devices.push(other);
    const dataDir = fresh();
    const first = open(dataDir);
    const target = await siteWithUps(first, 'PR-2', other);
    await interruptedSecure(first, target, other.port, 'factory-user', null);
    await first.close();

    const core = open(dataDir);
    const rotation = core.services.rotation;
    // The re-run with other keys: the pending passphrases are the only way in, so they are proven and made current first.
    const pendingId = await rotation.beginSnmp({ ...target, fingerprint: null }, { version: '3', v3: OWN });
    expect(core.services.vault.open<{ v3: SnmpV3Credentials }>(pendingId).v3.authKey).toBe(OWN.authKey);
    const result = await secureAgent({ host: '127.0.0.1', port: other.port, admin: { ...LAB_SNMP_V3_ADMIN }, timeoutMs: 700, retries: 0 }, { user: OWN.user, authKey: OWN.authKey, privKey: OWN.privKey, destination: null, communities: [] });
    // Neither the factory admin (gone) nor a user with the new keys answers: the agent refuses, and the change is abandoned.
    expect(result.credentials).toBeNull();
    rotation.abandon(target.deviceId);
    const device = core.services.cabinets.device(target.deviceId);
    const current = core.services.vault.open<{ version: string; v3: SnmpV3Credentials }>(device.credentialId!);
    expect(current).toMatchObject({ version: '3', v3: { user: FIRST.user, authKey: FIRST.authKey } });
    expect(await reads(other.port, { version: '3', v3: current.v3 })).toBe('lab-ups-own-keys');
  }, 60_000);

  it('the wizard refuses to change the site user while a device does not answer to settle its change, and keeps its pending passphrases', async () => {
    const silent = await labUps('lab-ups-silent');
    devices.push(silent);
    const core = open(fresh());
    const client = core.client('test');
    const { id: runId } = await client.wizard.start();
    await client.wizard.site({ runId, name: 'Silent branch', code: 'PR-3', latitude: 30, longitude: 120, templateId: 'edge-12u', managementSubnet: '127.0.0.0/24' });
    let state = await client.wizard.discover({ runId, ranges: '127.0.0.1', redfishPorts: [1], snmpPorts: [silent.port], wait: true });
    expect(state.discovery.devices).toHaveLength(1);
    state = await client.wizard.confirm({ runId, matches: state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint })), trusted: {} });
    const deviceId = state.matches.find((match) => match.slotId === 'ups')!.deviceId;
    const endpoint = core.services.cabinets.device(deviceId).endpoint!;
    await interruptedSecure(core, { deviceId, endpoint }, silent.port, 'factory-user', null);
    core.services.rotation.release(deviceId);
    await silent.stop();

    await expect(client.wizard.secure({ runId, snmpV3: OWN })).rejects.toThrow(/not settled/);
    const record = core.services.rotation.record(deviceId)!;
    expect(core.services.vault.open<{ v3: SnmpV3Credentials }>(record.pendingCredentialId).v3).toMatchObject({ authKey: FIRST.authKey, privKey: FIRST.privKey });
    // Below the wizard too: a new user is refused while the old change is unsettled.
    await expect(core.services.rotation.beginSnmp({ deviceId, endpoint, fingerprint: null }, { version: '3', v3: OWN })).rejects.toThrow(/not settled/);
    expect(core.services.vault.open<{ v3: SnmpV3Credentials }>(core.services.rotation.record(deviceId)!.pendingCredentialId).v3.authKey).toBe(FIRST.authKey);
  }, 60_000);
});
