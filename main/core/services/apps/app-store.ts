import type { Database, Statement } from 'better-sqlite3';

/** The app repository's SQL. */

export interface PublisherRow {
  key_id: string;
  name: string;
  public_key: string;
  trusted_at: string;
  trusted_by: string | null;
}

export interface ReleaseRow {
  app_id: string;
  version: string;
  manifest: Buffer;
  signature: string;
  key_id: string;
  signer_name: string | null;
  uploaded_at: string;
  uploaded_by: string | null;
}

export interface ImageRow {
  id: string;
  tags: string;
  /** Bytes of its config and layers. */
  size: number;
  layers: number;
}

export interface NewRelease {
  appId: string;
  version: string;
  manifest: Buffer;
  signature: string;
  keyId: string;
  signerName: string | null;
  uploadedAt: string;
  uploadedBy: string | null;
  images: { id: string; tags: string[]; configSize: number; layers: { digest: string; size: number }[] }[];
}

export class AppStore {
  private readonly statements: {
    publishers: Statement<[], PublisherRow>;
    publisher: Statement<[string], PublisherRow>;
    trust: Statement<[string, string, string, string, string | null]>;
    distrust: Statement<[string]>;
    blob: Statement<[string], { digest: string; size: number }>;
    insertBlob: Statement<[string, number, string]>;
    insertImage: Statement<[string, string]>;
    insertLayer: Statement<[string, number, string]>;
    image: Statement<[string], { id: string }>;
    insertRelease: Statement<[string, string, Buffer, string, string, string | null, string, string | null]>;
    insertReleaseImage: Statement<[string, string, string]>;
    release: Statement<[string, string], ReleaseRow>;
    releases: Statement<[], ReleaseRow>;
    releaseImages: Statement<[string, string], ImageRow>;
    releaseBytes: Statement<[{ app: string; version: string }], { total: number | null }>;
    uniqueBytes: Statement<[{ app: string; version: string }], { total: number | null }>;
    blobDigests: Statement<[], { digest: string }>;
    appBytes: Statement<[{ app: string }], { total: number | null }>;
    layers: Statement<[string], { digest: string }>;
    imageTags: Statement<[string], { tags: string }>;
  };

