import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFile, newPublisher } from '../support/app-images.js';
import { busyboxManifest } from '../support/busybox-releases.js';
import type { PodmanService } from '../support/podman.js';
import { api, apiPost, expect } from './fixtures.js';

/**
 * branch-web 1.0.0 pushed over REST as an administrator would: a busybox page
 * made by Podman, saved and signed by a publisher the server is told to trust;
 * the engine then forgets the image, so EdgeCab must send it to a site.
 */
export async function pushBusyboxReleaseOverRest(serverUrl: string, engine: PodmanService, dir: string, page: string): Promise<void> {
  await engine.importBusybox('localhost/branch-web:1', page);
  const id = `sha256:${(await engine.podman('inspect', '--format', '{{.Id}}', 'localhost/branch-web:1')).trim().replace(/^sha256:/, '')}`;
  await engine.podman('save', '-o', join(dir, 'images.tar'), 'localhost/branch-web:1');
  await engine.podman('rmi', '--force', 'localhost/branch-web:1');
  const publisher = newPublisher();
  expect((await apiPost(serverUrl, '/apps/publishers', { name: 'Branch IT', publicKey: publisher.publicKeyPem })).status).toBe(201);
  const bundle = await bundleFile(dir, 'release', busyboxManifest('1.0.0', id), readFileSync(join(dir, 'images.tar')), publisher);
  const form = new FormData();
  form.append('file', new File([readFileSync(bundle)], 'release.ecapp'));
  // A Request serialises the multipart body and names its boundary, as a browser's upload would.
  const request = new Request('http://upload.invalid/', { method: 'POST', body: form });
  expect((await api(serverUrl, '/apps/releases', { method: 'POST', headers: { 'content-type': request.headers.get('content-type')! }, body: Buffer.from(await request.arrayBuffer()) })).status).toBe(201);
}
