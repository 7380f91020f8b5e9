import type { Database } from 'better-sqlite3';
import { createReadStream } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { stagedPathOf } from '../tiles/staged-uploads.js';
import { AppManifest, ReleaseSignature, type AppRelease, type AppSummary, type Publisher, type PushResult } from '../../../../shared/domain/apps.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import { AppStore, type ReleaseRow } from './app-store.js';
import { BlobStore } from './blob-store.js';
import { readReleaseBundle, ReleaseError } from './bundle.js';
import { ed25519PublicKey, KeyError, keyIdOf, publicKeyPem, signatureHolds } from './signing.js';

/**
 * The center's app repository: trusted publishers, and releases whose
 * signature, schema and image chain were checked before a byte of them was
 * kept. A refused push leaves nothing behind.
 */
export class AppRepository {
  private readonly store: AppStore;
  readonly blobs: BlobStore;

  constructor(
    db: Database,
    dataDir: string,
    private readonly now: () => Date,
  ) {
    this.store = new AppStore(db);
    this.blobs = new BlobStore(dataDir);
    this.blobs.sweep(this.store.blobDigests(), now());
  }

  publishers(): Publisher[] {
    return this.store.publishers().map((row) => ({ keyId: row.key_id, name: row.name, publicKey: row.public_key, trustedAt: row.trusted_at, trustedBy: row.trusted_by }));
  }

  trust(input: { name: string; publicKey: string }, by: string | null): Publisher {
    let key;
    try {
      key = ed25519PublicKey(input.publicKey);
    } catch (error) {
      if (error instanceof KeyError) throw new InvalidInputError([{ field: 'publicKey', code: 'invalid', message: error.message }]);
      throw error;
    }
    const keyId = keyIdOf(key);
    this.store.trust(keyId, input.name, publicKeyPem(key), this.now().toISOString(), by);
    return this.publishers().find((publisher) => publisher.keyId === keyId)!;
  }

  /** A trusted publisher's key by its id (firmware packages are signed by the same publishers); undefined when not trusted. */
  publisherKey(keyId: string): { name: string; key: KeyObject } | undefined {
    const row = this.store.publisher(keyId);
    return row ? { name: row.name, key: ed25519PublicKey(row.public_key) } : undefined;
  }

  /** Releases it signed stay, shown as signed by a key no longer trusted, and cannot be rolled out. */
  distrust(keyId: string): void {
    if (!this.store.distrust(keyId)) throw new NotFoundError('publisher', keyId);
  }

  /** Checks and stores a release bundle read from `source`. */
  async push(source: Readable, by: string | null, onBytes?: (bytes: number) => void): Promise<PushResult> {
    const staging = this.blobs.newStagingDir();
    let files = 0;
    try {
      const bundle = await readReleaseBundle(source, {
        publisher: (keyId) => {
          const row = this.store.publisher(keyId);
          return row ? ed25519PublicKey(row.public_key) : undefined;
        },
        newPath: () => join(staging, String((files += 1))),
        onBytes,
      });
      const { manifest } = bundle;
      const existing = this.store.release(manifest.id, manifest.version);
      if (existing) {
        // The same release pushed again (a retried upload) is no error; a different one under the same version is.
        if (Buffer.compare(existing.manifest, bundle.manifestBytes) === 0) return { release: this.toRelease(existing), storedBlobs: 0, storedBytes: 0, sharedBlobs: 0 };
        throw new ConflictError(`${manifest.id} ${manifest.version} is already in the repository with another manifest; a version is never replaced: publish a new version`, 'version');
      }
      const used = new Set(manifest.containers.map((container) => container.image));
      const images = bundle.images.filter((image) => used.has(image.id));
      let storedBlobs = 0;
      let storedBytes = 0;
      let sharedBlobs = 0;
      const adopt = (digest: string, path: string, size: number) => {
        if (this.blobs.adopt(digest, path)) {
          storedBlobs += 1;
          storedBytes += size;
        } else sharedBlobs += 1;
      };
      const seen = new Set<string>();
      for (const image of images) {
        for (const blob of [{ digest: image.id, path: image.configPath, size: image.configSize }, ...image.layers]) {
          if (seen.has(blob.digest)) continue;
          seen.add(blob.digest);
          adopt(blob.digest, blob.path, blob.size);
        }
      }
      const publisher = this.store.publisher(bundle.signature.keyId);
      this.store.insertRelease({
        appId: manifest.id,
        version: manifest.version,
        manifest: bundle.manifestBytes,
        signature: JSON.stringify(bundle.signature),
        keyId: bundle.signature.keyId,
        signerName: publisher?.name ?? null,
        uploadedAt: this.now().toISOString(),
        uploadedBy: by,
        images: images.map((image) => ({ id: image.id, tags: image.tags, configSize: image.configSize, layers: image.layers.map((layer) => ({ digest: layer.digest, size: layer.size })) })),
      });
      return { release: this.release(manifest.id, manifest.version), storedBlobs, storedBytes, sharedBlobs };
    } catch (error) {
      if (error instanceof ReleaseError) throw new InvalidInputError([{ field: 'file', code: `release_${error.part}`, message: error.message }]);
      throw error;
    } finally {
      this.blobs.discard(staging);
    }
  }

