/**
 * Discovery never locks an account: one login budget per address and run
 * for the factory defaults and the user's own credentials together (at most
 * two, fewer where the BMC's lockout threshold is lower, whether it shows
 * its AccountService without a login or a login read it in an earlier run),
 * kept in the database so that a new run counts the refusals the BMC still
 * counts; the credential the user typed goes only to a BMC whose
 * certificate the user trusted, with one login kept for it meanwhile; a
 * device EdgeCab already secured — or is securing — is not tried again,
 * also on the default port 443.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { verifyLogin } from '../../main/core/protocols/redfish/actions.js';
import { endpointKey } from '../../main/core/services/devices/endpoint.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const MOCKUP = sharedPath('redfish-mockups', 'dmtf-public-rackmount1');

/** A BMC with one account (root) whose AccountService locks after `threshold` refusals counted for `resetAfter` seconds. */
async function strictBmc(host: string, threshold: number, resetAfter: number, extra: { anonymousAccountService?: boolean } = {}): Promise<LabBmc> {
  const bmc = await new LabBmc({ mockupDir: MOCKUP, host, users: { root: 'site-specific-pass-1' }, ...extra }).start();
  Object.assign(bmc.resource('/redfish/v1/AccountService')!, { AccountLockoutThreshold: threshold, AccountLockoutCounterResetAfter: resetAfter, AccountLockoutDuration: 600 });
  return bmc;
}

const wrong = (count: number) => Array.from({ length: count }, (_, index) => ({ username: 'root', password: `not-the-password-${index}` }));

