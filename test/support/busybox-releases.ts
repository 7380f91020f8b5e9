import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppRelease } from '../../shared/domain/apps.js';
import type { Core } from '../../main/core/index.js';
import { bundleFile, webManifest, type Publisher } from './app-images.js';
import type { PodmanService } from './podman.js';

/** busybox httpd serving /www on 127.0.0.1:${HTTP_PORT}, checked with wget. */
export const SERVE = ['/bin/httpd', '-f', '-p', '127.0.0.1:${HTTP_PORT}', '-h', '/www'];
/** A version that cannot start. */
export const BROKEN = ['/bin/sh', '-c', 'echo cannot start; exit 3'];

export function busyboxManifest(version: string, image: string, command: readonly string[] = SERVE): Record<string, unknown> {
  return webManifest(version, image, {
    containers: [{ name: 'web', image, command, ports: [{ port: '${HTTP_PORT}' }], health: { command: ['/bin/wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:${HTTP_PORT}/'], intervalSeconds: 1, retries: 2 } }],
  });
}

/**
 * Builds each version as a busybox image on `engine`, saves it with
 * `podman save` (as `<dir>/<version>.tar`), pushes it signed by `publisher`, and removes it from the
 * engine again (a site has nothing EdgeCab did not send).
 */
export async function pushBusyboxReleases(
  engine: PodmanService,
  core: Core,
  dir: string,
  publisher: Publisher,
  versions: readonly { version: string; page: string; command?: readonly string[]; padBytes?: number }[],
  manifestOf: (version: string, image: string, command: readonly string[]) => Record<string, unknown> = busyboxManifest,
): Promise<Record<string, AppRelease>> {
  const releases: Record<string, AppRelease> = {};
  for (const { version, page, command, padBytes } of versions) {
    const tag = `localhost/branch-web:${version}`;
    await engine.importBusybox(tag, page, padBytes);
    const id = `sha256:${(await engine.podman('inspect', '--format', '{{.Id}}', tag)).trim().replace(/^sha256:/, '')}`;
    const archive = join(dir, `${version}.tar`);
    await engine.podman('save', '-o', archive, tag);
    releases[version] = (await core.services.apps.pushFile(await bundleFile(dir, version, manifestOf(version, id, command ?? SERVE), readFileSync(archive), publisher), 'test')).release;
    await engine.podman('rmi', '--force', tag);
  }
  return releases;
}
