import type { Migration } from '../migrate.js';

/**
 * The outbox: remote work for sites, one durable row per action, run in
 * order per site when the site can be reached, with every outcome kept.
 * Also the state each site's apps are in, as the last deployment saw it.
 */
export const outbox: Migration = {
  version: 20,
  name: 'outbox of remote actions per site, and the state of apps per site',
  up: (db) => {
    db.exec(`
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        action TEXT NOT NULL,
        payload TEXT NOT NULL,
        group_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        queued_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        offline_since TEXT,
        last_error TEXT,
        outcome TEXT,
        queued_by TEXT
      );
      CREATE INDEX outbox_site_open ON outbox (site_id, id) WHERE state IN ('queued', 'running');
      CREATE INDEX outbox_group ON outbox (group_id) WHERE group_id IS NOT NULL;

      CREATE TABLE site_apps (
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        app_id TEXT NOT NULL,
        version TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT,
        bytes_sent INTEGER,
        bytes_total INTEGER,
        previous_version TEXT,
        outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (site_id, app_id)
      );
    `);
  },
};
