import { readJsonSetting, writeSetting } from '../../db/settings.js';
import type { Database } from 'better-sqlite3';
import type { DeviceStatus } from '../../../../shared/domain/cabinet.js';
import {
  DEFAULT_POLL_PLAN,
  PollPlan,
  type Condition,
  type DeviceMonitoring,
  type MonitorStatus,
  type SensorState,
} from '../../../../shared/domain/monitoring.js';
import type { DeviceReading } from '../../../../shared/domain/readings.js';
import type { SnmpTarget, SnmpTrapEvent } from '../../../../shared/domain/snmp.js';
import { RedfishClient } from '../../protocols/redfish/client.js';
import { readInventory, readVitals } from '../../protocols/redfish/inventory.js';
import { readEventStream } from '../../protocols/redfish/actions.js';
import type { JsonObject } from '../../protocols/redfish/client.js';
import { collectDevice } from '../../protocols/snmp/collect.js';
import { TrapReceiver } from '../../protocols/snmp/traps.js';
import { emptyChanges, type AlarmChanges, type AlarmService } from '../alarms/alarm-service.js';
import { SITE_LINK_DOWN } from '../alarms/correlation.js';
import type { AlarmForwarder } from '../alarms/forwarding.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { DeviceService } from '../devices/device-service.js';
import type { EventBus } from '../events/bus.js';
import { MetricStore } from './metric-store.js';
import { splitEndpoint } from '../devices/endpoint.js';
import { observeRedfish, observeSnmp, type CounterMemory, type Observation } from './observe.js';
import { PollScheduler, type PollKind, type PollTarget } from './scheduler.js';

const PLAN_KEY = 'monitor.plan';
const FLUSH_MS = 500;
const COMPACT_MS = 5 * 60 * 1000;
const TARGETS_MS = 10_000;

interface PollableRow {
  id: string;
  site_id: string;
  site_name: string;
  name: string;
  protocol: 'redfish' | 'snmp';
  endpoint: string;
  credential_id: string;
  fingerprint: string | null;
}

type PollResult =
  | { kind: 'observed'; device: PollableRow; at: number; observation: Observation; reading: DeviceReading | null }
  | { kind: 'failed'; device: PollableRow; at: number; error: string }
  | { kind: 'trap'; device: PollableRow; at: number; trap: SnmpTrapEvent }
  | { kind: 'event'; device: PollableRow; at: number; condition: Condition };

/** A Redfish event's severity as an alarm severity; events that are not problems raise nothing. */
function eventSeverity(entry: JsonObject): Condition['severity'] | null {
  const severity = String(entry.MessageSeverity ?? entry.Severity ?? '');
  return severity === 'Critical' ? 'critical' : severity === 'Warning' ? 'warning' : null;
}

interface RedfishSecret {
  username: string;
  password: string;
}
type SnmpSecret = Pick<SnmpTarget, 'version' | 'community' | 'v3'>;

const hostOf = (endpoint: string) => splitEndpoint(endpoint).host;

/**
 * Keeps every connected device polled on plan and the state cache, metric
 * history and alarms up to date: polls run through the scheduler, results
 * queue up and are written in one transaction every FLUSH_MS, then alarms of
 * the touched sites are correlated and new root alarms forwarded.
 */
export class MonitorService {
  readonly scheduler: PollScheduler;
  readonly metrics: MetricStore;
  private readonly pending: PollResult[] = [];
  private readonly devices = new Map<string, PollableRow>();
  private readonly redfishClients = new Map<string, { key: string; client: RedfishClient }>();
  private readonly counters = new Map<string, CounterMemory>();
  private readonly samples: { at: number; count: number }[] = [];
  private timers: ReturnType<typeof setInterval>[] = [];
  private trapReceiver: TrapReceiver | null = null;
  private trapCommunities = '';
  /** The SNMP devices' sealed credentials the receiver was started with. */
  private trapCredentialsSeen = '';
  private lastSuccessAt = 0;
  private readonly eventStreams = new Map<string, AbortController>();
  private startedAt = 0;

