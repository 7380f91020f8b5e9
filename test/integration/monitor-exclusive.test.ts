/**
 * "No device is polled twice at once under any path; every path obeys the
 * caps", seen from the BMCs: a poll in flight, a user's refresh, an
 * integrity check (the one the inventory poll starts and one asked for) and
 * a power action on two slow lab BMCs of one site, all at once. Each BMC
 * counts the distinct callers (sessions, or connections before a login)
 * with a request being answered; the test adds them up per site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLL_PLAN } from '../../shared/domain/monitoring.js';
import { createCore, type Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const PASSWORD = 'lab-password';

describe('refresh, integrity checks and power actions beside polls', () => {
  const bmcs: LabBmc[] = [];
  const ids: string[] = [];
  let siteId = '';
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  /** Callers with requests in flight on the site's BMCs together, now and at most. */
  const site = { now: 0, max: 0 };

  beforeAll(async () => {
    for (let index = 0; index < 2; index += 1) {
      const bmc = await new LabBmc({ mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), users: { Administrator: PASSWORD } }).start();
      bmc.onCallers = (delta) => {
        site.now += delta;
        site.max = Math.max(site.max, site.now);
      };
      bmcs.push(bmc);
    }
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    const client = core.client('test');
    const created = await client.sites.create({ name: 'Exclusive', code: 'EXCL-1', latitude: 30, longitude: 120 });
    siteId = created.id;
    const cabinet = await client.cabinets.create({ siteId, templateId: 'edge-12u' });
    for (const [index, slotId] of ['srv1', 'srv2'].entries()) {
      const device = cabinet.devices.find((each) => each.slotId === slotId)!;
      await client.devices.connect({ id: device.id, protocol: 'redfish', url: bmcs[index]!.url, username: 'Administrator', password: PASSWORD, fingerprint: bmcs[index]!.fingerprint });
      ids.push(device.id);
    }
  }, 60_000);

  afterAll(async () => {
    await core?.close();
    await Promise.all(bmcs.map((bmc) => bmc.stop()));
    dir?.cleanup();
  });

  it('never has two callers on one BMC, nor two on the site with a site cap of 1, and every read still completes', async () => {
    const { monitor, devices, integrity } = core.services;
    // Generous timeouts: every read completes (slowly), so what overlaps is what EdgeCab sent at once, not what it abandoned.
    monitor.setPlan({ ...DEFAULT_POLL_PLAN, healthSeconds: 3600, timeoutSeconds: 20, inventoryTimeoutSeconds: 30, globalConcurrency: 8, siteConcurrency: 1 });
    monitor.refreshTargets();
    for (const bmc of bmcs) bmc.faults = { latencyMs: 80 };
    const [first, second] = ids as [string, string];

    // An inventory poll of the first BMC is in flight (its result also starts an integrity check of it)...
    const polled = monitor.scheduler.request(first, 'inventory');
    while (bmcs[0]!.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // ...when the user refreshes both, an integrity check of both is asked for, the second is power-cycled and polled.
    const work = await Promise.all([
      devices.refresh(first),
      integrity.checkDevice(first),
      devices.refresh(second),
      integrity.checkDevice(second),
      devices.power(second, 'GracefulRestart'),
      monitor.scheduler.request(second),
      polled,
    ]);
    await integrity.settled();
    monitor.flush();

    // Every path ran, one at a time per BMC, one at a time in the site.
    for (const [index, bmc] of bmcs.entries()) expect(bmc.maxCallersInFlight, `BMC ${index + 1}`).toBe(1);
    expect(site.max).toBe(1);
    expect(monitor.scheduler.peakSiteInFlight).toBe(1);
    // And none of them was starved or cut short by waiting for the others.
    const [refreshFirst, , refreshSecond, , powered, pollSecond, pollFirst] = work;
    expect(refreshFirst.status).not.toBe('unreachable');
    expect(refreshSecond.status).not.toBe('unreachable');
    expect(powered.status).not.toBe('unreachable');
    expect(pollFirst).toBe(true);
    expect(pollSecond).toBe(true);
    for (const id of ids) expect(integrity.store.report(id)?.checkedAt ?? null, id).not.toBeNull();
    expect(monitor.scheduler.busy).toBe(0);
  }, 60_000);

  it('ends the session of a replaced password before the next poll logs in with the new one, never beside it', async () => {
    const { monitor, cabinets, vault } = core.services;
    const [first] = ids as [string];
    const bmc = bmcs[0]!;
    bmc.faults = {};
    expect(await monitor.scheduler.request(first)).toBe(true);
    const sessionsBefore = bmc.activeSessions;
    // The stored password is rewritten (a user corrects it, a rotation promotes it): the pooled client's session belongs to the old one.
    const credentialId = cabinets.device(first).credentialId!;
    vault.store('redfish', vault.open<object>(credentialId), { replaceId: credentialId });
    bmc.faults = { latencyMs: 60 };
    bmc.maxCallersInFlight = 0;
    expect(await monitor.scheduler.request(first)).toBe(true);
    bmc.faults = {};
    expect(bmc.maxCallersInFlight).toBe(1);
    // The old session was ended, not left to time out: one session stays, the new client's.
    expect(bmc.activeSessions).toBe(sessionsBefore);
  }, 30_000);
});
