/**
 * Release bundles for tests, made in memory: docker-archive image archives
 * (the layout `docker save` / `podman save` write) from layer file lists,
 * a manifest, and a publisher's key. The integration tests use real
 * `podman save` archives as well.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { publicKeyPem, signManifest } from '../../main/core/services/apps/signing.js';

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function tarOf(entries: readonly { name: string; body: Buffer | string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    if (entry.type === 'symlink') pack.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname });
    else pack.entry({ name: entry.name, mtime: new Date(0) }, typeof entry.body === 'string' ? Buffer.from(entry.body) : entry.body);
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export interface TestImage {
  id: string;
  tag: string;
  config: Buffer;
  layers: Buffer[];
}

/** An image whose layers hold the given files (one layer per list). */
export async function testImage(tag: string, layers: readonly Record<string, string>[]): Promise<TestImage> {
  const layerTars = await Promise.all(layers.map((files) => tarOf(Object.entries(files).map(([name, body]) => ({ name, body })))));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: layerTars.map((layer) => `sha256:${sha256(layer)}`) } }));
  return { id: `sha256:${sha256(config)}`, tag, config, layers: layerTars };
}

/** A docker-archive holding `images` (each blob once), as `docker save` lays it out. */
export async function dockerArchive(images: readonly TestImage[], change: { layer?: (layer: Buffer) => Buffer; manifest?: (listed: unknown[]) => unknown[] } = {}): Promise<Buffer> {
  const entries = new Map<string, Buffer>();
  const listed = images.map((image) => {
    entries.set(`${sha256(image.config)}.json`, image.config);
    const names = image.layers.map((layer) => {
      const name = `${sha256(layer)}/layer.tar`;
      entries.set(name, change.layer ? change.layer(layer) : layer);
      return name;
    });
    return { Config: `${sha256(image.config)}.json`, RepoTags: [image.tag], Layers: names };
  });
  return tarOf([...[...entries].map(([name, body]) => ({ name, body })), { name: 'manifest.json', body: JSON.stringify(change.manifest ? change.manifest(listed) : listed) }]);
}

export function webManifest(version: string, image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 'edgecab.app/v1',
    id: 'branch-web',
    version,
    name: { en: 'Branch web page', 'zh-CN': '网点网页' },
    description: { en: 'A page served by busybox httpd', 'zh-CN': '由 busybox httpd 提供的网页' },
    parameters: [{ key: 'HTTP_PORT', type: 'port', default: 18080, label: { en: 'HTTP port', 'zh-CN': 'HTTP 端口' } }],
    containers: [{ name: 'web', image, command: ['/bin/httpd', '-f', '-p', '${HTTP_PORT}', '-h', '/www'], ports: [{ port: '${HTTP_PORT}' }], health: { command: ['/bin/sh', '-c', 'true'] } }],
    ...extra,
  };
}

export interface Publisher {
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function newPublisher(): Publisher {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKeyPem: publicKeyPem(publicKey) };
}

/**
 * Writes a signed bundle into `dir` and returns its path. Made here rather
 * than by the CLI's packRelease, which refuses a malformed manifest, so
 * that tests can hand the repository what a careless publisher would.
 */
export async function bundleFile(dir: string, name: string, manifest: Record<string, unknown> | Buffer, archive: Buffer, publisher: Publisher, change: { signWith?: Publisher; afterSigning?: (manifest: Buffer) => Buffer } = {}): Promise<string> {
  const manifestBytes = Buffer.isBuffer(manifest) ? manifest : Buffer.from(JSON.stringify(manifest, null, 2));
  const signature = signManifest(manifestBytes, (change.signWith ?? publisher).privateKey);
  const out = join(dir, `${name}.ecapp`);
  const shipped = change.afterSigning ? change.afterSigning(manifestBytes) : manifestBytes;
  writeFileSync(out, await tarOf([{ name: 'manifest.json', body: shipped }, { name: 'manifest.sig', body: JSON.stringify(signature) }, { name: 'images.tar', body: archive }]));
  return out;
}
