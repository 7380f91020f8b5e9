import type { Database } from 'better-sqlite3';
import type { BaselineScope, BaselineTarget, DescriptorFormat } from '../../../../shared/domain/firmware-repository.js';

export interface PackageRow {
  id: string;
  sha256: string;
  vendor: string;
  component: string;
  version: string;
  description: string;
  format: DescriptorFormat;
  keyId: string | null;
  signerName: string | null;
  imageStored: number;
  addedAt: string;
  addedBy: string | null;
}

export interface BaselineRow {
  id: number;
  name: string;
  updatedAt: string;
  updatedBy: string | null;
}

/** What compliance needs of every device: where it stands and what it is. */
export interface ComplianceDeviceRow {
  deviceId: string;
  name: string;
  siteId: string;
  siteName: string;
  siteCode: string;
  regionId: number | null;
  templateId: string;
  layoutModel: string | null;
  readModel: string | null;
  cabinetId: string;
  protocol: string;
  position: number;
}

export interface CurrentFirmwareRow {
  deviceId: string;
  componentId: string;
  name: string;
  version: string;
  readAt: string;
}

const PACKAGE_COLUMNS = 'id, sha256, vendor, component, version, description, format, key_id AS keyId, signer_name AS signerName, image_stored AS imageStored, added_at AS addedAt, added_by AS addedBy';
const DEVICE_COLUMNS =
  'd.id AS deviceId, d.name, s.id AS siteId, s.name AS siteName, s.code AS siteCode, s.region_id AS regionId, c.template_id AS templateId, d.model AS layoutModel, m.model AS readModel, c.id AS cabinetId, d.protocol, d.u AS position FROM devices d JOIN cabinets c ON c.id = d.cabinet_id JOIN sites s ON s.id = c.site_id LEFT JOIN firmware_device_models m ON m.device_id = d.id';

/** The firmware repository's SQL: packages, baselines with their packages and targets, and the models devices report. */
export class FirmwareStore {
  constructor(private readonly db: Database) {}

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  packages(): PackageRow[] {
    return this.db.prepare(`SELECT ${PACKAGE_COLUMNS} FROM firmware_packages ORDER BY vendor, component, added_at DESC`).all() as PackageRow[];
  }

  package(id: string): PackageRow | undefined {
    return this.db.prepare(`SELECT ${PACKAGE_COLUMNS} FROM firmware_packages WHERE id = ?`).get(id) as PackageRow | undefined;
  }

  packageBySha(sha256: string): PackageRow | undefined {
    return this.db.prepare(`SELECT ${PACKAGE_COLUMNS} FROM firmware_packages WHERE sha256 = ?`).get(sha256) as PackageRow | undefined;
  }

  insertPackage(row: PackageRow): void {
    this.db
      .prepare(
        'INSERT INTO firmware_packages (id, sha256, vendor, component, version, description, format, key_id, signer_name, image_stored, added_at, added_by) VALUES (@id, @sha256, @vendor, @component, @version, @description, @format, @keyId, @signerName, @imageStored, @addedAt, @addedBy)',
      )
      .run(row);
  }

  markImageStored(id: string): void {
    this.db.prepare('UPDATE firmware_packages SET image_stored = 1 WHERE id = ?').run(id);
  }

  /** How many plan steps (of any plan, ended or not: plans keep their history) send this package. */
  planUses(id: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM firmware_plan_devices WHERE package_id = ?').pluck().get(id) as number;
  }

  deletePackage(id: string): boolean {
    return this.db.prepare('DELETE FROM firmware_packages WHERE id = ?').run(id).changes > 0;
  }

  storedDigests(): Set<string> {
    return new Set((this.db.prepare('SELECT sha256 FROM firmware_packages WHERE image_stored = 1').pluck().all() as string[]).map((hex) => `sha256:${hex}`));
  }

  baselines(): BaselineRow[] {
    return this.db.prepare('SELECT id, name, updated_at AS updatedAt, updated_by AS updatedBy FROM firmware_baselines ORDER BY name').all() as BaselineRow[];
  }

  baseline(id: number): BaselineRow | undefined {
    return this.db.prepare('SELECT id, name, updated_at AS updatedAt, updated_by AS updatedBy FROM firmware_baselines WHERE id = ?').get(id) as BaselineRow | undefined;
  }

