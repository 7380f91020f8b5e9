import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, ConflictError } from '../../../main/core/errors.js';
import { exportImages } from '../../../main/core/services/apps/image-export.js';
import { readImageArchive } from '../../../main/core/services/apps/image-archive.js';
import { bundleFile, dockerArchive, newPublisher, sha256, testImage, webManifest, type Publisher, type TestImage } from '../../support/app-images.js';
import { tempCore, tempDir } from '../../support/core.js';
import type { Core } from '../../../main/core/index.js';

let core: Core;
let dataDir: string;
let cleanup: () => void;
let work: { dir: string; cleanup: () => void };
let publisher: Publisher;
let v1: TestImage;

const blobFiles = () => readdirSync(join(dataDir, 'apps', 'blobs', 'sha256')).sort();
const stagingLeft = () => readdirSync(join(dataDir, 'apps', 'staging'));

async function refusal(path: string): Promise<InvalidInputError> {
  const error = await core.services.apps.pushFile(path, 'alice').then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

beforeEach(async () => {
  ({ core, dataDir, cleanup } = tempCore());
  work = tempDir();
  publisher = newPublisher();
  core.services.apps.trust({ name: 'Branch IT', publicKey: publisher.publicKeyPem }, 'admin');
  // A base layer (the "system") and a layer of the app's own files.
  v1 = await testImage('localhost/branch-web:1', [{ 'bin/busybox': 'pretend busybox '.repeat(2000) }, { 'www/index.html': '<h1>v1</h1>' }]);
});

afterEach(() => {
  cleanup();
  work.cleanup();
});

describe('app repository', () => {
  it('stores a signed release: listed with its size and signer, each blob under its SHA-256', async () => {
    const path = await bundleFile(work.dir, 'v1', webManifest('1.0.0', v1.id), await dockerArchive([v1]), publisher);
    const pushed = await core.services.apps.pushFile(path, 'alice');
    expect(pushed.storedBlobs).toBe(3);
    expect(pushed.release).toMatchObject({ appId: 'branch-web', version: '1.0.0', signer: { name: 'Branch IT' }, signerTrusted: true, uploadedBy: 'alice' });
    const size = v1.config.length + v1.layers[0]!.length + v1.layers[1]!.length;
    expect(pushed.release.sizeBytes).toBe(size);
    expect(pushed.release.images).toEqual([{ id: v1.id, tags: ['localhost/branch-web:1'], sizeBytes: size, layers: 2 }]);
    expect(blobFiles()).toEqual([sha256(v1.config), sha256(v1.layers[0]!), sha256(v1.layers[1]!)].sort());
    expect(core.services.apps.apps()).toEqual([expect.objectContaining({ appId: 'branch-web', latestVersion: '1.0.0', versions: ['1.0.0'], sizeBytes: size })]);
    expect(stagingLeft()).toEqual([]);
  });

  it('a layer two versions share is stored once, and a retried push of the same release changes nothing', async () => {
    const v2 = await testImage('localhost/branch-web:2', [{ 'bin/busybox': 'pretend busybox '.repeat(2000) }, { 'www/index.html': '<h1>v2</h1>' }]);
    expect(v2.layers[0]).toEqual(v1.layers[0]);
    await core.services.apps.pushFile(await bundleFile(work.dir, 'v1', webManifest('1.0.0', v1.id), await dockerArchive([v1]), publisher), 'alice');
    const second = await core.services.apps.pushFile(await bundleFile(work.dir, 'v2', webManifest('2.0.0', v2.id), await dockerArchive([v2]), publisher), 'alice');
    expect(second).toMatchObject({ storedBlobs: 2, sharedBlobs: 1, storedBytes: v2.config.length + v2.layers[1]!.length });
    expect(blobFiles()).toHaveLength(5);
    expect(second.release.uniqueBytes).toBe(v2.config.length + v2.layers[1]!.length);
    const again = await core.services.apps.pushFile(join(work.dir, 'v2.ecapp'), 'bob');
    expect(again).toMatchObject({ storedBlobs: 0, release: { version: '2.0.0', uploadedBy: 'alice' } });
    // The app's size counts the shared layer once.
    const appBytes = [v1.config, v2.config, ...v1.layers, v2.layers[1]!].reduce((sum, blob) => sum + blob.length, 0);
    expect(core.services.apps.apps()[0]).toMatchObject({ latestVersion: '2.0.0', versions: ['2.0.0', '1.0.0'], sizeBytes: appBytes });
    const changed = webManifest('2.0.0', v2.id, { description: { en: 'Changed', 'zh-CN': '改了' } });
    const error = await core.services.apps.pushFile(await bundleFile(work.dir, 'v2b', changed, await dockerArchive([v2]), publisher), 'alice').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/already in the repository.*never replaced/);
  });

  it('a tampered layer, an unknown signer, a manifest changed after signing and an image missing from the archive are each refused, with nothing stored', async () => {
    const before = blobFiles();
    const tampered = await dockerArchive([v1], { layer: (layer) => Buffer.from(layer.toString('latin1').replace('v1', 'v9'), 'latin1') });
    expect((await refusal(await bundleFile(work.dir, 'tampered', webManifest('1.0.0', v1.id), tampered, publisher))).message).toMatch(/layer 2 .*hashes to sha256:[0-9a-f]{64}, not sha256:.*changed or damaged/);

    // The unknown signer's bundle is refused before its images are read.
    const stranger = newPublisher();
    const unknown = await bundleFile(work.dir, 'stranger', webManifest('1.0.0', v1.id), await dockerArchive([v1]), stranger);
    let read = 0;
    const error = await core.services.apps.pushFile(unknown, 'alice', (bytes) => (read += bytes)).catch((caught: unknown) => caught as InvalidInputError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues[0]).toMatchObject({ code: 'release_signer' });
    expect((error as Error).message).toMatch(/signed by a key no administrator trusts/);
    expect(read).toBe(0);

    const edited = await bundleFile(work.dir, 'edited', webManifest('1.0.0', v1.id), await dockerArchive([v1]), publisher, { afterSigning: (bytes) => Buffer.from(bytes.toString().replace('18080', '18081')) });
    expect((await refusal(edited)).message).toMatch(/signature does not match manifest.json/);

    const other = await testImage('localhost/other:1', [{ 'a.txt': 'other' }]);
    const missing = await bundleFile(work.dir, 'missing', webManifest('1.0.0', other.id), await dockerArchive([v1]), publisher);
    expect((await refusal(missing)).message).toMatch(new RegExp(`container "web" runs image ${other.id}, which images.tar does not hold`));

    const lying = await dockerArchive([v1], { manifest: (listed) => listed.map((item) => ({ ...(item as object), Layers: [`${sha256(v1.layers[1]!)}/layer.tar`, `${sha256(v1.layers[0]!)}/layer.tar`] })) });
    expect((await refusal(await bundleFile(work.dir, 'lying', webManifest('1.0.0', v1.id), lying, publisher))).message).toMatch(/layer 1 .* not sha256:/);

    expect(blobFiles()).toEqual(before);
    expect(core.services.apps.apps()).toEqual([]);
    expect(stagingLeft()).toEqual([]);
  });

  it('malformed input is one clear error naming what: a manifest field, a bundle that is no tar, a stray file, no signature', async () => {
    const archive = await dockerArchive([v1]);
    const badPort = webManifest('1.0.0', v1.id, { parameters: [{ key: 'HTTP_PORT', type: 'port', default: 70000, label: { en: 'Port', 'zh-CN': '端口' } }] });
    expect((await refusal(await bundleFile(work.dir, 'port', badPort, archive, publisher))).message).toMatch(/parameters\.0\.default.*65535|default of HTTP_PORT/);
    expect((await refusal(await bundleFile(work.dir, 'version', webManifest('one', v1.id), archive, publisher))).message).toMatch(/version: A version like 1\.2\.0/);
    const unknownKey = webManifest('1.0.0', v1.id, { containers: [{ name: 'web', image: v1.id, command: ['${NOPE}'] }] });
    expect((await refusal(await bundleFile(work.dir, 'key', unknownKey, archive, publisher))).message).toMatch(/\$\{NOPE\} names no parameter/);
    expect((await refusal(await bundleFile(work.dir, 'json', Buffer.from('{"schema":'), archive, publisher))).message).toMatch(/manifest.json is not JSON/);
    const garbage = join(work.dir, 'garbage.ecapp');
    writeFileSync(garbage, Buffer.alloc(4096, 7));
    expect((await refusal(garbage)).issues[0]).toMatchObject({ code: 'release_bundle' });
    const noArchive = join(work.dir, 'no-archive.ecapp');
    writeFileSync(noArchive, await (await import('../../support/app-images.js')).tarOf([{ name: 'manifest.json', body: '{}' }, { name: 'evil.sh', body: 'rm -rf /' }]));
    expect((await refusal(noArchive)).message).toMatch(/holds only manifest.json, manifest.sig, images.tar; it has "evil.sh"/);
    const imagesFirst = join(work.dir, 'images-first.ecapp');
    writeFileSync(imagesFirst, await (await import('../../support/app-images.js')).tarOf([{ name: 'images.tar', body: archive }, { name: 'manifest.json', body: JSON.stringify(webManifest('1.0.0', v1.id)) }]));
    expect((await refusal(imagesFirst)).message).toMatch(/must come before images.tar/);
    const unsigned = join(work.dir, 'unsigned.ecapp');
    writeFileSync(unsigned, await (await import('../../support/app-images.js')).tarOf([{ name: 'manifest.json', body: JSON.stringify(webManifest('1.0.0', v1.id)) }, { name: 'images.tar', body: archive }]));
    expect((await refusal(unsigned)).message).toMatch(/no manifest.sig before images.tar: the release is not signed/);
    expect(blobFiles()).toEqual([]);
    expect(stagingLeft()).toEqual([]);
  });

  it('a publisher removed from the trusted list leaves its releases marked untrusted; a key that is not Ed25519 is refused', async () => {
    const pushed = await core.services.apps.pushFile(await bundleFile(work.dir, 'v1', webManifest('1.0.0', v1.id), await dockerArchive([v1]), publisher), 'alice');
    core.services.apps.distrust(pushed.release.signer.keyId);
    expect(core.services.apps.release('branch-web', '1.0.0')).toMatchObject({ signerTrusted: false, signer: { name: 'Branch IT' } });
    const { publicKey } = (await import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => core.services.apps.trust({ name: 'EC', publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() }, 'admin')).toThrow(/Ed25519 public key is needed, this one is ec/);
  });

  it('exports stored images as a docker-archive whose blobs read back verified, its length known ahead', async () => {
    await core.services.apps.pushFile(await bundleFile(work.dir, 'v1', webManifest('1.0.0', v1.id), await dockerArchive([v1]), publisher), 'alice');
    const exported = exportImages(core.services.apps.blobs, [{ id: v1.id, tags: ['localhost/branch-web:1'], layers: [`sha256:${sha256(v1.layers[0]!)}`, `sha256:${sha256(v1.layers[1]!)}`] }]);
    const chunks: Buffer[] = [];
    for await (const chunk of exported.stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(exported.bytes);
    const back = join(work.dir, 'back');
    mkdirSync(back);
    let count = 0;
    const images = await readImageArchive(Readable.from([bytes]), () => join(back, String((count += 1))));
    expect(images.map((image) => image.id)).toEqual([v1.id]);
  });

  it('files a killed push left are removed when the repository opens again; a live process keeps its own', async () => {
    const staging = join(dataDir, 'apps', 'staging');
    mkdirSync(join(staging, '999999999-dead'));
    mkdirSync(join(staging, `${process.pid}-alive`));
    core.close();
    ({ core } = { core: (await import('../../../main/core/index.js')).createCore({ dataDir, host: 'server' }) });
    expect(existsSync(join(staging, '999999999-dead'))).toBe(false);
    expect(existsSync(join(staging, `${process.pid}-alive`))).toBe(true);
  });
});
