import type { Migration } from '../migrate.js';

export const pmtilesPackages: Migration = {
  version: 6,
  name: 'PMTiles packages, raster and vector',
  up: (db) => {
    // SQLite cannot change a CHECK constraint in place: rebuild the table with the wider one.
    db.exec(`
      CREATE TABLE tile_packages_new (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        file TEXT NOT NULL,
        container TEXT NOT NULL DEFAULT 'mbtiles' CHECK (container IN ('mbtiles', 'pmtiles')),
        format TEXT NOT NULL CHECK (format IN ('png', 'jpg', 'webp', 'mvt')),
        min_zoom INTEGER NOT NULL,
        max_zoom INTEGER NOT NULL,
        bounds TEXT,
        attribution TEXT,
        tile_count INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        datum TEXT NOT NULL CHECK (datum IN ('wgs84', 'gcj02')),
        created_at TEXT NOT NULL
      );
      INSERT INTO tile_packages_new (id, name, file, format, min_zoom, max_zoom, bounds, attribution, tile_count, size_bytes, datum, created_at)
        SELECT id, name, file, format, min_zoom, max_zoom, bounds, attribution, tile_count, size_bytes, datum, created_at FROM tile_packages;
      DROP TABLE tile_packages;
      ALTER TABLE tile_packages_new RENAME TO tile_packages;
    `);
  },
};
