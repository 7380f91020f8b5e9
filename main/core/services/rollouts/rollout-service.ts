import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { ParameterValue } from '../../../../shared/domain/apps.js';
import {
  asRolloutMessages,
  inWindow,
  parseRolloutMessages,
  plainText,
  RolloutInput,
  rolloutText,
  type RolloutDetail,
  type RolloutPlan,
  type RolloutSite,
  type RolloutSiteState,
  type RolloutSpec,
  type RolloutState,
  type RolloutSummary,
  type RolloutText,
} from '../../../../shared/domain/rollouts.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import { repeat, type FailureReporter } from '../../lib/disposable.js';
import type { AppRepository } from '../apps/app-repository.js';
import type { SiteApps } from '../apps/site-apps.js';
import type { OutboxItem, OutboxService } from '../outbox/outbox-service.js';
import type { RolloutPlanner, TargetSite } from './rollout-plan.js';

interface RolloutRow {
  id: string;
  name: string;
  app_id: string;
  version: string;
  spec: string;
  state: RolloutState;
  detail: string | null;
  detail_messages: string | null;
  failures_acknowledged: number;
  created_at: string;
  created_by: string | null;
  finished_at: string | null;
}

interface SiteRow {
  rollout_id: string;
  site_id: string;
  code: string;
  name: string;
  wave: number;
  action: 'install' | 'upgrade' | 'nothing';
  from_version: string | null;
  from_parameters: string | null;
  parameters: string;
  state: RolloutSiteState;
  detail: string | null;
  detail_messages: string | null;
  outbox_id: number | null;
  rollback_outbox_id: number | null;
  updated_at: string;
}

/** A site's part is over: nothing of the rollout runs there any more. */
const FINAL = new Set<RolloutSiteState>(['healthy', 'unhealthy', 'failed', 'rolled_back', 'skipped', 'cancelled', 'reverted']);
const FAILED = new Set<RolloutSiteState>(['failed', 'rolled_back', 'unhealthy']);
const OPEN_ROLLOUT = new Set<RolloutState>(['running', 'paused', 'rolling_back']);
/** Nothing of the rollout runs any more (a stopped one may still be resumed). */
const ENDED_ROLLOUT = new Set<RolloutState>(['completed', 'cancelled', 'rolled_back', 'stopped']);

/** "1 site", "2 sites". */
const siteCount = (count: number) => `${count} site${count === 1 ? '' : 's'}`;

/** What an outbox action that ended said: its outcome's detail (with its messages), else its error as it is. */
function outcomeText(item: OutboxItem, fallback: RolloutText): RolloutText {
  const outcome = (item.outcome ?? {}) as { detail?: unknown; detailMessages?: unknown };
  if (typeof outcome.detail === 'string') return { text: outcome.detail, messages: asRolloutMessages(outcome.detailMessages) };
  return item.lastError ? plainText(item.lastError) : fallback;
}

const rollbackGroup = (id: string) => `${id}/rollback`;

/**
 * Rollouts: a release taken to many sites wave by wave through the outbox
 * (so an offline site waits in its queue and a restart loses nothing).
 * Everything is decided from the database each time something changes
 * (an outbox action ends, the window opens, a user pauses), so the same
 * decision is made after a restart as before it.
 */
