import type { Migration } from '../migrate.js';

/**
 * Integrity reports: per device the last complete read (its facts and the
 * comparison shown, with when) and the last attempt's failure; and the
 * recorded state compared against (first seen, or accepted by whom).
 */
export const integrity: Migration = {
  version: 14,
  name: 'integrity reports per device and their recorded state',
  up: (db) => {
    db.exec(`
      CREATE TABLE integrity_reports (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        checked_at TEXT,
        attempted_at TEXT NOT NULL,
        error TEXT,
        facts TEXT NOT NULL DEFAULT '[]',
        unread TEXT NOT NULL DEFAULT '[]',
        checks TEXT NOT NULL DEFAULT '[]',
        differences INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE integrity_recorded (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        facts TEXT NOT NULL,
        kinds TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('first-seen', 'accepted')),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT
      );
    `);
  },
};
