import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import type { BlobStore } from './blob-store.js';

export interface ExportedImage {
  id: string;
  tags: string[];
  layers: string[];
}

/**
 * A docker-archive of `images` made from the blob store as it is read (no
 * copy on disk), for an engine's `POST /images/load`: manifest.json first,
 * then each config and each layer once. Every blob is hashed again on the
 * way out by the engine itself (it checks the config's diff_ids).
 */
export function exportImages(blobs: BlobStore, images: readonly ExportedImage[]): { stream: Readable; bytes: number } {
  const hex = (digest: string) => digest.slice('sha256:'.length);
  const manifest = images.map((image) => ({ Config: `${hex(image.id)}.json`, RepoTags: image.tags, Layers: image.layers.map((layer) => `${hex(layer)}.tar`) }));
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const files: { name: string; digest: string }[] = [];
  const seen = new Set<string>();
  for (const image of images) {
    for (const [digest, name] of [[image.id, `${hex(image.id)}.json`], ...image.layers.map((layer) => [layer, `${hex(layer)}.tar`] as const)] as const) {
      if (seen.has(digest)) continue;
      seen.add(digest);
      files.push({ name, digest });
    }
  }
  const sizes = files.map((file) => blobs.size(file.digest));
  // A tar entry is a 512-byte header and its data padded to 512 bytes; tar-stream ends the archive with two empty blocks. Known ahead, for progress.
  const padded = (size: number) => 512 + Math.ceil(size / 512) * 512;
  const bytes = padded(manifestBytes.length) + sizes.reduce((sum, size) => sum + padded(size), 0) + 1024;
  const pack = tar.pack();
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  void (async () => {
    try {
      await new Promise<void>((resolve, reject) => pack.entry({ name: 'manifest.json', size: manifestBytes.length, mtime: new Date(0) }, manifestBytes, (error) => (error ? reject(error) : resolve())));
      for (const [index, file] of files.entries()) {
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name: file.name, size: sizes[index]!, mtime: new Date(0) }, (error) => (error ? reject(error) : resolve()));
          pipeline(blobs.read(file.digest), entry).catch(reject);
        });
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  pipeline(pack, out).catch((error: unknown) => out.destroy(error as Error));
  return { stream: out, bytes };
}
