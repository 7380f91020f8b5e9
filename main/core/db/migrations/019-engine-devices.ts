import type { Migration } from '../migrate.js';

/**
 * Devices may be reached over the engine API: a server's workload engine
 * (Docker or Podman) is a device of the cabinet. SQLite cannot change a
 * CHECK constraint in place, so the table is rebuilt (its documented
 * procedure, foreign keys off around it and checked after).
 */
export const engineDevices: Migration = {
  version: 19,
  name: "devices reached over a workload engine's API",
  disableForeignKeys: true,
  up: (db) => {
    db.exec(`
      CREATE TABLE devices_rebuilt (
        id TEXT PRIMARY KEY,
        cabinet_id TEXT NOT NULL REFERENCES cabinets(id) ON DELETE CASCADE,
        slot_id TEXT,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        model TEXT,
        u INTEGER NOT NULL,
        height_u INTEGER NOT NULL,
        face TEXT NOT NULL CHECK (face IN ('front', 'rear')),
        depth TEXT NOT NULL CHECK (depth IN ('full', 'half')),
        protocol TEXT NOT NULL CHECK (protocol IN ('redfish', 'snmp', 'engine', 'none')),
        endpoint TEXT,
        credential_id TEXT REFERENCES credentials(id) ON DELETE SET NULL,
        fingerprint TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      INSERT INTO devices_rebuilt (id, cabinet_id, slot_id, kind, name, model, u, height_u, face, depth, protocol, endpoint, credential_id, fingerprint, created_at, updated_at)
        SELECT id, cabinet_id, slot_id, kind, name, model, u, height_u, face, depth, protocol, endpoint, credential_id, fingerprint, created_at, updated_at FROM devices;
      DROP TABLE devices;
      ALTER TABLE devices_rebuilt RENAME TO devices;
      CREATE INDEX devices_cabinet ON devices (cabinet_id);
    `);
  },
};
