import type { Database } from 'better-sqlite3';
import type { DevicePhase, MaintenanceWindow, PlanApplyTime, PlanDevice, PlanState } from '../../../../shared/domain/firmware-plans.js';

export interface PlanRow {
  id: number;
  name: string;
  state: PlanState;
  reason: string | null;
  window: MaintenanceWindow | null;
  waveSize: number;
  failureThreshold: number;
  createdAt: string;
  createdBy: string | null;
  endedAt: string | null;
}

export type PlanDeviceRow = PlanDevice & { planId: number; position: number };

type StepChange = Partial<Pick<PlanDevice, 'phase' | 'message' | 'messageId' | 'applyTime' | 'applyTimeSource' | 'staged'>>;

const DEVICE_SELECT = `SELECT p.plan_id AS planId, p.device_id AS deviceId, d.name, s.id AS siteId, s.name AS siteName, c.id AS cabinetId, m.model, p.package_id AS packageId, p.component, p.current, p.target, p.bytes,
  p.apply_time AS applyTime, p.apply_time_source AS applyTimeSource, p.staged, p.wave, p.position, p.phase, p.message, p.message_id AS messageId, p.updated_at AS updatedAt
  FROM firmware_plan_devices p JOIN devices d ON d.id = p.device_id JOIN cabinets c ON c.id = d.cabinet_id JOIN sites s ON s.id = c.site_id LEFT JOIN firmware_device_models m ON m.device_id = p.device_id`;

/** Plans and their device steps: every step written before and after it runs. */
export class PlanStore {
  constructor(private readonly db: Database) {}