export class RolloutService implements Disposable {
  private readonly statements: {
    insert: Statement;
    insertSite: Statement;
    get: Statement<[string], RolloutRow>;
    list: Statement<[], RolloutRow>;
    open: Statement<[], { id: string }>;
    sites: Statement<[string], SiteRow>;
    setState: Statement;
    setSite: Statement;
    acknowledge: Statement;
    siteApp: Statement<[string, string], { state: string; detail: string | null; detail_messages: string | null; bytes_sent: number | null; bytes_total: number | null; outbox_id: number | null }>;
  };
  private timer: ReturnType<typeof repeat> | null = null;
  private stopListening: (() => void) | null = null;
  private readonly advancing = new Set<string>();
  private readonly again = new Set<string>();
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly repository: AppRepository,
    private readonly siteApps: SiteApps,
    private readonly outbox: OutboxService,
    private readonly planner: RolloutPlanner,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
    private readonly recovered: (what: string) => void = () => undefined,
  ) {
    this.statements = {
      insert: db.prepare('INSERT INTO rollouts (id, name, app_id, version, spec, state, created_at, created_by) VALUES (@id, @name, @appId, @version, @spec, @state, @at, @by)'),
      insertSite: db.prepare(
        'INSERT INTO rollout_sites (rollout_id, site_id, wave, action, from_version, from_parameters, parameters, state, detail, detail_messages, updated_at) VALUES (@rolloutId, @siteId, @wave, @action, @fromVersion, @fromParameters, @parameters, @state, @detail, @detailMessages, @at)',
      ),
      get: db.prepare('SELECT * FROM rollouts WHERE id = ?'),
      list: db.prepare('SELECT * FROM rollouts ORDER BY created_at DESC, id LIMIT 200'),
      open: db.prepare("SELECT id FROM rollouts WHERE state IN ('running', 'rolling_back')"),
      sites: db.prepare('SELECT rs.*, s.code, s.name FROM rollout_sites rs JOIN sites s ON s.id = rs.site_id WHERE rs.rollout_id = ? ORDER BY rs.wave, s.code'),
      setState: db.prepare('UPDATE rollouts SET state = @state, detail = @detail, detail_messages = @detailMessages, finished_at = @finishedAt WHERE id = @id'),
      setSite: db.prepare(
        'UPDATE rollout_sites SET state = @state, detail = @detail, detail_messages = @detailMessages, outbox_id = COALESCE(@outboxId, outbox_id), rollback_outbox_id = COALESCE(@rollbackOutboxId, rollback_outbox_id), updated_at = @at WHERE rollout_id = @rolloutId AND site_id = @siteId',
      ),
      acknowledge: db.prepare('UPDATE rollouts SET failures_acknowledged = @count WHERE id = @id'),
      siteApp: db.prepare('SELECT state, detail, detail_messages, bytes_sent, bytes_total, outbox_id FROM site_apps WHERE site_id = ? AND app_id = ?'),
    };
  }

  /** Works on open rollouts now, whenever one of their outbox actions changes, and every `tickMs` (a maintenance window opening). */
  start(tickMs = 30_000): void {
    this.stopped = false;
    this.stopListening ??= this.outbox.onChange((item) => this.onOutbox(item));
    this.timer ??= repeat('rollouts.advance', tickMs, () => this.advanceOpen(), this.report, this.recovered);
    this.advanceOpen();
  }

  /** The target sites of a rollout, resolved now (for the caller's permission check). */
  targets(input: RolloutInput): TargetSite[] {
    return this.planner.targets(this.parse(input).targets);
  }

  plan(input: RolloutInput): RolloutPlan {
    const spec = this.parse(input);
    return this.planner.plan(this.repository.verifiedRelease(spec.appId, spec.version), spec, this.planner.targets(spec.targets)).plan;
  }

  /** Plans the rollout and starts it; refused when no site would get anything. */
  create(input: RolloutInput, by: string | null): RolloutDetail {
    const spec = this.parse(input);
    const release = this.repository.verifiedRelease(spec.appId, spec.version);
    const { sites } = this.planner.plan(release, spec, this.planner.targets(spec.targets));
    if (!sites.some((site) => site.wave >= 0)) {
      throw new ConflictError(sites.length === 0 ? 'No site matches the targets' : `None of the ${sites.length} target sites can take ${spec.appId} ${spec.version}: each has nothing to do or a conflict (see the dry run)`, 'targets');
    }
    const id = randomUUID();
    const at = this.now().toISOString();
    this.db.transaction(() => {
      this.statements.insert.run({ id, name: spec.name ?? `${spec.appId} ${spec.version}`, appId: spec.appId, version: spec.version, spec: JSON.stringify(spec), state: 'running', at, by });
      for (const site of sites) {
        const skipped = site.wave < 0;
        const detail: RolloutText | null = !skipped
          ? null
          : site.conflicts.length > 0
            ? { text: site.conflicts.join('; '), messages: site.conflictMessages }
            : rolloutText('already runs this version', 'alreadyRunning');
        this.statements.insertSite.run({
          rolloutId: id,
          siteId: site.siteId,
          wave: site.wave,
          action: site.action,
          fromVersion: site.currentVersion,
          fromParameters: site.fromParameters ? JSON.stringify(site.fromParameters) : null,
          parameters: JSON.stringify(site.parameters),
          state: skipped ? 'skipped' : 'pending',
          detail: detail?.text ?? null,
          detailMessages: JSON.stringify(detail?.messages ?? []),
          at,
        });
      }
    })();
    this.advance(id);
    return this.get(id);
  }

  list(): RolloutSummary[] {
    return this.statements.list.all().map((row) => this.summary(row, this.statements.sites.all(row.id)));
  }

  get(id: string): RolloutDetail {
    const row = this.row(id);
    const sites = this.statements.sites.all(id);
    return { ...this.summary(row, sites), spec: JSON.parse(row.spec) as unknown, sites: sites.map((site) => this.siteView(row, site)) };
  }

  /** The site ids a rollout touches (for permission checks). */
  siteIds(id: string): string[] {
    this.row(id);
    return this.statements.sites.all(id).map((site) => site.site_id);
  }

  /** No further site starts; those running finish. */
  pause(id: string): RolloutDetail {
    const row = this.row(id);
    if (row.state !== 'running') throw new ConflictError(`The rollout is ${row.state}; only a running rollout can be paused`, 'state');
    this.setState(id, 'paused', rolloutText('paused by hand', 'pausedByHand'));
    return this.get(id);
  }

  /** Goes on from where it stopped (the failures so far are accepted). */
  resume(id: string): RolloutDetail {
    const row = this.row(id);
    if (row.state !== 'paused' && row.state !== 'stopped') throw new ConflictError(`The rollout is ${row.state}; only a paused or stopped rollout can be resumed`, 'state');
    const failures = this.statements.sites.all(id).filter((site) => FAILED.has(site.state)).length;
    this.statements.acknowledge.run({ id, count: failures });
    this.setState(id, 'running', null);
    this.advance(id);
    return this.get(id);
  }

  /** Drops every queued action and stops the running ones (each leaves its site running what it ran before). */
  cancel(id: string): RolloutDetail {
    const row = this.row(id);
    if (!OPEN_ROLLOUT.has(row.state) && row.state !== 'stopped') throw new ConflictError(`The rollout is ${row.state} already`, 'state');
    this.setState(id, 'cancelled', rolloutText('cancelled by hand', 'cancelledByHand'), true);
    this.outbox.cancelGroup(id);
    this.outbox.cancelGroup(rollbackGroup(id));
    this.sync(id);
    for (const site of this.statements.sites.all(id)) if (site.state === 'pending' || site.state === 'waiting') this.setSite(id, site.site_id, 'cancelled', rolloutText('not started: the rollout was cancelled', 'notStartedCancelled'));
    return this.get(id);
  }

  /**
   * Takes every site back to what it ran before the rollout: the previous
   * version (with its own parameters) where it upgraded, the app removed
   * where it installed. What has not run is dropped.
   */
  rollback(id: string): RolloutDetail {
    const row = this.row(id);
    if (row.state === 'rolling_back' || row.state === 'rolled_back') throw new ConflictError(`The rollout is ${row.state.replace('_', ' ')} already`, 'state');
    this.outbox.cancelGroup(id);
    this.setState(id, 'rolling_back', rolloutText('rolling back by hand', 'rollingBackByHand'));
    this.sync(id);
    for (const site of this.statements.sites.all(id)) {
      if (site.state === 'pending' || site.state === 'waiting') this.setSite(id, site.site_id, 'cancelled', rolloutText('not started: the rollout was rolled back', 'notStartedRolledBack'));
    }
    this.advance(id);
    return this.get(id);
  }

  /** Each target site's state in the rollout (for the map). */
  siteStates(id: string): Record<string, RolloutSiteState> {
    const row = this.row(id);
    return Object.fromEntries(this.statements.sites.all(id).map((site) => [site.site_id, this.siteView(row, site).state]));
  }

  private parse(input: RolloutInput): RolloutSpec {
    const parsed = RolloutInput.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), code: 'invalid', message: issue.message })));
    return parsed.data;
  }

  private row(id: string): RolloutRow {
    const row = this.statements.get.get(id);
    if (!row) throw new NotFoundError('rollout', id);
    return row;
  }

  private setState(id: string, state: RolloutState, detail: RolloutText | null, finished = false): void {
    this.statements.setState.run({ id, state, detail: detail?.text ?? null, detailMessages: JSON.stringify(detail?.messages ?? []), finishedAt: finished ? this.now().toISOString() : null });
    // An ended rollout starts no transfer: its slots would otherwise stay for as long as EdgeCab runs.
    if (ENDED_ROLLOUT.has(state)) this.siteApps.releaseTransferSlots(id);
  }

  private setSite(rolloutId: string, siteId: string, state: RolloutSiteState, detail: RolloutText | null, ids: { outboxId?: number; rollbackOutboxId?: number } = {}): void {
    this.statements.setSite.run({ rolloutId, siteId, state, detail: detail?.text ?? null, detailMessages: JSON.stringify(detail?.messages ?? []), outboxId: ids.outboxId ?? null, rollbackOutboxId: ids.rollbackOutboxId ?? null, at: this.now().toISOString() });
  }

  private onOutbox(item: OutboxItem): void {
    if (!item.groupId || this.stopped) return;
    const id = item.groupId.endsWith('/rollback') ? item.groupId.slice(0, -'/rollback'.length) : item.groupId;
    if (item.state === 'done' || item.state === 'failed' || item.state === 'cancelled') queueMicrotask(() => this.advance(id));
  }

  private advanceOpen(): void {
    if (this.stopped || !this.db.open) return;
    for (const { id } of this.statements.open.all()) this.advance(id);
  }

  /** Decides what happens next, from the database; never two at once for a rollout (a change meanwhile runs it again). */
  private advance(id: string): void {
    if (this.stopped || !this.db.open) return;
    if (this.advancing.has(id)) {
      this.again.add(id);
      return;
    }
    this.advancing.add(id);
    try {
      do {
        this.again.delete(id);
        this.step(id);
      } while (this.again.has(id));
    } catch (error) {
      this.report(`rollout ${id}`, error);
    } finally {
      this.advancing.delete(id);
    }
  }

  /** Records what the rollout's finished outbox actions did at their sites. */
  private sync(id: string): void {
    const row = this.row(id);
    for (const site of this.statements.sites.all(id)) {
      if (site.state === 'reverting' && site.rollback_outbox_id !== null) {
        const item = this.outbox.item(site.rollback_outbox_id);
        if (item.state === 'done')
          this.setSite(id, site.site_id, 'reverted', site.action === 'install' ? rolloutText(`${row.app_id} removed`, 'appRemoved', { app: row.app_id }) : rolloutText(`back on ${site.from_version}`, 'backOn', { version: site.from_version ?? '' }));
        else if (item.state === 'failed' || item.state === 'cancelled') {
          const why = item.lastError ?? item.state;
          // The outbox's error is the outcome's detail when there is one: its messages say the same.
          const reason = item.state === 'failed' ? outcomeText(item, plainText(why)) : item.lastError ? plainText(item.lastError) : rolloutText('cancelled', 'cancelled');
          this.setSite(id, site.site_id, 'failed', { text: `going back failed: ${why}`, messages: [{ key: 'goingBackFailed', params: {} }, ...(reason.messages.length > 0 ? reason.messages : plainText(why).messages)] });
        }
        continue;
      }
      if (FINAL.has(site.state) || site.outbox_id === null) continue;
      const item = this.outbox.item(site.outbox_id);
      if (item.state === 'queued' || item.state === 'running') continue;
      const outcome = (item.outcome ?? {}) as { state?: string };
      if (item.state === 'done') this.setSite(id, site.site_id, 'healthy', null);
      else if (item.state === 'cancelled') this.setSite(id, site.site_id, 'cancelled', rolloutText('stopped: the rollout was cancelled or rolled back; the site runs what it ran before', 'stoppedByRollout'));
      else this.setSite(id, site.site_id, outcome.state === 'rolled_back' ? 'rolled_back' : 'failed', outcomeText(item, rolloutText('failed', 'failed')));
    }
  }

  private step(id: string): void {
    const row = this.row(id);
    if (row.state !== 'running' && row.state !== 'rolling_back') return;
    this.sync(id);
    const spec = JSON.parse(row.spec) as RolloutSpec;
    const sites = this.statements.sites.all(id);
    if (row.state === 'rolling_back') return this.stepBack(row, sites);

    const failures = sites.filter((site) => FAILED.has(site.state)).length;
    const open = sites.filter((site) => !FINAL.has(site.state));
    if (failures >= spec.failureThreshold + row.failures_acknowledged) {
      const running = open.filter((site) => site.state !== 'pending' && site.state !== 'waiting').length;
      if (running > 0) return; // The wave's running sites finish first; then the rollout stops.
      this.setState(id, 'stopped', rolloutText(`${siteCount(failures)} failed (threshold ${spec.failureThreshold}): no further site was started`, 'thresholdReached', { failures, threshold: spec.failureThreshold }), true);
      return;
    }
    if (spec.onFailure === 'pause' && failures > row.failures_acknowledged) {
      this.setState(id, 'paused', rolloutText(`paused: ${siteCount(failures)} failed; resume to go on, or roll back`, 'pausedOnFailure', { failures }));
      return;
    }
    if (open.length === 0) {
      const healthy = sites.filter((site) => site.state === 'healthy').length;
      this.setState(id, 'completed', rolloutText(`${siteCount(healthy)} healthy, ${failures} failed`, 'completedCounts', { healthy, failures }), true);
      return;
    }
    const wave = Math.min(...open.map((site) => site.wave));
    const windowOpen = spec.window === null || inWindow(spec.window, this.now());
    for (const site of open.filter((each) => each.wave === wave)) {
      if (site.state !== 'pending' && site.state !== 'waiting') continue;
      if (!windowOpen) {
        const { start, end, timeZone } = spec.window!;
        if (site.state !== 'waiting') this.setSite(id, site.site_id, 'waiting', rolloutText(`waiting for the maintenance window ${start}–${end} (${timeZone})`, 'waitingWindow', { start, end, timeZone }));
        continue;
      }
      try {
        const item = this.siteApps.deploy(
          site.site_id,
          {
            appId: row.app_id,
            version: row.version,
            parameters: JSON.parse(site.parameters) as Record<string, ParameterValue>,
            rolloutId: id,
            stableSeconds: spec.stableSeconds,
            startTimeoutSeconds: spec.startTimeoutSeconds,
            stopSeconds: spec.stopSeconds,
            rollbackOnFailure: spec.onFailure === 'rollback',
            maxConcurrentTransfers: spec.maxConcurrentTransfers,
            bandwidthKBps: spec.bandwidthKBps,
          },
          row.created_by,
        );
        this.setSite(id, site.site_id, 'queued', null, { outboxId: item.id });
      } catch (error) {
        const message = (error as Error).message;
        this.setSite(id, site.site_id, 'failed', rolloutText(`could not be queued: ${message}`, 'notQueued', { error: message }));
        this.again.add(id);
      }
    }
  }

  private stepBack(row: RolloutRow, sites: readonly SiteRow[]): void {
    const spec = JSON.parse(row.spec) as RolloutSpec;
    for (const site of sites) {
      if (site.state !== 'healthy') continue;
      try {
        const item =
          site.action === 'install' || site.from_version === null
            ? this.outbox.enqueue(site.site_id, 'apps.remove', { appId: row.app_id, rolloutId: row.id }, { groupId: rollbackGroup(row.id), by: row.created_by })
            : this.siteApps.deploy(site.site_id, { appId: row.app_id, version: site.from_version, parameters: site.from_parameters ? (JSON.parse(site.from_parameters) as Record<string, ParameterValue>) : {}, rolloutId: rollbackGroup(row.id), stableSeconds: 0, stopSeconds: spec.stopSeconds, rollbackOnFailure: false }, row.created_by);
        const doing = site.action === 'install' ? rolloutText(`removing ${row.app_id}`, 'removing', { app: row.app_id }) : rolloutText(`going back to ${site.from_version}`, 'goingBackTo', { version: site.from_version ?? '' });
        this.setSite(row.id, site.site_id, 'reverting', doing, { rollbackOutboxId: item.id });
      } catch (error) {
        const message = (error as Error).message;
        this.setSite(row.id, site.site_id, 'failed', rolloutText(`going back could not be queued: ${message}`, 'goingBackNotQueued', { error: message }));
      }
    }
    const now = this.statements.sites.all(row.id);
    if (now.some((site) => !FINAL.has(site.state))) return;
    const failed = now.filter((site) => site.state === 'failed' && site.detail?.startsWith('going back')).length;
    this.setState(
      row.id,
      'rolled_back',
      failed > 0 ? rolloutText(`rolled back; ${siteCount(failed)} could not go back`, 'rolledBackSome', { failures: failed }) : rolloutText('every site runs what it ran before the rollout', 'rolledBackAll'),
      true,
    );
  }

  private siteView(row: RolloutRow, site: SiteRow): RolloutSite {
    let state: RolloutSiteState = site.state;
    let detail = site.detail;
    let detailMessages = parseRolloutMessages(site.detail_messages);
    let bytesSent: number | null = null;
    let bytesTotal: number | null = null;
    let offlineSince: string | null = null;
    const live = site.state === 'reverting' ? site.rollback_outbox_id : !FINAL.has(site.state) ? site.outbox_id : null;
    if (live !== null) {
      const item = this.outbox.item(live);
      offlineSince = item.offlineSince;
      if (item.state === 'queued' && item.offlineSince) {
        detail = `queued: site offline since ${item.offlineSince}`;
        detailMessages = [{ key: 'queuedOffline', params: { since: item.offlineSince } }];
        // Why it cannot be reached, in the engine's (or the network's) own words.
        const why = item.lastError?.replace(/^the site cannot be reached: /, '');
        if (why && why !== item.lastError) {
          detail += ` (${why})`;
          detailMessages = [...detailMessages, { key: 'unreachableBecause', params: { error: why } }];
        }
      }
      if (item.state === 'running' && site.state !== 'reverting') {
        const app = this.statements.siteApp.get(site.site_id, row.app_id);
        if (app && app.outbox_id === live && (app.state === 'transferring' || app.state === 'starting' || app.state === 'queued' || app.state === 'unhealthy')) {
          state = app.state === 'unhealthy' ? 'starting' : (app.state as RolloutSiteState);
          detail = app.detail;
          detailMessages = parseRolloutMessages(app.detail_messages);
          bytesSent = app.bytes_sent;
          bytesTotal = app.bytes_total;
        }
      }
    }
    return { siteId: site.site_id, code: site.code, name: site.name, wave: site.wave, action: site.action, fromVersion: site.from_version, state, detail, detailMessages: detail === null ? [] : detailMessages, bytesSent, bytesTotal, offlineSince, updatedAt: site.updated_at };
  }

  private summary(row: RolloutRow, sites: readonly SiteRow[]): RolloutSummary {
    const counts: Record<string, number> = {};
    for (const site of sites) counts[site.state] = (counts[site.state] ?? 0) + 1;
    const waves = new Set(sites.filter((site) => site.wave >= 0).map((site) => site.wave));
    const open = sites.filter((site) => site.wave >= 0 && !FINAL.has(site.state));
    const started = sites.filter((site) => site.wave >= 0 && site.state !== 'pending');
    const currentWave = open.length > 0 ? Math.min(...open.map((site) => site.wave)) : Math.max(0, ...started.map((site) => site.wave));
    return { id: row.id, name: row.name, appId: row.app_id, version: row.version, state: row.state, detail: row.detail, detailMessages: row.detail === null ? [] : parseRolloutMessages(row.detail_messages), currentWave, waves: waves.size, counts, createdAt: row.created_at, createdBy: row.created_by, finishedAt: row.finished_at };
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    this.stopped = true;
    this.stopListening?.();
    this.stopListening = null;
    this.timer?.dispose();
    this.timer = null;
  }
}
