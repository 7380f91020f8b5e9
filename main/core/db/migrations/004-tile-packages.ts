import type { Migration } from '../migrate.js';

export const tilePackages: Migration = {
  version: 4,
  name: 'offline tile packages',
  up: (db) => {
    db.exec(`
      CREATE TABLE tile_packages (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        file TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('png', 'jpg', 'webp')),
        min_zoom INTEGER NOT NULL,
        max_zoom INTEGER NOT NULL,
        bounds TEXT,
        attribution TEXT,
        tile_count INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        datum TEXT NOT NULL CHECK (datum IN ('wgs84', 'gcj02')),
        created_at TEXT NOT NULL
      );
    `);
  },
};
