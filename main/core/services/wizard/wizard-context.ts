import type { WizardItem, WizardStep } from '../../../../shared/domain/wizard.js';
import { ConflictError } from '../../errors.js';
import type { AlarmService } from '../alarms/alarm-service.js';
import type { CabinetService } from '../cabinets/cabinet-service.js';
import type { CredentialRotation } from '../credentials/rotation.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { DeviceService } from '../devices/device-service.js';
import type { EventBus } from '../events/bus.js';
import type { MonitorService } from '../monitor/monitor-service.js';
import type { NetworkPolicyService } from '../network/network-policy.js';
import type { SiteService } from '../sites/site-service.js';
import type { FactoryCredentials } from './discovery.js';
import type { WizardMessage } from './messages.js';
import type { RunRow, RunStore } from './run-store.js';

/** A step's work on one device: a password change with its proof, or five settings; its own requests time out sooner. */
const DEVICE_WORK_TIMEOUT_MS = 180_000;

export interface WizardDeps {
  sites: SiteService;
  cabinets: CabinetService;
  devices: DeviceService;
  vault: CredentialVault;
  monitor: MonitorService;
  alarms: AlarmService;
  bus: EventBus;
  rotation: CredentialRotation;
  /** The networks EdgeCab may reach: discovery and the pre-flight check send nothing outside them. */
  network: Pick<NetworkPolicyService, 'allows' | 'restricted' | 'get'>;
  /** Issues the cabinet's identity as step 5 takes the site live (absent: none is issued). */
  identities?: { issueAtGoLive(siteId: string): Promise<unknown> };
}

/** What every step works with: the run's storage, the services, and the bookkeeping every step does the same way. */
export class WizardContext {
  private lastPublished = 0;
  /** When each running item started, to measure how long each kind of work takes. */
  private readonly started = new Map<string, number>();

  constructor(
    readonly store: RunStore,
    readonly deps: WizardDeps,
    readonly factory: () => FactoryCredentials,
    readonly now: () => Date,
  ) {}

  at(): string {
    return this.now().toISOString();
  }

  publish(runId: string, step: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastPublished < 200) return;
    this.lastPublished = now;
    this.deps.bus.publish({ type: 'wizard.changed', runId, step, at: this.at() });
  }

  /** Records an item's state; the time from "running" to its outcome feeds the plan of later steps and runs. */
  item(runId: string, step: number, key: string, label: string, state: WizardItem['state'], detail: WizardMessage | null = null): void {
    const startKey = `${runId}|${key}`;
    if (state === 'running') this.started.set(startKey, Date.now());
    else if (this.started.has(startKey)) {
      const seconds = (Date.now() - this.started.get(startKey)!) / 1000;
      this.started.delete(startKey);
      const kind = key.split(':')[0]!;
      this.store.update(runId, (data) => {
        data.timings ??= {};
        const timing = (data.timings[kind] ??= { count: 0, seconds: 0 });
        timing.count += 1;
        timing.seconds += seconds;
      });
    }
    this.store.item(runId, step, key, label, state, detail, this.at());
    this.publish(runId, step);
  }

  finding(runId: string, key: string, text: WizardMessage | null): void {
    this.store.update(runId, (data) => {
      data.findings ??= {};
      if (text) data.findings[key] = text;
      else delete data.findings[key];
    });
  }

  change(runId: string, key: string, text: string): void {
    this.store.update(runId, (data) => {
      data.changes ??= {};
      data.changes[key] = text;
    });
  }

  stepTime(runId: string, step: WizardStep, finished: boolean): void {
    this.store.stepTime(runId, step, finished, this.at());
  }

  requireStep(runId: string, step: WizardStep): RunRow {
    const row = this.store.row(runId);
    if (row.status === 'done' && step < 5) throw new ConflictError('This wizard run is finished; start a new one for another cabinet', 'runId');
    if (step > row.reachable) throw new ConflictError(`Finish step ${row.reachable} first`, 'step');
    return row;
  }

  /** Items of a step to run now: those asked for, else every one not done yet. */
  due(runId: string, key: string, only: readonly string[]): boolean {
    if (only.length > 0) return only.includes(key);
    return this.store.itemState(runId, key) !== 'done';
  }

  /**
   * The credential that opens the device now. An unsettled credential
   * change is settled first (by logging in, within the BMC's lockout
   * budget); null while it stays unsettled, so that no step sends a
   * password that may be wrong (each refusal counts toward locking the
   * account).
   */
  async openingCredential(device: { id: string; endpoint: string | null; fingerprint: string | null }): Promise<string | null> {
    if (!device.endpoint) return this.deps.rotation.workingCredential(device.id);
    return this.deps.rotation.openingCredential({ deviceId: device.id, endpoint: device.endpoint, fingerprint: device.fingerprint });
  }

  /**
   * Work on one device held as a poll holds it: no poll of it runs
   * meanwhile (none logs in with a password being changed, or reads a
   * device being configured), and it takes a slot of the monitor's caps.
   */
  holding<T>(runId: string, deviceId: string, work: () => Promise<T>): Promise<T> {
    const siteId = this.store.row(runId).site_id ?? '';
    return this.deps.devices.exclusive({ deviceId, siteId }, () => work(), { timeoutMs: DEVICE_WORK_TIMEOUT_MS });
  }

  connectedDevices(runId: string) {
    const row = this.store.row(runId);
    const cabinet = row.site_id ? this.deps.cabinets.viewForSite(row.site_id) : null;
    return (cabinet?.devices ?? []).filter((device) => device.hasCredential && device.endpoint && device.protocol !== 'none').map((device) => this.deps.cabinets.device(device.id));
  }
}
