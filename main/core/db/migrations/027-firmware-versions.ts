import type { Migration } from '../migrate.js';

/**
 * Firmware version state (issue 13): per device and component, each version
 * it was seen running, from the first inventory read that showed it to the
 * last; the current one flagged. Kept as history (gone with the device), so
 * the device page shows what it ran when.
 */
export const firmwareVersions: Migration = {
  version: 27,
  name: 'firmware versions per device and component, as history',
  up: (db) => {
    db.exec(`
      CREATE TABLE firmware_versions (
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        component_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('redfish', 'entity', 'ups', 'identity')),
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        current INTEGER NOT NULL CHECK (current IN (0, 1)),
        PRIMARY KEY (device_id, component_id, first_seen)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX firmware_versions_current ON firmware_versions (device_id, component_id) WHERE current = 1;
    `);
  },
};
