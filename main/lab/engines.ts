/**
 * Workload engines for the first lab cabinets, so the demo deploys real
 * containers: a real Podman service per cabinet (its own storage and
 * socket) where Podman is installed; the other cabinets have none ("no
 * workload engine installed"). No registry can be reached, so the lab's
 * sample app is built here from Debian's static busybox, signed by a lab
 * publisher and put in the repository: v1 and v2 serve a page each, v3
 * cannot start.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Services } from '../core/services.js';
import { packRelease } from '../core/services/apps/pack.js';
import { ed25519PrivateKey, newPublisherKeys } from '../core/services/apps/signing.js';
import type { FleetSite } from './fleet.js';
import { BUSYBOX, podmanInstalled, startPodman, type PodmanService } from './podman.js';

/** Podman is not light: only this many lab cabinets get an engine unless asked otherwise. */
export const LAB_ENGINE_SITES = 3;
export const LAB_APP_ID = 'lab-web';
export const LAB_APP_PORT = 18080;
export const LAB_PUBLISHER = 'EdgeCab lab';

/** A lab site's engine, and the address of the compute host it stands for (where its apps listen). */
export interface LabEngine {
  engine: PodmanService;
  hostAddress: string;
}

/**
 * Engines for the first `count` sites; each container gets LAB_HOST, the
 * address of its cabinet's first server. Without Podman, or where it will not
 * start here, the lab runs without engines and `problem` says why.
 */
export async function startLabEngines(sites: readonly FleetSite[], count: number): Promise<{ engines: Map<string, LabEngine>; problem: string | null }> {
  const engines = new Map<string, LabEngine>();
  if (count === 0) return { engines, problem: null };
  if (!(await podmanInstalled())) return { engines, problem: 'Podman is not installed: the lab cabinets have no workload engine' };
  if (!existsSync(BUSYBOX)) return { engines, problem: `${BUSYBOX} is missing (Debian's busybox-static): the lab's sample app cannot be built, so the lab cabinets have no workload engine` };
  for (const site of sites.slice(0, count)) {
    const server = site.devices.find((device) => device.kind === 'server') ?? site.devices[0];
    const hostAddress = server?.host ?? '127.0.0.1';
    try {
      // Never idle out: a lab engine waits for its first deployment as long as the demo runs.
      engines.set(site.code, { engine: await startPodman({ containerEnv: { LAB_HOST: hostAddress }, idleSeconds: 0 }), hostAddress });
    } catch (error) {
      await stopLabEngines(engines);
      return { engines: new Map(), problem: `Podman would not start here, so the lab cabinets have no workload engine: ${(error as Error).message}` };
    }
  }
  return { engines, problem: null };
}

export async function stopLabEngines(engines: ReadonlyMap<string, LabEngine>): Promise<void> {
  await Promise.all([...engines.values()].map(({ engine }) => engine.stop().catch(() => undefined)));
}

const SAMPLE_VERSIONS = [
  { version: '1.0.0', page: '<h1>Lab branch page, version 1</h1>\n', starts: true },
  { version: '2.0.0', page: '<h1>Lab branch page, version 2</h1>\n', starts: true },
  { version: '3.0.0', page: '<h1>never served</h1>\n', starts: false },
] as const;

function sampleManifest(version: string, image: string, starts: boolean): Buffer {
  // Every lab engine shares this machine's network: each app listens on its own cabinet's address, given by the engine as LAB_HOST.
  const serve = ['/bin/sh', '-c', 'exec /bin/httpd -f -p "$LAB_HOST:${HTTP_PORT}" -h /www'];
  const cannotStart = ['/bin/sh', '-c', 'echo "version 3 cannot start: missing configuration" >&2; exit 3'];
  const manifest = {
    schema: 'edgecab.app/v1',
    id: LAB_APP_ID,
    version,
    name: { en: 'Lab branch page', 'zh-CN': '实验网点网页' },
    description: {
      en: starts ? 'A web page served by busybox httpd on the cabinet server' : 'A version that cannot start, to see a failure rolled back',
      'zh-CN': starts ? '由机柜服务器上的 busybox httpd 提供的网页' : '无法启动的版本，用于观察失败后的回滚',
    },
    parameters: [{ key: 'HTTP_PORT', type: 'port', default: LAB_APP_PORT, label: { en: 'HTTP port', 'zh-CN': 'HTTP 端口' } }],
    containers: [
      {
        name: 'web',
        image,
        command: starts ? serve : cannotStart,
        ports: [{ port: '${HTTP_PORT}' }],
        health: { command: ['/bin/sh', '-c', 'wget -q -O /dev/null "http://$LAB_HOST:${HTTP_PORT}/"'], intervalSeconds: 1, retries: 2 },
      },
    ],
  };
  return Buffer.from(JSON.stringify(manifest, null, 2));
}

/**
 * Builds the sample app's versions on `engine` and pushes them, signed by a
 * publisher key made for this lab and trusted as "EdgeCab lab" (audited).
 * Only the versions the repository lacks: what it holds it keeps.
 */
export async function publishLabApp(services: Services, engine: PodmanService): Promise<void> {
  const missing = SAMPLE_VERSIONS.filter(({ version }) => !services.apps.releaseOrNull(LAB_APP_ID, version));
  if (missing.length === 0) return;
  const keys = newPublisherKeys();
  const publisher = services.apps.trust({ name: LAB_PUBLISHER, publicKey: keys.publicKey }, 'lab');
  services.audit.record({ actor: 'lab', operation: 'apps.trust', target: publisher.keyId, outcome: 'ok', errorCode: null, detail: `lab publisher "${LAB_PUBLISHER}" for the sample app ${LAB_APP_ID}` });
  const privateKey = ed25519PrivateKey(keys.privateKey);
  const dir = mkdtempSync(join(tmpdir(), 'edgecab-lab-app-'));
  try {
    for (const { version, page, starts } of missing) {
      const tag = `localhost/${LAB_APP_ID}:${version}`;
      await engine.importBusybox(tag, page);
      const imageId = `sha256:${(await engine.podman('inspect', '--format', '{{.Id}}', tag)).trim().replace(/^sha256:/, '')}`;
      const archive = join(dir, `${version}.tar`);
      await engine.podman('save', '-o', archive, tag);
      const manifest = sampleManifest(version, imageId, starts);
      const bundle = join(dir, `${version}.ecapp`);
      await packRelease(manifest, privateKey, archive, bundle);
      await services.apps.pushFile(bundle, 'lab');
      // The engine holds only what EdgeCab sends it.
      await engine.podman('rmi', '--force', tag);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
