import type { Database } from 'better-sqlite3';
import type { RegionScope } from '../../../../shared/domain/access.js';
import {
  adoptNewKinds,
  compareFacts,
  type AppIntegrity,
  expectedFacts,
  recordFrom,
  type Baseline,
  type DeviceIntegrity,
  type IntegrityFact,
  type IntegrityFleet,
  type IntegrityKind,
  type RecordedState,
  type SiteIntegrity,
} from '../../../../shared/domain/integrity.js';
import type { DeviceReading } from '../../../../shared/domain/readings.js';
import { ConflictError } from '../../errors.js';
import type { FailureReporter } from '../../lib/disposable.js';
import { RedfishClient } from '../../protocols/redfish/client.js';
import type { AppRepository } from '../apps/app-repository.js';
import type { AppDriftWatch, AppLook, AppLookFollower } from '../apps/drift-watch.js';
import type { CabinetService } from '../cabinets/cabinet-service.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { DeviceService } from '../devices/device-service.js';
import type { EventBus } from '../events/bus.js';
import type { PollFollower } from '../monitor/monitor-service.js';
import type { PollResult } from '../monitor/poll-result.js';
import type { SiteService } from '../sites/site-service.js';
import { allDriftKeys, driftAlarms } from './drift-alarms.js';
import { baselineFacts, redfishFacts, snmpFacts, type SnmpSoftware } from './facts.js';
import { IntegrityStore, type StoredAppReport, type StoredReport } from './integrity-store.js';
import { readRedfishIntegrity } from './redfish-reader.js';
import type { SiteAlarms } from './site-alarms.js';

/** Checks running at once, whatever asked for them (an inventory round of a large fleet must not open hundreds of BMC sessions). */
const CONCURRENCY = 8;

interface RedfishSecret {
  username: string;
  password: string;
}

type CheckedDevice = ReturnType<CabinetService['device']>;

/** What one read of a device gave: its facts, the kinds it could not read, and how old the facts are. */
interface Read {
  facts: IntegrityFact[];
  unread: IntegrityKind[];
  observedAt: string;
}

export interface IntegrityDeps {
  sites: SiteService;
  cabinets: CabinetService;
  devices: DeviceService;
  vault: CredentialVault;
  alarms: SiteAlarms;
  bus: EventBus;
  /** Looks at a site's deployed apps on its engine (the apps' drift watch, whose looks this service follows). */
  appWatch: Pick<AppDriftWatch, 'checkSite'>;
  /** The signed releases apps are compared with. */
  releases: Pick<AppRepository, 'releaseOrNull'>;
}

/**
 * Integrity per device and site: what each device reports of its boot chain
 * and software, compared with its recorded state, kept as the last report
 * per device. Recomputed with the monitor's inventory poll (hourly on the
 * default plan: it follows the monitor's results, so it stops and starts
 * with monitoring) and on demand. Every difference raises a drift alarm per
 * device and kind, cleared when the device matches again or an
 * administrator accepts its state as the new record.
 *
 * The apps deployed at a site are checked by the apps' drift watch (every
 * few seconds where monitoring runs, and with every check of the site):
 * each container's image against its signed release and its configuration
 * against what was deployed. Its looks are kept here as the last report
 * per app; its drift alarm (app:<appId>) is the alarm of a difference.
 */
