import type { Database, Statement } from 'better-sqlite3';
import type { IntegrityCheck, IntegrityFact, IntegrityKind, IntegritySiteSummary, RecordedState } from '../../../../shared/domain/integrity.js';
import type { RegionScope } from '../../../../shared/domain/access.js';

export interface ReportRow {
  device_id: string;
  checked_at: string | null;
  attempted_at: string;
  error: string | null;
  facts: string;
  unread: string;
  checks: string;
  differences: number;
}

export interface StoredReport {
  checkedAt: string | null;
  attemptedAt: string;
  error: string | null;
  facts: IntegrityFact[];
  unread: IntegrityKind[];
  checks: IntegrityCheck[];
  differences: number;
}

export interface RecordedRow extends RecordedState {
  by: string | null;
}

/** Integrity's SQL: the last report and the recorded state per device, the fleet summary, and reads of readings and baselines. Statements prepared once. */
export class IntegrityStore {
  private readonly statements: Record<string, Statement>;

  constructor(private readonly db: Database) {
    this.statements = {
      report: db.prepare('SELECT * FROM integrity_reports WHERE device_id = ?'),
      saveReport: db.prepare(
        `INSERT INTO integrity_reports (device_id, checked_at, attempted_at, error, facts, unread, checks, differences) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET checked_at = excluded.checked_at, attempted_at = excluded.attempted_at, error = NULL,
           facts = excluded.facts, unread = excluded.unread, checks = excluded.checks, differences = excluded.differences`,
      ),
      failed: db.prepare(
        `INSERT INTO integrity_reports (device_id, checked_at, attempted_at, error) VALUES (?, NULL, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET attempted_at = excluded.attempted_at, error = excluded.error`,
      ),
      recorded: db.prepare('SELECT facts, kinds, source, recorded_at, recorded_by FROM integrity_recorded WHERE device_id = ?'),
      record: db.prepare(
        `INSERT INTO integrity_recorded (device_id, facts, kinds, source, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET facts = excluded.facts, kinds = excluded.kinds, source = excluded.source, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`,
      ),
      baseline: db.prepare('SELECT taken_at, config FROM device_baselines WHERE device_id = ? ORDER BY id DESC LIMIT 1'),
      latestSnmp: db.prepare("SELECT reading FROM device_readings WHERE device_id = ? AND reading LIKE '%\"snmp\":{%' ORDER BY id DESC LIMIT 1").pluck(),
      driftAlarms: db.prepare("SELECT condition FROM alarms WHERE source = ? AND state = 'active' AND condition LIKE 'integrity:%'").pluck(),
      fleet: db.prepare(
        `SELECT s.id AS siteId, s.name AS siteName, s.code AS siteCode, s.region_id AS regionId,
           count(d.id) AS devices, count(r.checked_at) AS devicesChecked,
           coalesce(sum(r.differences > 0), 0) AS devicesDiffering, coalesce(sum(r.differences), 0) AS differences, max(r.checked_at) AS lastCheckedAt
         FROM sites s JOIN cabinets c ON c.site_id = s.id
         JOIN devices d ON d.cabinet_id = c.id AND d.protocol IN ('redfish', 'snmp') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL
         LEFT JOIN integrity_reports r ON r.device_id = d.id
         WHERE (? = 'all' OR s.region_id IN (SELECT value FROM json_each(?)))
         GROUP BY s.id
         ORDER BY differences > 0 DESC, differences DESC, s.name COLLATE NOCASE`,
      ),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  get open(): boolean {
    return this.db.open;
  }

  report(deviceId: string): StoredReport | null {
    const row = this.statements.report!.get(deviceId) as ReportRow | undefined;
    if (!row) return null;
    return {
      checkedAt: row.checked_at,
      attemptedAt: row.attempted_at,
      error: row.error,
      facts: JSON.parse(row.facts) as IntegrityFact[],
      unread: JSON.parse(row.unread) as IntegrityKind[],
      checks: JSON.parse(row.checks) as IntegrityCheck[],
      differences: row.differences,
    };
  }

  /** A complete read: `checkedAt` is how old its facts are, `attemptedAt` when the check ran. */
  saveReport(deviceId: string, checkedAt: string, attemptedAt: string, facts: readonly IntegrityFact[], unread: readonly IntegrityKind[], checks: readonly IntegrityCheck[]): void {
    this.statements.saveReport!.run(deviceId, checkedAt, attemptedAt, JSON.stringify(facts), JSON.stringify(unread), JSON.stringify(checks), checks.filter((check) => check.ok === false).length);
  }

  /** A check that could not read the device: the last complete report stays, with this failure beside it. */
  failed(deviceId: string, at: string, error: string): void {
    this.statements.failed!.run(deviceId, at, error);
  }

  recorded(deviceId: string): RecordedRow | null {
    const row = this.statements.recorded!.get(deviceId) as { facts: string; kinds: string; source: RecordedState['source']; recorded_at: string; recorded_by: string | null } | undefined;
    if (!row) return null;
    return { facts: JSON.parse(row.facts) as IntegrityFact[], kinds: JSON.parse(row.kinds) as IntegrityKind[], source: row.source, at: row.recorded_at, by: row.recorded_by };
  }

  record(deviceId: string, state: RecordedState, by: string | null): void {
    this.statements.record!.run(deviceId, JSON.stringify(state.facts), JSON.stringify(state.kinds), state.source, state.at, by);
  }

  /** The wizard's newest configuration baseline of the device. */
  baseline(deviceId: string): { takenAt: string; config: unknown } | null {
    const row = this.statements.baseline!.get(deviceId) as { taken_at: string; config: string } | undefined;
    return row ? { takenAt: row.taken_at, config: JSON.parse(row.config) as unknown } : null;
  }

  /** The device's newest SNMP reading (what its software versions are judged from). */
  latestSnmp(deviceId: string): unknown {
    const text = this.statements.latestSnmp!.get(deviceId) as string | undefined;
    return text ? (JSON.parse(text) as { snmp: unknown }).snmp : null;
  }

  /** Conditions of a site's active drift alarms ("integrity:<deviceId>:<kind>"). */
  driftAlarms(siteId: string): string[] {
    return this.statements.driftAlarms!.all(`site:${siteId}`) as string[];
  }

  fleet(scope: RegionScope): IntegritySiteSummary[] {
    return this.statements.fleet!.all(scope === 'all' ? 'all' : 'some', JSON.stringify(scope === 'all' ? [] : scope)) as IntegritySiteSummary[];
  }
}