  constructor(
    private readonly db: Database,
    private readonly vault: CredentialVault,
    private readonly deviceService: DeviceService,
    private readonly alarms: AlarmService,
    private readonly forwarder: AlarmForwarder,
    private readonly bus: EventBus,
    private readonly now: () => Date,
  ) {
    this.metrics = new MetricStore(db);
    this.currentPlan = readJsonSetting(db, PLAN_KEY, PollPlan, DEFAULT_POLL_PLAN);
    this.scheduler = new PollScheduler(this.currentPlan, (target, kind, signal) => this.poll(target, kind, signal));
  }

  /** Kept in memory (every poll reads its timeout); setPlan is the only writer. */
  private currentPlan: PollPlan;

  plan(): PollPlan {
    return this.currentPlan;
  }

  setPlan(plan: PollPlan): PollPlan {
    writeSetting(this.db, PLAN_KEY, JSON.stringify(plan), this.now());
    this.currentPlan = plan;
    this.scheduler.setPlan(plan);
    return plan;
  }

  /** Starts polling on plan (and, with trapPort, receiving traps). */
  async start(options: { trapPort?: number | null; redfishEvents?: boolean } = {}): Promise<void> {
    if (this.scheduler.running) return;
    this.startedAt = this.now().getTime();
    this.refreshTargets();
    if (options.redfishEvents !== false) {
      this.eventsWanted = true;
      this.startEventStreams();
    }
    this.scheduler.start();
    this.timers = [
      setInterval(() => this.flush(), FLUSH_MS),
      setInterval(() => this.compact(), COMPACT_MS),
      setInterval(() => this.refreshTargets(), TARGETS_MS),
    ];
    for (const timer of this.timers) timer.unref?.();
    if (options.trapPort) await this.startTraps(options.trapPort);
  }

  /** Stops at once (the last results are written before this returns); open connections close in the background. */
  stop(): Promise<void> {
    this.scheduler.stop();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.trapReceiver?.close();
    this.trapReceiver = null;
    this.stopEventStreams();
    if (this.db.open) this.flush();
    const clients = [...this.redfishClients.values()];
    this.redfishClients.clear();
    return Promise.all(clients.map((entry) => entry.client.close().catch(() => undefined))).then(() => undefined);
  }


  /** Devices with an address and credentials, i.e. the ones that can be polled. */
  refreshTargets(): PollTarget[] {
    const rows = this.db
      .prepare(
        `SELECT d.id, c.site_id, s.name AS site_name, d.name, d.protocol, d.endpoint, d.credential_id, d.fingerprint
         FROM devices d JOIN cabinets c ON c.id = d.cabinet_id JOIN sites s ON s.id = c.site_id
         WHERE d.protocol IN ('redfish', 'snmp') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL`,
      )
      .all() as PollableRow[];
    this.devices.clear();
    for (const row of rows) this.devices.set(row.id, row);
    const targets = rows.map((row) => ({ deviceId: row.id, siteId: row.site_id }));
    this.scheduler.setTargets(targets);
    if (this.trapReceiver) void this.startTraps(this.trapReceiver.port);
    if (this.eventsWanted) this.startEventStreams();
    return targets;
  }

  private eventsWanted = false;

  /**
   * Listens to every BMC's Redfish event stream (SSE): a Warning or Critical
   * event raises an alarm at once and has the device polled, so the poll
   * confirms it. Streams that fail are retried with backoff; BMCs without
   * SSE are simply polled.
   */
  startEventStreams(): void {
    for (const [id, controller] of this.eventStreams) {
      if (!this.devices.has(id)) {
        controller.abort();
        this.eventStreams.delete(id);
      }
    }
    for (const device of this.devices.values()) {
      if (device.protocol !== 'redfish' || this.eventStreams.has(device.id)) continue;
      const controller = new AbortController();
      this.eventStreams.set(device.id, controller);
      void this.followEvents(device.id, controller.signal);
    }
  }

  stopEventStreams(): void {
    this.eventsWanted = false;
    for (const controller of this.eventStreams.values()) controller.abort();
    this.eventStreams.clear();
  }

