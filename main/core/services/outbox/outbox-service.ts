import type { Database } from 'better-sqlite3';
import type { AppEvent } from '../../../../shared/domain/events.js';
import { repeat, type Disposable, type FailureReporter } from '../../lib/disposable.js';
import { NotFoundError } from '../../errors.js';
import { OutboxStore, type OutboxRow, type OutboxState } from './outbox-store.js';

/**
 * Remote work for sites, durable: every action is a row in SQLite, run one
 * at a time per site, in the order queued, when the site can be reached.
 * A site that cannot be reached keeps its actions queued ("offline since
 * …") and is tried again on a timer and whenever something says it may be
 * back (the monitor's site changes). An action EdgeCab was running when it
 * stopped (or was killed) runs again at the next start, so actions are
 * written to be repeatable. Apps use it now; firmware and backup will.
 */

/** An action that lost its site mid-way this many times fails instead of trying again for ever. */
export const MAX_ATTEMPTS = 20;

/** Thrown by an action when its site cannot be reached: the action stays queued and is tried again. */
export class SiteUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteUnreachableError';
  }
}

export interface OutboxContext {
  id: number;
  siteId: string;
  attempt: number;
  signal: AbortSignal;
}

export interface OutboxAction<P> {
  /** Checks the payload read back from the database (a row is input like any other). */
  parse(payload: unknown): P;
  /** Whether the site can be reached for this action now (cheap: a ping). */
  reachable(siteId: string, signal: AbortSignal): Promise<boolean>;
  /** Does the work; what it returns is the recorded outcome. `failed: true` in it marks the action failed. */
  run(payload: P, context: OutboxContext): Promise<{ failed?: boolean; detail?: string | null } & Record<string, unknown>>;
}

export interface OutboxItem {
  id: number;
  siteId: string;
  action: string;
  groupId: string | null;
  state: OutboxState;
  attempts: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Set while the site could not be reached: since when. */
  offlineSince: string | null;
  lastError: string | null;
  outcome: unknown;
  queuedBy: string | null;
}

function toItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    siteId: row.site_id,
    action: row.action,
    groupId: row.group_id,
    state: row.state,
    attempts: row.attempts,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    offlineSince: row.offline_since,
    lastError: row.last_error,
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as unknown),
    queuedBy: row.queued_by,
  };
}

export class OutboxService implements Disposable {
  private readonly store: OutboxStore;
  private readonly actions = new Map<string, OutboxAction<unknown>>();
  /** Sites with a drain in progress: one runner per site. */
  private readonly draining = new Map<string, Promise<void>>();
  private readonly running = new Map<number, AbortController>();
  private readonly listeners = new Set<(item: OutboxItem) => void>();
  private timer: Disposable | null = null;
  private stopped = false;
  private events: ((signal: AbortSignal) => AsyncIterable<AppEvent>) | null = null;
  private following: AbortController | null = null;

  constructor(
    db: Database,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
    private readonly recovered: (what: string) => void = () => undefined,
  ) {
    this.store = new OutboxStore(db);
  }

  /** Where site changes come from (the event bus): a changed site is tried at once, not at the next timer. */
  follow(events: (signal: AbortSignal) => AsyncIterable<AppEvent>): void {
    this.events = events;
  }

  register<P>(name: string, action: OutboxAction<P>): void {
    this.actions.set(name, action as OutboxAction<unknown>);
  }

  /** Starts working: what a stopped process left running is queued again, and every waiting site is tried now and every `retryMs`. */
  start(retryMs = 15_000): void {
    this.stopped = false;
    this.store.recover();
    this.kickAll();
    this.timer ??= repeat('outbox.retry', retryMs, () => this.kickAll(), this.report, this.recovered);
    if (this.events && !this.following) {
      const following = new AbortController();
      this.following = following;
      const events = this.events;
      void (async () => {
        for await (const event of events(following.signal)) {
          if (event.type === 'site.changed' && 'siteId' in event && typeof event.siteId === 'string' && this.store.next(event.siteId)?.state === 'queued') this.kick(event.siteId);
        }
      })().catch((error: unknown) => {
        if (!following.signal.aborted) this.report('outbox: following site changes', error);
      });
    }
  }

  enqueue(siteId: string, action: string, payload: unknown, options: { groupId?: string | null; by?: string | null } = {}): OutboxItem {
    const handler = this.actions.get(action);
    if (!handler) throw new Error(`no outbox action "${action}"`);
    handler.parse(payload);
    const id = this.store.insert(siteId, action, payload, options.groupId ?? null, this.now().toISOString(), options.by ?? null);
    const item = this.item(id);
    this.notify(item);
    this.kick(siteId);
    return item;
  }

