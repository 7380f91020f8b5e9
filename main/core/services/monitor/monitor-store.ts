import type { Database, Statement } from 'better-sqlite3';
import type { DeviceStatus } from '../../../../shared/domain/cabinet.js';
import type { SensorState } from '../../../../shared/domain/monitoring.js';
import type { PollableDevice } from './poll-result.js';

interface StateRow {
  status: DeviceStatus;
  observed_at: string;
  error: string | null;
  last_poll_at: string | null;
  consecutive_failures: number;
}

interface SensorRow {
  key: string;
  kind: SensorState['kind'];
  label: string;
  value: number | null;
  unit: string;
  state: SensorState['state'];
  invalid_reason: string | null;
  observed_at: string;
}

/** The monitor's SQL: which devices to poll, the sensor cache, per-site reachability and the state read back. Statements prepared once. */
export class MonitorStore {
  private readonly statements: Record<string, Statement>;

  constructor(private readonly db: Database) {
    this.statements = {
      pollable: db.prepare(
        `SELECT d.id, c.site_id, s.name AS site_name, d.name, d.protocol, d.endpoint, d.credential_id, d.fingerprint
         FROM devices d JOIN cabinets c ON c.id = d.cabinet_id JOIN sites s ON s.id = c.site_id
         WHERE d.protocol IN ('redfish', 'snmp') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL`,
      ),
      deviceExists: db.prepare('SELECT 1 FROM devices WHERE id = ?'),
      previousStatus: db.prepare('SELECT status FROM device_state WHERE device_id = ?').pluck(),
      deleteSensors: db.prepare('DELETE FROM device_sensors WHERE device_id = ?'),
      insertSensor: db.prepare('INSERT INTO device_sensors (device_id, key, kind, label, value, unit, state, invalid_reason, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      siteReachability: db.prepare(
        `SELECT count(*) AS total, coalesce(sum(st.status = 'unreachable'), 0) AS down, s.name AS name FROM devices d
         JOIN cabinets c ON c.id = d.cabinet_id JOIN sites s ON s.id = c.site_id LEFT JOIN device_state st ON st.device_id = d.id
         WHERE c.site_id = ? AND d.protocol IN ('redfish', 'snmp') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL`,
      ),
      sealedOf: db.prepare('SELECT id, revision FROM credentials ORDER BY id').raw(),
      state: db.prepare('SELECT status, observed_at, error, last_poll_at, consecutive_failures FROM device_state WHERE device_id = ?'),
      sensors: db.prepare('SELECT key, kind, label, value, unit, state, invalid_reason, observed_at FROM device_sensors WHERE device_id = ? ORDER BY kind, key'),
      dataAsOf: db.prepare("SELECT max(t) FROM (SELECT max(observed_at) AS t FROM device_sensors UNION ALL SELECT max(observed_at) FROM device_state WHERE status != 'unreachable')").pluck(),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /**
   * Runs `work` (a transaction, a report) with the connection waiting at
   * most `busyMs` for another connection's write lock instead of its busy
   * timeout (seconds): better-sqlite3 is synchronous, so every millisecond
   * waited here is the whole core standing still. The connection's own
   * timeout is put back at once.
   */
  waitingAtMost<T>(busyMs: number, work: () => T): T {
    const previous = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyMs))}`);
    try {
      return work();
    } finally {
      this.db.pragma(`busy_timeout = ${previous}`);
    }
  }

  transactionWaitingAtMost<T>(busyMs: number, work: () => T): T {
    return this.waitingAtMost(busyMs, () => this.db.transaction(work)());
  }

  get open(): boolean {
    return this.db.open;
  }

  pollable(): PollableDevice[] {
    return this.statements.pollable!.all() as PollableDevice[];
  }

  deviceExists(id: string): boolean {
    return this.statements.deviceExists!.get(id) !== undefined;
  }

  previousStatus(id: string): string | undefined {
    return this.statements.previousStatus!.get(id) as string | undefined;
  }

  replaceSensors(deviceId: string, sensors: readonly Omit<SensorRow, 'observed_at'>[], observedAt: string): void {
    this.statements.deleteSensors!.run(deviceId);
    for (const sensor of sensors) this.statements.insertSensor!.run(deviceId, sensor.key, sensor.kind, sensor.label, sensor.value, sensor.unit, sensor.state, sensor.invalid_reason, observedAt);
  }

  siteReachability(siteId: string): { total: number; down: number; name: string } {
    return this.statements.siteReachability!.get(siteId) as { total: number; down: number; name: string };
  }

  /** Credential ids with their revisions: changes when any is replaced, without opening a single one. */
  credentialRevisions(): string {
    return (this.statements.sealedOf!.all() as [string, number][]).map(([id, revision]) => `${id}:${revision}`).join(',');
  }

  state(deviceId: string): StateRow | undefined {
    return this.statements.state!.get(deviceId) as StateRow | undefined;
  }

  sensors(deviceId: string): SensorRow[] {
    return this.statements.sensors!.all(deviceId) as SensorRow[];
  }

  dataAsOf(): string | null {
    return (this.statements.dataAsOf!.get() as string | null | undefined) ?? null;
  }
}
