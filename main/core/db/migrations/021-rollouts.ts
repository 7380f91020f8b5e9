import type { Migration } from '../migrate.js';

/**
 * Rollouts: a release taken to many sites in waves, each site's part in it
 * (its wave, what it had, how it went), and what each site's engine was
 * last seen holding, so that a dry run over thousands of sites needs no
 * network. A site's app also keeps the parameters it was deployed with (a
 * rollback by hand deploys the previous version with its own).
 */
export const rollouts: Migration = {
  version: 21,
  name: 'rollouts, their sites, engine snapshots, and the parameters of apps per site',
  up: (db) => {
    db.exec(`
      CREATE TABLE rollouts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        app_id TEXT NOT NULL,
        version TEXT NOT NULL,
        spec TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'stopped', 'completed', 'cancelled', 'rolling_back', 'rolled_back')),
        detail TEXT,
        failures_acknowledged INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        created_by TEXT,
        finished_at TEXT
      );

      CREATE TABLE rollout_sites (
        rollout_id TEXT NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        wave INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('install', 'upgrade', 'nothing')),
        from_version TEXT,
        from_parameters TEXT,
        parameters TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT,
        outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
        rollback_outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (rollout_id, site_id)
      );
      CREATE INDEX rollout_sites_outbox ON rollout_sites (outbox_id) WHERE outbox_id IS NOT NULL;

      CREATE TABLE engine_snapshots (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        image_ids TEXT NOT NULL,
        containers TEXT NOT NULL,
        free_bytes INTEGER,
        observed_at TEXT NOT NULL
      );
      CREATE INDEX engine_snapshots_site ON engine_snapshots (site_id);

      ALTER TABLE site_apps ADD COLUMN parameters TEXT;
    `);
  },
};
