import type { Migration } from '../migrate.js';

export const monitoring: Migration = {
  version: 7,
  name: 'monitoring: device state, sensors, metric history, alarms, maintenance windows',
  up: (db) => {
    db.exec(`
      CREATE TABLE device_state (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        observed_at TEXT NOT NULL,
        error TEXT,
        last_poll_at TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO device_state (device_id, status, observed_at, error, last_poll_at)
        SELECT device_id, status, observed_at, error, observed_at FROM device_readings
        WHERE id IN (SELECT max(id) FROM device_readings GROUP BY device_id);

      CREATE TABLE device_sensors (
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        value REAL,
        unit TEXT NOT NULL,
        state TEXT NOT NULL,
        invalid_reason TEXT,
        observed_at TEXT NOT NULL,
        PRIMARY KEY (device_id, key)
      ) WITHOUT ROWID;

      -- One row per (device, metric); samples refer to it by a small integer to keep history compact.
      CREATE TABLE metric_series (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        label TEXT NOT NULL,
        unit TEXT NOT NULL,
        UNIQUE (device_id, key)
      );
      CREATE TABLE metric_raw (series_id INTEGER NOT NULL, t INTEGER NOT NULL, v REAL NOT NULL, PRIMARY KEY (series_id, t)) WITHOUT ROWID;
      CREATE TABLE metric_5m (series_id INTEGER NOT NULL, t INTEGER NOT NULL, avg REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (series_id, t)) WITHOUT ROWID;
      CREATE TABLE metric_1h (series_id INTEGER NOT NULL, t INTEGER NOT NULL, avg REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (series_id, t)) WITHOUT ROWID;

      CREATE TABLE alarms (
        id INTEGER PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        device_id TEXT REFERENCES devices(id) ON DELETE CASCADE,
        -- The device id, or "site:<id>" for conditions of the whole site.
        source TEXT NOT NULL,
        condition TEXT NOT NULL,
        category TEXT NOT NULL,
        severity TEXT NOT NULL,
        origin TEXT NOT NULL,
        message TEXT NOT NULL,
        message_key TEXT NOT NULL,
        message_params TEXT NOT NULL DEFAULT '{}',
        port INTEGER,
        state TEXT NOT NULL CHECK (state IN ('active', 'cleared')),
        count INTEGER NOT NULL DEFAULT 1,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        cleared_at TEXT,
        clear_pending_since TEXT,
        transitions TEXT NOT NULL DEFAULT '[]',
        flapping INTEGER NOT NULL DEFAULT 0,
        muted INTEGER NOT NULL DEFAULT 0,
        acked_at TEXT,
        acked_by TEXT,
        assignee TEXT,
        root_id INTEGER REFERENCES alarms(id) ON DELETE SET NULL
      );
      CREATE UNIQUE INDEX alarms_one_active ON alarms (source, condition) WHERE state = 'active';
      CREATE INDEX alarms_site ON alarms (site_id, state);
      CREATE INDEX alarms_state ON alarms (state, last_seen);
      CREATE INDEX alarms_root ON alarms (root_id);

      CREATE TABLE alarm_history (
        id INTEGER PRIMARY KEY,
        alarm_id INTEGER NOT NULL REFERENCES alarms(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        text TEXT
      );
      CREATE INDEX alarm_history_alarm ON alarm_history (alarm_id, id);

      CREATE TABLE maintenance_windows (
        id INTEGER PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        device_id TEXT REFERENCES devices(id) ON DELETE CASCADE,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_by TEXT
      );
      CREATE INDEX maintenance_site ON maintenance_windows (site_id, ends_at);
    `);
  },
};
