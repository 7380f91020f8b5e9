import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import type { Region, RegionCreate, RegionUpdate } from '../../../../shared/domain/region.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { EventBus } from '../events/bus.js';

const REGIONS_WITH_PATHS = `
  WITH RECURSIVE tree(id, parent_id, name, path, depth) AS (
    SELECT id, parent_id, name, name, 0 FROM regions WHERE parent_id IS NULL
    UNION ALL
    SELECT r.id, r.parent_id, r.name, tree.path || '/' || r.name, tree.depth + 1
    FROM regions r JOIN tree ON r.parent_id = tree.id
  )
  SELECT tree.id, tree.parent_id AS parentId, tree.name, tree.path, tree.depth,
         (SELECT count(*) FROM sites s WHERE s.region_id = tree.id) AS siteCount
  FROM tree`;

/** A tree of regions (province → city → county, or any depth) that sites belong to. */
export class RegionService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly now: () => Date,
  ) {}

  list(): Region[] {
    return this.db.prepare(`${REGIONS_WITH_PATHS} ORDER BY tree.path`).all() as Region[];
  }

  get(id: number): Region {
    const region = this.db.prepare(`${REGIONS_WITH_PATHS} WHERE tree.id = ?`).get(id) as Region | undefined;
    if (!region) throw new NotFoundError('region', String(id));
    return region;
  }

  /** Region ids by their full path ("Guangdong/Shenzhen"), for imports. */
  idsByPath(): Map<string, number> {
    return new Map(this.list().map((region) => [region.path, region.id]));
  }

  create(input: z.output<typeof RegionCreate>): Region {
    const parentId = input.parentId ?? null;
    if (parentId !== null) this.requireParent(parentId);
    this.requireUniqueName(parentId, input.name, null);
    const at = this.now().toISOString();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO regions (parent_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(parentId, input.name, at, at);
    const id = Number(lastInsertRowid);
    this.bus.publish({ type: 'region.changed', change: 'created', regionId: id, at });
    return this.get(id);
  }

  update(input: z.output<typeof RegionUpdate>): Region {
    const current = this.get(input.id);
    const parentId = input.parentId === undefined ? current.parentId : input.parentId;
    const name = input.name ?? current.name;
    if (parentId !== null) {
      this.requireParent(parentId);
      if (this.subtreeIds(input.id).has(parentId)) {
        throw new InvalidInputError([
          { field: 'parentId', code: 'cycle', message: 'A region cannot be moved under itself or one of its sub-regions' },
        ]);
      }
    }
    this.requireUniqueName(parentId, name, input.id);
    const at = this.now().toISOString();
    this.db.prepare('UPDATE regions SET parent_id = ?, name = ?, updated_at = ? WHERE id = ?').run(parentId, name, at, input.id);
    this.bus.publish({ type: 'region.changed', change: 'updated', regionId: input.id, at });
    return this.get(input.id);
  }

  delete(id: number): void {
    const region = this.get(id);
    const children = (this.db.prepare('SELECT count(*) AS n FROM regions WHERE parent_id = ?').get(id) as { n: number }).n;
    if (children > 0) throw new ConflictError(`Region "${region.path}" has ${children} sub-region(s); delete or move them first`);
    if (region.siteCount > 0) {
      throw new ConflictError(`Region "${region.path}" has ${region.siteCount} site(s); move them to another region first`);
    }
    this.db.prepare('DELETE FROM regions WHERE id = ?').run(id);
    this.bus.publish({ type: 'region.changed', change: 'deleted', regionId: id, at: this.now().toISOString() });
  }

  /** The region and all regions below it. */
  subtreeIds(id: number): Set<number> {
    const rows = this.db
      .prepare(
        `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT r.id FROM regions r JOIN sub ON r.parent_id = sub.id)
         SELECT id FROM sub`,
      )
      .all(id) as { id: number }[];
    return new Set(rows.map((row) => row.id));
  }

  /**
   * A region's chain up to the root, itself first. Every permission check
   * asks, so the parent links are cached until the regions table changes
   * (through any connection: total_changes and data_version tell).
   */
  ancestors(id: number): readonly number[] {
    const parents = this.parentLinks();
    const chain: number[] = [];
    for (let current: number | null | undefined = id; current !== null && current !== undefined && chain.length < 64; current = parents.get(current)) {
      if (!parents.has(current)) break;
      chain.push(current);
    }
    return chain;
  }

  allIds(): number[] {
    return [...this.parentLinks().keys()];
  }

  private parentCache: { key: string; parents: Map<number, number | null> } | null = null;

  private parentLinks(): Map<number, number | null> {
    const key = `${this.db.prepare('SELECT total_changes()').pluck().get() as number}:${this.db.pragma('data_version', { simple: true }) as number}`;
    if (this.parentCache?.key === key) return this.parentCache.parents;
    const rows = this.db.prepare('SELECT id, parent_id FROM regions').raw().all() as [number, number | null][];
    this.parentCache = { key, parents: new Map(rows) };
    return this.parentCache.parents;
  }

  exists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM regions WHERE id = ?').get(id) !== undefined;
  }

  private requireParent(parentId: number): void {
    if (!this.exists(parentId)) {
      throw new InvalidInputError([{ field: 'parentId', code: 'not_found', message: `No region with id ${parentId}` }]);
    }
  }

  private requireUniqueName(parentId: number | null, name: string, exceptId: number | null): void {
    const clash = this.db
      .prepare('SELECT id FROM regions WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ? AND id IS NOT ?')
      .get(parentId, name, exceptId);
    if (clash) throw new ConflictError(`A region named "${name}" already exists there`, 'name');
  }
}