export class IntegrityService implements PollFollower, AppLookFollower {
  readonly store: IntegrityStore;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    db: Database,
    private readonly deps: IntegrityDeps,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
  ) {
    this.store = new IntegrityStore(db);
  }

  /** An inventory poll of a device checks its integrity too: a BMC is read for it, an SNMP device judged from the reading the poll made. */
  polled(result: PollResult): void {
    if (result.kind !== 'observed' || !result.reading) return;
    const pending = this.chains.has(result.device.id);
    if (pending) return;
    void this.checkDevice(result.device.id, result.reading).catch((error: unknown) => this.report('integrity.check', error));
  }

  /** Monitoring stops: checks in flight are cancelled (and write nothing). */
  stop(): void {
    for (const controller of this.controllers) controller.abort();
  }

  /** Every check in flight, settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Checks every connected device and every deployed app of a site now and answers the site's report. */
  async checkSite(siteId: string): Promise<SiteIntegrity> {
    const devices = this.checkable(siteId);
    // An app that cannot be looked at is said in its report (the engine unreachable); anything else is EdgeCab's own failure.
    const apps = this.deps.appWatch.checkSite(siteId).catch((error: unknown) => this.report('integrity.apps', error));
    await Promise.all([...devices.map((device) => this.checkDevice(device.id)), apps]);
    // Drift alarms of devices no longer in the cabinet (or no longer connected) have nothing left to match: they end.
    const present = new Set(devices.map((device) => device.id));
    const stale = this.store.driftAlarms(siteId).filter((condition) => !present.has(condition.split(':')[1] ?? ''));
    this.deps.alarms.apply(siteId, [], stale);
    return this.site(siteId);
  }

  /** One check of one device, after any check of it already running. */
  checkDevice(deviceId: string, reading: DeviceReading | null = null): Promise<void> {
    const previous = this.chains.get(deviceId) ?? Promise.resolve();
    const next = previous.then(() => this.limited(() => this.runCheck(deviceId, reading)));
    const tracked = next.finally(() => {
      if (this.chains.get(deviceId) === tracked) this.chains.delete(deviceId);
    });
    this.chains.set(deviceId, tracked);
    return tracked;
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  private checkable(siteId: string): CheckedDevice[] {
    this.deps.sites.get(siteId);
    const cabinet = this.deps.cabinets.viewForSite(siteId);
    return (cabinet?.devices ?? []).filter((device) => device.protocol !== 'none' && device.endpoint && device.hasCredential).map((device) => this.deps.cabinets.device(device.id));
  }

  private async runCheck(deviceId: string, reading: DeviceReading | null): Promise<void> {
    if (!this.store.open) return;
    const device = this.deps.cabinets.device(deviceId);
    if (device.protocol === 'none' || !device.endpoint || !device.credentialId) return;
    const controller = new AbortController();
    this.controllers.add(controller);
    let read: Read;
    try {
      read = await this.read(device, reading, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted && this.store.open) this.store.failed(deviceId, this.now().toISOString(), (error as Error).message);
      return;
    } finally {
      this.controllers.delete(controller);
    }
    if (controller.signal.aborted || !this.store.open) return;
    this.evaluate(device, read);
  }

  private async read(device: CheckedDevice, reading: DeviceReading | null, signal: AbortSignal): Promise<Read> {
    if (device.protocol === 'snmp') {
      // An SNMP device is judged from its newest reading (reading its whole MIB again would add nothing), and is as old as that
      // reading; one never read yet (its first inventory poll still to come) is read now.
      let snmp = (reading?.snmp ?? this.store.latestSnmp(device.id)) as (SnmpSoftware & { observedAt?: string }) | null;
      if (!snmp) {
        const fresh = await this.deps.devices.refresh(device.id);
        if (!fresh.snmp) throw new Error(fresh.error ?? 'the device did not answer');
        snmp = fresh.snmp;
      }
      return { facts: snmpFacts(snmp), unread: [], observedAt: snmp.observedAt ?? this.now().toISOString() };
    }
    // The BMC is read as a poll reads it: after the device's poll in flight, never beside it, within the polling caps.
    // (An SNMP device above is judged from a reading, or read by a refresh, which takes its own turn; never inside this one.)
    return this.deps.devices.exclusive(
      { deviceId: device.id, siteId: device.siteId },
      async (slot) => {
        // Opened in its turn: the credential may have been rotated while the check waited.
        const current = this.deps.cabinets.device(device.id);
        if (!current.endpoint || !current.credentialId) throw new Error(`${current.name} has no address and credentials any more`);
        // A password change not settled yet: settled first, and read only with a password known to open the BMC.
        const credentialId = await this.deps.devices.openingCredential(current);
        const secret = this.deps.vault.open<RedfishSecret>(credentialId);
        const client = new RedfishClient({ url: current.endpoint, username: secret.username, password: secret.password, pinnedFingerprint: current.fingerprint, requestTimeoutMs: 10_000 });
        try {
          // Bounded like an inventory poll (the slot's time is the plan's inventory timeout): a slow BMC holds its slot no longer for a check.
          const raw = await readRedfishIntegrity(client, { timeoutMs: slot.timeoutMs, signal: AbortSignal.any([signal, slot.signal]) });
          this.deps.devices.countSuccess(current);
          return { facts: redfishFacts(raw), unread: raw.unread, observedAt: this.now().toISOString() };
        } catch (error) {
          this.deps.devices.countRefusal({ id: current.id, endpoint: current.endpoint }, credentialId, error);
          throw error;
        } finally {
          await client.close();
        }
      },
    );
  }

  private baselineOf(device: CheckedDevice): Baseline | null {
    const baseline = this.store.baseline(device.id);
    if (!baseline || (device.protocol !== 'redfish' && device.protocol !== 'snmp')) return null;
    return { takenAt: baseline.takenAt, facts: baselineFacts(device.protocol, baseline.config) };
  }

  /** Compares what was read with the record (making the record on first sight), keeps the report, raises or clears drift alarms. */
  private evaluate(device: CheckedDevice, { facts, observedAt, ...read }: Read): void {
    const at = this.now().toISOString();
    const unread = new Set(read.unread);
    let recorded: RecordedState | null = this.store.recorded(device.id);
    const checks = this.store.transaction(() => {
      if (!recorded) {
        recorded = { ...recordFrom(facts, unread, null), source: 'first-seen', at };
        this.store.record(device.id, recorded, null);
      } else {
        const adopted = adoptNewKinds(recorded, facts, unread);
        if (adopted) {
          recorded = adopted;
          this.store.record(device.id, adopted, this.store.recorded(device.id)?.by ?? null);
        }
      }
      const compared = compareFacts(expectedFacts(recorded, this.baselineOf(device)), facts, unread);
      this.store.saveReport(device.id, observedAt, at, facts, [...unread], compared);
      return compared;
    });
    const alarms = driftAlarms(device.id, device.name, checks, unread);
    this.deps.alarms.apply(device.siteId, alarms.raise, alarms.clear);
    this.deps.bus.publish({ type: 'site.changed', change: 'updated', siteId: device.siteId, count: 1, at });
  }

  /**
   * Takes the device's state as last read as its new record (an upgrade
   * that was planned, a setting changed on purpose): its drift alarms clear.
   */
  accept(deviceId: string, actor: string): DeviceIntegrity {
    const device = this.deps.cabinets.device(deviceId);
    const report = this.store.report(deviceId);
    if (!report || report.checkedAt === null) throw new ConflictError('This device has not been checked yet: check it first, then accept what it reports', 'id');
    const at = this.now().toISOString();
    const unread = new Set(report.unread);
    this.store.transaction(() => {
      const state: RecordedState = { ...recordFrom(report.facts, unread, this.store.recorded(deviceId)), source: 'accepted', at };
      this.store.record(deviceId, state, actor);
      const checks = compareFacts(expectedFacts(state, this.baselineOf(device)), report.facts, unread);
      this.store.saveReport(deviceId, report.checkedAt!, report.attemptedAt, report.facts, report.unread, checks);
    });
    this.deps.alarms.apply(device.siteId, [], allDriftKeys(deviceId));
    this.deps.bus.publish({ type: 'site.changed', change: 'updated', siteId: device.siteId, count: 1, at });
    return this.deviceReport(device, this.store.report(deviceId));
  }

  private deviceReport(device: CheckedDevice, report: StoredReport | null): DeviceIntegrity {
    const recorded = this.store.recorded(device.id);
    return {
      deviceId: device.id,
      deviceName: device.name,
      slotId: device.slotId,
      protocol: device.protocol === 'snmp' ? 'snmp' : 'redfish',
      checkedAt: report?.checkedAt ?? null,
      attemptedAt: report?.attemptedAt ?? null,
      error: report?.error ?? null,
      differences: report?.differences ?? 0,
      recorded: recorded ? { at: recorded.at, source: recorded.source, by: recorded.by } : null,
      baselineAt: this.store.baseline(device.id)?.takenAt ?? null,
      checks: report?.checks ?? [],
    };
  }

  /** A look of the drift watch at an app: kept as the app's report; the site told when what its report shows changed. */
  appLooked(look: AppLook): void {
    if (!this.store.open) return;
    const shown = (report: StoredAppReport | null) => JSON.stringify(report && [report.version, report.checkedAt === null, report.checks, report.error]);
    const before = this.store.appReport(look.siteId, look.appId);
    if (look.checks) this.store.saveApp(look.siteId, look.appId, look.version, look.at, look.checks);
    else this.store.failedApp(look.siteId, look.appId, look.version, look.at, look.error);
    if (shown(before) !== shown(this.store.appReport(look.siteId, look.appId))) this.deps.bus.publish({ type: 'site.changed', change: 'updated', siteId: look.siteId, count: 1, at: look.at });
  }

  private appReport(app: StoredAppReport): AppIntegrity {
    const release = this.deps.releases.releaseOrNull(app.appId, app.version);
    return {
      appId: app.appId,
      version: app.version,
      name: release ? { en: release.name.en, 'zh-CN': release.name['zh-CN'] } : null,
      state: app.state,
      signedBy: release ? (release.signer.name ?? release.signer.keyId) : null,
      checkedAt: app.checkedAt,
      attemptedAt: app.attemptedAt,
      error: app.error,
      differences: app.differences,
      checks: app.checks,
    };
  }

  /** The site's report as last checked: its devices and its deployed apps. */
  site(siteId: string): SiteIntegrity {
    const site = this.deps.sites.get(siteId);
    const devices = this.checkable(siteId).map((device) => this.deviceReport(device, this.store.report(device.id)));
    const apps = this.store.appReports(siteId).map((app) => this.appReport(app));
    const newest = (times: (string | null)[]) => times.filter((at): at is string => at !== null).sort().at(-1) ?? null;
    const sum = (reports: readonly { differences: number }[]) => reports.reduce((total, report) => total + report.differences, 0);
    return {
      siteId,
      siteName: site.name,
      checkedAt: newest([...devices, ...apps].map((report) => report.checkedAt)),
      differences: sum(devices) + sum(apps),
      devices,
      apps: { deployed: apps.length, checks: apps.flatMap((app) => app.checks), checkedAt: newest(apps.map((app) => app.checkedAt)), differences: sum(apps), items: apps },
    };
  }

  /** Per site: devices and apps checked, differences, last check; sites with differences first. */
  fleet(scope: RegionScope): IntegrityFleet {
    return { sites: this.store.fleet(scope) };
  }
}