describe('discovery and account lockout', () => {
  const bmcs: LabBmc[] = [];
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  let runs = 0;
  /** How far EdgeCab's clock is ahead: lets a BMC's lockout window pass without waiting for it. */
  let skew = 0;

  beforeAll(() => {
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server', now: () => new Date(Date.now() + skew) });
  });
  afterAll(async () => {
    await core?.close();
    await Promise.all(bmcs.map((bmc) => bmc.stop()));
    dir?.cleanup();
  });

  const bmcAt = async (...args: Parameters<typeof strictBmc>) => {
    const bmc = await strictBmc(...args);
    bmcs.push(bmc);
    return bmc;
  };
  /** A new wizard run at step 2, on a site of its own. */
  const newRun = async () => {
    const client = core.client('test');
    runs += 1;
    const { id } = await client.wizard.start();
    await client.wizard.site({ runId: id, name: `Lockout branch ${runs}`, code: `LK-${runs}`, latitude: 30, longitude: 120, templateId: 'edge-12u', managementSubnet: '127.114.0.0/24' });
    return id;
  };
  const discover = (runId: string, bmc: LabBmc, extraCredentials: { username: string; password: string }[], trusted: Record<string, string> = {}) =>
    core.client('test').wizard.discover({ runId, ranges: new URL(bmc.url).hostname, redfishPorts: [bmc.port], snmpPorts: [1], extraCredentials, trusted, wait: true });
  const attemptsOf = (runId: string, bmc: LabBmc) => {
    const run = core.db.prepare('SELECT data FROM wizard_runs WHERE id = ?').pluck().get(runId) as string;
    return (JSON.parse(run) as { discovery: { attempts: Record<string, number> } }).discovery.attempts[`${new URL(bmc.url).hostname}:${bmc.port}`];
  };
  const sent = (bmc: LabBmc) => bmc.refusedLogins() + [...bmc.logins.accepted.values()].reduce((sum, each) => sum + each, 0);

  it('plans from the subnet to search, and warns once the projection passes two hours', async () => {
    const client = core.client('test');
    const { id: runId } = await client.wizard.start();
    const site = { runId, name: 'Wide branch', code: 'WIDE', latitude: 30, longitude: 120, templateId: 'edge-12u' };
    const wide = await client.wizard.site({ ...site, managementSubnet: '127.0.0.0/16' });
    await client.wizard.goto({ runId, step: 1 });
    let state = await client.wizard.site({ ...site, managementSubnet: '127.0.0.0/24' });
    // 65,536 addresses to search instead of 256: over an hour more for step 2, the rest as it was.
    expect(wide.steps[1]!.estimateSeconds - state.steps[1]!.estimateSeconds).toBeGreaterThan(3600);
    expect(wide.steps.slice(2).map((step) => step.estimateSeconds)).toEqual(state.steps.slice(2).map((step) => step.estimateSeconds));
    expect(state.overBudget).toBe(false);
    // Ninety minutes spent in step 2: what is left no longer fits.
    skew += 90 * 60_000;
    state = await client.wizard.get({ runId });
    expect(state.projectedSeconds).toBeGreaterThan(state.budgetSeconds);
    expect(state.overBudget).toBe(true);
  });

  it('keeps one login of the budget for the typed credential until the certificate is trusted, then sends it', async () => {
    const bmc = await bmcAt('127.114.0.9', 3, 60);
    const HOST = '127.114.0.9';
    const runId = await newRun();
    const extraCredentials = [{ username: 'root', password: 'site-specific-pass-1' }];
    let state = await discover(runId, bmc, extraCredentials);
    const found = state.discovery.devices.find((device) => device.address === HOST)!;
    expect(found).toMatchObject({ credential: null, note: 'untrusted' });
    expect(state.items.find((item) => item.key === `discover:${HOST}`)).toMatchObject({ state: 'failed', detailKey: 'trustToTryYours' });
    // One factory login (the budget is two and one waits for the typed credential).
    expect(sent(bmc)).toBe(1);
    expect(bmc.lockout.locks).toBe(0);

    // Trusting the certificate lets the typed one through, within the same run's budget.
    const trusted = { [`${HOST}:${bmc.port}`]: found.fingerprint! };
    state = await discover(runId, bmc, extraCredentials, trusted);
    expect(state.discovery.devices.find((device) => device.address === HOST)).toMatchObject({ credential: 'the credential you gave (root)', lockoutThreshold: 3 });
    expect(bmc.lockout.locks).toBe(0);
    expect(attemptsOf(runId, bmc)).toBe(2);
  }, 60_000);

  it("counts the user's own credentials: ten wrong ones get two logins in a run, and a new run none while the BMC still counts the refusals", async () => {
    const bmc = await bmcAt('127.114.0.10', 3, 60);
    const runId = await newRun();
    let state = await discover(runId, bmc, wrong(10), {});
    const fingerprint = state.discovery.devices[0]!.fingerprint!;
    const trusted = { [`127.114.0.10:${bmc.port}`]: fingerprint };
    const before = sent(bmc);
    state = await discover(runId, bmc, wrong(10), trusted);
    expect(state.discovery.devices[0]).toMatchObject({ credential: null, note: 'budget' });
    expect(state.items.find((item) => item.key === 'discover:127.114.0.10')).toMatchObject({ state: 'failed', detailKey: 'loginBudgetUsed' });
    expect(sent(bmc)).toBeLessThanOrEqual(2);
    expect(bmc.lockout.locks).toBe(0);
    // Searching again in the same run sends nothing more: the budget is per run, whoever's credentials.
    await discover(runId, bmc, wrong(10), trusted);
    expect(attemptsOf(runId, bmc)).toBe(2);
    const afterRun = sent(bmc);
    expect(afterRun - before).toBeLessThanOrEqual(1);
    // A new run: the refusals EdgeCab recorded are still within the BMC's window (unknown: assumed 30 minutes), so none is sent.
    const other = await newRun();
    await discover(other, bmc, wrong(10), trusted);
    expect(sent(bmc)).toBe(afterRun);
    expect(bmc.lockout.locks).toBe(0);
    expect(core.db.prepare('SELECT count(*) FROM login_failures WHERE endpoint = ?').pluck().get(`127.114.0.10:${bmc.port}`)).toBe(bmc.refusedLogins());
  }, 60_000);

  it('stays below a threshold of 2 shown without a login: one login per run', async () => {
    const bmc = await bmcAt('127.114.0.11', 2, 60, { anonymousAccountService: true });
    const runId = await newRun();
    const first = await discover(runId, bmc, []);
    const trusted = { [`127.114.0.11:${bmc.port}`]: first.discovery.devices[0]!.fingerprint! };
    expect(first.discovery.devices[0]).toMatchObject({ lockoutThreshold: 2, note: 'budget' });
    expect(sent(bmc)).toBe(1);
    const other = await newRun();
    await discover(other, bmc, wrong(3), trusted);
    expect(bmc.lockout.locks).toBe(0);
    expect(bmc.refusedLogins('root')).toBeLessThanOrEqual(1);
  }, 60_000);

  it('keeps the threshold a login read, so a later run stays below it', async () => {
    const bmc = await bmcAt('127.114.0.12', 2, 60);
    const HOST = '127.114.0.12';
    const right = [{ username: 'root', password: 'site-specific-pass-1' }];
    const runId = await newRun();
    const first = await discover(runId, bmc, right);
    const trusted = { [`${HOST}:${bmc.port}`]: first.discovery.devices[0]!.fingerprint! };
    // The right credential, trusted: it opens the BMC and its threshold (2) is read and kept.
    const opened = await discover(runId, bmc, right, trusted);
    expect(opened.discovery.devices[0]).toMatchObject({ credential: 'the credential you gave (root)', lockoutThreshold: 2 });
    expect(core.db.prepare('SELECT threshold, reset_after_seconds FROM login_policies WHERE endpoint = ?').get(`${HOST}:${bmc.port}`)).toEqual({ threshold: 2, reset_after_seconds: 60 });
    // A minute later (the BMC's own window, now known) a later run with two wrong credentials sends one (threshold − 1): not locked.
    skew += 61_000;
    const refusedBefore = bmc.refusedLogins('root');
    const later = await newRun();
    await discover(later, bmc, wrong(2), trusted);
    expect(bmc.refusedLogins('root') - refusedBefore).toBe(1);
    expect(bmc.lockout.locks).toBe(0);
  }, 60_000);
});

