/**
 * The monitor holds at most its cap of BMC event streams. The BMCs past it
 * are reported and polled more often instead; a BMC whose stream keeps
 * failing gives its place to one that waits, and is polled more often too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';

const PASSWORD = 'lab-password';
const MOCKUP = 'assets/lab/redfish-rackmount1';

describe('the event stream cap', () => {
  const bmcs: LabBmc[] = [];
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  const previous = process.env.EDGECAB_MAX_EVENT_STREAMS;

  beforeAll(async () => {
    for (let index = 0; index < 3; index += 1) bmcs.push(await new LabBmc({ mockupDir: MOCKUP, users: { Administrator: PASSWORD } }).start());
    process.env.EDGECAB_MAX_EVENT_STREAMS = '1';
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Cap', code: 'CAP-1', latitude: 30, longitude: 120 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
    for (const [index, bmc] of bmcs.entries()) {
      const device = cabinet.devices.find((each) => each.slotId === `srv${index + 1}`)!;
      await client.devices.connect({ id: device.id, protocol: 'redfish', url: bmc.url, username: 'Administrator', password: PASSWORD, fingerprint: bmc.fingerprint });
    }
    core.services.monitor.refreshTargets();
  }, 30_000);

  afterAll(async () => {
    if (previous === undefined) delete process.env.EDGECAB_MAX_EVENT_STREAMS;
    else process.env.EDGECAB_MAX_EVENT_STREAMS = previous;
    await core?.close();
    dir?.cleanup();
    await Promise.all(bmcs.map((bmc) => bmc.stop()));
  });

  const listeners = () => bmcs.map((bmc) => bmc.writeSse(': ping\n\n'));

  it('holds one stream, reports the two BMCs past it, and hands the place on when the held one keeps failing', async () => {
    core.services.monitor.startEventStreams();
    await expect.poll(() => listeners().reduce((sum, each) => sum + each, 0), { timeout: 10_000 }).toBe(1);
    expect(core.services.monitor.status().events).toMatchObject({ streams: 1, streamCap: 1, streamsCapped: 2, cappedHealthSeconds: 30 });
    const held = listeners().findIndex((each) => each === 1);

    // The held BMC's stream fails from now on (it answers 503 to everything); after three tries its place goes to a waiting BMC.
    const port = bmcs[held]!.port;
    await bmcs[held]!.stop();
    bmcs[held]!.faults = { errorRate: 1, errorStatus: 503 };
    await bmcs[held]!.start(port);
    await expect
      .poll(
        () => {
          core.services.monitor.startEventStreams();
          const now = listeners().findIndex((each) => each === 1);
          return now !== -1 && now !== held;
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toBe(true);
    expect(listeners().reduce((sum, each) => sum + each, 0)).toBe(1);
    expect(core.services.monitor.status().events).toMatchObject({ streams: 1, streamsCapped: 1 });
  }, 60_000);
});
