/**
 * A password change whose outcome is unknown keeps both candidates and is
 * settled by logging in: at once, and again from the monitor's polls. Each
 * way a field BMC ends a change is played by a lab BMC: 204 with no body,
 * applied then 503, 503 before applying, applied then the connection
 * dropped, applied then no answer. A credential corrected by the user, or
 * made current by a rotation, is what the very next poll uses; one caller
 * giving up on a resolution does not fail it for the others; and the BMC's
 * lockout budget survives a restart of the core, so neither the settling
 * nor the monitor's polls and event streams lock the account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolution } from '../../main/core/services/credentials/rotation.js';
import { createCore, type Core } from '../../main/core/index.js';
import { verifyLogin } from '../../main/core/protocols/redfish/actions.js';
import { LabBmc, type BmcFaults } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const FACTORY = { username: 'Administrator', password: 'lab-password' };

describe('password changes with unknown outcomes', () => {
  let bmc: LabBmc;
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  let clock = Date.now();
  let deviceId = '';

  beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), users: { [FACTORY.username]: FACTORY.password } }).start();
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server', now: () => new Date(clock) });
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Field branch', code: 'FB-1', latitude: 30, longitude: 120 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    deviceId = cabinet.devices.find((device) => device.slotId === 'srv1')!.id;
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await bmc?.stop();
    dir?.cleanup();
  });

  const reset = async () => {
    // Each case starts with the refusals of the last one no longer counted (the BMC counts them for 30 s).
    clock += 60_000;
    bmc.faults = {};
    bmc.setPassword(FACTORY.username, FACTORY.password);
    await core.client('test').devices.connect({ id: deviceId, protocol: 'redfish', url: bmc.url, ...FACTORY, fingerprint: bmc.fingerprint });
  };
  const rotate = (faults: BmcFaults) => {
    bmc.faults = faults;
    const device = core.services.cabinets.device(deviceId);
    return core.services.rotation.rotate({ deviceId, endpoint: device.endpoint!, fingerprint: device.fingerprint });
  };
  const stored = () => core.services.vault.open<{ password: string }>(core.services.cabinets.device(deviceId).credentialId!).password;
  const poll = async () => {
    await core.services.monitor.pollSite(core.services.cabinets.device(deviceId).siteId);
    return core.services.cabinets.device(deviceId).status;
  };

  for (const ending of ['no-content', 'applied-then-503', 'applied-then-drop'] as const) {
    it(`the BMC applied it but answered ${ending}: settled at once by logging in with the new password`, async () => {
      await reset();
      const result = await rotate({ passwordChange: ending });
      expect(result.outcome).toBe('rotated');
      expect(stored()).toBe(bmc.passwordOf(FACTORY.username));
      expect(stored()).not.toBe(FACTORY.password);
      expect(core.services.rotation.record(deviceId)).toBeNull();
    }, 30_000);
  }

  it('the BMC applied it and never answered: a timeout, then settled by logging in', async () => {
    await reset();
    const result = await rotate({ passwordChange: 'applied-then-hang' });
    expect(result.outcome).toBe('rotated');
    expect(stored()).toBe(bmc.passwordOf(FACTORY.username));
  }, 30_000);

  it('a 503 before the BMC applied it: both passwords stay stored, monitoring goes on with the old one, and later the change is given up', async () => {
    await reset();
    const result = await rotate({ passwordChange: '503-not-applied' });
    expect(result.outcome).toBe('unknown');
    expect(result.detail).toMatch(/both passwords stay stored/);
    const record = core.services.rotation.record(deviceId)!;
    expect(record).toMatchObject({ phase: 'unknown' });
    // Both candidates are sealed and kept.
    expect(core.services.vault.open<{ password: string }>(record.pendingCredentialId).password).not.toBe(FACTORY.password);
    expect(core.services.vault.open<{ password: string }>(record.previousCredentialId!).password).toBe(FACTORY.password);
    bmc.faults = {};
    // The next poll tries the new password once (it fails), sees the old one still works, and keeps both: the BMC might still apply it.
    expect(await poll()).not.toBe('unreachable');
    expect(core.services.rotation.record(deviceId)).not.toBeNull();
    // A quarter of an hour later the old one still works: the change did not happen, the pending password goes.
    clock += 16 * 60_000;
    expect(await poll()).not.toBe('unreachable');
    expect(core.services.rotation.record(deviceId)).toBeNull();
    expect(stored()).toBe(FACTORY.password);
    expect(await verifyLogin({ url: bmc.url, ...FACTORY, pinnedFingerprint: bmc.fingerprint })).toBe(true);
  }, 30_000);

  it('a 503 before applying, then the BMC applies it late: the next poll logs in with the new password and makes it current', async () => {
    await reset();
    const result = await rotate({ passwordChange: '503-not-applied' });
    expect(result.outcome).toBe('unknown');
    const pending = core.services.vault.open<{ password: string }>(core.services.rotation.record(deviceId)!.pendingCredentialId).password;
    bmc.faults = {};
    bmc.setPassword(FACTORY.username, pending);
    expect(await poll()).not.toBe('unreachable');
    expect(core.services.rotation.record(deviceId)).toBeNull();
    expect(stored()).toBe(pending);
  }, 30_000);

  it('after a rotation promotes the new password, the very next scheduled poll logs in with it (no refused login, no wait for the target refresh)', async () => {
    await reset();
    const monitor = core.services.monitor;
    monitor.refreshTargets();
    const scheduledPoll = async () => {
      const done = monitor.scheduler.request(deviceId);
      monitor.scheduler.tick();
      await done;
      monitor.flush();
      return core.services.cabinets.device(deviceId).status;
    };
    // A first poll: its client (and session) is pooled with the factory password.
    expect(await scheduledPoll()).not.toBe('unreachable');
    const refused = bmc.refusedLogins(FACTORY.username);
    const result = await rotate({});
    expect(result.outcome).toBe('rotated');
    // The BMC ended the old sessions with the change: a poll with the old password would be refused.
    expect(await scheduledPoll()).not.toBe('unreachable');
    expect(bmc.refusedLogins(FACTORY.username)).toBe(refused);
  }, 30_000);

  it("a poll that times out while waiting for a resolution does not make it fail for another caller (the wizard's rotate)", async () => {
    await reset();
    expect((await rotate({ passwordChange: '503-not-applied' })).outcome).toBe('unknown');
    const pending = core.services.vault.open<{ password: string }>(core.services.rotation.record(deviceId)!.pendingCredentialId).password;
    // Applied late, on a slow BMC: the login that settles it takes longer than the first caller waits.
    bmc.faults = { latencyMs: 400 };
    bmc.setPassword(FACTORY.username, pending);
    const device = core.services.cabinets.device(deviceId);
    const target = { deviceId, endpoint: device.endpoint!, fingerprint: device.fingerprint };
    const poll = new AbortController();
    const first = core.services.rotation.resolve(target, poll.signal);
    const second = core.services.rotation.resolve(target);
    setTimeout(() => poll.abort(), 100);
    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes[1]).toEqual<PromiseSettledResult<Resolution>>({ status: 'fulfilled', value: 'promoted' });
    // The poll itself stopped waiting at its own deadline.
    expect(outcomes[0]).toMatchObject({ status: 'rejected' });
    expect(stored()).toBe(pending);
  }, 30_000);

  it('a refresh or a power action while a change is unsettled and neither password opens the BMC: refused with the reason, nothing sent beyond the lockout budget', async () => {
    await reset();
    expect((await rotate({ passwordChange: '503-not-applied' })).outcome).toBe('unknown');
    bmc.faults = {};
    bmc.setPassword(FACTORY.username, 'changed-at-the-console-4');
    const refusedBefore = bmc.refusedLogins(FACTORY.username);
    await expect(core.services.devices.refresh(deviceId)).rejects.toThrow(/password change is not settled yet/);
    await expect(core.services.devices.power(deviceId, 'GracefulRestart')).rejects.toThrow(/password change is not settled yet/);
    // Only the settling's own logins, each within the budget (threshold 5: at most 4 refusals counted at once).
    expect(bmc.refusedLogins(FACTORY.username) - refusedBefore).toBeLessThanOrEqual(3);
    expect(bmc.lockout.locks).toBe(0);
    expect(core.services.rotation.record(deviceId)).not.toBeNull();
  }, 30_000);

  it('monitoring counts the BMC refusing its password and stops logging in before the account could lock; a corrected password is used at once', async () => {
    await reset();
    expect(await poll()).not.toBe('unreachable');
    bmc.setPassword(FACTORY.username, 'changed-at-the-console-5');
    const refusedBefore = bmc.refusedLogins(FACTORY.username);
    for (let each = 0; each < 6; each += 1) expect(await poll()).toBe('unreachable');
    // Threshold 5 (the mockup's): two refusals kept to spare, so at most 3 counted at once.
    expect(bmc.refusedLogins(FACTORY.username) - refusedBefore).toBeLessThanOrEqual(3);
    expect(core.services.cabinets.device(deviceId).error).toMatch(/sends no more logins/);
    // A user pressing refresh, or an integrity check, sends none either: refused with the reason.
    const refusedByPolls = bmc.refusedLogins(FACTORY.username);
    await expect(core.services.devices.refresh(deviceId)).rejects.toThrow(/another refused login could lock the account/);
    await expect(core.services.devices.power(deviceId, 'GracefulRestart')).rejects.toThrow(/another refused login could lock the account/);
    expect(bmc.refusedLogins(FACTORY.username)).toBe(refusedByPolls);
    expect(bmc.lockout.locks).toBe(0);
    await core.client('test').devices.connect({ id: deviceId, protocol: 'redfish', url: bmc.url, username: FACTORY.username, password: 'changed-at-the-console-5', fingerprint: bmc.fingerprint });
    expect(await poll()).not.toBe('unreachable');
  }, 30_000);

  it('a password corrected by the user is what the next poll uses (the client is not cached by credential id)', async () => {
    await reset();
    expect(await poll()).not.toBe('unreachable');
    bmc.setPassword(FACTORY.username, 'changed-at-the-console-1');
    expect(await poll()).toBe('unreachable');
    await core.client('test').devices.connect({ id: deviceId, protocol: 'redfish', url: bmc.url, username: FACTORY.username, password: 'changed-at-the-console-1', fingerprint: bmc.fingerprint });
    expect(await poll()).not.toBe('unreachable');
  }, 30_000);
});

describe('the lockout budget of a BMC survives a restart of the core', () => {
  let bmc: LabBmc;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), users: { [FACTORY.username]: FACTORY.password } }).start();
    // A strict BMC: three refusals counted for half an hour lock the account.
    Object.assign(bmc.resource('/redfish/v1/AccountService')!, { AccountLockoutThreshold: 3, AccountLockoutCounterResetAfter: 1800, AccountLockoutDuration: 600 });
    dir = tempDir();
  }, 60_000);
  afterAll(async () => {
    await bmc?.stop();
    dir?.cleanup();
  });

  it('neither settling an unknown change nor polling nor the event stream sends a login that could lock it, before or after the restart', async () => {
    let core = createCore({ dataDir: dir.dir, host: 'server' });
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Strict branch', code: 'SB-1', latitude: 30, longitude: 120 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    const deviceId = cabinet.devices.find((device) => device.slotId === 'srv1')!.id;
    await client.devices.connect({ id: deviceId, protocol: 'redfish', url: bmc.url, ...FACTORY, fingerprint: bmc.fingerprint });
    const device = core.services.cabinets.device(deviceId);
    bmc.faults = { passwordChange: '503-not-applied' };
    expect((await core.services.rotation.rotate({ deviceId, endpoint: device.endpoint!, fingerprint: device.fingerprint })).outcome).toBe('unknown');
    bmc.faults = {};
    // Someone changes the password at the console: neither candidate EdgeCab holds opens the BMC now.
    bmc.setPassword(FACTORY.username, 'changed-at-the-console-2');
    const refusedAfterRotate = bmc.refusedLogins(FACTORY.username);
    expect(refusedAfterRotate).toBeGreaterThan(0);
    await core.services.monitor.pollSite(site.id);
    expect(core.services.cabinets.device(deviceId).status).toBe('unreachable');
    // The old password, which opened it a moment ago, was tried once more: still a refusal short of the threshold.
    const refusedBeforeRestart = bmc.refusedLogins(FACTORY.username);
    expect(refusedBeforeRestart).toBeLessThanOrEqual(2);
    await core.close();

    // A restarted core remembers the BMC's policy and the refusals it still counts.
    core = createCore({ dataDir: dir.dir, host: 'server' });
    try {
      for (let poll = 0; poll < 3; poll += 1) await core.services.monitor.pollSite(site.id);
      // The event stream waits for the change to settle rather than log in with a password that may be wrong.
      core.services.monitor.startEventStreams();
      await new Promise((resolve) => setTimeout(resolve, 500));
      core.services.monitor.stopEventStreams();
      expect(core.services.cabinets.device(deviceId).status).toBe('unreachable');
      expect(core.services.cabinets.device(deviceId).error ?? '').toMatch(/not settled/);
      expect(bmc.lockout.locks).toBe(0);
      expect(bmc.refusedLogins(FACTORY.username)).toBe(refusedBeforeRestart);
      expect(core.db.prepare('SELECT threshold, reset_after_seconds FROM login_policies').get()).toEqual({ threshold: 3, reset_after_seconds: 1800 });
      // Both candidates are still held, to be tried once the BMC has stopped counting the refusal.
      const record = core.services.rotation.record(deviceId)!;
      expect(record.lastError).toMatch(/could lock/);
      expect(core.services.vault.open<{ password: string }>(record.previousCredentialId!).password).toBe(FACTORY.password);
    } finally {
      await core.close();
    }
  }, 60_000);
});

describe('a BMC that does not state its lockout (threshold 0): settling takes turns and always makes progress', () => {
  let bmc: LabBmc;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), users: { [FACTORY.username]: FACTORY.password } }).start();
    // "0": the BMC does not say; EdgeCab assumes the strictest common policy (3 refusals in 30 min).
    Object.assign(bmc.resource('/redfish/v1/AccountService')!, { AccountLockoutThreshold: 0 });
    dir = tempDir();
  }, 60_000);
  afterAll(async () => {
    await bmc?.stop();
    dir?.cleanup();
  });

  it('a change that did not apply: the old password is tried right after the new one is refused, polls go on with it, after a restart too, and the change is given up a quarter of an hour later', async () => {
    let clock = Date.now();
    const open = () => createCore({ dataDir: dir.dir, host: 'server', now: () => new Date(clock) });
    let core = open();
    try {
      const client = core.client('test');
      const site = await client.sites.create({ name: 'Quiet branch', code: 'QB-1', latitude: 30, longitude: 120 });
      const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
      const deviceId = cabinet.devices.find((device) => device.slotId === 'srv1')!.id;
      await client.devices.connect({ id: deviceId, protocol: 'redfish', url: bmc.url, ...FACTORY, fingerprint: bmc.fingerprint });
      const device = core.services.cabinets.device(deviceId);
      bmc.faults = { passwordChange: '503-not-applied' };
      expect((await core.services.rotation.rotate({ deviceId, endpoint: device.endpoint!, fingerprint: device.fingerprint })).outcome).toBe('unknown');
      bmc.faults = {};
      expect(core.services.rotation.record(deviceId)).toMatchObject({ lastRefused: 'pending' });
      const status = async () => {
        await core.services.monitor.pollSite(site.id);
        return core.services.cabinets.device(deviceId).status;
      };
      expect(await status()).not.toBe('unreachable');
      // One refusal in all: the new password, once.
      expect(bmc.refusedLogins(FACTORY.username)).toBe(1);
      await core.close();

      // A restarted core knows which one was refused: it logs in with the old one first, and refuses nothing more.
      core = open();
      expect(await status()).not.toBe('unreachable');
      expect(bmc.refusedLogins(FACTORY.username)).toBe(1);
      expect(core.services.rotation.record(deviceId)).not.toBeNull();
      clock += 16 * 60_000;
      expect(await status()).not.toBe('unreachable');
      expect(core.services.rotation.record(deviceId)).toBeNull();
      expect(core.services.vault.open<{ password: string }>(core.services.cabinets.device(deviceId).credentialId!).password).toBe(FACTORY.password);
      expect(bmc.lockout.locks).toBe(0);
    } finally {
      await core.close();
    }
  }, 60_000);
});
