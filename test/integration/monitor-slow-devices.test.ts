/**
 * "The scheduler keeps its word", against real HTTPS BMCs, with the caps
 * contended: nine BMCs in three sites share 2 global slots and 1 per site.
 * In each site one BMC misbehaves: one answers in 8 s, one never answers
 * (its TLS handshake never completes), one drops every connection. The user
 * meanwhile keeps pressing "poll site" on the slow one's site, refreshes it
 * and has its integrity checked. The healthy BMCs keep to their plan
 * (counted in polls completed), the bad ones fail within the poll's timeout
 * with their requests cancelled, no device has two polls (or a poll and a
 * refresh, or a check) at once, and the caps hold at every moment, as the
 * scheduler's own start/end events and the BMCs themselves see it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLL_PLAN } from '../../shared/domain/monitoring.js';
import { createCore, type Core } from '../../main/core/index.js';
import type { SchedulerActivity } from '../../main/core/services/monitor/scheduler.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const PASSWORD = 'lab-password';
const HEALTHY = ['healthyA1', 'healthyA2', 'healthyB1', 'healthyB2', 'healthyC1', 'healthyC2'] as const;
type LabName = (typeof HEALTHY)[number] | 'slow' | 'dropping';
const SITES = { 'SLOW-A': ['healthyA1', 'healthyA2', 'slow'], 'SLOW-B': ['healthyB1', 'healthyB2', 'silent'], 'SLOW-C': ['healthyC1', 'healthyC2', 'dropping'] } as const;
const GLOBAL = 2;
const PER_SITE = 1;
const HEALTH_SECONDS = 3;
const WINDOW_MS = 12_000;

describe('a slow, a silent and a dropping BMC among healthy ones, with the caps contended', () => {
  const bmcs = {} as Record<LabName, LabBmc>;
  let silent: Server;
  const silentSockets = new Set<Socket>();
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  const deviceOf: Record<string, string> = {};
  /** Lab-side: callers with requests in flight on each site's lab BMCs together, now and at most. */
  const labSites = new Map<string, { now: number; max: number }>();

  beforeAll(async () => {
    for (const name of [...HEALTHY, 'slow', 'dropping'] as const) {
      bmcs[name] = await new LabBmc({ mockupDir: sharedPath('redfish-mockups', 'dmtf-public-rackmount1'), users: { Administrator: PASSWORD } }).start();
    }
    // Accepts TCP connections and never says a word: a BMC hung in its TLS stack.
    silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    const client = core.client('test');
    for (const [code, names] of Object.entries(SITES)) {
      const site = await client.sites.create({ name: code, code, latitude: 30, longitude: 120 });
      const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
      const counter = { now: 0, max: 0 };
      labSites.set(code, counter);
      for (const [index, name] of names.entries()) {
        const device = cabinet.devices.find((each) => each.slotId === `srv${index + 1}`)!;
        const bmc = name === 'silent' ? null : bmcs[name];
        const url = bmc ? bmc.url : `https://127.0.0.1:${(silent.address() as { port: number }).port}`;
        await client.devices.connect({ id: device.id, protocol: 'redfish', url, username: 'Administrator', password: PASSWORD, fingerprint: bmc?.fingerprint ?? bmcs.healthyB1.fingerprint });
        deviceOf[name] = device.id;
        if (bmc) {
          bmc.onCallers = (delta) => {
            counter.now += delta;
            counter.max = Math.max(counter.max, counter.now);
          };
        }
      }
    }
    bmcs.slow.faults = { latencyMs: 8_000 };
    bmcs.dropping.faults = { dropConnections: true };
  }, 60_000);

  afterAll(async () => {
    await core?.close();
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await Promise.all(Object.values(bmcs).map((bmc) => bmc.stop()));
    dir?.cleanup();
  });

  it('keeps the healthy BMCs to their plan while the others fail within their timeout, and never exceeds a cap or doubles a device', async () => {
    const { monitor, devices, integrity } = core.services;
    // A fast plan for the test: health every 3 s, 2 s to answer, 4 s for an inventory (the first poll of each device).
    monitor.setPlan({ ...DEFAULT_POLL_PLAN, healthSeconds: HEALTH_SECONDS, timeoutSeconds: 2, inventorySeconds: 3600, inventoryTimeoutSeconds: 4, globalConcurrency: GLOBAL, siteConcurrency: PER_SITE });
    // The scheduler's own account of what runs, as each poll or exclusive work starts and ends.
    const running = new Map<string, number>();
    const perSite = new Map<string, number>();
    let global = 0;
    let maxGlobal = 0;
    let maxSite = 0;
    let overlaps = 0;
    const pollsDone = new Map<string, number>();
    const stopWatching = monitor.scheduler.watch((activity: SchedulerActivity) => {
      const step = activity.phase === 'start' ? 1 : -1;
      const onDevice = (running.get(activity.deviceId) ?? 0) + step;
      running.set(activity.deviceId, onDevice);
      if (onDevice > 1) overlaps += 1;
      global += step;
      perSite.set(activity.siteId, (perSite.get(activity.siteId) ?? 0) + step);
      maxGlobal = Math.max(maxGlobal, global);
      maxSite = Math.max(maxSite, perSite.get(activity.siteId)!);
      if (activity.work === 'poll' && activity.phase === 'end') pollsDone.set(activity.deviceId, (pollsDone.get(activity.deviceId) ?? 0) + 1);
    });
    const { warnings } = await core.startMonitoring({ trapPort: null, eventsPort: null, redfishEvents: false });
    expect(warnings).toEqual([]);
    const started = Date.now();
    const slowSite = core.services.cabinets.device(deviceOf.slow!).siteId;
    // Meanwhile the user keeps pressing "poll site" on the slow one's site, and once refreshes it and has its integrity checked.
    const hammering = (async () => {
      const once = Promise.all([devices.refresh(deviceOf.slow!), integrity.checkDevice(deviceOf.slow!), devices.refresh(deviceOf.healthyA1!)]);
      while (Date.now() - started < WINDOW_MS - 2_000) {
        await monitor.pollSite(slowSite);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return once;
    })();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const [refreshedSlow, , refreshedHealthy] = await hammering;
    const status = monitor.status();
    // What the BMCs saw while monitoring ran (stopping ends every pooled session at once: that is no poll).
    const callersSeen = Object.entries(bmcs).map(([name, bmc]) => [name, bmc.maxCallersInFlight] as const);
    const siteCallersSeen = Object.fromEntries([...labSites].map(([code, counter]) => [code, counter.max]));
    await monitor.stop();
    stopWatching();

    const state = (name: string) => monitor.deviceState(deviceOf[name]!);
    for (const name of HEALTHY) expect(state(name).status, name).not.toBe('unreachable');
    for (const name of ['slow', 'silent', 'dropping']) {
      expect(state(name).status, name).toBe('unreachable');
      expect(state(name).error, name).toBeTruthy();
    }
    expect(state('slow').error).toMatch(/within 2 s/);
    expect(refreshedSlow.status).toBe('unreachable');
    expect(refreshedHealthy.status).not.toBe('unreachable');

    // The caps were contended (reached), and never exceeded: by the scheduler's events, and by its own count (polls and exclusive work).
    expect(maxGlobal).toBe(GLOBAL);
    expect(maxSite).toBe(PER_SITE);
    expect(monitor.scheduler.peakInFlight).toBe(GLOBAL);
    expect(monitor.scheduler.peakSiteInFlight).toBe(PER_SITE);
    // No device had two polls, or a poll and a refresh or check, at once.
    expect(overlaps).toBe(0);
    // Each lab BMC saw one caller at a time (two would be a refresh or a check beside a poll), ...
    for (const [name, most] of callersSeen) expect(most, name).toBeLessThanOrEqual(1);
    // ... and the sites whose bad BMC ends its own connections (dropping) or is not a lab BMC (silent) never saw two callers together.
    // (In the slow one's site a cancelled request ends on the BMC's side a moment after EdgeCab moved on; the events above count it.)
    expect(siteCallersSeen['SLOW-B']).toBeLessThanOrEqual(PER_SITE);
    expect(siteCallersSeen['SLOW-C']).toBeLessThanOrEqual(PER_SITE);

    // Healthy BMCs kept to their plan: a poll every 3 s over 12 s (the first spread over the first interval) is 4; the caps may delay one.
    // In the slow one's site the single slot takes turns with the slow one's work (a refresh and a check of 4 s each, polls of 2 s),
    // which may cost one more; waiting work starts oldest first, so they do get their turns.
    const planned = Math.floor(WINDOW_MS / (HEALTH_SECONDS * 1000));
    for (const name of HEALTHY) expect(pollsDone.get(deviceOf[name]!) ?? 0, name).toBeGreaterThanOrEqual(name.startsWith('healthyA') ? planned - 2 : planned - 1);
    expect(status.stuckPolls).toBe(0);
    // The slow BMC saw its requests abandoned by the client when each poll's time was up.
    expect(bmcs.slow.abandoned).toBeGreaterThan(0);
    // Nothing is left hanging on the slow BMC once monitoring stopped.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bmcs.slow.inFlight).toBe(0);
  }, 60_000);
});
