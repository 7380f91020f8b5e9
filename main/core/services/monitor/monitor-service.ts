import type { Database } from 'better-sqlite3';
import { networkInterfaces } from 'node:os';
import { DEFAULT_POLL_PLAN, PollPlan, type DeviceMonitoring, type MonitorStatus } from '../../../../shared/domain/monitoring.js';
import type { JsonObject } from '../../protocols/redfish/client.js';
import { readJsonSetting, readSetting, writeSetting } from '../../db/settings.js';
import { randomBytes } from 'node:crypto';
import { DisposableStore, repeat, type Disposable, type FailureReporter } from '../../lib/disposable.js';
import { openFilesLimit } from '../../lib/open-files.js';
import type { AlarmChanges, AlarmService } from '../alarms/alarm-service.js';
import type { AlarmForwarder } from '../alarms/forwarding.js';
import type { CredentialRotation } from '../credentials/rotation.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { DeviceService } from '../devices/device-service.js';
import type { EventBus } from '../events/bus.js';
import type { CertificateAuthority } from '../pki/authority.js';
import { keepCertificateCurrent, RENEWAL_CHECK_MS, type ServedCertificate } from '../pki/renewal.js';
import { RedfishClientPool } from './client-pool.js';
import { eventResults } from './intake/redfish-events.js';
import { PushReceiver } from './intake/redfish-push.js';
import { RedfishStreams } from './intake/redfish-sse.js';
import { SubscriptionStore, type Subscription } from './intake/subscription-store.js';
import { TrapIntake } from './intake/traps.js';
import { MetricStore } from './metric-store.js';
import { MonitorStore } from './monitor-store.js';
import type { PollableDevice, PollResult } from './poll-result.js';
import { DevicePoller } from './polling.js';
import { PollScheduler, type PollKind, type PollTarget } from './scheduler.js';
import { EventLoopDelay } from './event-loop.js';
import { ResultWriter } from './writer.js';

const PLAN_KEY = 'monitor.plan';
const ENGINE_ID_SETTING = 'snmp.engine-id';
const FLUSH_MS = 500;
const COMPACT_MS = 5 * 60 * 1000;
const TARGETS_MS = 10_000;
/** BMCs whose event stream is not held (past the cap) are polled for health this much more often: every 30 s on the default 45 s plan. */
const CAPPED_STREAM_HEALTH_FACTOR = 2 / 3;

/**
 * How many BMC event streams the monitor holds at most: each holds a
 * socket for as long as it runs, beside the BMC's polling connection, the
 * SNMP sockets, the database and the web clients. An eighth of the open
 * files this process may have (2,500 of the common 20,000); without a
 * known limit, 1,000. EDGECAB_MAX_EVENT_STREAMS sets it.
 */
function streamCap(): number {
  const setting = process.env.EDGECAB_MAX_EVENT_STREAMS?.trim();
  const configured = Number(setting);
  if (setting && Number.isInteger(configured) && configured >= 0) return configured;
  const limit = openFilesLimit();
  return limit === null ? 1000 : Math.floor(limit / 8);
}

/** A feature that follows every poll's outcome (cabinet identities, integrity checks); it must not throw, and stops with monitoring. */
export interface PollFollower {
  polled(result: PollResult): void;
  stop(): void;
}

export interface MonitorStartOptions {
  /** UDP port for SNMP traps; null or 0: none. */
  trapPort?: number | null;
  /** The interface the trap receiver listens on (default: all). */
  trapAddress?: string;
  /** Follow BMCs' Redfish event streams where they offer one (default true). */
  redfishEvents?: boolean;
  /** HTTPS port BMCs push Redfish events to; null or 0: no receiver. */
  eventsPort?: number | null;
  /** The interface the event receiver listens on (default: all). */
  eventsAddress?: string;
  /** How often the event receiver's certificate is looked at (default daily). */
  certificateCheckMs?: number;
}

/**
 * Keeps every connected device polled on plan and the state cache, metric
 * history and alarms up to date. Its parts: the scheduler (when), the poller
 * (one poll, cancelled by its signal), the client pool, the intake of traps,
 * pushed and streamed Redfish events, and the batched writer. Everything
 * that runs on its own is owned by `running` and stopped with it.
 */
export class MonitorService {
  readonly scheduler: PollScheduler;
  readonly metrics: MetricStore;
  readonly subscriptions: SubscriptionStore;
  private readonly store: MonitorStore;
  private readonly writer: ResultWriter;
  private readonly clients: RedfishClientPool;
  private readonly poller: DevicePoller;
  private readonly streams: RedfishStreams;
  private readonly devices = new Map<string, PollableDevice>();
  private readonly running = new DisposableStore();
  private readonly followers = new Set<PollFollower>();
  private traps: TrapIntake | null = null;
  private push: PushReceiver | null = null;
  private followStreams = false;
  private pendingRotations = new Set<string>();
  private lastSuccessAt = 0;
  private startedAt = 0;
  private currentPlan: PollPlan;
  private readonly eventLoop = new EventLoopDelay();

