import type { Migration } from '../migrate.js';

/** Failures of EdgeCab's own background work, kept so the console can show them (a problem of EdgeCab itself, not of a site). */
export const coreProblems: Migration = {
  version: 12,
  name: "problems of EdgeCab's own background work",
  up: (db) => {
    db.exec(`
      CREATE TABLE core_problems (
        key TEXT PRIMARY KEY,
        message TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL
      );
    `);
  },
};