  item(id: number): OutboxItem {
    const row = this.store.get(id);
    if (!row) throw new NotFoundError('outbox item', String(id));
    return toItem(row);
  }

  list(filter: { siteId?: string | null; groupId?: string | null; limit?: number } = {}): OutboxItem[] {
    return this.store.list(filter.siteId ?? null, filter.groupId ?? null, filter.limit ?? 200).map(toItem);
  }

  /** Drops a group's queued actions (a cancelled rollout) and stops its running ones. */
  cancelGroup(groupId: string): number {
    const cancelled = this.store.cancelGroup(groupId, this.now().toISOString());
    for (const item of this.list({ groupId, limit: 10_000 })) {
      if (item.state === 'running') this.running.get(item.id)?.abort();
    }
    return cancelled;
  }

  onChange(listener: (item: OutboxItem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Something says the site may be reachable now (the monitor saw it): try its queue. */
  kick(siteId: string): void {
    if (this.stopped || this.draining.has(siteId)) return;
    const drain = this.drain(siteId)
      .catch((error: unknown) => this.report(`outbox ${siteId}`, error))
      .finally(() => this.draining.delete(siteId));
    this.draining.set(siteId, drain);
  }

  private kickAll(): void {
    for (const siteId of this.store.sitesWaiting()) this.kick(siteId);
  }

  /** Waits until no site's queue is being worked on (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.all([...this.draining.values()]);
  }

  private notify(item: OutboxItem): void {
    for (const listener of this.listeners) {
      try {
        listener(item);
      } catch (error) {
        this.report('outbox listener', error);
      }
    }
  }

  private async drain(siteId: string): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const row = this.store.next(siteId);
      if (!row || row.state !== 'queued') return;
      const handler = this.actions.get(row.action);
      const at = () => this.now().toISOString();
      if (!handler) {
        this.store.finish(row.id, 'failed', at(), null, `no handler for "${row.action}" in this EdgeCab`);
        this.notify(this.item(row.id));
        continue;
      }
      let payload: unknown;
      try {
        payload = handler.parse(JSON.parse(row.payload));
      } catch (error) {
        this.store.finish(row.id, 'failed', at(), null, `its payload is not valid: ${(error as Error).message}`);
        this.notify(this.item(row.id));
        continue;
      }
      if (row.attempts >= MAX_ATTEMPTS) {
        this.store.finish(row.id, 'failed', at(), null, `gave up after ${row.attempts} attempts that each lost the site mid-way: ${row.last_error ?? ''}`);
        this.notify(this.item(row.id));
        continue;
      }
      const controller = new AbortController();
      const probe = AbortSignal.any([controller.signal, AbortSignal.timeout(15_000)]);
      let reachable = false;
      let unreachable = 'the site cannot be reached';
      try {
        reachable = await handler.reachable(siteId, probe);
      } catch (error) {
        reachable = false;
        // Kept as the item's last error, so a site that answers nothing says so in its own words (refused, timed out, not an engine).
        unreachable = `the site cannot be reached: ${(error as Error).message}`;
      }
      if (this.stopped) return;
      if (!reachable) {
        this.store.markWaiting(row.id, at(), unreachable);
        this.notify(this.item(row.id));
        return;
      }
      if (!this.store.start(row.id, at())) continue;
      this.running.set(row.id, controller);
      this.notify(this.item(row.id));
      try {
        const outcome = await handler.run(payload, { id: row.id, siteId, attempt: row.attempts + 1, signal: controller.signal });
        // Stopping: the row stays running and start() queues it again (the database may be closing now).
        if (this.stopped) return;
        if (controller.signal.aborted) this.store.finish(row.id, 'cancelled', at(), outcome, 'cancelled while it ran');
        else this.store.finish(row.id, outcome.failed ? 'failed' : 'done', at(), outcome, outcome.failed ? (outcome.detail ?? 'failed') : null);
      } catch (error) {
        // Shutting down is not a cancel: the action runs again at the next start.
        if (this.stopped) return;
        if (error instanceof SiteUnreachableError && !controller.signal.aborted) {
          // Lost the site mid-way: it runs again, from the start, when the site is back.
          this.store.requeue(row.id, at(), error.message);
          this.notify(this.item(row.id));
          return;
        }
        this.store.finish(row.id, controller.signal.aborted ? 'cancelled' : 'failed', at(), null, (error as Error).message);
      } finally {
        this.running.delete(row.id);
      }
      this.notify(this.item(row.id));
    }
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    this.following?.abort();
    this.following = null;
    this.timer?.dispose();
    this.timer = null;
    for (const controller of this.running.values()) controller.abort();
    await Promise.allSettled([...this.draining.values()]);
  }
}
