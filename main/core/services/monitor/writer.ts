import type { Condition } from '../../../../shared/domain/monitoring.js';
import type { SnmpTrapEvent } from '../../../../shared/domain/snmp.js';
import { emptyChanges, type AlarmChanges, type AlarmService } from '../alarms/alarm-service.js';
import { SITE_LINK_DOWN } from '../alarms/correlation.js';
import type { AlarmForwarder } from '../alarms/forwarding.js';
import type { DeviceService } from '../devices/device-service.js';
import type { EventBus } from '../events/bus.js';
import type { FailureReporter } from '../../lib/disposable.js';
import type { MetricStore } from './metric-store.js';
import type { MonitorStore } from './monitor-store.js';
import type { PollResult } from './poll-result.js';

/** Writing more than this many results at once is not waited for: the batch is written right away (unless the database is refusing). */
export const FLUSH_AT = 256;
/**
 * How long one flush waits for another connection's write lock. Short: the
 * wait is synchronous, the whole core (every poll, every API call) stands
 * still meanwhile; a busy database is retried later instead.
 */
export const WRITER_BUSY_MS = 200;
/**
 * Results kept for a database that stays busy. Past it, results a newer one
 * of the same device supersedes go first (their metric samples are lost,
 * counted in `dropped`), then the oldest traps and events; a device's newest
 * state and reading are never dropped, so with more than 5,000 devices the
 * floor is two results per device. Compaction runs when the queue has
 * doubled since the last one: at most twice the larger of the two.
 */
export const MAX_BACKLOG = 10_000;
/** After a busy flush the timer retries after this, doubling per failure up to RETRY_MAX_MS. */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 10_000;

// Extended codes too (SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE): all mean "not now", none means the batch is bad.
const isBusy = (error: unknown) => /^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '');

/**
 * The batched writer: results from polls, traps and events queue up and are
 * written in one transaction (state, sensors, metrics, readings, alarms),
 * then the touched sites are correlated, the UI told, and new root alarms
 * forwarded. A busy database leaves the batch queued; each try waits for
 * the lock at most WRITER_BUSY_MS, results arriving meanwhile only queue
 * (a flush per result would stall the core once per result), and the
 * timer retries with backoff. The queue is bounded (MAX_BACKLOG).
 */
export class ResultWriter {
  private pending: PollResult[] = [];
  private readonly samples: { at: number; count: number }[] = [];
  /** Consecutive flushes the database was too busy for. */
  busyRetries = 0;
  /** Transactions tried (each may wait up to WRITER_BUSY_MS for a lock). */
  attempts = 0;
  /** Results dropped to keep the backlog bounded while the database was busy. */
  dropped = 0;
  /** When the timer may try again after a busy flush (Date.now()). */
  private retryAt = 0;
  /** The backlog size that makes the queue be compacted; raised when compaction cannot go below MAX_BACKLOG, so it is not redone per result. */
  private compactAt = MAX_BACKLOG;

  constructor(
    private readonly store: MonitorStore,
    private readonly metrics: MetricStore,
    private readonly deviceService: DeviceService,
    private readonly alarms: AlarmService,
    private readonly forwarder: AlarmForwarder,
    private readonly bus: EventBus,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
    private readonly recovered: (what: string) => void = () => undefined,
  ) {}

  /** Whether the last flush failed (its problem is shown until one works again). */
  private failing = false;

  push(result: PollResult): void {
    this.pending.push(result);
    if (this.pending.length > this.compactAt) this.compact();
    // While the database refuses, only the timer retries: a flush here would make every new result wait for the lock.
    if (this.pending.length >= FLUSH_AT && !this.failing) this.flush();
  }

  /**
   * The timer's flush: after a busy database it waits for its backoff
   * (0.5 s doubling to 10 s), so a lock held for minutes costs the core a
   * short wait now and then, not one per tick. Explicit flushes (stop, "poll
   * site", tests) try at once.
   */
  flushDue(): AlarmChanges {
    if (this.busyRetries > 0 && Date.now() < this.retryAt) return emptyChanges();
    return this.flush();
  }

  /**
   * Keeps the queue bounded: per device only the newest state result (and
   * the newest one carrying a full reading), then, if traps and events alone
   * still overflow, without the oldest of those.
   */
  private compact(): void {
    const seen = new Set<string>();
    const kept: PollResult[] = [];
    for (let index = this.pending.length - 1; index >= 0; index -= 1) {
      const result = this.pending[index]!;
      if (result.kind === 'observed' || result.kind === 'failed') {
        const key = `${result.device.id}:${result.kind === 'observed' && result.reading ? 'reading' : 'state'}`;
        if (seen.has(key)) {
          this.dropped += 1;
          continue;
        }
        seen.add(key);
      }
      kept.push(result);
    }
    kept.reverse();
    let excess = kept.length - MAX_BACKLOG;
    const bounded =
      excess > 0
        ? kept.filter((result) => {
            if (excess <= 0 || result.kind === 'observed' || result.kind === 'failed') return true;
            excess -= 1;
            this.dropped += 1;
            return false;
          })
        : kept;
    this.pending = bounded;
    this.compactAt = Math.max(MAX_BACKLOG, bounded.length * 2);
  }

  get backlog(): number {
    return this.pending.length;
  }

  /** How long the last flushes' transactions took (ms), newest last: the database's share of the monitor's time. */
  private readonly flushTimes: number[] = [];

