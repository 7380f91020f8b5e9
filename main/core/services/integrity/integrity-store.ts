import type { Database, Statement } from 'better-sqlite3';
import type { IntegrityCheck, IntegrityFact, IntegrityKind, IntegritySiteSummary, RecordedState } from '../../../../shared/domain/integrity.js';
import type { RegionScope } from '../../../../shared/domain/access.js';
import type { SiteApp } from '../../../../shared/domain/apps.js';

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

/** An app deployed at a site (healthy, drifted or rolled back: what the drift watch looks at), with its last report for the version that runs. */
export interface StoredAppReport {
  appId: string;
  version: string;
  state: SiteApp['state'];
  checkedAt: string | null;
  attemptedAt: string | null;
  error: string | null;
  checks: IntegrityCheck[];
  differences: number;
}

interface AppReportRow {
  app_id: string;
  version: string;
  state: SiteApp['state'];
  checked_at: string | null;
  attempted_at: string | null;
  error: string | null;
  checks: string | null;
  differences: number | null;
}

export interface RecordedRow extends RecordedState {
  by: string | null;
}

/** The app states in which something runs as deployed (what the drift watch looks at): the apps a site's report lists. */
const DEPLOYED = "('healthy', 'drifted', 'rolled_back')";

/** Integrity's SQL: the last report and the recorded state per device, the last report per deployed app, the fleet summary, and reads of readings and baselines. Statements prepared once. */
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
      saveApp: db.prepare(
        `INSERT INTO integrity_app_reports (site_id, app_id, version, checked_at, attempted_at, error, checks, differences) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)
         ON CONFLICT (site_id, app_id) DO UPDATE SET version = excluded.version, checked_at = excluded.checked_at, attempted_at = excluded.attempted_at, error = NULL,
           checks = excluded.checks, differences = excluded.differences`,
      ),
      // The last look stays beside the failure, unless it was of another version (then there is nothing left of this one to show).
      failedApp: db.prepare(
        `INSERT INTO integrity_app_reports (site_id, app_id, version, checked_at, attempted_at, error) VALUES (?, ?, ?, NULL, ?, ?)
         ON CONFLICT (site_id, app_id) DO UPDATE SET attempted_at = excluded.attempted_at, error = excluded.error,
           checked_at = CASE WHEN version = excluded.version THEN checked_at END,
           checks = CASE WHEN version = excluded.version THEN checks ELSE '[]' END,
           differences = CASE WHEN version = excluded.version THEN differences ELSE 0 END,
           version = excluded.version`,
      ),
      appReports: db.prepare(
        `SELECT a.app_id, a.version, a.state, r.checked_at, r.attempted_at, r.error, r.checks, r.differences
         FROM site_apps a LEFT JOIN integrity_app_reports r ON r.site_id = a.site_id AND r.app_id = a.app_id AND r.version = a.version
         WHERE a.site_id = ? AND a.state IN ${DEPLOYED}
         ORDER BY a.app_id`,
      ),
      appReport: db.prepare(
        `SELECT a.app_id, a.version, a.state, r.checked_at, r.attempted_at, r.error, r.checks, r.differences
         FROM site_apps a LEFT JOIN integrity_app_reports r ON r.site_id = a.site_id AND r.app_id = a.app_id AND r.version = a.version
         WHERE a.site_id = ? AND a.app_id = ?`,
      ),
      // Sites with a checkable device or a deployed app; devices and apps counted apart, their differences together.
      fleet: db.prepare(
        `WITH device_counts AS (
           SELECT c.site_id, count(d.id) AS devices, count(r.checked_at) AS checked, coalesce(sum(r.differences > 0), 0) AS differing,
             coalesce(sum(r.differences), 0) AS diffs, max(r.checked_at) AS last
           FROM cabinets c JOIN devices d ON d.cabinet_id = c.id AND d.protocol IN ('redfish', 'snmp') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL
           LEFT JOIN integrity_reports r ON r.device_id = d.id
           GROUP BY c.site_id
         ), app_counts AS (
           SELECT a.site_id, count(*) AS apps, count(r.checked_at) AS checked, coalesce(sum(r.differences > 0), 0) AS differing,
             coalesce(sum(r.differences), 0) AS diffs, max(r.checked_at) AS last
           FROM site_apps a LEFT JOIN integrity_app_reports r ON r.site_id = a.site_id AND r.app_id = a.app_id AND r.version = a.version
           WHERE a.state IN ${DEPLOYED}
           GROUP BY a.site_id
         )
         SELECT s.id AS siteId, s.name AS siteName, s.code AS siteCode, s.region_id AS regionId,
           coalesce(dc.devices, 0) AS devices, coalesce(dc.checked, 0) AS devicesChecked, coalesce(dc.differing, 0) AS devicesDiffering,
           coalesce(ac.apps, 0) AS apps, coalesce(ac.checked, 0) AS appsChecked, coalesce(ac.differing, 0) AS appsDiffering,
           coalesce(dc.diffs, 0) + coalesce(ac.diffs, 0) AS differences,
           max(coalesce(dc.last, ac.last), coalesce(ac.last, dc.last)) AS lastCheckedAt
         FROM sites s LEFT JOIN device_counts dc ON dc.site_id = s.id LEFT JOIN app_counts ac ON ac.site_id = s.id
         WHERE (dc.site_id IS NOT NULL OR ac.site_id IS NOT NULL) AND (? = 'all' OR s.region_id IN (SELECT value FROM json_each(?)))
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

  /** A look at an app on its site's engine: its checks, as of `checkedAt`. */
  saveApp(siteId: string, appId: string, version: string, checkedAt: string, checks: readonly IntegrityCheck[]): void {
    this.statements.saveApp!.run(siteId, appId, version, checkedAt, checkedAt, JSON.stringify(checks), checks.filter((check) => check.ok === false).length);
  }

  /** A look that could not reach the engine: the last look at this version stays, with this failure beside it. */
  failedApp(siteId: string, appId: string, version: string, at: string, error: string): void {
    this.statements.failedApp!.run(siteId, appId, version, at, error);
  }

  /** The apps deployed at a site with their last report (none yet for a version not looked at). */
  appReports(siteId: string): StoredAppReport[] {
    return (this.statements.appReports!.all(siteId) as AppReportRow[]).map(appReport);
  }

  /** One app of a site with its last report, deployed or not; null when the site has no such app. */
  appReport(siteId: string, appId: string): StoredAppReport | null {
    const row = this.statements.appReport!.get(siteId, appId) as AppReportRow | undefined;
    return row ? appReport(row) : null;
  }

  fleet(scope: RegionScope): IntegritySiteSummary[] {
    return this.statements.fleet!.all(scope === 'all' ? 'all' : 'some', JSON.stringify(scope === 'all' ? [] : scope)) as IntegritySiteSummary[];
  }
}

function appReport(row: AppReportRow): StoredAppReport {
  return {
    appId: row.app_id,
    version: row.version,
    state: row.state,
    checkedAt: row.checked_at,
    attemptedAt: row.attempted_at,
    error: row.error,
    checks: row.checks ? (JSON.parse(row.checks) as IntegrityCheck[]) : [],
    differences: row.differences ?? 0,
  };
}
