import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';

import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { z } from 'zod';

/**
 * Reads a `docker save` / `podman save` archive (docker-archive: a
 * manifest.json listing each image's config and layers, the layout Docker
 * 25+ also writes beside its OCI index) into a staging folder, hashing every
 * file as it is written, then checks the chain an image ID stands for: the
 * config's SHA-256 is the image ID, and each layer's (uncompressed) SHA-256
 * is the config's rootfs.diff_ids entry at its place. A file that does not
 * hash to what names it is refused; nothing is trusted by its name alone.
 */

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

const MAX_ENTRIES = 20_000;
const MAX_JSON_BYTES = 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

interface StagedEntry {
  path: string;
  sha256: string;
  /** SHA-256 of the gunzipped bytes when the file is gzip, else the same as sha256. */
  contentSha256: string;
  size: number;
}

export interface ArchiveLayer {
  /** `sha256:…` of the uncompressed layer (its diff_id), the name it is stored under. */
  digest: string;
  /** The staged file (possibly gzip-compressed, as the archive had it). */
  path: string;
  size: number;
}

export interface ArchiveImage {
  /** `sha256:…` of the config. */
  id: string;
  tags: string[];
  configPath: string;
  configSize: number;
  layers: ArchiveLayer[];
}

const DockerArchiveManifest = z.array(z.object({ Config: z.string().min(1), RepoTags: z.array(z.string()).nullable().optional(), Layers: z.array(z.string().min(1)) })).min(1);
const ImageConfig = z.object({ rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/)) }) });

/** Hashes what passes through, and the first bytes, to tell gzip. */
function hashing(): Transform & { digest(): string; head: number[] } {
  const hash = createHash('sha256');
  const head: number[] = [];
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      for (let index = 0; head.length < 2 && index < chunk.length; index += 1) head.push(chunk[index]!);
      done(null, chunk);
    },
  }) as Transform & { digest(): string; head: number[] };
  transform.digest = () => hash.digest('hex');
  transform.head = head;
  return transform;
}

/** A gzip layer unpacks to at most this many times its size (a real layer is 2–5×): beyond that it is a bomb, not a layer. */
const MAX_GZIP_RATIO = 50;

async function gunzippedSha256(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const limit = Math.max(size * MAX_GZIP_RATIO, 64 * 1024 * 1024);
  let unpacked = 0;
  try {
    await pipeline(createReadStream(path), createGunzip(), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        unpacked += chunk.length;
        if (unpacked > limit) throw new ArchiveError(`a gzip-compressed layer unpacks to more than ${limit} bytes; refused`);
        hash.update(chunk);
      }
    });
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`a gzip-compressed layer cannot be read: ${(error as Error).message}`);
  }
  return hash.digest('hex');
}

function normalize(name: string): string {
  return posix.normalize(name.replace(/^\.\//, '').replace(/^\/+/, '')).replace(/\/$/, '');
}

/**
 * Stages every file of the archive at paths `newPath` gives (never under
 * the archive's own names) and returns its images, verified.
 * `onBytes` is told how many bytes were read, for progress.
 */
export async function readImageArchive(source: AsyncIterable<unknown>, newPath: () => string, onBytes: (bytes: number) => void = () => undefined): Promise<ArchiveImage[]> {
  const files = new Map<string, StagedEntry>();
  const links = new Map<string, string>();
  const extract = tar.extract();
  let entries = 0;
  const reading = pipeline(source, extract).catch((error: unknown) => {
    throw new ArchiveError(`the image archive is not a readable tar: ${(error as Error).message}`);
  });
  try {
    for await (const entry of extract) {
      entries += 1;
      if (entries > MAX_ENTRIES) throw new ArchiveError(`the image archive has more than ${MAX_ENTRIES} entries`);
      const name = normalize(entry.header.name);
      const type = entry.header.type;
      if (type === 'file' || type === 'contiguous-file') {
        const path = newPath();
        const hash = hashing();
        let size = 0;
        await pipeline(
          entry,
          new Transform({
            transform(chunk: Buffer, _encoding, done) {
              size += chunk.length;
              onBytes(chunk.length);
              done(null, chunk);
            },
          }),
          hash,
          createWriteStream(path, { flags: 'wx', mode: 0o600 }),
        );
        const sha256 = hash.digest();
        const gzip = hash.head[0] === GZIP_MAGIC[0] && hash.head[1] === GZIP_MAGIC[1];
        files.set(name, { path, sha256, size, contentSha256: gzip ? await gunzippedSha256(path, size) : sha256 });
      } else if (type === 'symlink') {
        links.set(name, normalize(posix.join(posix.dirname(name), entry.header.linkname ?? '')));
        entry.resume();
      } else if (type === 'link') {
        links.set(name, normalize(entry.header.linkname ?? ''));
        entry.resume();
      } else {
        entry.resume();
      }
    }
    await reading;
  } catch (error) {
    extract.destroy();
    await reading.catch(() => undefined);
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`the image archive cannot be read: ${(error as Error).message}`);
  }

  const resolveEntry = (name: string): StagedEntry | undefined => {
    let current = normalize(name);
    for (let hops = 0; hops < 8; hops += 1) {
      const file = files.get(current);
      if (file) return file;
      const target = links.get(current);
      if (target === undefined) return undefined;
      current = target;
    }
    return undefined;
  };
  const readJson = async (entry: StagedEntry, what: string): Promise<unknown> => {
    if (entry.size > MAX_JSON_BYTES) throw new ArchiveError(`${what} is larger than ${MAX_JSON_BYTES} bytes`);
    try {
      return JSON.parse(await readFile(entry.path, 'utf8'));
    } catch {
      throw new ArchiveError(`${what} is not JSON`);
    }
  };

  const manifestEntry = files.get('manifest.json');
  if (!manifestEntry) throw new ArchiveError('the image archive has no manifest.json: save it with `docker save` or `podman save` (docker-archive format)');
  const listed = DockerArchiveManifest.safeParse(await readJson(manifestEntry, "the image archive's manifest.json"));
  if (!listed.success) throw new ArchiveError(`the image archive's manifest.json is not a docker-archive manifest: ${listed.error.issues[0]?.message ?? 'malformed'}`);

  const images: ArchiveImage[] = [];
  for (const item of listed.data) {
    const config = resolveEntry(item.Config);
    if (!config) throw new ArchiveError(`the archive lists the config ${item.Config}, which it does not hold`);
    const id = `sha256:${config.sha256}`;
    const parsed = ImageConfig.safeParse(await readJson(config, `the config of image ${id}`));
    if (!parsed.success) throw new ArchiveError(`the config of image ${id} has no valid rootfs.diff_ids`);
    const diffIds = parsed.data.rootfs.diff_ids;
    if (diffIds.length !== item.Layers.length) throw new ArchiveError(`image ${id}: its config names ${diffIds.length} layers, the archive lists ${item.Layers.length}`);
    const layers = item.Layers.map((layerName, index): ArchiveLayer => {
      const layer = resolveEntry(layerName);
      if (!layer) throw new ArchiveError(`image ${id}: the archive lists the layer ${layerName}, which it does not hold`);
      const digest = diffIds[index]!;
      if (`sha256:${layer.contentSha256}` !== digest) throw new ArchiveError(`image ${id}: layer ${index + 1} (${layerName}) hashes to sha256:${layer.contentSha256}, not ${digest} as the image's config says; the archive was changed or damaged`);
      return { digest, path: layer.path, size: layer.size };
    });
    images.push({ id, tags: item.RepoTags ?? [], configPath: config.path, configSize: config.size, layers });
  }
  return images;
}
