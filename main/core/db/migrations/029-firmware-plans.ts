import type { Migration } from '../migrate.js';

/**
 * Firmware upgrade plans (issue 13): the plan (window, waves, failure
 * threshold, state) and one row per device with its package, the apply
 * time its BMC declared, its wave and phase, and the BMC's last word. Every
 * step is written before and after it runs, so a restart goes on where the
 * plan stood.
 */
export const firmwarePlans: Migration = {
  version: 29,
  name: 'firmware upgrade plans and their devices',
  up: (db) => {
    db.exec(`
      CREATE TABLE firmware_plans (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'completed', 'stopped', 'cancelled')),
        reason TEXT,
        window TEXT,
        wave_size INTEGER NOT NULL,
        failure_threshold INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT,
        ended_at TEXT
      );
      CREATE TABLE firmware_plan_devices (
        plan_id INTEGER NOT NULL REFERENCES firmware_plans(id) ON DELETE CASCADE,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        package_id TEXT NOT NULL REFERENCES firmware_packages(id) ON DELETE RESTRICT,
        component TEXT NOT NULL,
        current TEXT,
        target TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        apply_time TEXT CHECK (apply_time IN ('Immediate', 'OnReset', 'AtMaintenanceWindowStart', 'OnStartUpdateRequest')),
        apply_time_source TEXT,
        staged INTEGER NOT NULL DEFAULT 0 CHECK (staged IN (0, 1)),
        wave INTEGER NOT NULL,
        position INTEGER NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('pending', 'staging', 'staged', 'waiting', 'activating', 'verifying', 'verified', 'failed', 'skipped')),
        message TEXT,
        message_id TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, device_id, package_id)
      ) WITHOUT ROWID;
      CREATE INDEX firmware_plan_devices_phase ON firmware_plan_devices (phase, plan_id);
    `);
  },
};
