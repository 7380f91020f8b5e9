import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Database } from 'better-sqlite3';
import {
  FirmwareDescription,
  firmwareSignedStatement,
  MAX_FIRMWARE_CATALOG_BYTES,
  MAX_FIRMWARE_DESCRIPTION_BYTES,
  type CatalogImportResult,
  type DescriptorFormat,
  type FirmwarePackage,
  type FirmwareUploadResult,
} from '../../../../shared/domain/firmware-repository.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import { BlobStore } from '../apps/blob-store.js';
import { signatureHolds } from '../apps/signing.js';
import { stagedPathOf } from '../tiles/staged-uploads.js';
import { DescriptorError, parseCatalog, parseDescription } from './descriptors.js';
import { FirmwareStore, type PackageRow } from './firmware-store.js';

/** The publishers whose keys sign packages: the app repository's trusted publishers. */
export type PublisherKeys = (keyId: string) => { name: string; key: KeyObject } | undefined;

const refused = (field: string, code: string, message: string) => new InvalidInputError([{ field, code, message }]);

/**
 * The center's firmware repository: packages whose description parsed,
 * whose signature (where there is one) holds for a trusted publisher, and
 * whose image is the size and SHA-256 the description says. Images are
 * kept once each under their SHA-256 in `<data-dir>/firmware/`; a refused
 * upload leaves nothing behind.
 */
export class FirmwareRepository {
  readonly store: FirmwareStore;
  readonly blobs: BlobStore;

  constructor(
    db: Database,
    dataDir: string,
    private readonly publisherKeys: PublisherKeys,
    private readonly now: () => Date,
  ) {
    this.store = new FirmwareStore(db);
    this.blobs = new BlobStore(dataDir, 'firmware');
    this.blobs.sweep(this.store.storedDigests(), now());
  }

  list(): FirmwarePackage[] {
    const used = this.baselinesByPackage();
    return this.store.packages().map((row) => this.toPackage(row, used));
  }

  get(id: string): FirmwarePackage {
    const row = this.store.package(id);
    if (!row) throw new NotFoundError('firmware package', id);
    return this.toPackage(row, this.baselinesByPackage());
  }

  /** A package's description and, where it came through an upload, its image path (null: the image was never uploaded). */
  imageOf(id: string): { description: FirmwareDescription; path: string | null } {
    const row = this.store.package(id);
    if (!row) throw new NotFoundError('firmware package', id);
    return { description: descriptionOf(row), path: row.imageStored === 1 ? this.blobs.pathOf(`sha256:${row.sha256}`) : null };
  }

  /**
   * A package's image for sending: its signature (where it has one) checked
   * again against a publisher trusted now. Its bytes are checked against
   * the SHA-256 as they leave (pushImage's `sha256`), so the file is read once.
   */
  imageForSending(id: string): { description: FirmwareDescription; path: string } {
    const { description, path } = this.imageOf(id);
    if (!path) throw new ConflictError(`${description.vendor} ${description.component} ${description.version}: its image was never uploaded`, 'packageId');
    this.checkSignature(description, 'packageId', `${description.vendor} ${description.component} ${description.version}`);
    return { description, path };
  }