  constructor(
    private readonly db: Database,
    private readonly vault: CredentialVault,
    private readonly deviceService: DeviceService,
    alarms: AlarmService,
    forwarder: AlarmForwarder,
    bus: EventBus,
    private readonly rotation: CredentialRotation,
    private readonly authority: CertificateAuthority,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
    private readonly recovered: (what: string) => void = () => undefined,
  ) {
    this.store = new MonitorStore(db);
    this.metrics = new MetricStore(db);
    this.subscriptions = new SubscriptionStore(db);
    this.currentPlan = readJsonSetting(db, PLAN_KEY, PollPlan, DEFAULT_POLL_PLAN);
    this.writer = new ResultWriter(this.store, this.metrics, deviceService, alarms, forwarder, bus, now, report, recovered);
    this.clients = new RedfishClientPool(vault, () => this.currentPlan.timeoutSeconds * 1000);
    this.poller = new DevicePoller(vault, this.clients, rotation, () => ({ healthMs: this.currentPlan.timeoutSeconds * 1000, inventoryMs: this.currentPlan.inventoryTimeoutSeconds * 1000 }), now);
    this.streams = new RedfishStreams(this.clients, (id) => this.devices.get(id), (device, event) => this.onRedfishEvent(device, event), (id) => this.rotation.record(id) !== null, streamCap());
    this.scheduler = new PollScheduler(this.currentPlan, (target, kind, signal) => this.poll(target, kind, signal));
    this.setPlanDb = (plan) => writeSetting(db, PLAN_KEY, JSON.stringify(plan), this.now());
    // A change begun or settled: the very next poll (and stream) must use the credential that opens the device now, not wait for the 10 s refresh.
    rotation.onChange((deviceId, change) => {
      if (!this.store.open) return;
      this.refreshTargets();
      if (change === 'settled') this.streams.restart(deviceId);
    });
  }

  private readonly setPlanDb: (plan: PollPlan) => void;

  plan(): PollPlan {
    return this.currentPlan;
  }

  setPlan(plan: PollPlan): PollPlan {
    this.setPlanDb(plan);
    this.currentPlan = plan;
    this.scheduler.setPlan(plan);
    return plan;
  }

  /**
   * Starts polling on plan, and the intake of traps and events asked for. A
   * trap or event port that cannot be opened costs only that intake: the
   * answer says why, and polling runs regardless.
   */
  async start(options: MonitorStartOptions = {}): Promise<{ warnings: string[] }> {
    const warnings: string[] = [];
    if (this.scheduler.running) return { warnings };
    this.running.reset();
    this.startedAt = this.now().getTime();
    this.followStreams = options.redfishEvents !== false;
    if (options.trapPort) {
      this.traps = this.running.add(new TrapIntake({ port: options.trapPort, address: options.trapAddress ?? '0.0.0.0', engineId: this.engineId() }, this.vault, () => this.devices.values(), (result) => this.writer.push(result), (id) => void this.scheduler.request(id), (id) => this.rotation.pendingCredentialOf(id)));
    }
    this.refreshTargets();
    this.scheduler.start(this.report, { recovered: this.recovered });
    this.running.add({ dispose: () => this.scheduler.stop() });
    this.running.add(this.eventLoop.start());
    this.running.add(repeat('monitor.flush', FLUSH_MS, () => this.writer.flushDue(), this.report, this.recovered));
    this.running.add(repeat('monitor.compact', COMPACT_MS, () => this.compact(), this.report, this.recovered));
    this.running.add(repeat('monitor.targets', TARGETS_MS, () => this.refreshTargets(), this.report, this.recovered));
    this.running.add(this.streams);
    try {
      await this.traps?.refresh(this.store.credentialRevisions());
    } catch (error) {
      await this.traps?.dispose();
      this.traps = null;
      warnings.push(`SNMP traps are off: ${(error as Error).message}`);
    }
    if (options.eventsPort) {
      try {
        await this.startPushReceiver(options.eventsPort, options.eventsAddress ?? '0.0.0.0', options.certificateCheckMs ?? RENEWAL_CHECK_MS);
      } catch (error) {
        warnings.push(`Redfish events cannot be pushed to this EdgeCab: ${(error as Error).message}`);
      }
    }
    return { warnings };
  }

