import type { PollPlan } from '../../../../shared/domain/monitoring.js';

export type PollKind = 'health' | 'inventory';

export interface PollTarget {
  deviceId: string;
  siteId: string;
}

/** Runs one poll; resolves true when the device answered. It should give up when the signal aborts. */
export type PollRunner = (target: PollTarget, kind: PollKind, signal: AbortSignal) => Promise<boolean>;

interface Entry extends PollTarget {
  nextHealthAt: number;
  nextInventoryAt: number;
  running: boolean;
  current: Promise<boolean> | null;
  failures: number;
  lastPollAt: number | null;
}

const MAX_BACKOFF_MS = 15 * 60 * 1000;
const LAG_WINDOW = 20_000;

/**
 * Decides when each device is polled: health every plan.healthSeconds and
 * inventory every plan.inventorySeconds, spread with jitter; at most
 * plan.globalConcurrency polls at once and plan.siteConcurrency per site; one
 * poll per device at a time; unreachable devices back off exponentially. A
 * slow device holds only its own slot, so the others keep their times.
 */
export class PollScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly siteInFlight = new Map<string, number>();
  private inFlight = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly lags: number[] = [];
  private lagCursor = 0;
  polls = 0;
  failures = 0;

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
    for (const id of this.entries.keys()) if (!wanted.has(id)) this.entries.delete(id);
    for (const target of targets) {
      const existing = this.entries.get(target.deviceId);
      if (existing) {
        existing.siteId = target.siteId;
        continue;
      }
      const offset = this.random() * this.plan.healthSeconds * 1000;
      this.entries.set(target.deviceId, { ...target, nextHealthAt: now + offset, nextInventoryAt: now + offset, running: false, current: null, failures: 0, lastPollAt: null });
    }
  }

  start(tickMs = 100): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
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
    return entry ? Math.min(entry.nextHealthAt, entry.nextInventoryAt) : null;
  }

  failuresOf(deviceId: string): number {
    return this.entries.get(deviceId)?.failures ?? 0;
  }

  /** Starts every due poll the caps allow; due polls that must wait keep their planned time, so their lag shows. */
  tick(): void {
    const now = this.clock();
    for (const entry of this.entries.values()) {
      if (this.inFlight >= this.plan.globalConcurrency) return;
      if (entry.running) continue;
      const kind: PollKind | null = entry.nextInventoryAt <= now ? 'inventory' : entry.nextHealthAt <= now ? 'health' : null;
      if (!kind) continue;
      if ((this.siteInFlight.get(entry.siteId) ?? 0) >= this.plan.siteConcurrency) continue;
      this.launch(entry, kind, now);
    }
  }

  /** Polls one device now, outside its plan (e.g. the user pressed refresh); false when it is already being polled. */
  pollNow(deviceId: string, kind: PollKind = 'health'): Promise<boolean> | false {
    const entry = this.entries.get(deviceId);
    if (!entry || entry.running) return false;
    return this.launch(entry, kind, this.clock());
  }

  /** Polls one device now, after the poll already running (which may have read it before a change) finishes. */
  async pollFresh(deviceId: string, kind: PollKind = 'health'): Promise<boolean> {
    const entry = this.entries.get(deviceId);
    if (!entry) return false;
    while (entry.running && entry.current) await entry.current;
    return this.launch(entry, kind, this.clock());
  }

  private launch(entry: Entry, kind: PollKind, now: number): Promise<boolean> {
    const planned = kind === 'inventory' ? entry.nextInventoryAt : entry.nextHealthAt;
    this.recordLag(Math.max(0, now - planned));
    entry.running = true;
    this.inFlight += 1;
    this.siteInFlight.set(entry.siteId, (this.siteInFlight.get(entry.siteId) ?? 0) + 1);
    const signal = AbortSignal.timeout(this.plan.timeoutSeconds * 1000);
    const siteId = entry.siteId;
    const current = this.run(entry, kind, signal)
      .catch(() => false)
      .then((ok) => {
        entry.running = false;
        this.inFlight -= 1;
        this.siteInFlight.set(siteId, (this.siteInFlight.get(siteId) ?? 1) - 1);
        this.polls += 1;
        entry.lastPollAt = now;
        const finished = this.clock();
        const jitter = () => 0.9 + this.random() * 0.2;
        if (ok) {
          entry.failures = 0;
          const interval = this.plan.healthSeconds * 1000;
          // Keep to the plan's rhythm; a device that fell a whole interval behind starts afresh from now.
          const next = planned + interval * jitter();
          entry.nextHealthAt = next > finished ? next : finished + interval * jitter();
          if (kind === 'inventory') entry.nextInventoryAt = finished + this.plan.inventorySeconds * 1000 * jitter();
        } else {
          this.failures += 1;
          entry.failures += 1;
          const backoff = Math.min(this.plan.healthSeconds * 1000 * 2 ** (entry.failures - 1), MAX_BACKOFF_MS);
          entry.nextHealthAt = finished + backoff * jitter();
          if (kind === 'inventory') entry.nextInventoryAt = entry.nextHealthAt;
        }
        entry.current = null;
        return ok;
      });
    entry.current = current;
    return current;
  }

  private recordLag(ms: number): void {
    if (this.lags.length < LAG_WINDOW) this.lags.push(ms);
    else this.lags[this.lagCursor++ % LAG_WINDOW] = ms;
  }

  /** Poll lag (actual start minus planned start) over the last polls, in ms. */
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
