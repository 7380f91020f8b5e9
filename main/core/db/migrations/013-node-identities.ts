import type { Migration } from '../migrate.js';

/**
 * Cabinet identities: certificates EdgeCab's CA issues per site, kept with
 * the hardware they are bound to (each BMC's pinned fingerprint and serials,
 * JSON) and their life: one current per site, the earlier ones kept as
 * superseded or revoked (with who and why). The private key is sealed in the
 * vault; a superseded or revoked identity's key is removed from it.
 */
export const nodeIdentities: Migration = {
  version: 13,
  name: 'cabinet identities issued by EdgeCab CA, bound to the hardware',
  up: (db) => {
    db.exec(`
      CREATE TABLE node_identities (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        cabinet_id TEXT REFERENCES cabinets(id) ON DELETE SET NULL,
        serial TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        subject TEXT NOT NULL,
        uris TEXT NOT NULL,
        certificate_pem TEXT NOT NULL,
        key_credential_id TEXT REFERENCES credentials(id) ON DELETE SET NULL,
        not_before TEXT NOT NULL,
        not_after TEXT NOT NULL,
        hardware TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('wizard', 'enrol', 'renewal')),
        state TEXT NOT NULL CHECK (state IN ('current', 'superseded', 'revoked')),
        superseded_at TEXT,
        revoked_at TEXT,
        revoked_by TEXT,
        revoke_reason TEXT,
        last_verified_at TEXT
      );
      CREATE UNIQUE INDEX node_identities_current ON node_identities (site_id) WHERE state = 'current';
      CREATE INDEX node_identities_site ON node_identities (site_id, issued_at);
    `);
  },
};
