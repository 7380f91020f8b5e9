import type { PollPlan } from '../../../../shared/domain/monitoring.js';

export type PollKind = 'health' | 'inventory';

export interface PollTarget {
  deviceId: string;
  siteId: string;
}

/**
 * Runs one poll; resolves true when the device answered. It must stop its
 * requests when the signal aborts (the poll's time is up, or monitoring
 * stops): the device stays busy until the promise settles, so a poll that
 * ignored its signal would hold the device, never double it.
 */
export type PollRunner = (target: PollTarget, kind: PollKind, signal: AbortSignal) => Promise<boolean>;

interface Request {
  kind: PollKind;
  waiters: ((ok: boolean) => void)[];
}

interface Entry extends PollTarget {
  nextHealthAt: number;
  nextInventoryAt: number;
  running: PollKind | null;
  current: Promise<boolean> | null;
  /** Asked for outside the plan (a refresh, a trap, an event): runs as soon as the caps allow, after any poll running now. */
  requested: Request | null;
  failures: number;
  startedAt: number;
  lastPollAt: number | null;
}

const MAX_BACKOFF_MS = 15 * 60 * 1000;
const LAG_WINDOW = 20_000;
/** A poll past its timeout by this much has ignored its abort: reported, and its device stays busy. */
const STUCK_GRACE_MS = 5_000;

/**
 * Decides when each device is polled: health every plan.healthSeconds and
 * inventory every plan.inventorySeconds, spread with jitter; at most
 * plan.globalConcurrency polls at once and plan.siteConcurrency per site,
 * whatever asked for the poll; one poll per device at a time; each kind
 * with its own timeout, whose abort cancels the poll's requests. A device
 * that fails backs off exponentially and is polled for health only until it
 * answers again; then its inventory runs. A slow device holds only its own
 * slot, so the others keep their times.
 */
