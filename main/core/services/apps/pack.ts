import { createReadStream, createWriteStream, statSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { parseManifest } from './bundle.js';
import { signManifest } from './signing.js';

/**
 * Writes a release bundle (see bundle.ts) for a publisher: the manifest's
 * bytes as given, their signature, and the image archive, in the order the
 * repository reads them (signature checked before the images are read).
 */
export async function packRelease(manifestBytes: Buffer, privateKey: KeyObject, imagesPath: string, outPath: string): Promise<{ keyId: string; appId: string; version: string }> {
  const manifest = parseManifest(manifestBytes);
  const signature = signManifest(manifestBytes, privateKey);
  const pack = tar.pack();
  const writing = pipeline(pack, createWriteStream(outPath, { mode: 0o644 }));
  const add = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      pack.entry({ name, size: body.length, mode: 0o644, mtime: new Date(0) }, body, (error) => (error ? reject(error) : resolve()));
    });
  await add('manifest.json', manifestBytes);
  await add('manifest.sig', Buffer.from(`${JSON.stringify(signature)}\n`));
  const size = statSync(imagesPath).size;
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name: 'images.tar', size, mode: 0o644, mtime: new Date(0) }, (error) => (error ? reject(error) : resolve()));
    pipeline(createReadStream(imagesPath), entry).catch(reject);
  });
  pack.finalize();
  await writing;
  return { keyId: signature.keyId, appId: manifest.id, version: manifest.version };
}
