import type { Migration } from '../migrate.js';

/**
 * A credential EdgeCab set on a device (a generated password, or a change
 * still being settled) stays with the hardware when the wizard gives its
 * slot to another device: it is parked at the address where that device
 * answers, so discovery does not try factory passwords on it again and the
 * slot it is placed in next takes it back.
 */
export const parkedCredentials: Migration = {
  version: 23,
  name: 'credentials parked at the address of a device that left its slot',
  up: (db) => {
    db.exec(`
      CREATE TABLE parked_credentials (
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        endpoint TEXT NOT NULL,
        credential_id TEXT NOT NULL REFERENCES credentials(id),
        fingerprint TEXT,
        kind TEXT NOT NULL,
        -- The device's unsettled password change (its credential_rotations row as JSON), if it had one.
        rotation TEXT,
        pending_credential_id TEXT REFERENCES credentials(id),
        previous_credential_id TEXT REFERENCES credentials(id),
        parked_at TEXT NOT NULL,
        PRIMARY KEY (site_id, endpoint)
      );
    `);
  },
};