  private async startPushReceiver(port: number, address: string, certificateCheckMs: number): Promise<void> {
    const addresses = address === '0.0.0.0' || address === '::' ? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((each) => each.address)) : [address];
    const issue = async (): Promise<ServedCertificate> => {
      const certificate = await this.authority.serverCertificate(['localhost'], [...new Set(['127.0.0.1', ...addresses])], 'events');
      return { cert: certificate.chainPem, key: certificate.keyPem, fingerprint: certificate.fingerprint };
    };
    const certificate = await issue();
    const receiver = new PushReceiver({ port, address, certificate }, this.subscriptions, (subscription, event, source) => this.onPushedEvent(subscription, event, source), this.now);
    await receiver.start();
    this.push = this.running.add(receiver);
    // BMCs check this certificate on every push: renewed a month before it ends, like the server's, without a restart.
    this.running.add(keepCertificateCurrent(receiver, certificate.fingerprint, issue, { everyMs: certificateCheckMs, report: this.report, recovered: this.recovered }));
  }

  /** Stops at once (the last results are written before this returns); open connections close in the background. */
  stop(): Promise<void> {
    const disposed = this.running.dispose();
    this.traps = null;
    this.push = null;
    if (this.store.open) this.writer.flush();
    for (const follower of this.followers) follower.stop();
    return Promise.all([disposed, this.clients.closeAll()]).then(() => undefined);
  }

  follow(follower: PollFollower): Disposable {
    this.followers.add(follower);
    return { dispose: () => void this.followers.delete(follower) };
  }

  /** Devices with an address and credentials, i.e. the ones that can be polled. */
  refreshTargets(): PollTarget[] {
    const rows = this.store.pollable();
    this.devices.clear();
    for (const row of rows) this.devices.set(row.id, row);
    const ids = new Set(this.devices.keys());
    this.clients.retain(ids);
    this.poller.forget(ids);
    this.pendingRotations = this.rotation.pendingDevices();
    const targets = rows.map((row) => ({ deviceId: row.id, siteId: row.site_id }));
    this.scheduler.setTargets(targets);
    if (this.traps) void this.traps.refresh(this.store.credentialRevisions()).catch((error: unknown) => this.report('monitor.traps', error));
    if (this.followStreams && this.scheduler.running) this.followEventStreams();
    return targets;
  }

  /** Follows every BMC's event stream now, whether or not monitoring runs (tests, the lab). */
  startEventStreams(): void {
    this.followEventStreams();
  }

  /** BMCs past the stream cap hear of nothing between polls, so they are polled more often. */
  private followEventStreams(): void {
    this.streams.follow(this.devices.values());
    this.scheduler.setFaster(this.streams.unheardDevices, CAPPED_STREAM_HEALTH_FACTOR);
  }

  stopEventStreams(): void {
    this.streams.dispose();
    this.scheduler.setFaster(new Set(), 1);
  }

  get trapPort(): number | null {
    return this.traps?.port ?? null;
  }

  /**
   * EdgeCab's snmpEngineID, made once and kept: devices send SNMPv3 informs
   * keyed for it. RFC 3411 format: enterprise (net-snmp's 8072) with the
   * top bit set, format 5 (octets), 12 random octets.
   */
  engineId(): string {
    const stored = readSetting(this.db, ENGINE_ID_SETTING);
    if (stored) return stored;
    const id = `80001f8805${randomBytes(12).toString('hex')}`;
    writeSetting(this.db, ENGINE_ID_SETTING, id, this.now());
    return id;
  }

  get eventsPort(): number | null {
    return this.push?.port ?? null;
  }

  private onRedfishEvent(device: PollableDevice, event: JsonObject): boolean {
    const { results, poll, malformed } = eventResults(device, event, this.now().getTime());
    for (const result of results) this.writer.push(result);
    if (poll) void this.scheduler.request(device.id);
    return !malformed;
  }

  private onPushedEvent(subscription: Subscription, event: JsonObject, _source: string): boolean {
    const device = this.devices.get(subscription.deviceId);
    // A device no longer monitored (removed, not connected): accepted and dropped, so its BMC does not retry forever.
    if (!device) return true;
    return this.onRedfishEvent(device, event);
  }

  /** One poll of one device; the result is queued for the next batched write. */
  private async poll(target: PollTarget, kind: PollKind, signal: AbortSignal): Promise<boolean> {
    const device = this.devices.get(target.deviceId);
    if (!device) return true;
    const result = await this.poller.poll(device, kind, signal, this.pendingRotations.has(device.id));
    // Skipped: a change is being made on the device now; nothing was learned and nothing failed.
    if (!result) return true;
    if (this.pendingRotations.has(device.id) && !this.rotation.record(device.id)) {
      this.pendingRotations.delete(device.id);
      // The rotation settled: the device's credential may have changed.
      this.refreshTargets();
    }
    this.writer.push(result);
    for (const follower of this.followers) follower.polled(result);
    if (result.kind === 'failed') return false;
    this.lastSuccessAt = this.now().getTime();
    return true;
  }

  /** Polls every device of a site now (within the caps) and writes the results; for the wizard, the CLI and the "poll site" button. */
  async pollSite(siteId: string, kind: PollKind = 'health'): Promise<void> {
    this.refreshTargets();
    const ids = [...this.devices.values()].filter((device) => device.site_id === siteId).map((device) => device.id);
    await this.whileScheduling(() => Promise.all(ids.map((id) => this.scheduler.request(id, kind))));
    this.writer.flush();
  }

  /** Requests run from the scheduler's ticks; outside monitoring (tests, the CLI) only what was asked for is started meanwhile, never the plan's polls. */
  private async whileScheduling<T>(work: () => Promise<T>): Promise<T> {
    if (this.scheduler.running) return work();
    // Kept alive, as the poll it waits for is: a command that awaits it must not end first.
    const timer = repeat('monitor.requests', 50, () => this.scheduler.startRequested(), this.report, this.recovered, { keepAlive: true });
    try {
      return await work();
    } finally {
      timer.dispose();
    }
  }

  flush(): AlarmChanges {
    return this.writer.flush();
  }

  compact(): ReturnType<MetricStore['compact']> {
    return this.metrics.compact(Math.floor(this.now().getTime() / 1000));
  }

  deviceState(deviceId: string, hours = 1): DeviceMonitoring {
    const state = this.store.state(deviceId);
    const sensors = this.store
      .sensors(deviceId)
      .map((row) => ({ key: row.key, kind: row.kind, label: row.label, value: row.value, unit: row.unit, state: row.state, invalidReason: row.invalid_reason, observedAt: row.observed_at }));
    const next = this.scheduler.nextPollAt(deviceId);
    return {
      deviceId,
      status: state?.status ?? 'unknown',
      observedAt: state?.observed_at ?? null,
      error: state?.error ?? null,
      lastPollAt: state?.last_poll_at ?? null,
      nextPollAt: next === null || !this.scheduler.running || !Number.isFinite(next) ? null : new Date(next).toISOString(),
      consecutiveFailures: state?.consecutive_failures ?? 0,
      sensors,
      series: this.metrics.series(deviceId, hours, Math.floor(this.now().getTime() / 1000)),
    };
  }

  status(): MonitorStatus {
    const quietFor = this.now().getTime() - Math.max(this.lastSuccessAt, this.startedAt);
    const offline = this.scheduler.running && this.devices.size > 0 && this.scheduler.polls > 0 && quietFor > Math.max(3 * this.currentPlan.healthSeconds * 1000, 120_000);
    const traps = this.traps?.stats() ?? null;
    return {
      running: this.scheduler.running,
      devices: this.devices.size,
      inFlight: this.scheduler.busy,
      polls: this.scheduler.polls,
      failures: this.scheduler.failures,
      samplesPerSecond: this.writer.samplesPerSecond(FLUSH_MS),
      pollLagP50Ms: this.scheduler.lagPercentile(50),
      pollLagP99Ms: this.scheduler.lagPercentile(99),
      // The scheduler runs on the real clock (Date.now), whatever clock the monitor was given.
      pollLagP99LastMinuteMs: this.scheduler.lagPercentile(99, Date.now() - 60_000),
      plan: this.currentPlan,
      traps: traps ? { port: traps.port, address: traps.address, received: traps.received, delivered: traps.delivered, refused: traps.refused, malformed: traps.malformed, dropped: traps.dropped } : null,
      events: {
        push: this.push ? { port: this.push.port ?? 0, ...this.push.counters } : null,
        streams: this.streams.open,
        malformed: this.streams.malformed,
        streamCap: Number.isFinite(this.streams.cap) ? this.streams.cap : null,
        streamsCapped: this.streams.cappedDevices.size,
        cappedHealthSeconds: Math.round(this.currentPlan.healthSeconds * CAPPED_STREAM_HEALTH_FACTOR),
      },
      writerBacklog: this.writer.backlog,
      writerFlushP99Ms: this.writer.flushP99Ms(),
      eventLoopDelayP99Ms: this.eventLoop.p99Ms(),
      writerDropped: this.writer.dropped,
      stuckPolls: this.scheduler.stuck,
      offline,
      dataAsOf: this.store.dataAsOf(),
    };
  }
}
