/**
 * "The scheduler keeps its word", against real HTTPS BMCs: one that answers
 * in 8 s, one that never answers (its TLS handshake never completes), one
 * that drops every connection, and three healthy ones. The healthy ones keep
 * their times; the bad ones fail within the poll's timeout, and the slow
 * one's requests are cancelled when its poll's time is up (the BMC sees its
 * client go away), never answered into a poll that no longer waits.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLL_PLAN } from '../../shared/domain/monitoring.js';
import { createCore, type Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { sharedPath } from '../support/shared-dir.js';

const PASSWORD = 'lab-password';

describe('a slow, a silent and a dropping BMC among healthy ones', () => {
  const bmcs: Record<'healthy1' | 'healthy2' | 'healthy3' | 'slow' | 'dropping', LabBmc> = {} as never;
  let silent: Server;
  const silentSockets = new Set<Socket>();
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  const deviceOf: Record<string, string> = {};

  beforeAll(async () => {
    for (const name of ['healthy1', 'healthy2', 'healthy3', 'slow', 'dropping'] as const) {
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
    const place = async (code: string, slots: [string, string, string | null][]) => {
      const site = await client.sites.create({ name: code, code, latitude: 30, longitude: 120 });
      const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
      for (const [slotId, name, fingerprint] of slots) {
        const device = cabinet.devices.find((each) => each.slotId === slotId)!;
        const url = name === 'silent' ? `https://127.0.0.1:${(silent.address() as { port: number }).port}` : bmcs[name as keyof typeof bmcs].url;
        await client.devices.connect({ id: device.id, protocol: 'redfish', url, username: 'Administrator', password: PASSWORD, fingerprint });
        deviceOf[name] = device.id;
      }
    };
    const fp = (name: keyof typeof bmcs) => bmcs[name].fingerprint;
    await place('SLOW-A', [['srv1', 'healthy1', fp('healthy1')], ['srv2', 'slow', fp('slow')]]);
    await place('SLOW-B', [['srv1', 'healthy2', fp('healthy2')], ['srv2', 'silent', fp('healthy2')]]);
    await place('SLOW-C', [['srv1', 'healthy3', fp('healthy3')], ['srv2', 'dropping', fp('dropping')]]);
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

  it('keeps the healthy BMCs on time while the others fail within their timeout, their requests cancelled', async () => {
    // A fast plan for the test: health every 3 s, 2 s to answer.
    core.services.monitor.setPlan({ ...DEFAULT_POLL_PLAN, healthSeconds: 3, timeoutSeconds: 2, inventorySeconds: 3600, inventoryTimeoutSeconds: 4, globalConcurrency: 16, siteConcurrency: 4 });
    const { warnings } = await core.startMonitoring({ trapPort: null, eventsPort: null, redfishEvents: false });
    expect(warnings).toEqual([]);
    const started = Date.now();
    core.services.monitor.scheduler.resetLag();
    // Meanwhile the user keeps pressing "poll site" on the slow one's site: still never two polls of it at once.
    const hammering = (async () => {
      while (Date.now() - started < 10_000) {
        await core.services.monitor.pollSite(core.services.cabinets.device(deviceOf.slow!).siteId);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    await hammering;
    const status = core.services.monitor.status();
    await core.services.monitor.stop();

    const state = (name: string) => core.services.monitor.deviceState(deviceOf[name]!);
    for (const name of ['healthy1', 'healthy2', 'healthy3']) expect(state(name).status, name).not.toBe('unreachable');
    for (const name of ['slow', 'silent', 'dropping']) {
      expect(state(name).status, name).toBe('unreachable');
      expect(state(name).error, name).toBeTruthy();
    }
    expect(state('slow').error).toMatch(/within 2 s/);
    // Healthy BMCs were polled every 3 s for 12 s, the first poll spread over the first interval.
    for (const name of ['healthy1', 'healthy2', 'healthy3']) expect(bmcs[name as 'healthy1'].requests, name).toBeGreaterThan(9);
    // Planned polls started on time: the bad devices held only their own slots.
    expect(status.pollLagP99Ms).not.toBeNull();
    expect(status.pollLagP99Ms!).toBeLessThan(500);
    expect(status.stuckPolls).toBe(0);
    // The slow BMC saw its requests abandoned by the client when each poll's time was up, and never more at once than one poll's connections.
    expect(bmcs.slow.abandoned).toBeGreaterThan(0);
    expect(bmcs.slow.maxInFlight).toBeLessThanOrEqual(4);
    // Nothing is left hanging on the slow BMC once monitoring stopped.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bmcs.slow.inFlight).toBe(0);
  }, 60_000);
});
