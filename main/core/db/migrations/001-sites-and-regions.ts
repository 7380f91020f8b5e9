import type { Migration } from '../migrate.js';

export const sitesAndRegions: Migration = {
  version: 1,
  name: 'sites and regions',
  up: (db) => {
    db.exec(`
      CREATE TABLE regions (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER REFERENCES regions(id) ON DELETE RESTRICT,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX regions_parent_name ON regions (ifnull(parent_id, 0), name);

      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        code TEXT NOT NULL,
        latitude REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
        longitude REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
        region_id INTEGER REFERENCES regions(id) ON DELETE RESTRICT,
        address TEXT,
        contact TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX sites_code ON sites (code COLLATE NOCASE);
      CREATE INDEX sites_name ON sites (name);
      CREATE INDEX sites_region ON sites (region_id);
      CREATE INDEX sites_updated ON sites (updated_at);
    `);
  },
};
