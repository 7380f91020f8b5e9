import type { Migration } from '../migrate.js';

export const wizard: Migration = {
  version: 8,
  name: 'first-boot wizard runs, their work items, credential rotations and configuration baselines',
  up: (db) => {
    db.exec(`
      CREATE TABLE wizard_runs (
        id TEXT PRIMARY KEY,
        site_id TEXT REFERENCES sites(id) ON DELETE SET NULL,
        step INTEGER NOT NULL DEFAULT 1,
        reachable INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL CHECK (status IN ('active', 'done')),
        data TEXT NOT NULL DEFAULT '{}',
        step_times TEXT NOT NULL DEFAULT '{}',
        started_at TEXT NOT NULL,
        finished_at TEXT
      );

      CREATE TABLE wizard_items (
        run_id TEXT NOT NULL REFERENCES wizard_runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        step INTEGER NOT NULL,
        label TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'skipped')),
        detail TEXT,
        detail_key TEXT,
        detail_params TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      );

      -- Write-ahead record of a password change: the new secret is stored before the device is told,
      -- so whatever happens in between, one of the two stored secrets opens the device.
      CREATE TABLE credential_rotations (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        pending_credential_id TEXT NOT NULL REFERENCES credentials(id),
        previous_credential_id TEXT REFERENCES credentials(id),
        started_at TEXT NOT NULL
      );

      CREATE TABLE device_baselines (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        taken_at TEXT NOT NULL,
        config TEXT NOT NULL
      );
      CREATE INDEX device_baselines_device ON device_baselines (device_id, id);
    `);
  },
};
