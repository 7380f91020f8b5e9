/**
 * A release onto a real Podman engine, judged by what Podman shows: v1 is
 * transferred and served, v2 replaces it (v1's containers stay stopped
 * until v2 is healthy, then go), a broken v3 that exits at start is rolled
 * back to v2, which serves again. The page each version serves is fetched
 * from the host's network, where the containers listen.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { freeTcpPort } from '../support/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRelease } from '../../shared/domain/apps.js';
import { EngineClient } from '../../main/core/protocols/engine/client.js';
import { listContainers } from '../../main/core/protocols/engine/containers.js';
import { engineImageIds } from '../../main/core/protocols/engine/images.js';
import { deployToEngine, LABEL, type DeployProgress } from '../../main/core/services/apps/site-deploy.js';
import { newPublisher } from '../support/app-images.js';
import { BROKEN, pushBusyboxReleases, SERVE } from '../support/busybox-releases.js';
import { tempCore, tempDir } from '../support/core.js';
import { userWithToken } from '../support/auth.js';
import { rendererDir } from '../../main/cli/paths.js';
import { startServer } from '../../main/server/server.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import type { Core } from '../../main/core/index.js';

const run = promisify(execFile);
const edgecab = (...args: string[]) => run(process.execPath, [packageJson.bin.edgecab, ...args]);
const failure = (promise: Promise<unknown>) => promise.then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);

function manifest(version: string, image: string, command: string[]): Record<string, unknown> {
  return {
    schema: 'edgecab.app/v1',
    id: 'branch-web',
    version,
    name: { en: 'Branch web page', 'zh-CN': '网点网页' },
    description: { en: 'busybox httpd', 'zh-CN': 'busybox httpd' },
    parameters: [{ key: 'HTTP_PORT', type: 'port', default: 18080, label: { en: 'HTTP port', 'zh-CN': 'HTTP 端口' } }],
    containers: [
      {
        name: 'web',
        image,
        command,
        ports: [{ port: '${HTTP_PORT}' }],
        volumes: [{ name: 'data', path: '/data' }],
        health: { command: ['/bin/wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:${HTTP_PORT}/'], intervalSeconds: 1, timeoutSeconds: 3, retries: 2 },
      },
    ],
  };
}

describe('deploying a release to a Podman engine', () => {
  let engine: PodmanService;
  let client: EngineClient;
  let work: { dir: string; cleanup: () => void };
  let core: Core;
  let cleanup: () => void;
  let dataDir: string;
  let port: number;
  const releases: Record<string, AppRelease> = {};
  const options = { stableSeconds: 2, startTimeoutSeconds: 15, rollbackOnFailure: true, rolloutId: 'test-rollout', stopSeconds: 1 };
  const page = async () => (await fetch(`http://127.0.0.1:${port}/`)).text();

  beforeAll(async () => {
    engine = await startPodman();
    client = new EngineClient({ url: engine.url, requestTimeoutMs: 15_000 });
    work = tempDir();
    ({ core, cleanup, dataDir } = tempCore());
    port = await freeTcpPort();
    const publisher = newPublisher();
    core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
    // The site has none of them yet: everything it runs is sent by EdgeCab.
    Object.assign(
      releases,
      await pushBusyboxReleases(
        engine,
        core,
        work.dir,
        publisher,
        [
          { version: '1.0.0', page: '<h1>version one</h1>', command: SERVE },
          { version: '2.0.0', page: '<h1>version two</h1>', command: SERVE },
          { version: '3.0.0', page: '<h1>broken</h1>', command: BROKEN },
        ],
        (version, image, command) => manifest(version, image, [...command]),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await engine?.stop();
    cleanup?.();
    work?.cleanup();
  });

  it('v1 is sent and started; healthy only after its health check held; the container says what it is', async () => {
    const seen: DeployProgress[] = [];
    const outcome = await deployToEngine(client, core.services.apps, releases['1.0.0']!, { HTTP_PORT: port }, { ...options, onProgress: (progress) => seen.push(progress) });
    expect(outcome.detail).toBeNull();
    expect(outcome).toMatchObject({ state: 'healthy', previousVersion: null });
    expect(outcome.transferredBytes).toBeGreaterThan(1_000_000);
    expect(seen.map((each) => each.state)).toEqual(expect.arrayContaining(['transferring', 'starting', 'healthy']));
    expect(seen.filter((each) => each.state === 'transferring').at(-1)).toMatchObject({ bytesSent: outcome.transferredBytes, bytesTotal: outcome.transferredBytes });
    expect(await page()).toContain('version one');
    expect((await engineImageIds(client)).has(releases['1.0.0']!.images[0]!.id)).toBe(true);
    const containers = await listContainers(client, `${LABEL.app}=branch-web`);
    expect(containers).toEqual([expect.objectContaining({ name: 'branch-web-web-1.0.0', state: 'running', labels: expect.objectContaining({ [LABEL.version]: '1.0.0', [LABEL.rollout]: 'test-rollout' }) })]);
    // Deployed again: nothing to send.
    const again = await deployToEngine(client, core.services.apps, releases['1.0.0']!, { HTTP_PORT: port }, options);
    expect(again).toMatchObject({ state: 'healthy', transferredBytes: 0 });
  }, 60_000);

  it('v2 replaces v1: v1 stopped (kept) while v2 starts, removed once v2 is healthy', async () => {
    // Looked at while v2 is being proven (its stable period is 2 s): v1 is there, stopped.
    let during: Promise<Awaited<ReturnType<typeof listContainers>>> | null = null;
    const outcome = await deployToEngine(client, core.services.apps, releases['2.0.0']!, { HTTP_PORT: port }, {
      ...options,
      onProgress: (progress) => {
        if (progress.state === 'starting' && !during) during = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => listContainers(client, `${LABEL.app}=branch-web`));
      },
    });
    expect(outcome).toMatchObject({ state: 'healthy', previousVersion: '1.0.0' });
    const seen = await during!;
    expect(seen.find((container) => container.name === 'branch-web-web-1.0.0')?.state).toMatch(/exited|stopped/);
    expect(seen.find((container) => container.name === 'branch-web-web-2.0.0')?.state).toBe('running');
    expect(await page()).toContain('version two');
    const containers = await listContainers(client, `${LABEL.app}=branch-web`);
    expect(containers.map((container) => container.name)).toEqual(['branch-web-web-2.0.0']);
  }, 60_000);

  it('a broken v3 fails with what the engine shows and is rolled back to v2, proven healthy again', async () => {
    const seen: DeployProgress[] = [];
    const outcome = await deployToEngine(client, core.services.apps, releases['3.0.0']!, { HTTP_PORT: port }, { ...options, onProgress: (progress) => seen.push(progress) });
    expect(outcome.state).toBe('rolled_back');
    expect(outcome.detail).toMatch(/branch-web-web-3\.0\.0 is (exited|stopped) \(exit code 3\)/);
    expect(seen.map((each) => each.state)).toContain('unhealthy');
    expect(await page()).toContain('version two');
    const containers = await listContainers(client, `${LABEL.app}=branch-web`);
    expect(containers).toEqual([expect.objectContaining({ name: 'branch-web-web-2.0.0', state: 'running' })]);
  }, 60_000);

  it('edgecab apps deploy puts 1.0.0 back by hand (a downgrade), printing progress lines and the outcome; an unknown version is refused', async () => {
    const { stdout } = await edgecab('apps', 'deploy', 'branch-web', '1.0.0', '--engine', engine.url, '--param', `HTTP_PORT=${port}`, '--stable', '2', '--stop-timeout', '1', '--data-dir', dataDir, '--json');
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; state: string; previousVersion?: string });
    expect(lines.filter((line) => line.event === 'progress').map((line) => line.state)).toEqual(['starting', 'healthy']);
    expect(lines.at(-1)).toMatchObject({ event: 'outcome', state: 'healthy', previousVersion: '2.0.0', transferredBytes: 0 });
    expect(await page()).toContain('version one');
    const unknown = await failure(edgecab('apps', 'deploy', 'branch-web', '9.9.9', '--engine', engine.url, '--data-dir', dataDir));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No release with id branch-web 9\.9\.9/);
  }, 60_000);

  it("an engine is a device on its server's U: connected to the socket and read; it takes no rack space, moves and goes with its server; a regional administrator may not connect a socket", async () => {
    const client = core.client('test');
    const region = await client.regions.create({ name: 'South', parentId: null });
    const site = await client.sites.create({ name: 'Branch 9', code: 'BR-9', latitude: 22.5, longitude: 114.1, regionId: region.id });
    const view = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
    const server = view.devices.find((device) => device.slotId === 'srv1')!;
    const refused = await client.devices.add({ cabinetId: view.cabinet.id, kind: 'engine', name: 'Nowhere', u: 41, heightU: 1, face: 'front', depth: 'full', protocol: 'engine' }).catch((error: { data?: { issues?: { code: string }[] } }) => error);
    expect((refused as { data: { issues: { code: string }[] } }).data.issues[0]!.code).toBe('no_host');
    const engineDevice = await client.devices.add({ cabinetId: view.cabinet.id, kind: 'engine', name: 'Podman on srv1', u: server.u, heightU: 1, face: 'rear', depth: 'half', protocol: 'engine' });
    expect(engineDevice).toMatchObject({ kind: 'engine', protocol: 'engine', u: server.u, heightU: server.heightU, face: server.face });
    await client.devices.connectEngine({ id: engineDevice.id, protocol: 'engine', url: engine.url });
    const inventory = await client.devices.engine({ id: engineDevice.id });
    expect(inventory.engine.product).toMatch(/Podman/);
    expect(inventory.containers.map((container) => container.name)).toContain('branch-web-web-1.0.0');
    expect(core.services.engines.ofSite(site.id).map((device) => device.id)).toEqual([engineDevice.id]);
    // Rack space is the server's: a switch there overlaps the server, never the engine.
    const overlap = await client.devices.add({ cabinetId: view.cabinet.id, kind: 'switch', name: 'Extra switch', u: server.u, heightU: 1, face: 'front', depth: 'full', protocol: 'snmp' }).catch((error: Error) => error);
    expect((overlap as Error).message).toContain(`overlaps ${server.name}`);
    expect((overlap as Error).message).not.toContain('Podman on srv1');

    // The server moves: its engine with it. Removed: its engine too.
    const free = 30;
    await client.devices.update({ id: server.id, u: free });
    expect((await client.cabinets.get({ siteId: site.id }))!.devices.find((device) => device.id === engineDevice.id)).toMatchObject({ u: free });

    const { token } = await userWithToken(core, 'regional', [{ role: 'administrator', regionId: region.id }]);
    const server2 = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
    try {
      const answer = await fetch(`${server2.url}api/v1/devices/${engineDevice.id}/engine`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 'engine', url: 'unix:/run/docker.sock' }) });
      expect(answer.status).toBe(403);
      expect(JSON.stringify(await answer.json())).toMatch(/only an administrator of every region may connect one/);
      const tcp = await fetch(`${server2.url}api/v1/devices/${engineDevice.id}/engine`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 'engine', url: 'http://10.0.0.20:2375' }) });
      expect(tcp.status).toBe(400);
    } finally {
      await server2.close();
    }
    await client.devices.remove({ id: server.id });
    expect((await client.cabinets.get({ siteId: site.id }))!.devices.find((device) => device.id === engineDevice.id)).toBeUndefined();
  }, 60_000);

  it('parameters of the wrong type fail before anything reaches the engine', async () => {
    const outcome = await deployToEngine(client, core.services.apps, releases['2.0.0']!, { HTTP_PORT: 'eighty' as unknown as number, NOPE: 1 }, options);
    expect(outcome).toMatchObject({ state: 'failed' });
    expect(outcome.detail).toMatch(/no parameter NOPE.*HTTP_PORT: a port from 1 to 65535/);
    expect(await page()).toContain('version one');
  });
});