  /**
   * An upload: an image with its description (JSON or XML), or an image
   * alone whose description a catalog registered. Every check runs before
   * anything is kept.
   */
  async upload(input: { description?: Blob | undefined; image: Blob }, by: string | null): Promise<FirmwareUploadResult> {
    const parsed = input.description ? this.describe(await readText(input.description, MAX_FIRMWARE_DESCRIPTION_BYTES, 'description'), 'description') : null;
    if (parsed) this.checkSize(parsed.description, input.image.size);
    const staging = this.blobs.newStagingDir();
    try {
      const stagedPath = join(staging, 'image');
      const sha256 = await copyHashing(input.image, stagedPath);
      let description: FirmwareDescription;
      let format: DescriptorFormat;
      let existing = this.store.packageBySha(sha256);
      if (parsed) {
        ({ description, format } = parsed);
        if (sha256 !== description.image.sha256) {
          throw refused('image', 'sha256_mismatch', `The image's SHA-256 is ${sha256}, its description says ${description.image.sha256}: this is not the file described (damaged or altered); nothing was kept`);
        }
        if (existing && existing.description !== JSON.stringify(description)) {
          throw new ConflictError(`This image is in the repository already as ${existing.vendor} ${existing.component} ${existing.version} (${existing.id}) with another description; remove that package first`, 'description');
        }
      } else {
        if (!existing) throw refused('description', 'not_described', `No package in the repository describes an image with SHA-256 ${sha256}: upload its description with it, or import the catalog that lists it`);
        description = descriptionOf(existing);
        format = existing.format;
        this.checkSize(description, input.image.size);
      }
      if (existing?.imageStored === 1) return { package: this.get(existing.id), stored: false };
      let storedMeanwhile = false;
      this.store.transaction(() => {
        // The same image uploaded twice at once: the second finds the first's row here, not a UNIQUE error.
        existing = this.store.packageBySha(sha256) ?? existing;
        if (existing?.imageStored === 1) {
          storedMeanwhile = true;
          return;
        }
        if (!existing) {
          const row = this.rowOf(description, format, by);
          this.store.insertPackage(row);
          existing = row;
        }
        this.blobs.adopt(`sha256:${sha256}`, stagedPath);
        this.store.markImageStored(existing.id);
      });
      return { package: this.get(existing!.id), stored: !storedMeanwhile };
    } finally {
      this.blobs.discard(staging);
    }
  }

  /** A vendor catalog: every package it lists registered at once, their images to be uploaded later; one bad package refuses the whole catalog. */
  async importCatalog(file: Blob, by: string | null): Promise<CatalogImportResult> {
    const text = await readText(file, MAX_FIRMWARE_CATALOG_BYTES, 'catalog');
    let catalog;
    try {
      catalog = parseCatalog(text);
    } catch (error) {
      if (error instanceof DescriptorError) throw refused('file', 'catalog_invalid', error.message);
      throw error;
    }
    const seen = new Map<string, number>();
    catalog.packages.forEach((description, index) => {
      const where = `Package ${index + 1} of the catalog (${description.vendor} ${description.component} ${description.version})`;
      const twice = seen.get(description.image.sha256);
      if (twice !== undefined) throw refused('file', 'catalog_invalid', `${where} has the same image as package ${twice + 1}`);
      seen.set(description.image.sha256, index);
      this.checkSignature(description, 'file', where);
      const existing = this.store.packageBySha(description.image.sha256);
      if (existing && existing.description !== JSON.stringify(description)) {
        throw new ConflictError(`${where}: its image is in the repository already as ${existing.id} with another description`, 'file');
      }
    });
    const registered: string[] = [];
    let alreadyKnown = 0;
    this.store.transaction(() => {
      for (const description of catalog.packages) {
        if (this.store.packageBySha(description.image.sha256)) {
          alreadyKnown += 1;
          continue;
        }
        const row = this.rowOf(description, catalog.format, by);
        row.imageStored = 0;
        this.store.insertPackage(row);
        registered.push(row.id);
      }
    });
    const used = this.baselinesByPackage();
    return { format: catalog.format, registered: registered.map((id) => this.toPackage(this.store.package(id)!, used)), alreadyKnown };
  }

  remove(id: string): void {
    const row = this.store.package(id);
    if (!row) throw new NotFoundError('firmware package', id);
    const baselines = this.baselinesByPackage().get(id) ?? [];
    if (baselines.length > 0) throw new ConflictError(`${row.vendor} ${row.component} ${row.version} is in the baseline ${baselines.map((baseline) => `"${baseline.name}"`).join(', ')}; take it out of the baseline first`, 'id');
    if (this.store.planUses(id) > 0) throw new ConflictError(`${row.vendor} ${row.component} ${row.version} was sent by an upgrade plan, whose history names it; it stays`, 'id');
    this.store.deletePackage(id);
    if (row.imageStored === 1) this.blobs.sweep(this.store.storedDigests(), new Date(this.now().getTime() + 2 * 3_600_000));
  }

