import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { z } from 'zod';
import type { Site, SiteFields, SiteListQuery, SitePage, SiteSortKey, SiteUpdate } from '../../../../shared/domain/site.js';
import type { RegionScope } from '../../../../shared/domain/access.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { EventBus } from '../events/bus.js';
import type { RegionService } from '../regions/region-service.js';

export type NewSite = z.output<typeof SiteFields>;

interface SiteRow {
  id: string;
  name: string;
  code: string;
  latitude: number;
  longitude: number;
  region_id: number | null;
  address: string | null;
  contact: string | null;
  created_at: string;
  updated_at: string;
}

const ORDER_COLUMNS: Record<SiteSortKey, string> = {
  name: 's.name',
  code: 's.code COLLATE NOCASE',
  latitude: 's.latitude',
  longitude: 's.longitude',
  createdAt: 's.created_at',
  updatedAt: 's.updated_at',
};

function toSite(row: SiteRow): Site {
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    latitude: row.latitude,
    longitude: row.longitude,
    regionId: row.region_id,
    address: row.address,
    contact: row.contact,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function withoutCreatedAt(row: SiteRow): Omit<SiteRow, 'created_at'> {
  const { created_at: _createdAt, ...rest } = row;
  return rest;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export class SiteService {
  private readonly insertStatement: Statement;
  private readonly byIdStatement: Statement;

  constructor(
    private readonly db: Database,
    private readonly regions: RegionService,
    private readonly bus: EventBus,
    private readonly now: () => Date,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO sites (id, name, code, latitude, longitude, region_id, address, contact, created_at, updated_at)
       VALUES (@id, @name, @code, @latitude, @longitude, @region_id, @address, @contact, @created_at, @updated_at)`,
    );
    this.byIdStatement = db.prepare('SELECT * FROM sites WHERE id = ?');
  }

  /** A page of the sites the scope lets the caller see. */
  list(query: z.output<typeof SiteListQuery>, scope: RegionScope = 'all'): SitePage {
    const where: string[] = [];
    const params: unknown[] = [];
    if (scope !== 'all') {
      where.push('s.region_id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(scope));
    }
    if (query.q) {
      where.push(`(s.name LIKE ? ESCAPE '\\' OR s.code LIKE ? ESCAPE '\\' OR s.address LIKE ? ESCAPE '\\')`);
      const pattern = likePattern(query.q);
      params.push(pattern, pattern, pattern);
    }
    if (query.regionId !== undefined) {
      where.push(`s.region_id IN (WITH RECURSIVE sub(id) AS (
        SELECT ? UNION ALL SELECT r.id FROM regions r JOIN sub ON r.parent_id = sub.id) SELECT id FROM sub)`);
      params.push(query.regionId);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const direction = query.order === 'desc' ? 'DESC' : 'ASC';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM sites s ${clause}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT * FROM sites s ${clause} ORDER BY ${ORDER_COLUMNS[query.sort]} ${direction}, s.rowid ${direction} LIMIT ? OFFSET ?`,
      )
      .all(...params, query.limit, query.offset) as SiteRow[];
    return { items: rows.map(toSite), total, limit: query.limit, offset: query.offset };
  }

  get(id: string): Site {
    const row = this.byIdStatement.get(id) as SiteRow | undefined;
    if (!row) throw new NotFoundError('site', id);
    return toSite(row);
  }

  create(fields: NewSite): Site {
    this.requireRegion(fields.regionId ?? null);
    this.requireUniqueCode(fields.code, null);
    const at = this.now().toISOString();
    const id = randomUUID();
    this.insertStatement.run(this.toRow(id, fields, at));
    this.bus.publish({ type: 'site.changed', change: 'created', siteId: id, count: 1, at });
    return this.get(id);
  }

  update(patch: z.output<typeof SiteUpdate>): Site {
    const current = this.get(patch.id);
    const next: NewSite = {
      name: patch.name ?? current.name,
      code: patch.code ?? current.code,
      latitude: patch.latitude ?? current.latitude,
      longitude: patch.longitude ?? current.longitude,
      regionId: patch.regionId === undefined ? current.regionId : patch.regionId,
      address: patch.address === undefined ? current.address : patch.address,
      contact: patch.contact === undefined ? current.contact : patch.contact,
    };
    this.requireRegion(next.regionId ?? null);
    this.requireUniqueCode(next.code, patch.id);
    const at = this.now().toISOString();
    this.db
      .prepare(
        `UPDATE sites SET name = @name, code = @code, latitude = @latitude, longitude = @longitude, region_id = @region_id,
         address = @address, contact = @contact, updated_at = @updated_at WHERE id = @id`,
      )
      .run(withoutCreatedAt(this.toRow(patch.id, next, at)));
    this.bus.publish({ type: 'site.changed', change: 'updated', siteId: patch.id, count: 1, at });
    return this.get(patch.id);
  }

  delete(id: string): void {
    const { changes } = this.db.prepare('DELETE FROM sites WHERE id = ?').run(id);
    if (changes === 0) throw new NotFoundError('site', id);
    this.bus.publish({ type: 'site.changed', change: 'deleted', siteId: id, count: 1, at: this.now().toISOString() });
  }

  /** Inserts already validated sites in one transaction; returns how many. */
  insertMany(sites: readonly NewSite[]): number {
    if (sites.length === 0) return 0;
    const at = this.now().toISOString();
    this.db.transaction(() => {
      for (const site of sites) this.insertStatement.run(this.toRow(randomUUID(), site, at));
    })();
    this.bus.publish({ type: 'site.changed', change: 'imported', siteId: null, count: sites.length, at });
    return sites.length;
  }

  /** Lower-cased codes of every site, for duplicate checks during imports. */
  existingCodes(): Set<string> {
    const codes = this.db.prepare('SELECT code FROM sites').pluck().all() as string[];
    return new Set(codes.map((code) => code.toLowerCase()));
  }

  private toRow(id: string, fields: NewSite, at: string): SiteRow {
    return {
      id,
      name: fields.name,
      code: fields.code,
      latitude: fields.latitude,
      longitude: fields.longitude,
      region_id: fields.regionId ?? null,
      address: fields.address ?? null,
      contact: fields.contact ?? null,
      created_at: at,
      updated_at: at,
    };
  }

  private requireRegion(regionId: number | null): void {
    if (regionId !== null && !this.regions.exists(regionId)) {
      throw new InvalidInputError([{ field: 'regionId', code: 'not_found', message: `No region with id ${regionId}` }]);
    }
  }

  private requireUniqueCode(code: string, exceptId: string | null): void {
    const clash = this.db.prepare('SELECT id FROM sites WHERE code = ? COLLATE NOCASE AND id IS NOT ?').get(code, exceptId);
    if (clash) throw new ConflictError(`A site with code "${code}" already exists`, 'code');
  }
}