describe('discovery after Secure, BMCs on the default port 443', () => {
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  let secured: LabBmc;
  let settling: LabBmc;
  let clockAheadMs = 0;

  beforeAll(async () => {
    // The default Redfish port is 443; tests run as root, so lab BMCs can take it on addresses of their own.
    secured = await new LabBmc({ mockupDir: MOCKUP, host: '127.115.0.1', port: 443, users: { Administrator: 'lab-password' } }).start();
    settling = await new LabBmc({ mockupDir: MOCKUP, host: '127.115.0.2', port: 443, users: { Administrator: 'lab-password' } }).start();
    // Named as the lab fleet names them, so the vendor's default (Administrator) is the first login.
    for (const bmc of [secured, settling]) bmc.resource('/redfish/v1')!.Vendor = 'Contoso';
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server', now: () => new Date(Date.now() + clockAheadMs) });
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await secured?.stop();
    await settling?.stop();
    dir?.cleanup();
  });

  it('never probes a secured BMC, or one whose password change is not settled, with factory credentials again; confirming again keeps their credentials', async () => {
    const client = core.client('test');
    const { id: runId } = await client.wizard.start();
    await client.wizard.site({ runId, name: 'Port 443 branch', code: 'P443', latitude: 30, longitude: 120, templateId: 'edge-12u', managementSubnet: '127.115.0.0/24' });
    // redfishPorts left out: the default, [443].
    let state = await client.wizard.discover({ runId, ranges: '127.115.0.1-127.115.0.2', snmpPorts: [1], wait: true });
    expect(state.discovery.devices.map((device) => [device.address, device.port, device.credential]).sort()).toEqual([
      ['127.115.0.1', 443, 'Contoso factory default (Administrator)'],
      ['127.115.0.2', 443, 'Contoso factory default (Administrator)'],
    ]);
    const matches = state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint }));
    const trusted = Object.fromEntries(state.discovery.devices.map((device) => [`${device.address}:${device.port}`, device.fingerprint!]));
    state = await client.wizard.confirm({ runId, matches, trusted });

    // The first gets its new password; the second answers 503 before applying: the change stays to be settled.
    settling.faults = { passwordChange: '503-not-applied' };
    state = await client.wizard.secure({ runId });
    settling.faults = {};
    expect(state.items.filter((item) => item.step === 3).map((item) => [item.label, item.state, item.detailKey]).sort()).toEqual([
      ['Compute 1', 'done', 'passwordReplaced'],
      ['Compute 2', 'failed', 'passwordUnknown'],
    ]);
    const cabinet = core.services.cabinets.viewForSite(state.siteId!)!;
    const deviceAt = (host: string) => core.services.cabinets.device(cabinet.devices.find((device) => device.endpoint && new URL(device.endpoint).hostname === host)!.id);
    expect(core.services.vault.meta(deviceAt('127.115.0.1').credentialId!)?.origin).toBe('rotated');
    expect(core.services.rotation.record(deviceAt('127.115.0.2').id)).not.toBeNull();
    const credentials = { first: deviceAt('127.115.0.1').credentialId, second: deviceAt('127.115.0.2').credentialId };

    const loginsOf = (bmc: LabBmc) => bmc.refusedLogins() + [...bmc.logins.accepted.values()].reduce((sum, each) => sum + each, 0);
    const before = { secured: loginsOf(secured), settling: loginsOf(settling) };
    await client.wizard.goto({ runId, step: 2 });
    state = await client.wizard.discover({ runId, ranges: '127.115.0.1-127.115.0.2', snmpPorts: [1], wait: true });
    expect(state.items.filter((item) => item.step === 2 && item.key.startsWith('discover:')).map((item) => [item.key, item.detailKey]).sort()).toEqual([
      ['discover:127.115.0.1', 'alreadySecured'],
      ['discover:127.115.0.2', 'alreadySecured'],
    ]);
    // Not one login was sent to either.
    expect({ secured: loginsOf(secured), settling: loginsOf(settling) }).toEqual(before);

    // Confirming the same slots again is accepted and keeps EdgeCab's credentials.
    state = await client.wizard.confirm({ runId, matches: state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint })), trusted });
    expect({ first: deviceAt('127.115.0.1').credentialId, second: deviceAt('127.115.0.2').credentialId }).toEqual(credentials);
    const secret = core.services.vault.open<{ username: string; password: string }>(credentials.first!);
    expect(await verifyLogin({ url: secured.url, ...secret, pinnedFingerprint: secured.fingerprint })).toBe(true);

    // The old password kept working for longer than a change can take to apply: the change is settled as "did not happen", and Secure goes through.
    const second = deviceAt('127.115.0.2').id;
    clockAheadMs = 16 * 60_000;
    await client.wizard.goto({ runId, step: 3 });
    state = await client.wizard.secure({ runId });
    expect(state.items.filter((item) => item.step === 3).map((item) => item.state)).toEqual(['done', 'done']);
    expect(core.services.rotation.record(second)).toBeNull();

    // Back at step 3, the second's change is left unsettled again, then its password is changed at the console: neither password opens it now.
    settling.faults = { passwordChange: '503-not-applied' };
    state = await client.wizard.secure({ runId, only: [`secure:${second}`] });
    settling.faults = {};
    expect(core.services.rotation.record(second)).not.toBeNull();
    settling.setPassword('Administrator', 'changed-at-the-console-3');
    const refusedBefore = settling.refusedLogins();
    // Step 4 stays reachable (it was reached); nothing is sent to the second with a password that may be wrong.
    await client.wizard.goto({ runId, step: 4 });
    state = await client.wizard.configure({ runId, ntpServers: ['ntp.branch.example'], dnsServers: ['10.0.0.53'] });
    expect(state.items.filter((item) => item.step === 4 && item.key.endsWith(`:${second}`)).map((item) => [item.key.split(':')[0], item.state, item.detailKey]).sort()).toEqual([
      ['baseline', 'failed', 'passwordNotSettled'],
      ['dns', 'failed', 'passwordNotSettled'],
      ['events', 'failed', 'passwordNotSettled'],
      ['hostname', 'failed', 'passwordNotSettled'],
      ['ntp', 'failed', 'passwordNotSettled'],
    ]);
    // At most the settling's own logins (each within the BMC's lockout budget), none for the five settings.
    expect(settling.refusedLogins() - refusedBefore).toBeLessThanOrEqual(2);
    expect(settling.lockout.locks).toBe(0);
  }, 90_000);
});