  private async followEvents(deviceId: string, signal: AbortSignal): Promise<void> {
    let delay = 5_000;
    while (!signal.aborted) {
      const device = this.devices.get(deviceId);
      if (!device) return;
      try {
        await readEventStream(this.redfishClient(device), (event) => this.onRedfishEvent(device, event), signal);
        delay = 5_000;
      } catch (error) {
        if (signal.aborted) return;
        if ((error as { code?: string }).code === 'not_supported') return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay).unref?.());
      delay = Math.min(delay * 2, 300_000);
    }
  }

  private onRedfishEvent(device: PollableRow, event: JsonObject): void {
    const entries = Array.isArray(event.Events) ? event.Events : [];
    let poll = false;
    for (const entry of entries) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      poll = true;
      const severity = eventSeverity(entry);
      const messageId = typeof entry.MessageId === 'string' ? entry.MessageId.replace(/^([^.]+)\.\d+\.\d+\./, '$1.') : 'event';
      const message = typeof entry.Message === 'string' ? entry.Message.slice(0, 500) : messageId;
      if (!severity) continue;
      this.pending.push({
        kind: 'event',
        device,
        at: this.now().getTime(),
        condition: { key: `event:${messageId}`, category: 'health', severity, message, messageKey: 'redfishEvent', params: { message } },
      });
    }
    if (poll) void this.scheduler.pollFresh(device.id);
  }

  /**
   * (Re)starts the trap receiver when the SNMP devices' credentials changed.
   * Targets refresh every 10 s and mostly nothing changed: the sealed
   * secrets (a new IV on every change) tell so without decrypting them all.
   */
  private async startTraps(port: number): Promise<void> {
    const ids = new Set([...this.devices.values()].filter((device) => device.protocol === 'snmp').map((device) => device.credential_id));
    const sealed = (this.db.prepare('SELECT id, sealed FROM credentials ORDER BY id').raw().all() as [string, string][])
      .filter(([id]) => ids.has(id))
      .map(([, value]) => value)
      .join('\n');
    if (this.trapReceiver && sealed === this.trapCredentialsSeen) return;
    this.trapCredentialsSeen = sealed;
    const communities = new Set<string>();
    for (const device of this.devices.values()) {
      if (device.protocol !== 'snmp') continue;
      const secret = this.vault.open<SnmpSecret>(device.credential_id);
      if (secret.community) communities.add(secret.community);
    }
    const key = [...communities].sort().join('\n');
    if (this.trapReceiver && key === this.trapCommunities) return;
    this.trapReceiver?.close();
    this.trapCommunities = key;
    this.trapReceiver = await TrapReceiver.start({ port, communities: [...communities], now: this.now });
    this.trapReceiver.on('trap', (trap) => this.onTrap(trap));
  }

  get trapPort(): number | null {
    return this.trapReceiver?.port ?? null;
  }

  private onTrap(trap: SnmpTrapEvent): void {
    const candidates = [...this.devices.values()].filter((device) => device.protocol === 'snmp' && hostOf(device.endpoint) === trap.source.address);
    // Several devices behind one address (a NAT, or everything on 127.0.0.1) cannot be told apart: poll them instead of guessing.
    if (candidates.length === 1) this.pending.push({ kind: 'trap', device: candidates[0]!, at: Date.parse(trap.receivedAt), trap });
    for (const device of candidates.slice(0, 8)) void this.scheduler.pollNow(device.id);
  }

  private redfishClient(device: PollableRow): RedfishClient {
    const key = `${device.endpoint}|${device.credential_id}|${device.fingerprint ?? ''}`;
    const cached = this.redfishClients.get(device.id);
    if (cached?.key === key) return cached.client;
    void cached?.client.close().catch(() => undefined);
    const secret = this.vault.open<RedfishSecret>(device.credential_id);
    const client = new RedfishClient({ url: device.endpoint, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: this.plan().timeoutSeconds * 1000 });
    this.redfishClients.set(device.id, { key, client });
    return client;
  }

  /** One poll of one device; the result is queued for the next batched write. */
  private async poll(target: PollTarget, kind: PollKind, signal: AbortSignal): Promise<boolean> {
    const device = this.devices.get(target.deviceId);
    if (!device) return true;
    const timeoutMs = this.plan().timeoutSeconds * 1000;
    const work = async (): Promise<PollResult> => {
      if (device.protocol === 'redfish') {
        const client = this.redfishClient(device);
        const vitals = await readVitals(client, { now: this.now, pollTimeoutMs: timeoutMs });
        const observation = observeRedfish(vitals);
        let reading: DeviceReading | null = null;
        if (kind === 'inventory') {
          const inventory = await readInventory(client, { now: this.now, pollTimeoutMs: timeoutMs * 3 });
          reading = { observedAt: inventory.observedAt, status: observation.status, error: null, snmp: null, redfish: inventory };
        }
        return { kind: 'observed', device, at: this.now().getTime(), observation, reading };
      }
      const secret = this.vault.open<SnmpSecret>(device.credential_id);
      const { host, port } = splitEndpoint(device.endpoint);
      const snmp = await collectDevice({ host, port, timeoutMs: Math.min(timeoutMs, 3000), retries: 1, ...secret } as SnmpTarget, { now: this.now });
      const at = Date.parse(snmp.observedAt);
      const { observation, memory } = observeSnmp(snmp, this.counters.get(device.id) ?? null, at);
      this.counters.set(device.id, memory);
      const reading: DeviceReading | null = kind === 'inventory' ? { observedAt: snmp.observedAt, status: observation.status, error: null, snmp, redfish: null } : null;
      return { kind: 'observed', device, at, observation, reading };
    };
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new Error(`no answer within ${timeoutMs / 1000} s`));
      signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), { once: true });
    });
    try {
      const result = await Promise.race([work(), aborted]);
      this.pending.push(result);
      this.lastSuccessAt = this.now().getTime();
      return true;
    } catch (error) {
      this.pending.push({ kind: 'failed', device, at: this.now().getTime(), error: (error as Error).message });
      return false;
    } finally {
      if (this.pending.length >= 256) this.flush();
    }
  }

  /** Polls every device of a site now and writes the results; for tests, the CLI and the "refresh site" button. */
  async pollSite(siteId: string, kind: PollKind = 'health'): Promise<void> {
    this.refreshTargets();
    const ids = [...this.devices.values()].filter((device) => device.site_id === siteId).map((device) => device.id);
    await Promise.all(ids.map((id) => this.scheduler.pollFresh(id, kind)));
    this.flush();
  }

  /** Writes queued results in one transaction, then correlates, publishes and forwards. */
  flush(): AlarmChanges {
    const changes = emptyChanges();
    if (this.pending.length === 0 || !this.db.open) return changes;
    const batch = this.pending.splice(0, this.pending.length);
    let samples = 0;
    const deleteSensors = this.db.prepare('DELETE FROM device_sensors WHERE device_id = ?');
    const insertSensor = this.db.prepare('INSERT INTO device_sensors (device_id, key, kind, label, value, unit, state, invalid_reason, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const touchedSites = new Set<string>();
    // Only a change of state is news for the UI; readings that merely move are read when shown.
    const changedSites = new Set<string>();
    const previousStatus = this.db.prepare('SELECT status FROM device_state WHERE device_id = ?').pluck();
    const deviceExists = this.db.prepare('SELECT 1 FROM devices WHERE id = ?');
    this.db.transaction(() => {
      for (const result of batch) {
        // The device may have been removed while its poll ran.
        if (!deviceExists.get(result.device.id)) continue;
        const scope = { siteId: result.device.site_id, deviceId: result.device.id };
        const at = new Date(result.at).toISOString();
        touchedSites.add(scope.siteId);
        const before = previousStatus.get(result.device.id) as string | undefined;
        const after = result.kind === 'observed' ? result.observation.status : result.kind === 'failed' ? 'unreachable' : before;
        if (before !== after) changedSites.add(scope.siteId);
        if (result.kind === 'observed') {
          const { observation } = result;
          this.deviceService.recordState(result.device.id, observation.status, observation.observedAt, null, at);
          deleteSensors.run(result.device.id);
          const metricKeys = new Set(observation.metricKeys);
          const epoch = Math.floor(result.at / 1000);
          for (const sensor of observation.sensors) {
            insertSensor.run(result.device.id, sensor.key, sensor.kind, sensor.label, sensor.value, sensor.unit, sensor.state, sensor.invalidReason, observation.observedAt);
            if (metricKeys.has(sensor.key) && sensor.value !== null) {
              this.metrics.record(result.device.id, sensor.key, sensor.label, sensor.unit, epoch, sensor.value);
              samples += 1;
            }
          }
          if (result.reading) this.deviceService.keepReading(result.device.id, result.reading);
          this.alarms.reconcile(scope, observation.conditions, at, changes);
        } else if (result.kind === 'failed') {
          this.deviceService.recordState(result.device.id, 'unreachable', at, result.error, at);
          this.alarms.raise(scope, 'poll', { key: 'unreachable', category: 'reachability', severity: 'major', message: `${result.device.name} does not answer: ${result.error}`, messageKey: 'unreachable', params: { device: result.device.name, error: result.error } }, at, changes);
        } else if (result.kind === 'event') {
          this.alarms.raise(scope, 'redfish-event', result.condition, at, changes);
        } else {
          this.applyTrap(scope, result.trap, at, changes);
        }
      }
      const at = this.now().toISOString();
      for (const siteId of touchedSites) {
        this.checkSiteLink(siteId, at, changes);
        this.alarms.correlateSite(siteId, at);
      }
      this.alarms.expireEventAlarms(at, changes);
    })();
    this.samples.push({ at: Date.now(), count: samples });
    while (this.samples.length > 0 && this.samples[0]!.at < Date.now() - 60_000) this.samples.shift();
    const at = this.now().toISOString();
    for (const siteId of new Set([...changedSites, ...changes.sites])) {
      this.bus.publish({ type: 'site.changed', change: 'updated', siteId, count: 1, at });
    }
    if (changes.raised.length > 0 || changes.cleared.length > 0) {
      const raisedRoots = changes.raised.map((id) => this.alarms.get(id)).filter((alarm) => alarm.rootId === null && !alarm.muted && alarm.state === 'active');
      const cleared = changes.cleared.map((id) => this.alarms.get(id));
      for (const siteId of changes.sites) {
        this.bus.publish({
          type: 'alarm.changed',
          siteId,
          raised: raisedRoots.filter((alarm) => alarm.siteId === siteId).map((alarm) => ({ id: alarm.id, severity: alarm.severity, message: alarm.message, messageKey: alarm.messageKey, params: alarm.params, siteName: alarm.siteName })),
          cleared: cleared.filter((alarm) => alarm.siteId === siteId).map((alarm) => alarm.id),
          at,
        });
      }
      this.forwarder.forward(raisedRoots, cleared);
    }
    return changes;
  }

  private applyTrap(scope: { siteId: string; deviceId: string }, trap: SnmpTrapEvent, at: string, changes: AlarmChanges): void {
    const condition = (key: string, category: Condition['category'], severity: Condition['severity'], message: string, messageKey: string, params: Condition['params'], port?: number): Condition => ({
      key,
      category,
      severity,
      message,
      messageKey,
      params,
      ...(port !== undefined ? { port } : {}),
    });
    switch (trap.kind) {
      case 'linkDown':
        if (trap.ifIndex) this.alarms.raise(scope, 'trap', condition(`port:${trap.ifIndex}`, 'network', 'major', `Port ${trap.detail ?? trap.ifIndex} is down`, 'portDown', { port: trap.detail ?? trap.ifIndex }, Number(trap.ifIndex)), at, changes);
        break;
      case 'linkUp':
        if (trap.ifIndex) this.alarms.clear(scope, `port:${trap.ifIndex}`, at, changes);
        break;
      case 'upsOnBattery':
        this.alarms.raise(scope, 'trap', condition('power-source:battery', 'power', 'major', 'UPS is on battery', 'upsOnBatteryTrap', {}), at, changes);
        break;
      case 'coldStart':
      case 'warmStart':
        this.alarms.raise(scope, 'trap', condition(`trap:${trap.kind}`, 'health', 'warning', trap.kind === 'coldStart' ? 'Device restarted (cold start)' : 'Device restarted (warm start)', trap.kind, {}), at, changes);
        break;
      default:
        // Alarm-table and sensor traps say "look now"; the poll they trigger decides what is true.
        break;
    }
  }

  /** A site none of whose devices answers has lost its link: one root alarm for the site. */
  private checkSiteLink(siteId: string, at: string, changes: AlarmChanges): void {
    const counts = this.db
      .prepare(
        `SELECT count(*) AS total, coalesce(sum(st.status = 'unreachable'), 0) AS down, s.name AS name FROM devices d
         JOIN cabinets c ON c.id = d.cabinet_id JOIN sites s ON s.id = c.site_id LEFT JOIN device_state st ON st.device_id = d.id
         WHERE c.site_id = ? AND d.protocol IN ('redfish', 'snmp') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL`,
      )
      .get(siteId) as { total: number; down: number; name: string };
    const scope = { siteId, deviceId: null };
    if (counts.total >= 2 && counts.down === counts.total) {
      this.alarms.raise(scope, 'poll', { key: SITE_LINK_DOWN, category: 'reachability', severity: 'critical', message: `${counts.name} cannot be reached: none of its ${counts.total} devices answers`, messageKey: 'siteLinkDown', params: { site: counts.name, devices: counts.total } }, at, changes);
    } else {
      this.alarms.clear(scope, SITE_LINK_DOWN, at, changes);
    }
  }

  compact(): ReturnType<MetricStore['compact']> {
    return this.metrics.compact(Math.floor(this.now().getTime() / 1000));
  }

  deviceState(deviceId: string, hours = 1): DeviceMonitoring {
    const state = this.db.prepare('SELECT status, observed_at, error, last_poll_at, consecutive_failures FROM device_state WHERE device_id = ?').get(deviceId) as
      | { status: DeviceStatus; observed_at: string; error: string | null; last_poll_at: string | null; consecutive_failures: number }
      | undefined;
    const sensors = (
      this.db.prepare('SELECT key, kind, label, value, unit, state, invalid_reason, observed_at FROM device_sensors WHERE device_id = ? ORDER BY kind, key').all(deviceId) as {
        key: string;
        kind: SensorState['kind'];
        label: string;
        value: number | null;
        unit: string;
        state: SensorState['state'];
        invalid_reason: string | null;
        observed_at: string;
      }[]
    ).map((row) => ({ key: row.key, kind: row.kind, label: row.label, value: row.value, unit: row.unit, state: row.state, invalidReason: row.invalid_reason, observedAt: row.observed_at }));
    const next = this.scheduler.nextPollAt(deviceId);
    return {
      deviceId,
      status: state?.status ?? 'unknown',
      observedAt: state?.observed_at ?? null,
      error: state?.error ?? null,
      lastPollAt: state?.last_poll_at ?? null,
      nextPollAt: next === null || !this.scheduler.running ? null : new Date(next).toISOString(),
      consecutiveFailures: state?.consecutive_failures ?? 0,
      sensors,
      series: this.metrics.series(deviceId, hours, Math.floor(this.now().getTime() / 1000)),
    };
  }

  status(): MonitorStatus {
    const recent = this.samples.filter((sample) => sample.at >= Date.now() - 60_000);
    const span = recent.length > 0 ? Math.max(1, (Date.now() - recent[0]!.at + FLUSH_MS) / 1000) : 1;
    // Sensors are only written from answers, so their newest time is that of the newest real data.
    const dataAsOf = this.db
      .prepare("SELECT max(t) FROM (SELECT max(observed_at) AS t FROM device_sensors UNION ALL SELECT max(observed_at) FROM device_state WHERE status != 'unreachable')")
      .pluck()
      .get() as string | null;
    const quietFor = this.now().getTime() - Math.max(this.lastSuccessAt, this.startedAt);
    const offline = this.scheduler.running && this.devices.size > 0 && this.scheduler.polls > 0 && quietFor > Math.max(3 * this.plan().healthSeconds * 1000, 120_000);
    return {
      running: this.scheduler.running,
      devices: this.devices.size,
      inFlight: this.scheduler.busy,
      polls: this.scheduler.polls,
      failures: this.scheduler.failures,
      samplesPerSecond: Math.round((recent.reduce((sum, sample) => sum + sample.count, 0) / span) * 10) / 10,
      pollLagP50Ms: this.scheduler.lagPercentile(50),
      pollLagP99Ms: this.scheduler.lagPercentile(99),
      plan: this.plan(),
      traps: this.trapReceiver ? { port: this.trapReceiver.port, ...this.trapReceiver.stats() } : null,
      offline,
      dataAsOf,
    };
  }
}
