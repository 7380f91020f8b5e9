import type { SystemInfo } from '../../shared/contract/index.js';
import type { SiteCsvImportResult } from '../../shared/domain/site.js';
import type { Database } from './db/open.js';
import { AuditLog } from './services/audit/audit-log.js';
import { EventBus } from './services/events/bus.js';
import { RegionService } from './services/regions/region-service.js';
import { importSitesCsv } from './services/sites/csv-import.js';
import { SiteService } from './services/sites/site-service.js';

export interface Services {
  sites: SiteService;
  regions: RegionService;
  audit: AuditLog;
  bus: EventBus;
  importSitesCsv: (csv: string, mode: 'preview' | 'commit') => SiteCsvImportResult;
  system: () => SystemInfo;
}

export function createServices(db: Database, now: () => Date, system: () => SystemInfo): Services {
  const bus = new EventBus();
  const regions = new RegionService(db, bus, now);
  const sites = new SiteService(db, regions, bus, now);
  const audit = new AuditLog(db, now);
  return {
    sites,
    regions,
    audit,
    bus,
    system,
    importSitesCsv: (csv, mode) => importSitesCsv(csv, mode, sites, regions),
  };
}