  insert(plan: Omit<PlanRow, 'id' | 'state' | 'reason' | 'endedAt'>, devices: readonly PlanDevice[]): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO firmware_plans (name, state, window, wave_size, failure_threshold, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(plan.name, 'running', plan.window ? JSON.stringify(plan.window) : null, plan.waveSize, plan.failureThreshold, plan.createdAt, plan.createdBy).lastInsertRowid,
      );
      const add = this.db.prepare(
        'INSERT INTO firmware_plan_devices (plan_id, device_id, package_id, component, current, target, bytes, apply_time, apply_time_source, staged, wave, position, phase, message, message_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, NULL, ?)',
      );
      devices.forEach((device, position) =>
        add.run(id, device.deviceId, device.packageId, device.component, device.current, device.target, device.bytes, device.applyTime, device.applyTimeSource, device.wave, position, device.phase, device.message, plan.createdAt),
      );
      return id;
    })();
  }

  plans(): PlanRow[] {
    return this.select('ORDER BY id DESC');
  }

  /** One plan, read on its own (the verify loop asks after every look at a device). */
  plan(id: number): PlanRow | undefined {
    return this.select('WHERE id = ?', id)[0];
  }

  running(): PlanRow[] {
    return this.select("WHERE state = 'running' ORDER BY id DESC");
  }

  private select(where: string, ...values: unknown[]): PlanRow[] {
    const rows = this.db
      .prepare(`SELECT id, name, state, reason, window, wave_size AS waveSize, failure_threshold AS failureThreshold, created_at AS createdAt, created_by AS createdBy, ended_at AS endedAt FROM firmware_plans ${where}`)
      .all(...values) as (Omit<PlanRow, 'window'> & { window: string | null })[];
    return rows.map((row) => ({ ...row, window: row.window ? (JSON.parse(row.window) as MaintenanceWindow) : null }));
  }

  devices(planId: number): PlanDeviceRow[] {
    return (this.db.prepare(`${DEVICE_SELECT} WHERE p.plan_id = ? ORDER BY p.wave, p.position`).all(planId) as (Omit<PlanDeviceRow, 'staged'> & { staged: number })[]).map((row) => ({ ...row, staged: row.staged === 1 }));
  }

  /** A device's steps in every plan, newest plan first. */
  deviceSteps(deviceId: string, limit = 20): (PlanDeviceRow & { planName: string; planState: PlanState })[] {
    return (
      this.db
        .prepare(`SELECT q.*, f.name AS planName, f.state AS planState FROM (${DEVICE_SELECT} WHERE p.device_id = ?) q JOIN firmware_plans f ON f.id = q.planId ORDER BY q.planId DESC LIMIT ?`)
        .all(deviceId, limit) as (Omit<PlanDeviceRow, 'staged'> & { staged: number; planName: string; planState: PlanState })[]
    ).map((row) => ({ ...row, staged: row.staged === 1 }));
  }

  phases(planId: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const row of this.db.prepare('SELECT phase, COUNT(*) AS n FROM firmware_plan_devices WHERE plan_id = ? GROUP BY phase').all(planId) as { phase: DevicePhase; n: number }[]) counts[row.phase] = row.n;
    return counts;
  }

  step(planId: number, deviceId: string, packageId: string, change: StepChange, at: string): void {
    const sets: string[] = ['updated_at = @at'];
    const values: Record<string, unknown> = { planId, deviceId, packageId, at };
    const columns: Record<keyof StepChange, string> = { phase: 'phase', message: 'message', messageId: 'message_id', applyTime: 'apply_time', applyTimeSource: 'apply_time_source', staged: 'staged' };
    for (const [key, column] of Object.entries(columns) as [keyof StepChange, string][]) {
      if (!(key in change)) continue;
      sets.push(`${column} = @${key}`);
      const value = change[key];
      values[key] = typeof value === 'boolean' ? (value ? 1 : 0) : (value ?? null);
    }
    this.db.prepare(`UPDATE firmware_plan_devices SET ${sets.join(', ')} WHERE plan_id = @planId AND device_id = @deviceId AND package_id = @packageId`).run(values);
  }

  end(planId: number, state: Exclude<PlanState, 'running'>, reason: string | null, at: string): void {
    this.db.prepare("UPDATE firmware_plans SET state = ?, reason = ?, ended_at = ? WHERE id = ? AND state = 'running'").run(state, reason, at, planId);
  }

  /** After a restart: a push cut off is sent again; an activation cut off is settled by reading the device back. */
  resumeInterrupted(at: string): void {
    this.db.prepare("UPDATE firmware_plan_devices SET phase = 'pending', message = 'EdgeCab restarted during the upload; sent again', updated_at = ? WHERE phase = 'staging'").run(at);
    // A staged image was (or was about to be) activated: reading the device back settles it. One not staged may not have been sent: it is sent again in the window.
    this.db.prepare("UPDATE firmware_plan_devices SET phase = 'verifying', message = 'EdgeCab restarted during the activation; reading the device back', updated_at = ? WHERE phase = 'activating' AND staged = 1").run(at);
    this.db.prepare("UPDATE firmware_plan_devices SET phase = 'waiting', message = 'EdgeCab restarted during the activation; the image is sent again in the window', updated_at = ? WHERE phase = 'activating' AND staged = 0").run(at);
  }

  /** The steps of every running plan (which servers are being activated, cabinet by cabinet). */
  activeSteps(): PlanDeviceRow[] {
    return (this.db.prepare(`${DEVICE_SELECT} JOIN firmware_plans f ON f.id = p.plan_id WHERE f.state = 'running' AND p.phase IN ('staged', 'waiting', 'activating', 'verifying')`).all() as (Omit<PlanDeviceRow, 'staged'> & { staged: number })[]).map((row) => ({ ...row, staged: row.staged === 1 }));
  }

  /** A device's model as its inventory last read it, else as its cabinet's layout names it. */
  deviceModel(deviceId: string): string | null {
    return (this.db.prepare('SELECT coalesce(m.model, d.model) FROM devices d LEFT JOIN firmware_device_models m ON m.device_id = d.id WHERE d.id = ?').pluck().get(deviceId) as string | null | undefined) ?? null;
  }

  /** Devices of a site whose steps wait in the outbox for it to answer. */
  queuedDevices(siteId: string): string[] {
    return this.db
      .prepare("SELECT DISTINCT p.device_id FROM firmware_plan_devices p JOIN firmware_plans f ON f.id = p.plan_id JOIN devices d ON d.id = p.device_id JOIN cabinets c ON c.id = d.cabinet_id WHERE c.site_id = ? AND f.state = 'running' AND p.message_id = 'EdgeCab.Queued'")
      .pluck()
      .all(siteId) as string[];
  }

  /** The running plan a device is in (its name), or null. */
  runningPlanOf(deviceId: string): string | null {
    return (this.db.prepare("SELECT f.name FROM firmware_plan_devices p JOIN firmware_plans f ON f.id = p.plan_id WHERE p.device_id = ? AND f.state = 'running' LIMIT 1").pluck().get(deviceId) as string | undefined) ?? null;
  }

  /** Whether a package is in a plan that still runs (it is then not removed). */
  packageInUse(packageId: string): boolean {
    return this.db.prepare("SELECT 1 FROM firmware_plan_devices p JOIN firmware_plans f ON f.id = p.plan_id WHERE p.package_id = ? AND f.state = 'running' LIMIT 1").get(packageId) !== undefined;
  }
}

export type { PlanApplyTime };
