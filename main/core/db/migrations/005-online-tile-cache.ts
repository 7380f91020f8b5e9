import type { Migration } from '../migrate.js';

export const onlineTileCache: Migration = {
  version: 5,
  name: 'settings and the online tile cache',
  up: (db) => {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE tile_cache (
        z INTEGER NOT NULL,
        x INTEGER NOT NULL,
        y INTEGER NOT NULL,
        data BLOB NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        last_used INTEGER NOT NULL,
        PRIMARY KEY (z, x, y)
      );
      CREATE INDEX tile_cache_lru ON tile_cache (last_used);
    `);
  },
};
