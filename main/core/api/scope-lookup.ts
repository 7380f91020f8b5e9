import type { Database, Statement } from 'better-sqlite3';

/** A region id, or null for a site in no region; undefined when the object does not exist. */
export type RegionOf = number | null | undefined;

/**
 * Where an object lives, for permission checks: the region of the site it
 * belongs to. Statements prepared once; every checked call asks.
 */
type Kind = 'site' | 'device' | 'cabinet' | 'alarm' | 'maintenance' | 'wizard' | 'wizardExists' | 'region';

export class ScopeLookup {
  private readonly statements: Record<Kind, Statement>;

  constructor(db: Database) {
    const regionOfSite = (from: string) => db.prepare(`SELECT s.region_id FROM ${from}`).pluck();
    this.statements = {
      site: regionOfSite('sites s WHERE s.id = ?'),
      device: regionOfSite('devices d JOIN cabinets c ON c.id = d.cabinet_id JOIN sites s ON s.id = c.site_id WHERE d.id = ?'),
      cabinet: regionOfSite('cabinets c JOIN sites s ON s.id = c.site_id WHERE c.id = ?'),
      alarm: regionOfSite('alarms a JOIN sites s ON s.id = a.site_id WHERE a.id = ?'),
      maintenance: regionOfSite('maintenance_windows m JOIN sites s ON s.id = m.site_id WHERE m.id = ?'),
      wizard: regionOfSite('wizard_runs w JOIN sites s ON s.id = w.site_id WHERE w.id = ?'),
      wizardExists: db.prepare('SELECT site_id IS NOT NULL FROM wizard_runs WHERE id = ?').pluck(),
      region: db.prepare('SELECT id FROM regions WHERE id = ?').pluck(),
    };
  }

  private found(kind: Kind, id: unknown): RegionOf {
    if (typeof id !== 'string' && typeof id !== 'number') return undefined;
    const row = this.statements[kind].get(id) as number | null | undefined;
    return row;
  }

  site(id: unknown): RegionOf {
    return this.found('site', id);
  }

  device(id: unknown): RegionOf {
    return this.found('device', id);
  }

  cabinet(id: unknown): RegionOf {
    return this.found('cabinet', id);
  }

  alarm(id: unknown): RegionOf {
    return this.found('alarm', id);
  }

  maintenanceWindow(id: unknown): RegionOf {
    return this.found('maintenance', id);
  }

  /** A wizard run's site region; 'no-site' while step 1 has not created it (the run is then anybody's who may start one). */
  wizardRun(id: unknown): RegionOf | 'no-site' {
    const hasSite = this.found('wizardExists', id);
    if (hasSite === undefined) return undefined;
    return hasSite ? this.found('wizard', id) : 'no-site';
  }

  region(id: unknown): RegionOf {
    return this.found('region', id) === undefined ? undefined : (id as number);
  }
}
