import type { PollPlan } from '../../../../shared/domain/monitoring.js';
import { repeat, type Disposable, type FailureReporter } from '../../lib/disposable.js';
import { deadline } from '../../lib/deadline.js';
import { MinHeap } from '../../lib/min-heap.js';

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

/** What exclusive work is given: a signal that aborts when its time is up, and that time. */
export interface ExclusiveSlot {
  signal: AbortSignal;
  timeoutMs: number;
}

/** What the scheduler runs, as it starts and ends: for status and for tests that check its word from outside. */
export interface SchedulerActivity {
  deviceId: string;
  siteId: string;
  work: 'poll' | 'exclusive';
  phase: 'start' | 'end';
}

/** Work on one device waiting for the device and for room under the caps. */
interface Hold {
  target: PollTarget;
  /** When it was asked for: work waits in the order it has waited. */
  since: number;
  begin: () => void;
}

interface Request {
  kind: PollKind;
  /** When it was first asked for. */
  since: number;
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
  /** The sequence number of its item in the due heap; -1 while it has none (a poll runs). */
  dueSeq: number;
  /** Dropped by setTargets: its heap item, if any, is stale. */
  removed: boolean;
}

/** An entry's place in the due heap: valid while the entry's dueSeq is still `seq`. */
interface DueItem {
  at: number;
  seq: number;
  entry: Entry;
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
 * slot, so the others keep their times. Other work on a device (a refresh,
 * an integrity read, a power action) runs through `exclusive`, so it too
 * waits for the device and counts against the caps.
 */
export class PollScheduler {
  private readonly entries = new Map<string, Entry>();
  /**
   * Devices held now, by a poll or by exclusive work, keyed by device id and
   * not by entry: a device removed and added again while its poll runs gets
   * a new entry, and must still wait for that poll.
   */
  private readonly held = new Set<string>();
  /**
   * Each idle entry once, by when its next planned poll is due: a tick looks
   * at what is due, never at every device (at ten thousand devices, a scan
   * of all of them on every finished poll was the scheduler's whole cost).
   */
  private readonly due = new MinHeap<DueItem>((item) => item.at);
  private dueSeq = 0;
  /** Entries with a poll asked for outside the plan. */
  private readonly asked = new Set<Entry>();
  /** Entries whose poll runs now. */
  private readonly runningEntries = new Set<Entry>();
  /** Exclusive work waiting, oldest first. */
  private readonly holds: Hold[] = [];
  private readonly siteInFlight = new Map<string, number>();
  private readonly watchers = new Set<(activity: SchedulerActivity) => void>();
  private inFlight = 0;
  /** The most polls and exclusive works held at once, overall and in any one site: never above the plan's caps. */
  peakInFlight = 0;
  peakSiteInFlight = 0;
  private timer: Disposable | null = null;
  private readonly lags: number[] = [];
  /** When each of `lags` was recorded. */
  private readonly lagTimes: number[] = [];
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

  private faster: ReadonlySet<string> = new Set();
  private fasterFactor = 1;

  /** These devices get health polls every healthSeconds × factor (from their next poll on); the others keep the plan. */
  setFaster(deviceIds: ReadonlySet<string>, factor: number): void {
    this.faster = deviceIds;
    this.fasterFactor = factor;
  }

  /** Adds new devices (their first polls spread over one health interval) and forgets removed ones. */
  setTargets(targets: readonly PollTarget[]): void {
    const now = this.clock();
    const wanted = new Set(targets.map((target) => target.deviceId));
    for (const [id, entry] of this.entries) {
      if (wanted.has(id)) continue;
      this.entries.delete(id);
      entry.removed = true;
      this.asked.delete(entry);
      for (const waiter of entry.requested?.waiters ?? []) waiter(false);
    }
    for (const target of targets) {
      const existing = this.entries.get(target.deviceId);
      if (existing) {
        existing.siteId = target.siteId;
        continue;
      }
      const offset = this.random() * this.plan.healthSeconds * 1000;
      const entry: Entry = { ...target, nextHealthAt: now + offset, nextInventoryAt: now + offset, running: null, current: null, requested: null, failures: 0, startedAt: 0, lastPollAt: null, dueSeq: -1, removed: false };
      this.entries.set(target.deviceId, entry);
      this.schedule(entry);
    }
  }

