import type { Migration } from '../migrate.js';

/**
 * Every secret in the vault, not only device credentials (the webhook
 * secret, keys of EdgeCab's CA, identities): the kind CHECK goes. Each row
 * now says where the secret came from (a factory default found by the
 * wizard, a password EdgeCab generated, one a user typed), how often it was
 * replaced (monitoring reconnects when that changes) and its sealing format
 * (2: bound to its row id and kind as associated data).
 */
export const sealedSecrets: Migration = {
  version: 9,
  name: 'sealed secrets of every kind, with origin, revision and format',
  disableForeignKeys: true,
  up: (db) => {
    db.exec(`
      CREATE TABLE credentials_new (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        sealed TEXT NOT NULL,
        format INTEGER NOT NULL DEFAULT 1,
        origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('user', 'discovered', 'rotated', 'lab', 'system')),
        revision INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT
      );
      INSERT INTO credentials_new (id, kind, sealed, format, created_at, updated_at) SELECT id, kind, sealed, 1, created_at, created_at FROM credentials;
      DROP TABLE credentials;
      ALTER TABLE credentials_new RENAME TO credentials;

      ALTER TABLE credential_rotations ADD COLUMN phase TEXT NOT NULL DEFAULT 'sent' CHECK (phase IN ('prepared', 'sent', 'unknown'));
      ALTER TABLE credential_rotations ADD COLUMN sent_at TEXT;
      ALTER TABLE credential_rotations ADD COLUMN resolve_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE credential_rotations ADD COLUMN last_resolve_at TEXT;
      ALTER TABLE credential_rotations ADD COLUMN last_error TEXT;
    `);
  },
};
