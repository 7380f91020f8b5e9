import type { Migration } from '../migrate.js';

/**
 * The firmware repository (issue 13): packages (an image, content-addressed
 * on disk, plus its checked description), baselines made of packages and
 * attached to cabinet models, regions or sites (one baseline per target),
 * and the hardware model each device's inventory read names, which the
 * baselines are matched with.
 */
export const firmwareRepository: Migration = {
  version: 28,
  name: 'firmware packages, baselines and the models devices report',
  up: (db) => {
    db.exec(`
      CREATE TABLE firmware_packages (
        id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        vendor TEXT NOT NULL,
        component TEXT NOT NULL,
        version TEXT NOT NULL,
        description TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('json', 'xml-1.0', 'xml-2.0')),
        key_id TEXT,
        signer_name TEXT,
        image_stored INTEGER NOT NULL CHECK (image_stored IN (0, 1)),
        added_at TEXT NOT NULL,
        added_by TEXT
      );
      CREATE TABLE firmware_baselines (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        updated_at TEXT NOT NULL,
        updated_by TEXT
      );
      CREATE TABLE firmware_baseline_packages (
        baseline_id INTEGER NOT NULL REFERENCES firmware_baselines(id) ON DELETE CASCADE,
        package_id TEXT NOT NULL REFERENCES firmware_packages(id) ON DELETE RESTRICT,
        PRIMARY KEY (baseline_id, package_id)
      ) WITHOUT ROWID;
      CREATE INDEX firmware_baseline_packages_package ON firmware_baseline_packages (package_id);
      CREATE TABLE firmware_baseline_targets (
        baseline_id INTEGER NOT NULL REFERENCES firmware_baselines(id) ON DELETE CASCADE,
        scope TEXT NOT NULL CHECK (scope IN ('template', 'region', 'site')),
        target TEXT NOT NULL,
        PRIMARY KEY (scope, target)
      ) WITHOUT ROWID;
      CREATE TABLE firmware_device_models (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        vendor TEXT,
        model TEXT,
        read_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