  /** Puts the entry in the due heap at its next planned poll (an inventory only for a device that answers). */
  private schedule(entry: Entry): void {
    entry.dueSeq = ++this.dueSeq;
    this.due.push({ at: entry.failures === 0 ? Math.min(entry.nextHealthAt, entry.nextInventoryAt) : entry.nextHealthAt, seq: entry.dueSeq, entry });
  }

  /** The earliest valid heap item due by `now`, left in the heap; stale items on top are dropped. */
  private dueBy(now: number): DueItem | null {
    for (let top = this.due.peek(); top; top = this.due.peek()) {
      if (!top.entry.removed && top.seq === top.entry.dueSeq) return top.at <= now ? top : null;
      this.due.pop();
    }
    return null;
  }

  /** Starts what is due every `tickMs` (default 100); a tick that throws is reported as "monitor.schedule", and the next one runs as planned. */
  start(report: FailureReporter, options: { tickMs?: number; recovered?: (what: string) => void } = {}): void {
    if (this.timer) return;
    this.timer = repeat('monitor.schedule', options.tickMs ?? 100, () => this.tick(), report, options.recovered);
  }

  /** Stops planning and aborts every poll in flight. */
  stop(): void {
    this.timer?.dispose();
    this.timer = null;
    // Polls asked for after this (a refresh, "poll site" from the CLI) get a signal of their own, not one already aborted.
    const stopping = this.stopping;
    this.stopping = new AbortController();
    stopping.abort();
    for (const entry of this.entries.values()) {
      for (const waiter of entry.requested?.waiters ?? []) waiter(false);
      entry.requested = null;
    }
    this.asked.clear();
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

  /** Whether a poll or exclusive work holds the device now. */
  isPolling(deviceId: string): boolean {
    return this.held.has(deviceId);
  }

  /** Follows what starts and ends (tests, diagnostics); the listener must not throw. Returns its removal. */
  watch(listener: (activity: SchedulerActivity) => void): () => void {
    this.watchers.add(listener);
    return () => void this.watchers.delete(listener);
  }

  private emit(activity: SchedulerActivity): void {
    for (const watcher of this.watchers) {
      try {
        watcher(activity);
      } catch {
        // A watcher's failure is its own: the schedule goes on.
      }
    }
  }

  private timeoutMs(kind: PollKind): number {
    return (kind === 'inventory' ? this.plan.inventoryTimeoutSeconds : this.plan.timeoutSeconds) * 1000;
  }

  private hasRoom(target: PollTarget): boolean {
    return this.inFlight < this.plan.globalConcurrency && (this.siteInFlight.get(target.siteId) ?? 0) < this.plan.siteConcurrency;
  }

  /** Takes the device and a slot of the caps; `release` gives them back. */
  private occupy(deviceId: string, siteId: string): void {
    this.held.add(deviceId);
    this.inFlight += 1;
    const site = (this.siteInFlight.get(siteId) ?? 0) + 1;
    this.siteInFlight.set(siteId, site);
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    this.peakSiteInFlight = Math.max(this.peakSiteInFlight, site);
  }

  private release(deviceId: string, siteId: string): void {
    this.held.delete(deviceId);
    this.inFlight -= 1;
    const site = (this.siteInFlight.get(siteId) ?? 1) - 1;
    if (site > 0) this.siteInFlight.set(siteId, site);
    else this.siteInFlight.delete(siteId);
    // Work waiting for this device, for this site or for any slot may start now; outside monitoring (no timer) only work asked for.
    queueMicrotask(() => (this.timer ? this.tick() : this.startAsked(this.clock())));
  }

  /** The planned kind due now: inventory only for a device that answers (a failing one gets cheap health polls until it does). */
  private dueKind(entry: Entry, now: number): PollKind | null {
    if (entry.failures === 0 && entry.nextInventoryAt <= now) return 'inventory';
    return entry.nextHealthAt <= now ? 'health' : null;
  }

  /**
   * Starts what waits, oldest first, as far as the devices and the caps
   * allow: exclusive work, requested and due polls. Due polls that must wait
   * keep their planned time, so their lag shows.
   */
  tick(): void {
    const now = this.clock();
    for (const entry of this.runningEntries) {
      if (entry.running && now - entry.startedAt > this.timeoutMs(entry.running) + STUCK_GRACE_MS && entry.startedAt > 0) {
        this.stuck += 1;
        entry.startedAt = 0;
      }
    }
    this.startWaiting(now, true);
  }

  /**
   * Starts waiting work in the order it has waited: since it was asked for
   * (exclusive work, requested polls) or since it was due (planned polls,
   * only with `planned`, i.e. while monitoring runs). Age, not kind, decides:
   * were asked-for work always first, a device whose traps keep asking for
   * polls (or a user pressing refresh on it) would hold its site's slots
   * for good, and the site's other devices would never be polled on plan.
   */
  private startWaiting(now: number, planned: boolean): void {
    if (this.inFlight >= this.plan.globalConcurrency) return;
    const asked: { since: number; target: PollTarget; start: () => void }[] = [];
    for (const hold of this.holds) {
      asked.push({
        since: hold.since,
        target: hold.target,
        start: () => {
          this.holds.splice(this.holds.indexOf(hold), 1);
          hold.begin();
        },
      });
    }
    for (const entry of this.asked) {
      const request = entry.requested;
      if (!request || this.held.has(entry.deviceId)) continue;
      asked.push({
        since: request.since,
        target: entry,
        start: () => {
          entry.requested = null;
          this.asked.delete(entry);
          void this.launch(entry, request.kind, now, false).then((ok) => request.waiters.forEach((waiter) => waiter(ok)));
        },
      });
    }
    // Stable: among equals, exclusive work (listed first) goes first.
    asked.sort((a, b) => a.since - b.since);
    // Merged with the due heap by age; due polls that cannot start now (their device or site is busy) go back as they were.
    const deferred: DueItem[] = [];
    try {
      this.startInOrder(asked, deferred, now, planned);
    } finally {
      // Whatever happened, a due poll taken from the heap goes back: a device left out of it would never be polled again.
      for (const item of deferred) this.due.push(item);
    }
  }

  private startInOrder(asked: { since: number; target: PollTarget; start: () => void }[], deferred: DueItem[], now: number, planned: boolean): void {
    let next = 0;
    while (this.inFlight < this.plan.globalConcurrency) {
      const due = planned ? this.dueBy(now) : null;
      const work = asked[next];
      if (!due && !work) break;
      if (work && (!due || work.since <= due.at)) {
        next += 1;
        if (!this.held.has(work.target.deviceId) && this.hasRoom(work.target)) work.start();
        continue;
      }
      this.due.pop();
      // Back it goes, whatever follows: if the poll starts, the item is stale by then (launch takes the entry's item away).
      deferred.push(due!);
      const entry = due!.entry;
      const kind = this.dueKind(entry, now);
      // A device with a request is polled for it (the request is the older wish, or runs with the next room).
      if (!kind || entry.requested || this.held.has(entry.deviceId) || !this.hasRoom(entry)) continue;
      void this.launch(entry, kind, now, true);
    }
  }

  private startAsked(now: number): void {
    this.startWaiting(now, false);
  }

  /** Starts what was asked for (requests, exclusive work) as far as the caps allow; never the plan's due polls. */
  startRequested(): void {
    this.startAsked(this.clock());
  }

  /**
   * Runs work on one device (a refresh, an integrity read, a power action)
   * as a poll would run: after any poll or other work on the device, never
   * beside it, and within the global and per-site caps. Its signal aborts at
   * `timeoutMs` (the plan's inventory timeout by default); the device stays
   * held until the work settles. Not reentrant: work must not ask for its
   * own device again, it would wait for itself.
   */
  exclusive<T>(target: PollTarget, work: (slot: ExclusiveSlot) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const { deviceId, siteId } = target;
    return new Promise<T>((resolve, reject) => {
      const begin = () => {
        this.occupy(deviceId, siteId);
        const timeoutMs = options.timeoutMs ?? this.timeoutMs('inventory');
        this.emit({ deviceId, siteId, work: 'exclusive', phase: 'start' });
        const settle = (outcome: () => void) => {
          this.emit({ deviceId, siteId, work: 'exclusive', phase: 'end' });
          // Released before the caller goes on, so what it does next on the device (power, then refresh) finds it free.
          this.release(deviceId, siteId);
          outcome();
        };
        Promise.resolve()
          .then(() => work({ signal: AbortSignal.timeout(timeoutMs), timeoutMs }))
          .then(
            (value) => settle(() => resolve(value)),
            (error: unknown) => settle(() => reject(error)),
          );
      };
      this.holds.push({ target: { deviceId, siteId }, since: this.clock(), begin });
      this.startAsked(this.clock());
    });
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
      } else entry.requested = { kind, since: this.clock(), waiters: [resolve] };
      this.asked.add(entry);
      // Outside monitoring only what was asked for starts, never the plan's due polls.
      if (this.timer) this.tick();
      else this.startAsked(this.clock());
    });
  }

  private launch(entry: Entry, kind: PollKind, now: number, planned: boolean): Promise<boolean> {
    if (planned) this.recordLag(Math.max(0, now - (kind === 'inventory' ? entry.nextInventoryAt : entry.nextHealthAt)));
    entry.running = kind;
    entry.startedAt = now;
    // Its heap item, if it had one (a poll asked for), is stale now; one is made when the poll ends.
    entry.dueSeq = -1;
    this.runningEntries.add(entry);
    const { deviceId, siteId } = entry;
    this.occupy(deviceId, siteId);
    // One controller and one timer per poll, let go when it settles (AbortSignal.any over a timeout signal cost more than the scheduling).
    const { signal, release: settled } = deadline(this.timeoutMs(kind), this.stopping.signal);
    const planTime = kind === 'inventory' ? entry.nextInventoryAt : entry.nextHealthAt;
    this.emit({ deviceId, siteId, work: 'poll', phase: 'start' });
    const current = Promise.resolve()
      .then(() => this.run({ deviceId, siteId }, kind, signal))
      .catch(() => false)
      .then((ok) => {
        settled();
        this.emit({ deviceId, siteId, work: 'poll', phase: 'end' });
        entry.running = null;
        this.runningEntries.delete(entry);
        this.polls += 1;
        entry.lastPollAt = now;
        this.reschedule(entry, kind, ok, planned ? planTime : this.clock());
        if (!entry.removed) this.schedule(entry);
        entry.current = null;
        // A request that waited for this poll, work waiting for the device, or a device of a full site may start now.
        this.release(deviceId, siteId);
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
      const interval = this.plan.healthSeconds * 1000 * (this.faster.has(entry.deviceId) ? this.fasterFactor : 1);
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
    if (this.lags.length < LAG_WINDOW) {
      this.lags.push(ms);
      this.lagTimes.push(this.clock());
    } else {
      const slot = this.lagCursor++ % LAG_WINDOW;
      this.lags[slot] = ms;
      this.lagTimes[slot] = this.clock();
    }
  }

  /** Poll lag (actual start minus planned start) over the last planned polls (those started since `since`, if given), in ms. */
  lagPercentile(p: number, since?: number): number | null {
    const lags = since === undefined ? this.lags : this.lags.filter((_, slot) => this.lagTimes[slot]! >= since);
    if (lags.length === 0) return null;
    const sorted = [...lags].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }

  resetLag(): void {
    this.lags.length = 0;
    this.lagTimes.length = 0;
    this.lagCursor = 0;
  }
}