export class PollScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly siteInFlight = new Map<string, number>();
  private inFlight = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly lags: number[] = [];
  private lagCursor = 0;
  private stopping = new AbortController();
  polls = 0;
  failures = 0;
  /** Polls that outlived their timeout by STUCK_GRACE_MS (their runner ignored the abort). */
  stuck = 0;

  constructor(
    private plan: PollPlan,
    private readonly run: PollRunner,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  setPlan(plan: PollPlan): void {
    this.plan = plan;
  }

  /** Adds new devices (their first polls spread over one health interval) and forgets removed ones. */
  setTargets(targets: readonly PollTarget[]): void {
    const now = this.clock();
    const wanted = new Set(targets.map((target) => target.deviceId));
    for (const [id, entry] of this.entries) {
      if (wanted.has(id)) continue;
      this.entries.delete(id);
      for (const waiter of entry.requested?.waiters ?? []) waiter(false);
    }
    for (const target of targets) {
      const existing = this.entries.get(target.deviceId);
      if (existing) {
        existing.siteId = target.siteId;
        continue;
      }
      const offset = this.random() * this.plan.healthSeconds * 1000;
      this.entries.set(target.deviceId, { ...target, nextHealthAt: now + offset, nextInventoryAt: now + offset, running: null, current: null, requested: null, failures: 0, startedAt: 0, lastPollAt: null });
    }
  }

  start(tickMs = 100): void {
    if (this.timer) return;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref?.();
  }

  /** Stops planning and aborts every poll in flight. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopping.abort();
    for (const entry of this.entries.values()) {
      for (const waiter of entry.requested?.waiters ?? []) waiter(false);
      entry.requested = null;
    }
  }

  get running(): boolean {
    return this.timer !== null;
  }

  get size(): number {
    return this.entries.size;
  }

  get busy(): number {
    return this.inFlight;
  }

  nextPollAt(deviceId: string): number | null {
    const entry = this.entries.get(deviceId);
    return entry ? Math.min(entry.nextHealthAt, entry.failures > 0 ? Number.POSITIVE_INFINITY : entry.nextInventoryAt) : null;
  }

  failuresOf(deviceId: string): number {
    return this.entries.get(deviceId)?.failures ?? 0;
  }

  /** Whether a poll of the device is running now. */
  isPolling(deviceId: string): boolean {
    return Boolean(this.entries.get(deviceId)?.running);
  }

  private timeoutMs(kind: PollKind): number {
    return (kind === 'inventory' ? this.plan.inventoryTimeoutSeconds : this.plan.timeoutSeconds) * 1000;
  }

  private hasRoom(entry: Entry): boolean {
    return this.inFlight < this.plan.globalConcurrency && (this.siteInFlight.get(entry.siteId) ?? 0) < this.plan.siteConcurrency;
  }

  /** The planned kind due now: inventory only for a device that answers (a failing one gets cheap health polls until it does). */
  private dueKind(entry: Entry, now: number): PollKind | null {
    if (entry.failures === 0 && entry.nextInventoryAt <= now) return 'inventory';
    return entry.nextHealthAt <= now ? 'health' : null;
  }

  /** Starts every requested, then every due poll the caps allow; due polls that must wait keep their planned time, so their lag shows. */
  tick(): void {
    const now = this.clock();
    for (const entry of this.entries.values()) {
      if (entry.running && now - entry.startedAt > this.timeoutMs(entry.running) + STUCK_GRACE_MS && entry.startedAt > 0) {
        this.stuck += 1;
        entry.startedAt = 0;
      }
    }
    for (const entry of this.entries.values()) {
      if (this.inFlight >= this.plan.globalConcurrency) return;
      if (entry.running || !entry.requested || !this.hasRoom(entry)) continue;
      const request = entry.requested;
      entry.requested = null;
      void this.launch(entry, request.kind, now, false).then((ok) => request.waiters.forEach((waiter) => waiter(ok)));
    }
    for (const entry of this.entries.values()) {
      if (this.inFlight >= this.plan.globalConcurrency) return;
      if (entry.running || entry.requested) continue;
      const kind = this.dueKind(entry, now);
      if (!kind || !this.hasRoom(entry)) continue;
      void this.launch(entry, kind, now, true);
    }
  }

  /**
   * Polls one device as soon as the caps allow, after any poll of it running
   * now (which may have read it before a change); requests made meanwhile
   * share that one poll. Resolves whether it answered; false for an unknown device.
   */
  request(deviceId: string, kind: PollKind = 'health'): Promise<boolean> {
    const entry = this.entries.get(deviceId);
    if (!entry) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      if (entry.requested) {
        if (kind === 'inventory') entry.requested.kind = 'inventory';
        entry.requested.waiters.push(resolve);
      } else entry.requested = { kind, waiters: [resolve] };
      this.tick();
    });
  }

  private launch(entry: Entry, kind: PollKind, now: number, planned: boolean): Promise<boolean> {
    if (planned) this.recordLag(Math.max(0, now - (kind === 'inventory' ? entry.nextInventoryAt : entry.nextHealthAt)));
    entry.running = kind;
    entry.startedAt = now;
    this.inFlight += 1;
    this.siteInFlight.set(entry.siteId, (this.siteInFlight.get(entry.siteId) ?? 0) + 1);
    const signal = AbortSignal.any([AbortSignal.timeout(this.timeoutMs(kind)), this.stopping.signal]);
    const siteId = entry.siteId;
    const planTime = kind === 'inventory' ? entry.nextInventoryAt : entry.nextHealthAt;
    const current = Promise.resolve()
      .then(() => this.run(entry, kind, signal))
      .catch(() => false)
      .then((ok) => {
        entry.running = null;
        this.inFlight -= 1;
        this.siteInFlight.set(siteId, (this.siteInFlight.get(siteId) ?? 1) - 1);
        this.polls += 1;
        entry.lastPollAt = now;
        this.reschedule(entry, kind, ok, planned ? planTime : this.clock());
        entry.current = null;
        // A request that waited for this poll, or a device of a full site, may start now.
        if (this.timer && (entry.requested || this.inFlight < this.plan.globalConcurrency)) queueMicrotask(() => this.tick());
        return ok;
      });
    entry.current = current;
    return current;
  }

  private reschedule(entry: Entry, kind: PollKind, ok: boolean, planned: number): void {
    const finished = this.clock();
    const jitter = () => 0.9 + this.random() * 0.2;
    if (ok) {
      entry.failures = 0;
      const interval = this.plan.healthSeconds * 1000;
      // Keep to the plan's rhythm; a device that fell a whole interval behind starts afresh from now.
      const next = planned + interval * jitter();
      entry.nextHealthAt = next > finished ? next : finished + interval * jitter();
      if (kind === 'inventory') entry.nextInventoryAt = finished + this.plan.inventorySeconds * 1000 * jitter();
      return;
    }
    this.failures += 1;
    entry.failures += 1;
    const backoff = Math.min(this.plan.healthSeconds * 1000 * 2 ** (entry.failures - 1), MAX_BACKOFF_MS);
    // The inventory stays due (if it was): it runs after the next health poll that answers.
    entry.nextHealthAt = finished + backoff * jitter();
  }

  private recordLag(ms: number): void {
    if (this.lags.length < LAG_WINDOW) this.lags.push(ms);
    else this.lags[this.lagCursor++ % LAG_WINDOW] = ms;
  }

  /** Poll lag (actual start minus planned start) over the last planned polls, in ms. */
  lagPercentile(p: number): number | null {
    if (this.lags.length === 0) return null;
    const sorted = [...this.lags].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }

  resetLag(): void {
    this.lags.length = 0;
    this.lagCursor = 0;
  }
}
