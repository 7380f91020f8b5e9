import type { Migration } from '../migrate.js';

/**
 * Users, their roles per region, sign-in sessions and API tokens. Session
 * and token secrets are kept only as SHA-256 hashes; passwords as scrypt.
 * The audit log says through what the actor came (a session, a token, the
 * desktop), besides who it was.
 */
export const identity: Migration = {
  version: 10,
  name: 'users, roles per region, sessions and API tokens',
  up: (db) => {
    db.exec(`
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT,
        password_hash TEXT NOT NULL,
        disabled_at TEXT,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
      );

      CREATE TABLE user_grants (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'administrator')),
        region_id INTEGER REFERENCES regions(id) ON DELETE CASCADE,
        UNIQUE (user_id, role, region_id)
      );
      CREATE INDEX user_grants_user ON user_grants (user_id);

      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        address TEXT,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        scope TEXT NOT NULL CHECK (scope IN ('viewer', 'operator', 'administrator')),
        created_at TEXT NOT NULL,
        expires_at TEXT,
        last_used_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX api_tokens_user ON api_tokens (user_id);

      ALTER TABLE audit_log ADD COLUMN via TEXT;
    `);
  },
};