  /** The 99th percentile of the last 500 flushes' transaction times, in ms; null before the first. */
  flushP99Ms(): number | null {
    if (this.flushTimes.length === 0) return null;
    const sorted = [...this.flushTimes].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]! * 10) / 10;
  }

  /** Samples written per second over the last minute. */
  samplesPerSecond(flushMs: number): number {
    const recent = this.samples.filter((sample) => sample.at >= Date.now() - 60_000);
    const span = recent.length > 0 ? Math.max(1, (Date.now() - recent[0]!.at + flushMs) / 1000) : 1;
    return Math.round((recent.reduce((sum, sample) => sum + sample.count, 0) / span) * 10) / 10;
  }

  /** Writes queued results in one transaction, then correlates, publishes and forwards. */
  flush(): AlarmChanges {
    const changes = emptyChanges();
    if (this.pending.length === 0 || !this.store.open) return changes;
    const batch = this.pending.splice(0, this.pending.length);
    const touchedSites = new Set<string>();
    // Only a change of state is news for the UI; readings that merely move are read when shown.
    const changedSites = new Set<string>();
    let samples = 0;
    this.attempts += 1;
    const started = performance.now();
    try {
      this.store.transactionWaitingAtMost(WRITER_BUSY_MS, () => {
        for (const result of batch) samples += this.apply(result, touchedSites, changedSites, changes);
        const at = this.now().toISOString();
        for (const siteId of touchedSites) {
          this.checkSiteLink(siteId, at, changes);
          this.alarms.correlateSite(siteId, at);
        }
        this.alarms.expireEventAlarms(at, changes);
      });
    } catch (error) {
      if (isBusy(error)) {
        // Another connection holds the database (a CLI command, a backup): keep the batch, ahead of what came since.
        // concat, not unshift(...batch): a spread of a large batch overflows the call stack and the batch is lost.
        this.pending = this.pending.length === 0 ? batch : batch.concat(this.pending);
        if (this.pending.length > this.compactAt) this.compact();
        this.busyRetries += 1;
        this.retryAt = Date.now() + Math.min(RETRY_BASE_MS * 2 ** (this.busyRetries - 1), RETRY_MAX_MS);
        this.failing = true;
        // The problem is kept in memory too; its row in the database must not wait for the lock the writer just could not get.
        if (this.busyRetries % 20 === 1) this.store.waitingAtMost(0, () => this.report('monitor.writer', error));
        return emptyChanges();
      }
      this.failing = true;
      this.report('monitor.writer', error);
      return emptyChanges();
    }
    this.flushTimes.push(performance.now() - started);
    if (this.flushTimes.length > 500) this.flushTimes.shift();
    this.busyRetries = 0;
    this.retryAt = 0;
    if (this.pending.length === 0) this.compactAt = MAX_BACKLOG;
    if (this.failing) this.recovered('monitor.writer');
    this.failing = false;
    this.samples.push({ at: Date.now(), count: samples });
    while (this.samples.length > 0 && this.samples[0]!.at < Date.now() - 60_000) this.samples.shift();
    this.announce(changes, changedSites);
    return changes;
  }

  private apply(result: PollResult, touchedSites: Set<string>, changedSites: Set<string>, changes: AlarmChanges): number {
    // The device may have been removed while its poll ran.
    if (!this.store.deviceExists(result.device.id)) return 0;
    const scope = { siteId: result.device.site_id, deviceId: result.device.id };
    const at = new Date(result.at).toISOString();
    touchedSites.add(scope.siteId);
    const before = this.store.previousStatus(result.device.id);
    const after = result.kind === 'observed' ? result.observation.status : result.kind === 'failed' ? 'unreachable' : before;
    if (before !== after) changedSites.add(scope.siteId);
    let samples = 0;
    if (result.kind === 'observed') {
      const { observation } = result;
      this.deviceService.recordState(result.device.id, observation.status, observation.observedAt, null, at);
      this.store.replaceSensors(
        result.device.id,
        observation.sensors.map((sensor) => ({ key: sensor.key, kind: sensor.kind, label: sensor.label, value: sensor.value, unit: sensor.unit, state: sensor.state, invalid_reason: sensor.invalidReason })),
        observation.observedAt,
      );
      const metricKeys = new Set(observation.metricKeys);
      const epoch = Math.floor(result.at / 1000);
      for (const sensor of observation.sensors) {
        if (!metricKeys.has(sensor.key) || sensor.value === null) continue;
        this.metrics.record(result.device.id, sensor.key, sensor.label, sensor.unit, epoch, sensor.value);
        samples += 1;
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
    return samples;
  }

  private announce(changes: AlarmChanges, changedSites: Set<string>): void {
    const at = this.now().toISOString();
    for (const siteId of new Set([...changedSites, ...changes.sites])) this.bus.publish({ type: 'site.changed', change: 'updated', siteId, count: 1, at });
    if (changes.raised.length === 0 && changes.cleared.length === 0) return;
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
    const counts = this.store.siteReachability(siteId);
    const scope = { siteId, deviceId: null };
    if (counts.total >= 2 && counts.down === counts.total) {
      this.alarms.raise(scope, 'poll', { key: SITE_LINK_DOWN, category: 'reachability', severity: 'critical', message: `${counts.name} cannot be reached: none of its ${counts.total} devices answers`, messageKey: 'siteLinkDown', params: { site: counts.name, devices: counts.total } }, at, changes);
    } else {
      this.alarms.clear(scope, SITE_LINK_DOWN, at, changes);
    }
  }
}
