import type { Database, Statement } from 'better-sqlite3';
import type { EngineInventory } from '../../../../shared/domain/engine.js';
import { normalizeId } from '../../protocols/engine/images.js';

/** A container as a dry run needs it: its name, whose app and version it is. */
export interface SnapshotContainer {
  name: string;
  app: string | null;
  version: string | null;
  state: string;
}

export interface EngineSnapshot {
  deviceId: string;
  siteId: string;
  imageIds: Set<string>;
  containers: SnapshotContainer[];
  freeBytes: number | null;
  observedAt: string;
}

interface Row {
  device_id: string;
  site_id: string;
  image_ids: string;
  containers: string;
  free_bytes: number | null;
  observed_at: string;
}

/**
 * What each site's engine was last seen holding (images, containers, disk
 * free), kept whenever EdgeCab reads an engine, so a dry run over
 * thousands of sites plans from the database without asking any of them.
 */
export class EngineSnapshots {
  private readonly upsert: Statement;
  private readonly all: Statement<[], Row>;

  constructor(db: Database) {
    this.upsert = db.prepare(`INSERT INTO engine_snapshots (device_id, site_id, image_ids, containers, free_bytes, observed_at) VALUES (@deviceId, @siteId, @imageIds, @containers, @freeBytes, @observedAt)
      ON CONFLICT (device_id) DO UPDATE SET site_id = excluded.site_id, image_ids = excluded.image_ids, containers = excluded.containers, free_bytes = excluded.free_bytes, observed_at = excluded.observed_at`);
    this.all = db.prepare('SELECT * FROM engine_snapshots');
  }

  record(deviceId: string, siteId: string, inventory: EngineInventory): void {
    const containers: SnapshotContainer[] = inventory.containers.map((container) => ({ name: container.name, app: container.labels['edgecab.app'] ?? null, version: container.labels['edgecab.version'] ?? null, state: container.state }));
    this.upsert.run({ deviceId, siteId, imageIds: JSON.stringify(inventory.images.map((image) => normalizeId(image.id))), containers: JSON.stringify(containers), freeBytes: inventory.disk.freeBytes, observedAt: inventory.observedAt });
  }

  /** The newest snapshot of each site (its first engine's, when it has several). */
  bySite(): Map<string, EngineSnapshot> {
    const sites = new Map<string, EngineSnapshot>();
    for (const row of this.all.iterate()) {
      const known = sites.get(row.site_id);
      if (known && known.observedAt >= row.observed_at) continue;
      sites.set(row.site_id, { deviceId: row.device_id, siteId: row.site_id, imageIds: new Set(JSON.parse(row.image_ids) as string[]), containers: JSON.parse(row.containers) as SnapshotContainer[], freeBytes: row.free_bytes, observedAt: row.observed_at });
    }
    return sites;
  }
}