describe('secured BMCs moved between slots in step 2', () => {
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  const bmcs: LabBmc[] = [];

  beforeAll(async () => {
    for (const host of ['127.117.0.1', '127.117.0.2']) {
      const bmc = await new LabBmc({ mockupDir: MOCKUP, host, port: 443, users: { Administrator: 'lab-password' } }).start();
      bmc.resource('/redfish/v1')!.Vendor = 'Contoso';
      bmcs.push(bmc);
    }
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await Promise.all(bmcs.map((bmc) => bmc.stop()));
    dir?.cleanup();
  });

  it('keeps each generated password with its BMC when two swap slots, and parks it when its slot goes to another, until it is placed again', async () => {
    const client = core.client('test');
    const { id: runId } = await client.wizard.start();
    await client.wizard.site({ runId, name: 'Swap branch', code: 'SWAP', latitude: 30, longitude: 120, templateId: 'edge-12u', managementSubnet: '127.117.0.0/24' });
    const search = () => client.wizard.discover({ runId, ranges: '127.117.0.1-127.117.0.2', snmpPorts: [1], wait: true });
    let state = await search();
    const trusted = Object.fromEntries(state.discovery.devices.map((device) => [`${device.address}:${device.port}`, device.fingerprint!]));
    const [first, second] = state.matches.filter((match) => match.endpoint);
    expect([first?.endpoint, second?.endpoint].sort()).toEqual(['127.117.0.1:443', '127.117.0.2:443']);
    await client.wizard.confirm({ runId, matches: state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint })), trusted });
    state = await client.wizard.secure({ runId });
    expect(state.items.filter((item) => item.step === 3).map((item) => item.detailKey)).toEqual(['passwordReplaced', 'passwordReplaced']);

    const bmcAt = (endpoint: string) => bmcs.find((bmc) => `${new URL(bmc.url).hostname}:443` === endpoint)!;
    /** How a device connected at "address:443" stores its endpoint (an origin, the default port left out). */
    const origin = (endpoint: string) => `https://${endpoint.replace(/:443$/, '')}`;
    const slotDevice = (slotId: string) => core.services.cabinets.device(state.matches.find((match) => match.slotId === slotId)!.deviceId);
    /** The password EdgeCab holds for the slot's device opens the BMC at the address the slot is connected to. */
    const opens = async (slotId: string) => {
      const device = slotDevice(slotId);
      const secret = core.services.vault.open<{ username: string; password: string }>(device.credentialId!);
      const bmc = bmcAt(endpointKey(device.endpoint!));
      return { endpoint: device.endpoint, origin: core.services.vault.meta(device.credentialId!)?.origin, opens: await verifyLogin({ url: bmc.url, ...secret, pinnedFingerprint: bmc.fingerprint }) };
    };
    const generated = { [first!.endpoint!]: slotDevice(first!.slotId).credentialId, [second!.endpoint!]: slotDevice(second!.slotId).credentialId };
    for (const bmc of bmcs) expect(await verifyLogin({ url: bmc.url, username: 'Administrator', password: 'lab-password', pinnedFingerprint: bmc.fingerprint })).toBe(false);

    // The two are swapped: each slot takes the other's BMC, and its generated password with it.
    await client.wizard.goto({ runId, step: 2 });
    const sentBefore = bmcs.map((bmc) => bmc.refusedLogins());
    state = await search();
    expect(bmcs.map((bmc) => bmc.refusedLogins())).toEqual(sentBefore);
    state = await client.wizard.confirm({ runId, matches: [{ slotId: first!.slotId, endpoint: second!.endpoint }, { slotId: second!.slotId, endpoint: first!.endpoint }], trusted });
    expect(await opens(first!.slotId)).toEqual({ endpoint: origin(second!.endpoint!), origin: 'rotated', opens: true });
    expect(await opens(second!.slotId)).toEqual({ endpoint: origin(first!.endpoint!), origin: 'rotated', opens: true });
    expect(slotDevice(first!.slotId).credentialId).toBe(generated[second!.endpoint!]);
    expect(slotDevice(second!.slotId).credentialId).toBe(generated[first!.endpoint!]);

    // The first slot takes its BMC back; the second slot is left as it was: the BMC it held leaves no slot, so its password is parked.
    state = await client.wizard.confirm({ runId, matches: [{ slotId: first!.slotId, endpoint: first!.endpoint }, { slotId: second!.slotId, endpoint: null }], trusted });
    expect(await opens(first!.slotId)).toMatchObject({ origin: 'rotated', opens: true });
    expect(slotDevice(second!.slotId).endpoint).toBeNull();
    expect(core.services.devices.parkedCredentials(state.siteId!).map((parked) => [parked.endpoint, parked.credentialId])).toEqual([[origin(second!.endpoint!), generated[second!.endpoint!]]]);

    // Searching again sends that BMC no factory login: it is secured, and placing it takes its password back.
    const refusedBefore = bmcAt(second!.endpoint!).refusedLogins();
    state = await search();
    expect(state.items.find((item) => item.key === `discover:${second!.endpoint!.replace(':443', '')}`)?.detailKey).toBe('alreadySecured');
    expect(bmcAt(second!.endpoint!).refusedLogins()).toBe(refusedBefore);
    state = await client.wizard.confirm({ runId, matches: [{ slotId: first!.slotId, endpoint: first!.endpoint }, { slotId: second!.slotId, endpoint: second!.endpoint }], trusted });
    expect(await opens(second!.slotId)).toMatchObject({ origin: 'rotated', opens: true });
    expect(slotDevice(second!.slotId).credentialId).toBe(generated[second!.endpoint!]);
    expect(core.services.devices.parkedCredentials(state.siteId!)).toEqual([]);
  }, 90_000);
});

