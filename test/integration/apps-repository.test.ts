/**
 * The app repository with real peers: images made and saved by Podman
 * (`podman save`), bundles made and pushed with the edgecab CLI, uploads
 * over REST, and the repository's own export loaded back into Podman with
 * `POST /images/load`, where Podman shows the same image IDs.
 */
import { execFile } from 'node:child_process';
import { openAsBlob, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../main/core/protocols/engine/client.js';
import { engineImageIds, loadImages } from '../../main/core/protocols/engine/images.js';
import { exportImages } from '../../main/core/services/apps/image-export.js';
import { rendererDir } from '../../main/cli/paths.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import packageJson from '../../package.json' with { type: 'json' };
import { userWithToken } from '../support/auth.js';
import { bundleFile, newPublisher, webManifest } from '../support/app-images.js';
import { tempCore, tempDir } from '../support/core.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import type { Core } from '../../main/core/index.js';

const run = promisify(execFile);
const edgecab = (...args: string[]) => run(process.execPath, [packageJson.bin.edgecab, ...args]);
const failure = (promise: Promise<unknown>) => promise.then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);

describe('app repository with Podman, the CLI and REST', () => {
  let engine: PodmanService;
  let work: { dir: string; cleanup: () => void };
  let imageId = '';
  let imagesTar = '';

  beforeAll(async () => {
    engine = await startPodman();
    work = tempDir();
    await engine.importBusybox('localhost/branch-web:1');
    imageId = (await engine.podman('inspect', '--format', '{{.Id}}', 'localhost/branch-web:1')).trim();
    imageId = imageId.startsWith('sha256:') ? imageId : `sha256:${imageId}`;
    imagesTar = join(work.dir, 'images.tar');
    await engine.podman('save', '-o', imagesTar, 'localhost/branch-web:1');
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    work?.cleanup();
  });

  it('keygen, pack, trust, push and list with the CLI: a podman save archive is stored under the image ID Podman reports; a stranger is refused', async () => {
    const dataDir = join(work.dir, 'center');
    const keys = JSON.parse((await edgecab('apps', 'keygen', '--out', join(work.dir, 'branch-it'), '--json')).stdout) as { keyId: string; privateKey: string; publicKey: string };
    expect(readFileSync(keys.privateKey, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const manifestPath = join(work.dir, 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify(webManifest('1.0.0', imageId), null, 2));
    const bundle = join(work.dir, 'branch-web-1.0.0.ecapp');
    const packed = JSON.parse((await edgecab('apps', 'pack', '--manifest', manifestPath, '--images', imagesTar, '--key', keys.privateKey, '--out', bundle, '--json')).stdout) as { keyId: string };
    expect(packed.keyId).toBe(keys.keyId);

    // Before the publisher is trusted, the push is refused and nothing is kept.
    const refused = await failure(edgecab('apps', 'push', bundle, '-d', dataDir));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/signed by a key no administrator trusts/);
    expect(readdirSync(join(dataDir, 'apps', 'blobs', 'sha256'))).toEqual([]);

    await edgecab('apps', 'trust', keys.publicKey, '--name', 'Branch IT', '-d', dataDir);
    const pushed = JSON.parse((await edgecab('apps', 'push', bundle, '-d', dataDir, '--json')).stdout) as { appId: string; version: string; storedBlobs: number; signer: { name: string } };
    expect(pushed).toMatchObject({ appId: 'branch-web', version: '1.0.0', storedBlobs: 2, signer: { name: 'Branch IT' } });
    const listed = (await edgecab('apps', 'list', '-d', dataDir, '--json')).stdout.trim().split('\n').map((line) => JSON.parse(line) as { images: string[]; signerTrusted: boolean });
    expect(listed).toEqual([expect.objectContaining({ appId: 'branch-web', version: '1.0.0', images: [imageId], signerTrusted: true })]);
    expect((await edgecab('apps', 'list', '-d', dataDir)).stdout).toMatch(/branch-web 1\.0\.0 .* signed by Branch IT/);
  }, 60_000);

  it("the repository's export of the stored image loads into Podman, which then shows the same image ID", async () => {
    const { core, cleanup } = tempCore();
    try {
      const publisher = newPublisher();
      core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
      const pushed = await core.services.apps.pushFile(await bundleFile(work.dir, 'load', webManifest('1.0.0', imageId), readFileSync(imagesTar), publisher), 'alice');
      await engine.podman('rmi', '--force', 'localhost/branch-web:1');
      const client = new EngineClient({ url: engine.url, requestTimeoutMs: 10_000 });
      expect((await engineImageIds(client)).has(imageId)).toBe(false);
      const layers = core.services.db.prepare('SELECT digest FROM app_image_layers WHERE image_id = ? ORDER BY position').all(imageId) as { digest: string }[];
      const exported = exportImages(core.services.apps.blobs, [{ id: imageId, tags: pushed.release.images[0]!.tags, layers: layers.map((layer) => layer.digest) }]);
      await loadImages(client, exported.stream, exported.bytes, [imageId]);
      expect((await engineImageIds(client)).has(imageId)).toBe(true);
      expect((await engine.podman('images', '--format', '{{.Repository}}:{{.Tag}}')).trim().split('\n')).toContain('localhost/branch-web:1');
      // A damaged archive is the engine's own error, in its words.
      await expect(loadImages(client, (await import('node:stream')).Readable.from([Buffer.alloc(3000, 1)]), 3000, [imageId])).rejects.toThrow(/HTTP 500: failed to load image/);
      await client.close();
    } finally {
      cleanup();
    }
  }, 60_000);

  describe('over REST', () => {
    let core: Core;
    let cleanup: () => void;
    let dataDir: string;
    let server: RunningServer;
    let operator: string;
    let viewer: string;

    beforeAll(async () => {
      ({ core, cleanup, dataDir } = tempCore());
      server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
      operator = (await userWithToken(core, 'olga', [{ role: 'operator', regionId: null }], 'operator')).token;
      viewer = (await userWithToken(core, 'victor', [{ role: 'viewer', regionId: null }], 'viewer')).token;
    });
    afterAll(async () => {
      await server?.close();
      cleanup?.();
    });

    const upload = async (token: string, path: string) => {
      const form = new FormData();
      form.append('file', new File([await openAsBlob(path)], 'release.ecapp'));
      const response = await fetch(`${server.url}api/v1/apps/releases`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('an administrator uploads a release (201); a viewer or an operator is refused before the body is read; a tampered bundle is 400 with the reason and keeps nothing', async () => {
      const publisher = newPublisher();
      const admin = (await userWithToken(core, 'ada', [{ role: 'administrator', regionId: null }])).token;
      const trust = await fetch(`${server.url}api/v1/apps/publishers`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Branch IT', publicKey: publisher.publicKeyPem }) });
      expect(trust.status).toBe(201);
      const operatorTrust = await fetch(`${server.url}api/v1/apps/publishers`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Me', publicKey: newPublisher().publicKeyPem }) });
      expect(operatorTrust.status).toBe(403);

      const good = await bundleFile(work.dir, 'rest', webManifest('1.0.0', imageId), readFileSync(imagesTar), publisher);
      // A small body is read and dropped before the refusal, so the client reads its 403 (a large one is refused unread, the connection closed:
      // auth-server.test); either way the role is checked before anything is staged.
      const small = await bundleFile(work.dir, 'rest-small', webManifest('1.0.0', imageId), Buffer.from('not read'), publisher);
      expect((await upload(viewer, small)).status).toBe(403);
      // The repository is an administrator's: an operator deploys what is in it, and adds nothing.
      const refused = await upload(operator, small);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ data: { role: 'administrator', operation: 'apps.push' } });
      const tampered = readFileSync(imagesTar);
      // A byte inside busybox (the layer's data, past the tar headers) changed in transit.
      const middle = Math.floor(tampered.length / 2);
      tampered[middle] = tampered[middle]! ^ 0xff;
      const bad = await upload(admin, await bundleFile(work.dir, 'rest-bad', webManifest('1.0.0', imageId), tampered, publisher));
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/hashes to sha256:[0-9a-f]+, not sha256:|does not hold/);
      expect(readdirSync(join(dataDir, 'apps', 'blobs', 'sha256'))).toEqual([]);

      const ok = await upload(admin, good);
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ storedBlobs: 2, release: { appId: 'branch-web', version: '1.0.0', uploadedBy: expect.any(String) } });
      const apps = await (await fetch(`${server.url}api/v1/apps`, { headers: { authorization: `Bearer ${viewer}` } })).json();
      expect(apps).toEqual([expect.objectContaining({ appId: 'branch-web', latestVersion: '1.0.0' })]);
      expect(readdirSync(join(dataDir, 'apps', 'staging'))).toEqual([]);
    }, 60_000);
  });
});