  constructor(private readonly db: Database) {
    const blobsOfRelease = `
      SELECT image_id AS digest FROM app_release_images WHERE app_id = @app AND version = @version
      UNION SELECT l.digest FROM app_image_layers l JOIN app_release_images r ON r.image_id = l.image_id WHERE r.app_id = @app AND r.version = @version`;
    this.statements = {
      publishers: db.prepare('SELECT * FROM app_publishers ORDER BY name, key_id'),
      publisher: db.prepare('SELECT * FROM app_publishers WHERE key_id = ?'),
      trust: db.prepare('INSERT INTO app_publishers (key_id, name, public_key, trusted_at, trusted_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET name = excluded.name'),
      distrust: db.prepare('DELETE FROM app_publishers WHERE key_id = ?'),
      blob: db.prepare('SELECT digest, size FROM app_blobs WHERE digest = ?'),
      insertBlob: db.prepare('INSERT OR IGNORE INTO app_blobs (digest, size, stored_at) VALUES (?, ?, ?)'),
      insertImage: db.prepare('INSERT OR IGNORE INTO app_images (id, tags) VALUES (?, ?)'),
      insertLayer: db.prepare('INSERT OR IGNORE INTO app_image_layers (image_id, position, digest) VALUES (?, ?, ?)'),
      image: db.prepare('SELECT id FROM app_images WHERE id = ?'),
      insertRelease: db.prepare('INSERT INTO app_releases (app_id, version, manifest, signature, key_id, signer_name, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertReleaseImage: db.prepare('INSERT OR IGNORE INTO app_release_images (app_id, version, image_id) VALUES (?, ?, ?)'),
      release: db.prepare('SELECT * FROM app_releases WHERE app_id = ? AND version = ?'),
      releases: db.prepare('SELECT * FROM app_releases ORDER BY app_id, uploaded_at'),
      releaseImages: db.prepare(`
        SELECT i.id, i.tags,
          (SELECT b.size FROM app_blobs b WHERE b.digest = i.id) + (SELECT COALESCE(SUM(b.size), 0) FROM app_image_layers l JOIN app_blobs b ON b.digest = l.digest WHERE l.image_id = i.id) AS size,
          (SELECT COUNT(*) FROM app_image_layers l WHERE l.image_id = i.id) AS layers
        FROM app_release_images r JOIN app_images i ON i.id = r.image_id WHERE r.app_id = ? AND r.version = ? ORDER BY i.id`),
      releaseBytes: db.prepare(`SELECT SUM(b.size) AS total FROM app_blobs b WHERE b.digest IN (${blobsOfRelease})`),
      uniqueBytes: db.prepare(`
        WITH mine AS (${blobsOfRelease}),
        others AS (
          SELECT r.image_id AS digest FROM app_release_images r WHERE NOT (r.app_id = @app AND r.version = @version)
          UNION SELECT l.digest FROM app_image_layers l JOIN app_release_images r ON r.image_id = l.image_id WHERE NOT (r.app_id = @app AND r.version = @version))
        SELECT SUM(b.size) AS total FROM app_blobs b WHERE b.digest IN (SELECT digest FROM mine) AND b.digest NOT IN (SELECT digest FROM others)`),
      blobDigests: db.prepare('SELECT digest FROM app_blobs'),
      layers: db.prepare('SELECT digest FROM app_image_layers WHERE image_id = ? ORDER BY position'),
      imageTags: db.prepare('SELECT tags FROM app_images WHERE id = ?'),
      appBytes: db.prepare(`
        WITH mine AS (
          SELECT image_id AS digest FROM app_release_images WHERE app_id = @app
          UNION SELECT l.digest FROM app_image_layers l JOIN app_release_images r ON r.image_id = l.image_id WHERE r.app_id = @app)
        SELECT SUM(b.size) AS total FROM app_blobs b WHERE b.digest IN (SELECT digest FROM mine)`),
    };
  }

  publishers(): PublisherRow[] {
    return this.statements.publishers.all();
  }

  publisher(keyId: string): PublisherRow | undefined {
    return this.statements.publisher.get(keyId);
  }

  trust(keyId: string, name: string, publicKey: string, at: string, by: string | null): void {
    this.statements.trust.run(keyId, name, publicKey, at, by);
  }

  distrust(keyId: string): boolean {
    return this.statements.distrust.run(keyId).changes > 0;
  }

  hasBlob(digest: string): boolean {
    return this.statements.blob.get(digest) !== undefined;
  }

  blobDigests(): Set<string> {
    return new Set(this.statements.blobDigests.all().map((row) => row.digest));
  }

  /** The release and every blob row it needs, in one transaction. */
  insertRelease(release: NewRelease): void {
    this.db.transaction(() => {
      for (const image of release.images) {
        this.statements.insertBlob.run(image.id, image.configSize, release.uploadedAt);
        for (const layer of image.layers) this.statements.insertBlob.run(layer.digest, layer.size, release.uploadedAt);
        this.statements.insertImage.run(image.id, JSON.stringify(image.tags));
        image.layers.forEach((layer, position) => this.statements.insertLayer.run(image.id, position, layer.digest));
      }
      this.statements.insertRelease.run(release.appId, release.version, release.manifest, release.signature, release.keyId, release.signerName, release.uploadedAt, release.uploadedBy);
      for (const image of release.images) this.statements.insertReleaseImage.run(release.appId, release.version, image.id);
    })();
  }

  release(appId: string, version: string): ReleaseRow | undefined {
    return this.statements.release.get(appId, version);
  }

  releases(): ReleaseRow[] {
    return this.statements.releases.all();
  }

  releaseImages(appId: string, version: string): ImageRow[] {
    return this.statements.releaseImages.all(appId, version);
  }

  releaseBytes(appId: string, version: string): number {
    return this.statements.releaseBytes.get({ app: appId, version })?.total ?? 0;
  }

  /** An image's layer digests, bottom first. */
  layers(imageId: string): string[] {
    return this.statements.layers.all(imageId).map((row) => row.digest);
  }

  imageTags(imageId: string): string[] {
    const row = this.statements.imageTags.get(imageId);
    return row ? (JSON.parse(row.tags) as string[]) : [];
  }

  /** Bytes of every blob any release of the app needs, each counted once. */
  appBytes(appId: string): number {
    return this.statements.appBytes.get({ app: appId })?.total ?? 0;
  }

  uniqueBytes(appId: string, version: string): number {
    return this.statements.uniqueBytes.get({ app: appId, version })?.total ?? 0;
  }
}
