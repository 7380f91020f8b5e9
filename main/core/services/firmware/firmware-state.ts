import type { Database, Statement } from 'better-sqlite3';
import { firmwareComponents, firmwareReadWhole, type FirmwareComponent, type FirmwareSource, type FirmwareView } from '../../../../shared/domain/firmware.js';
import { NotFoundError } from '../../errors.js';
import type { FailureReporter } from '../../lib/disposable.js';
import type { DeviceReading } from '../../../../shared/domain/readings.js';

interface CurrentRow {
  componentId: string;
  version: string;
  firstSeen: string;
  lastSeen: string;
}

/**
 * Every device's firmware per component, kept as history: each inventory
 * read kept (the monitor's hourly one, and "Read now") is compared with what
 * the device ran before; a new version starts a new span, the same one
 * moves its last-seen time on, a component no longer shown ends its span.
 */
export class FirmwareState {
  private readonly statements: Record<'current' | 'currentView' | 'touch' | 'end' | 'start' | 'history' | 'device' | 'model', Statement>;

  constructor(
    private readonly db: Database,
    private readonly report: FailureReporter,
  ) {
    this.statements = {
      current: db.prepare('SELECT component_id AS componentId, version, first_seen AS firstSeen, last_seen AS lastSeen FROM firmware_versions WHERE device_id = ? AND current = 1'),
      currentView: db.prepare('SELECT component_id AS componentId, name, version, source, first_seen AS since, last_seen AS readAt FROM firmware_versions WHERE device_id = ? AND current = 1 ORDER BY name'),
      touch: db.prepare('UPDATE firmware_versions SET last_seen = ?, name = ? WHERE device_id = ? AND component_id = ? AND first_seen = ?'),
      end: db.prepare('UPDATE firmware_versions SET current = 0 WHERE device_id = ? AND component_id = ? AND first_seen = ?'),
      start: db.prepare('INSERT OR REPLACE INTO firmware_versions (device_id, component_id, name, version, source, first_seen, last_seen, current) VALUES (?, ?, ?, ?, ?, ?, ?, 1)'),
      history: db.prepare(
        'SELECT component_id AS componentId, name, version, source, first_seen AS firstSeen, last_seen AS lastSeen, current FROM firmware_versions WHERE device_id = ? ORDER BY first_seen DESC, component_id LIMIT 500',
      ),
      device: db.prepare('SELECT 1 FROM devices WHERE id = ?'),
      model: db.prepare(
        'INSERT INTO firmware_device_models (device_id, vendor, model, read_at) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET vendor = excluded.vendor, model = excluded.model, read_at = excluded.read_at WHERE excluded.read_at >= firmware_device_models.read_at',
      ),
    };
  }

  /** A reading kept (an inventory read by the monitor, or Read now): the device's firmware as of then. Never throws into the caller. */
  readingKept(deviceId: string, reading: Pick<DeviceReading, 'observedAt' | 'snmp' | 'redfish'>): void {
    try {
      this.recordModel(deviceId, reading);
      // A read cut short (a part of the inventory not read) would end what it did not see: it is left out whole.
      if (!firmwareReadWhole(reading)) return;
      const components = firmwareComponents(reading);
      // A read that shows no firmware (a failed read, a device that names none) leaves what is known as it is.
      if (components.length === 0) return;
      this.record(deviceId, reading.observedAt, components);
    } catch (error) {
      this.report('firmware.state', new Error(`device ${deviceId}: ${(error as Error).message}`));
    }
  }

  /** The hardware model the read names (the system's, else the SNMP identity's), which baselines are matched with. */
  private recordModel(deviceId: string, reading: Pick<DeviceReading, 'observedAt' | 'snmp' | 'redfish'>): void {
    const system = reading.redfish?.systems[0];
    const model = system?.model ?? reading.snmp?.identity?.model ?? null;
    if (!model) return;
    this.statements.model.run(deviceId, system?.vendor ?? reading.snmp?.vendor ?? null, model, reading.observedAt);
  }

  /** Records one read's components, in one transaction. */
  record(deviceId: string, readAt: string, components: readonly FirmwareComponent[]): void {
    this.db.transaction(() => {
      const rows = this.statements.current.all(deviceId) as CurrentRow[];
      // A read older than what is known (the monitor's, queued while Read now was kept) changes nothing.
      if (rows.some((row) => row.lastSeen > readAt)) return;
      const current = new Map(rows.map((row) => [row.componentId, row]));
      for (const component of components) {
        const before = current.get(component.componentId);
        current.delete(component.componentId);
        if (before && before.version === component.version) {
          this.statements.touch.run(readAt, component.name, deviceId, component.componentId, before.firstSeen);
          continue;
        }
        if (before) this.statements.end.run(deviceId, component.componentId, before.firstSeen);
        this.statements.start.run(deviceId, component.componentId, component.name, component.version, component.source, readAt, readAt);
      }
      // Components this read no longer shows (a card taken out): their span ends at the last read that showed them.
      for (const gone of current.values()) this.statements.end.run(deviceId, gone.componentId, gone.firstSeen);
    })();
  }

  view(deviceId: string): FirmwareView {
    if (!this.statements.device.get(deviceId)) throw new NotFoundError('device', deviceId);
    const rows = this.statements.history.all(deviceId) as { componentId: string; name: string; version: string; source: FirmwareSource; firstSeen: string; lastSeen: string; current: number }[];
    const components = this.statements.currentView.all(deviceId) as FirmwareView['components'];
    const readAt = components.reduce<string | null>((latest, component) => (latest === null || component.readAt > latest ? component.readAt : latest), null);
    return {
      deviceId,
      readAt,
      components,
      history: rows.map((row) => ({ componentId: row.componentId, name: row.name, version: row.version, from: row.firstSeen, to: row.lastSeen, current: row.current === 1 })),
    };
  }
}
