import type { Database, Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { DiscoveredDevice, PreflightCheck, SlotMatch, WizardItem, WizardStep } from '../../../../shared/domain/wizard.js';
import { NotFoundError } from '../../errors.js';
import type { WizardMessage } from './messages.js';

export interface StoredDiscovered extends DiscoveredDevice {
  credentialId: string | null;
  /** SNMP: the factory SNMPv3 admin user that answered, sealed; the Secure step clones the site user from it. */
  adminCredentialId?: string | null;
}

/** What a step was last run with (never a secret: those are in the vault, referred to by id). */
export interface StepInputs {
  discover?: { ranges: string; redfishPorts: number[]; snmpPorts: number[] };
  secure?: { snmpUser: string | null; authProtocol: string | null; privProtocol: string | null; ownKeys: boolean };
  configure?: { ntpServers: string[]; dnsServers: string[]; eventDestination: string | null; trapDestination: string | null };
}

/** Time spent per kind of work item, to plan the rest of the run from what was measured. */
export type Timings = Record<string, { count: number; seconds: number }>;

export interface RunData {
  site?: { name: string; code: string; latitude: number; longitude: number; regionId?: number | null; address?: string | null; contact?: string | null; templateId: string; managementSubnet: string };
  preflight?: PreflightCheck[];
  discovery?: { running: boolean; total: number; done: number; devices: StoredDiscovered[]; attempts?: Record<string, number> };
  matches?: SlotMatch[];
  findings?: Record<string, WizardMessage>;
  changes?: Record<string, string>;
  inputs?: StepInputs;
  timings?: Timings;
  /** The site's SNMPv3 user (name and passphrases, sealed), the same for every device and every re-run. */
  siteUserCredentialId?: string;
  reportReady?: boolean;
}

export interface RunRow {
  id: string;
  site_id: string | null;
  step: number;
  reachable: number;
  status: 'active' | 'done';
  data: string;
  step_times: string;
  started_at: string;
  finished_at: string | null;
}

export type StepTimes = Record<string, { startedAt: string; finishedAt: string | null }>;

export interface ItemRow {
  key: string;
  step: number;
  label: string;
  state: WizardItem['state'];
  detail: string | null;
  detail_key: string | null;
  detail_params: string | null;
  attempts: number;
  updated_at: string;
}

/** The wizard's SQL: runs, their data and step times, and their work items. Statements prepared once. */
export class RunStore {
  private readonly statements: Record<string, Statement>;

  constructor(private readonly db: Database) {
    this.statements = {
      row: db.prepare('SELECT * FROM wizard_runs WHERE id = ?'),
      insert: db.prepare("INSERT INTO wizard_runs (id, status, started_at) VALUES (?, 'active', ?)"),
      setData: db.prepare('UPDATE wizard_runs SET data = ? WHERE id = ?'),
      setTimes: db.prepare('UPDATE wizard_runs SET step_times = ?, reachable = ?, step = ? WHERE id = ?'),
      setStep: db.prepare('UPDATE wizard_runs SET step = ? WHERE id = ?'),
      setSite: db.prepare('UPDATE wizard_runs SET site_id = ? WHERE id = ?'),
      finish: db.prepare("UPDATE wizard_runs SET status = 'done', finished_at = ? WHERE id = ?"),
      list: db.prepare('SELECT r.id, s.name AS site_name, r.step, r.status, r.started_at FROM wizard_runs r LEFT JOIN sites s ON s.id = r.site_id ORDER BY r.started_at DESC LIMIT 50'),
      upsertItem: db.prepare(
        `INSERT INTO wizard_items (run_id, key, step, label, state, detail, detail_key, detail_params, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, key) DO UPDATE SET label = excluded.label, state = excluded.state, detail = excluded.detail, detail_key = excluded.detail_key,
           detail_params = excluded.detail_params, updated_at = excluded.updated_at,
           attempts = wizard_items.attempts + (CASE WHEN excluded.state = 'running' THEN 1 ELSE 0 END)`,
      ),
      itemState: db.prepare('SELECT state FROM wizard_items WHERE run_id = ? AND key = ?').pluck(),
      items: db.prepare('SELECT key, step, label, state, detail, detail_key, detail_params, attempts, updated_at FROM wizard_items WHERE run_id = ? ORDER BY step, key'),
      failures: db.prepare("SELECT count(*) FROM wizard_items WHERE run_id = ? AND step = ? AND state = 'failed'").pluck(),
      latestReading: db.prepare('SELECT reading FROM device_readings WHERE device_id = ? ORDER BY id DESC LIMIT 1').pluck(),
      baseline: db.prepare('INSERT INTO device_baselines (device_id, taken_at, config) VALUES (?, ?, ?)'),
    };
  }

  row(runId: string): RunRow {
    const row = this.statements.row!.get(runId) as RunRow | undefined;
    if (!row) throw new NotFoundError('wizard run', runId);
    return row;
  }

  data(runId: string): RunData {
    return JSON.parse(this.row(runId).data) as RunData;
  }

  /** Changes the run's data in one transaction (read, change, write). */
  update(runId: string, change: (data: RunData) => void): RunData {
    return this.db.transaction(() => {
      const data = this.data(runId);
      change(data);
      this.statements.setData!.run(JSON.stringify(data), runId);
      return data;
    })();
  }

  create(at: string): string {
    const id = randomUUID();
    this.statements.insert!.run(id, at);
    return id;
  }

  list(): { id: string; site_name: string | null; step: number; status: 'active' | 'done'; started_at: string }[] {
    return this.statements.list!.all() as { id: string; site_name: string | null; step: number; status: 'active' | 'done'; started_at: string }[];
  }

  setSite(runId: string, siteId: string): void {
    this.statements.setSite!.run(siteId, runId);
  }

  setStep(runId: string, step: number): void {
    this.statements.setStep!.run(step, runId);
  }

  finish(runId: string, at: string): void {
    this.statements.finish!.run(at, runId);
  }

  /** Marks a step started (first time only) and, when done, finished; the user may then go one step further. */
  stepTime(runId: string, step: WizardStep, finished: boolean, at: string): void {
    const row = this.row(runId);
    const times = JSON.parse(row.step_times) as StepTimes;
    const entry = times[step] ?? { startedAt: at, finishedAt: null };
    if (finished) entry.finishedAt = at;
    times[step] = entry;
    const reachable = finished ? Math.max(row.reachable, Math.min(5, step + 1)) : row.reachable;
    const current = finished && row.step === step && step < 5 ? step + 1 : row.step;
    this.statements.setTimes!.run(JSON.stringify(times), reachable, current, runId);
  }

  item(runId: string, step: number, key: string, label: string, state: WizardItem['state'], detail: WizardMessage | null, at: string): void {
    this.statements.upsertItem!.run(runId, key, step, label, state, detail?.text ?? null, detail?.key ?? null, detail ? JSON.stringify(detail.params) : null, state === 'running' ? 1 : 0, at);
  }

  itemState(runId: string, key: string): WizardItem['state'] | null {
    return (this.statements.itemState!.get(runId, key) as WizardItem['state'] | undefined) ?? null;
  }

  items(runId: string): ItemRow[] {
    return this.statements.items!.all(runId) as ItemRow[];
  }

  hasFailures(runId: string, step: number): boolean {
    return (this.statements.failures!.get(runId, step) as number) > 0;
  }

  latestReading(deviceId: string): string | null {
    return (this.statements.latestReading!.get(deviceId) as string | undefined) ?? null;
  }

  saveBaseline(deviceId: string, config: unknown, at: string): void {
    this.statements.baseline!.run(deviceId, at, JSON.stringify(config));
  }
}