  baselineByName(name: string): BaselineRow | undefined {
    return this.db.prepare('SELECT id, name, updated_at AS updatedAt, updated_by AS updatedBy FROM firmware_baselines WHERE name = ?').get(name) as BaselineRow | undefined;
  }

  /** Every baseline's packages, as [baselineId, packageId]. */
  baselinePackages(): { baselineId: number; packageId: string }[] {
    return this.db.prepare('SELECT baseline_id AS baselineId, package_id AS packageId FROM firmware_baseline_packages').all() as { baselineId: number; packageId: string }[];
  }

  baselineTargets(): { baselineId: number; scope: BaselineScope; target: string }[] {
    return this.db.prepare('SELECT baseline_id AS baselineId, scope, target FROM firmware_baseline_targets ORDER BY scope, target').all() as { baselineId: number; scope: BaselineScope; target: string }[];
  }

  targetOwner(target: BaselineTarget): number | undefined {
    return this.db.prepare('SELECT baseline_id FROM firmware_baseline_targets WHERE scope = ? AND target = ?').pluck().get(target.scope, target.id) as number | undefined;
  }

  saveBaseline(id: number | null, name: string, packageIds: readonly string[], targets: readonly BaselineTarget[], at: string, by: string | null): number {
    let baselineId = id;
    if (baselineId === null) baselineId = Number(this.db.prepare('INSERT INTO firmware_baselines (name, updated_at, updated_by) VALUES (?, ?, ?)').run(name, at, by).lastInsertRowid);
    else {
      this.db.prepare('UPDATE firmware_baselines SET name = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(name, at, by, baselineId);
      this.db.prepare('DELETE FROM firmware_baseline_packages WHERE baseline_id = ?').run(baselineId);
      this.db.prepare('DELETE FROM firmware_baseline_targets WHERE baseline_id = ?').run(baselineId);
    }
    const addPackage = this.db.prepare('INSERT INTO firmware_baseline_packages (baseline_id, package_id) VALUES (?, ?)');
    for (const packageId of new Set(packageIds)) addPackage.run(baselineId, packageId);
    const addTarget = this.db.prepare('INSERT INTO firmware_baseline_targets (baseline_id, scope, target) VALUES (?, ?, ?)');
    for (const target of targets) addTarget.run(baselineId, target.scope, target.id);
    return baselineId;
  }

  deleteBaseline(id: number): boolean {
    return this.db.prepare('DELETE FROM firmware_baselines WHERE id = ?').run(id).changes > 0;
  }

  complianceDevices(siteId?: string): ComplianceDeviceRow[] {
    if (siteId !== undefined) return this.db.prepare(`SELECT ${DEVICE_COLUMNS} WHERE s.id = ? ORDER BY d.u DESC, d.name`).all(siteId) as ComplianceDeviceRow[];
    return this.db.prepare(`SELECT ${DEVICE_COLUMNS}`).all() as ComplianceDeviceRow[];
  }

  currentFirmware(siteId?: string): CurrentFirmwareRow[] {
    const select = 'SELECT f.device_id AS deviceId, f.component_id AS componentId, f.name, f.version, f.last_seen AS readAt FROM firmware_versions f';
    if (siteId !== undefined) return this.db.prepare(`${select} JOIN devices d ON d.id = f.device_id JOIN cabinets c ON c.id = d.cabinet_id WHERE f.current = 1 AND c.site_id = ?`).all(siteId) as CurrentFirmwareRow[];
    return this.db.prepare(`${select} WHERE f.current = 1`).all() as CurrentFirmwareRow[];
  }

  regions(): { id: number; name: string; parentId: number | null }[] {
    return this.db.prepare('SELECT id, name, parent_id AS parentId FROM regions ORDER BY name').all() as { id: number; name: string; parentId: number | null }[];
  }

  siteName(id: string): string | undefined {
    return this.db.prepare('SELECT name FROM sites WHERE id = ?').pluck().get(id) as string | undefined;
  }

  deviceSite(deviceId: string): string | undefined {
    return this.db.prepare('SELECT c.site_id FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE d.id = ?').pluck().get(deviceId) as string | undefined;
  }
}
