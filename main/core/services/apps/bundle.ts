import type { KeyObject } from 'node:crypto';

import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { AppManifest, MAX_MANIFEST_BYTES, ReleaseSignature } from '../../../../shared/domain/apps.js';
import { ArchiveError, readImageArchive, type ArchiveImage } from './image-archive.js';
import { signatureHolds } from './signing.js';

/**
 * A release bundle (`.ecapp`) is a tar of three files, in this order:
 *   manifest.json  the release manifest, the exact bytes that were signed
 *   manifest.sig   {"keyId", "signature"}: Ed25519 over manifest.json
 *   images.tar     the images, as `docker save` / `podman save` writes them
 * The signature is checked as soon as the first two are read, so a bundle
 * from an unknown or lying signer is refused before its images are staged;
 * a bundle in another order is refused.
 */

export const BUNDLE_FILES = ['manifest.json', 'manifest.sig', 'images.tar'] as const;
const MAX_SIGNATURE_BYTES = 4096;

export class ReleaseError extends Error {
  constructor(
    message: string,
    /** What was wrong, for a client to tell cases apart: "manifest", "signature", "signer", "archive", "image", "bundle". */
    readonly part: 'bundle' | 'manifest' | 'signature' | 'signer' | 'archive' | 'image',
  ) {
    super(message);
    this.name = 'ReleaseError';
  }
}

export interface ReadBundle {
  manifestBytes: Buffer;
  manifest: AppManifest;
  signature: ReleaseSignature;
  images: ArchiveImage[];
}

export interface BundleReading {
  /** The trusted publisher key with this id, or undefined. */
  publisher(keyId: string): KeyObject | undefined;
  newPath(): string;
  onBytes?(bytes: number): void;
}

async function readSmall(stream: AsyncIterable<unknown>, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const piece of stream) {
    const chunk = piece as Buffer;
    size += chunk.length;
    if (size > limit) throw new ReleaseError(`${what} is larger than ${limit} bytes`, what === 'manifest.json' ? 'manifest' : 'signature');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function parseManifest(bytes: Buffer): AppManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ReleaseError('manifest.json is not JSON (UTF-8)', 'manifest');
  }
  const parsed = AppManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new ReleaseError(`manifest.json: ${at}${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : ''}`, 'manifest');
  }
  return parsed.data;
}

function parseSignature(bytes: Buffer): ReleaseSignature {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ReleaseError('manifest.sig is not JSON', 'signature');
  }
  const parsed = ReleaseSignature.safeParse(json);
  if (!parsed.success) throw new ReleaseError(`manifest.sig: ${parsed.error.issues[0]?.message ?? 'malformed'}`, 'signature');
  return parsed.data;
}

function verified(manifestBytes: Buffer, signature: ReleaseSignature, reading: BundleReading): void {
  const key = reading.publisher(signature.keyId);
  if (!key) throw new ReleaseError(`the release is signed by a key no administrator trusts (key ${signature.keyId.slice(0, 16)}…): trust its publisher first (App repository → Publishers)`, 'signer');
  if (!signatureHolds(manifestBytes, signature, key)) throw new ReleaseError(`the signature does not match manifest.json: the manifest was changed after it was signed, or signed with another key than ${signature.keyId.slice(0, 16)}…`, 'signature');
}

/** Reads and checks a bundle; the images' files are staged at `newPath()` paths, which the caller removes whatever happens. */
export async function readReleaseBundle(source: AsyncIterable<unknown>, reading: BundleReading): Promise<ReadBundle> {
  const extract = tar.extract();
  const flowing = pipeline(source, extract);
  let manifestBytes: Buffer | null = null;
  let signature: ReleaseSignature | null = null;
  let images: ArchiveImage[] | null = null;
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^\.\//, '');
      if (entry.header.type === 'directory' && name === '') {
        entry.resume();
        continue;
      }
      if (entry.header.type !== 'file' || !(BUNDLE_FILES as readonly string[]).includes(name)) throw new ReleaseError(`a release bundle holds only ${BUNDLE_FILES.join(', ')}; it has "${name.slice(0, 80)}"`, 'bundle');
      if (name === 'manifest.json') {
        if (manifestBytes) throw new ReleaseError('the bundle holds manifest.json twice', 'bundle');
        manifestBytes = await readSmall(entry, MAX_MANIFEST_BYTES, 'manifest.json');
      } else if (name === 'manifest.sig') {
        if (signature) throw new ReleaseError('the bundle holds manifest.sig twice', 'bundle');
        signature = parseSignature(await readSmall(entry, MAX_SIGNATURE_BYTES, 'manifest.sig'));
      } else {
        if (images) throw new ReleaseError('the bundle holds images.tar twice', 'bundle');
        // Nothing of the images is read before the signature holds: an unknown or lying signer costs no disk and no time.
        if (!manifestBytes) throw new ReleaseError('manifest.json and manifest.sig must come before images.tar in the bundle (edgecab apps pack writes them so)', 'bundle');
        if (!signature) throw new ReleaseError('the bundle has no manifest.sig before images.tar: the release is not signed (edgecab apps pack signs it)', 'signature');
        parseManifest(manifestBytes);
        verified(manifestBytes, signature, reading);
        try {
          images = await readImageArchive(entry, reading.newPath, reading.onBytes);
        } catch (error) {
          if (error instanceof ArchiveError) throw new ReleaseError(error.message, 'archive');
          throw error;
        }
      }
    }
    await flowing;
  } catch (error) {
    extract.destroy();
    await flowing.catch(() => undefined);
    if (error instanceof ReleaseError) throw error;
    throw new ReleaseError(`the release bundle is not a readable tar: ${(error as Error).message}`, 'bundle');
  }
  if (!manifestBytes) throw new ReleaseError('the bundle has no manifest.json', 'bundle');
  if (!signature) throw new ReleaseError('the bundle has no manifest.sig: the release is not signed', 'signature');
  if (!images) throw new ReleaseError('the bundle has no images.tar', 'bundle');
  const manifest = parseManifest(manifestBytes);
  verified(manifestBytes, signature, reading);
  const held = new Set(images.map((image) => image.id));
  for (const container of manifest.containers)
    if (!held.has(container.image)) throw new ReleaseError(`container "${container.name}" runs image ${container.image}, which images.tar does not hold`, 'image');
  return { manifestBytes, manifest, signature, images };
}
