import type { Migration } from '../migrate.js';

/**
 * The texts of rollouts also as catalog messages (a JSON list of key and
 * values), so the UI can say them in the user's language: why a rollout
 * stopped or ended, each site's detail, and a site app's detail (what a
 * rollout's site shows while it runs). The English `detail` stays as it
 * was; rows from before keep none and show their English.
 */
export const rolloutMessages: Migration = {
  version: 22,
  name: 'catalog messages beside the English detail of rollouts, their sites and site apps',
  up: (db) => {
    db.exec(`
      ALTER TABLE rollouts ADD COLUMN detail_messages TEXT;
      ALTER TABLE rollout_sites ADD COLUMN detail_messages TEXT;
      ALTER TABLE site_apps ADD COLUMN detail_messages TEXT;
    `);
  },
};
