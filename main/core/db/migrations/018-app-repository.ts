import type { Migration } from '../migrate.js';

/**
 * The app repository: publishers whose Ed25519 keys the administrator
 * trusts, releases (the signed manifest bytes, kept exactly), and their
 * images as content-addressed blobs, so a layer two releases share is
 * stored once.
 */
export const appRepository: Migration = {
  version: 18,
  name: 'app repository: publishers, releases, images and blobs',
  up: (db) => {
    db.exec(`
      CREATE TABLE app_publishers (
        key_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        public_key TEXT NOT NULL,
        trusted_at TEXT NOT NULL,
        trusted_by TEXT
      );
      CREATE TABLE app_blobs (
        digest TEXT PRIMARY KEY CHECK (digest GLOB 'sha256:*'),
        size INTEGER NOT NULL CHECK (size >= 0),
        stored_at TEXT NOT NULL
      );
      CREATE TABLE app_images (
        id TEXT PRIMARY KEY REFERENCES app_blobs(digest),
        tags TEXT NOT NULL
      );
      CREATE TABLE app_image_layers (
        image_id TEXT NOT NULL REFERENCES app_images(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        digest TEXT NOT NULL REFERENCES app_blobs(digest),
        PRIMARY KEY (image_id, position)
      );
      CREATE INDEX app_image_layers_digest ON app_image_layers (digest);
      CREATE TABLE app_releases (
        app_id TEXT NOT NULL,
        version TEXT NOT NULL,
        manifest BLOB NOT NULL,
        signature TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signer_name TEXT,
        uploaded_at TEXT NOT NULL,
        uploaded_by TEXT,
        PRIMARY KEY (app_id, version)
      );
      CREATE TABLE app_release_images (
        app_id TEXT NOT NULL,
        version TEXT NOT NULL,
        image_id TEXT NOT NULL REFERENCES app_images(id),
        PRIMARY KEY (app_id, version, image_id),
        FOREIGN KEY (app_id, version) REFERENCES app_releases(app_id, version) ON DELETE CASCADE
      );
      CREATE INDEX app_release_images_image ON app_release_images (image_id);
    `);
  },
};
