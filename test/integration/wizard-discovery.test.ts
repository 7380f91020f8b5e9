/**
 * Discovery never locks an account: a BMC that does not name its maker and
 * locks after 3 failures gets at most two factory logins per run; the
 * credential the user typed goes only to a BMC whose certificate the user
 * trusted; a device EdgeCab already secured is not tried with factory
 * credentials again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

describe('discovery and account lockout', () => {
  let bmc: LabBmc;
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  const HOST = '127.114.0.9';

  beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), host: HOST, users: { root: 'site-specific-pass-1' } }).start();
    // A strict policy: three failures within a minute lock the account for ten minutes.
    Object.assign(bmc.resource('/redfish/v1/AccountService')!, { AccountLockoutThreshold: 3, AccountLockoutCounterResetAfter: 60, AccountLockoutDuration: 600 });
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await bmc?.stop();
    dir?.cleanup();
  });

  it('tries two factory credentials, holds back the typed one until the certificate is trusted, and never locks the BMC', async () => {
    const client = core.client('test');
    let state = await client.wizard.start();
    const runId = state.id;
    await client.wizard.site({ runId, name: 'Lockout branch', code: 'LK-1', latitude: 30, longitude: 120, templateId: 'edge-12u', managementSubnet: '127.114.0.0/24' });
    const extraCredentials = [{ username: 'root', password: 'site-specific-pass-1' }];
    state = await client.wizard.discover({ runId, ranges: HOST, redfishPorts: [bmc.port], snmpPorts: [1], extraCredentials, wait: true });
    const found = state.discovery.devices.find((device) => device.address === HOST)!;
    expect(found).toMatchObject({ credential: null, note: 'untrusted' });
    expect(state.items.find((item) => item.key === `discover:${HOST}`)).toMatchObject({ state: 'failed', detailKey: 'trustToTryYours' });
    // Two factory logins: the generic admin/admin, then the first vendor default (root, an account this BMC has: one failure counted).
    expect(bmc.lockout.failuresOf('root')).toBe(1);
    expect(bmc.lockout.locks).toBe(0);

    // Searching again in the same run sends no more factory logins (the budget is spent); trusting the certificate lets the typed one through.
    const trusted = { [`${HOST}:${bmc.port}`]: found.fingerprint! };
    state = await client.wizard.discover({ runId, ranges: HOST, redfishPorts: [bmc.port], snmpPorts: [1], extraCredentials, trusted, wait: true });
    expect(state.discovery.devices.find((device) => device.address === HOST)).toMatchObject({ credential: 'the credential you gave (root)', lockoutThreshold: 3 });
    expect(bmc.lockout.locks).toBe(0);
    const run = core.db.prepare('SELECT data FROM wizard_runs WHERE id = ?').pluck().get(runId) as string;
    expect((JSON.parse(run) as { discovery: { attempts: Record<string, number> } }).discovery.attempts[`${HOST}:${bmc.port}`]).toBe(2);
  }, 60_000);
});