describe('credentials parked when devices leave their slots', () => {
  it('parks a credential the user typed (not only a generated one), and forgets it once the user connects that address again by hand', async () => {
    const AA = Array.from({ length: 32 }, () => 'AA').join(':');
    const BB = Array.from({ length: 32 }, () => 'BB').join(':');
    const dir = tempDir();
    const core = createCore({ dataDir: dir.dir, host: 'server' });
    try {
      const client = core.client('test');
      const site = await client.sites.create({ name: 'Park branch', code: 'PK-1', latitude: 30, longitude: 120 });
      const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
      const [first, second] = cabinet.devices.filter((device) => device.kind === 'server');
      await client.devices.connect({ id: first!.id, protocol: 'redfish', url: 'https://127.0.0.9:8443', username: 'root', password: 'typed-by-the-user-1', fingerprint: AA });
      const typed = core.services.cabinets.device(first!.id).credentialId!;
      // The wizard places the first server's slot on another address: the typed password stays with the hardware at the old one.
      core.services.devices.attachAll(site.id, [{ deviceId: first!.id, where: { protocol: 'redfish', url: 'https://127.0.0.10:8443', fingerprint: BB }, discovered: () => ({ kind: 'redfish', secret: { username: 'Administrator', password: 'factory' } }) }]);
      expect(core.services.devices.parkedCredentials(site.id).map((parked) => [parked.endpoint, parked.credentialId])).toEqual([['https://127.0.0.9:8443', typed]]);
      expect(core.services.vault.open<{ password: string }>(typed).password).toBe('typed-by-the-user-1');
      // The user connects a device at that address by hand: what they typed now is what opens it; the parked one is gone, its row too.
      await client.devices.connect({ id: second!.id, protocol: 'redfish', url: 'https://127.0.0.9:8443', username: 'root', password: 'typed-again-2', fingerprint: AA });
      expect(core.services.devices.parkedCredentials(site.id)).toEqual([]);
      expect(core.db.prepare('SELECT count(*) FROM credentials WHERE id = ?').pluck().get(typed)).toBe(0);
    } finally {
      await core.close();
      dir.cleanup();
    }
  });
});
