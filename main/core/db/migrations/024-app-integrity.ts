import type { Migration } from '../migrate.js';

/**
 * Integrity of the apps deployed at a site: per site and app, the last look
 * at its containers on the site's engine (the version looked at, when, its
 * image and configuration checks against the signed release and what was
 * deployed) and the last attempt's failure (the engine could not be
 * reached). Gone with the site.
 */
export const appIntegrity: Migration = {
  version: 24,
  name: 'integrity reports of the apps deployed at each site',
  up: (db) => {
    db.exec(`
      CREATE TABLE integrity_app_reports (
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        app_id TEXT NOT NULL,
        version TEXT NOT NULL,
        checked_at TEXT,
        attempted_at TEXT NOT NULL,
        error TEXT,
        checks TEXT NOT NULL DEFAULT '[]',
        differences INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (site_id, app_id)
      );
    `);
  },
};