  /** Pushes a bundle that is a file on this machine (the CLI, a staged upload). */
  pushFile(path: string, by: string | null, onBytes?: (bytes: number) => void): Promise<PushResult> {
    return this.push(createReadStream(path), by, onBytes);
  }

  /** A bundle the UI or REST sent: the host's staged file when it streamed the upload to disk, else the Blob's bytes as they are read. */
  pushUpload(file: Blob, by: string | null): Promise<PushResult> {
    const staged = stagedPathOf(file);
    if (staged) return this.pushFile(staged, by);
    return this.push(Readable.fromWeb(file.stream() as NodeReadableStream<Uint8Array>), by);
  }

  apps(): AppSummary[] {
    const byApp = new Map<string, ReleaseRow[]>();
    for (const row of this.store.releases()) byApp.set(row.app_id, [...(byApp.get(row.app_id) ?? []), row]);
    return [...byApp.entries()].map(([appId, rows]) => {
      const versions = rows.map((row) => row.version).sort(compareVersions).reverse();
      const latest = rows.find((row) => row.version === versions[0])!;
      const manifest = this.manifestOf(latest);
      return { appId, name: manifest.name, latestVersion: versions[0]!, versions, sizeBytes: this.store.appBytes(appId) };
    });
  }

  releases(appId: string): AppRelease[] {
    const rows = this.store.releases().filter((row) => row.app_id === appId);
    if (rows.length === 0) throw new NotFoundError('app', appId);
    return rows.map((row) => this.toRelease(row)).sort((a, b) => compareVersions(b.version, a.version));
  }

  release(appId: string, version: string): AppRelease {
    const row = this.store.release(appId, version);
    if (!row) throw new NotFoundError('release', `${appId} ${version}`);
    return this.toRelease(row);
  }

  releaseOrNull(appId: string, version: string): AppRelease | null {
    const row = this.store.release(appId, version);
    return row ? this.toRelease(row) : null;
  }

  /**
   * The release, its signature checked again against the publisher's key
   * as trusted now: what leaves for a site is what was signed, by someone
   * still trusted (a row changed in the database is caught here).
   */
  verifiedRelease(appId: string, version: string): AppRelease {
    const row = this.store.release(appId, version);
    if (!row) throw new NotFoundError('release', `${appId} ${version}`);
    const signature = ReleaseSignature.parse(JSON.parse(row.signature));
    const publisher = this.store.publisher(signature.keyId);
    if (!publisher) throw new ConflictError(`${appId} ${version} is signed by a publisher no longer trusted; it cannot be deployed`, 'version');
    if (!signatureHolds(row.manifest, signature, ed25519PublicKey(publisher.public_key))) throw new ConflictError(`${appId} ${version}: its stored manifest no longer matches its signature; it is not deployed`, 'version');
    return this.toRelease(row);
  }

  /** An image's layers, bottom first, for exporting it. */
  layersOf(imageId: string): string[] {
    return this.store.layers(imageId);
  }

  private manifestOf(row: ReleaseRow): AppManifest {
    // Checked when it was pushed; parsed again so that defaults a later schema adds apply.
    return AppManifest.parse(JSON.parse(row.manifest.toString('utf8')));
  }

  private toRelease(row: ReleaseRow): AppRelease {
    const manifest = this.manifestOf(row);
    const signature = ReleaseSignature.parse(JSON.parse(row.signature));
    const publisher = this.store.publisher(signature.keyId);
    return {
      appId: row.app_id,
      version: row.version,
      name: manifest.name,
      description: manifest.description,
      manifest,
      images: this.store.releaseImages(row.app_id, row.version).map((image) => ({ id: image.id, tags: JSON.parse(image.tags) as string[], sizeBytes: image.size, layers: image.layers })),
      sizeBytes: this.store.releaseBytes(row.app_id, row.version),
      uniqueBytes: this.store.uniqueBytes(row.app_id, row.version),
      signer: { keyId: signature.keyId, name: publisher?.name ?? row.signer_name },
      signerTrusted: publisher !== undefined,
      uploadedAt: row.uploaded_at,
      uploadedBy: row.uploaded_by,
    };
  }
}

/** Semantic-version order (pre-releases before their release). */
export function compareVersions(a: string, b: string): number {
  const parse = (version: string) => {
    const [core = '', pre] = version.split(/-(.*)/s);
    return { numbers: core.split('.').map(Number), pre: pre ?? null };
  };
  const left = parse(a);
  const right = parse(b);
  for (let index = 0; index < 3; index += 1) {
    const difference = (left.numbers[index] ?? 0) - (right.numbers[index] ?? 0);
    if (difference !== 0) return difference;
  }
  if (left.pre === right.pre) return 0;
  if (left.pre === null) return 1;
  if (right.pre === null) return -1;
  return left.pre.localeCompare(right.pre, 'en', { numeric: true });
}
