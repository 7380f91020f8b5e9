import type { Migration } from '../migrate.js';

export const cabinetsAndDevices: Migration = {
  version: 3,
  name: 'cabinets, devices, credentials and readings',
  up: (db) => {
    db.exec(`
      CREATE TABLE cabinets (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        template_id TEXT NOT NULL,
        name TEXT NOT NULL,
        height_u INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX cabinets_site ON cabinets (site_id);

      CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('redfish', 'snmp')),
        sealed TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE devices (
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
        protocol TEXT NOT NULL CHECK (protocol IN ('redfish', 'snmp', 'none')),
        endpoint TEXT,
        credential_id TEXT REFERENCES credentials(id) ON DELETE SET NULL,
        fingerprint TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX devices_cabinet ON devices (cabinet_id);

      CREATE TABLE links (
        id INTEGER PRIMARY KEY,
        cabinet_id TEXT NOT NULL REFERENCES cabinets(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('power', 'network')),
        from_device_id TEXT REFERENCES devices(id) ON DELETE CASCADE,
        from_port TEXT NOT NULL,
        to_device_id TEXT REFERENCES devices(id) ON DELETE CASCADE,
        to_port TEXT NOT NULL,
        external TEXT
      );
      CREATE INDEX links_cabinet ON links (cabinet_id);

      CREATE TABLE device_readings (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        observed_at TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        reading TEXT,
        point TEXT NOT NULL
      );
      CREATE INDEX device_readings_device ON device_readings (device_id, id);
    `);
  },
};