  private describe(text: string, field: string): { description: FirmwareDescription; format: DescriptorFormat } {
    let parsed;
    try {
      parsed = parseDescription(text);
    } catch (error) {
      if (error instanceof DescriptorError) throw refused(field, 'description_invalid', error.message);
      throw error;
    }
    this.checkSignature(parsed.description, field, 'The package');
    return parsed;
  }

  private checkSignature(description: FirmwareDescription, field: string, what: string): void {
    const signature = description.signature;
    if (!signature) return;
    const publisher = this.publisherKeys(signature.keyId);
    if (!publisher) throw refused(field, 'signer_untrusted', `${what} is signed by the key ${signature.keyId.slice(0, 16)}…, which is not a trusted publisher; trust it under Apps → Publishers first`);
    if (!signatureHolds(Buffer.from(firmwareSignedStatement(description)), { keyId: signature.keyId, signature: signature.signature }, publisher.key)) {
      throw refused(field, 'signature_invalid', `${what}'s signature does not hold for ${publisher.name}'s key: the description was changed after it was signed`);
    }
  }

  private checkSize(description: FirmwareDescription, size: number): void {
    if (size !== description.image.sizeBytes) {
      throw refused('image', 'size_mismatch', `The image is ${size} bytes, its description says ${description.image.sizeBytes}: this is not the file described (cut short or another file); nothing was kept`);
    }
  }

  private rowOf(description: FirmwareDescription, format: DescriptorFormat, by: string | null): PackageRow {
    const keyId = description.signature?.keyId ?? null;
    return {
      id: `fw-${description.image.sha256.slice(0, 16)}`,
      sha256: description.image.sha256,
      vendor: description.vendor,
      component: description.component,
      version: description.version,
      description: JSON.stringify(description),
      format,
      keyId,
      signerName: keyId ? (this.publisherKeys(keyId)?.name ?? null) : null,
      imageStored: 1,
      addedAt: this.now().toISOString(),
      addedBy: by,
    };
  }

  private baselinesByPackage(): Map<string, { id: number; name: string }[]> {
    const names = new Map(this.store.baselines().map((row) => [row.id, row.name]));
    const byPackage = new Map<string, { id: number; name: string }[]>();
    for (const { baselineId, packageId } of this.store.baselinePackages()) {
      const list = byPackage.get(packageId) ?? [];
      list.push({ id: baselineId, name: names.get(baselineId) ?? String(baselineId) });
      byPackage.set(packageId, list);
    }
    return byPackage;
  }

  private toPackage(row: PackageRow, used: Map<string, { id: number; name: string }[]>): FirmwarePackage {
    return {
      id: row.id,
      description: descriptionOf(row),
      format: row.format,
      imageStored: row.imageStored === 1,
      signer: row.keyId ? { keyId: row.keyId, name: this.publisherKeys(row.keyId)?.name ?? row.signerName, trusted: this.publisherKeys(row.keyId) !== undefined } : null,
      addedAt: row.addedAt,
      addedBy: row.addedBy,
      baselines: used.get(row.id) ?? [],
    };
  }
}

export function descriptionOf(row: Pick<PackageRow, 'description'>): FirmwareDescription {
  return FirmwareDescription.parse(JSON.parse(row.description));
}

function streamOf(file: Blob): Readable {
  const staged = stagedPathOf(file);
  return staged ? createReadStream(staged) : Readable.fromWeb(file.stream() as NodeReadableStream<Uint8Array>);
}

async function readText(file: Blob, limit: number, what: string): Promise<string> {
  if (file.size > limit) throw refused(what, 'too_large', `The ${what} is ${file.size} bytes; a ${what} is at most ${limit} bytes`);
  const bytes = Buffer.from(await file.arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) throw refused(what, 'not_utf8', `The ${what} is not UTF-8 text`);
  return text;
}

/** Copies the upload to `path`, returning its SHA-256 (hex). */
async function copyHashing(file: Blob, path: string): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(streamOf(file), tap, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  return hash.digest('hex');
}
