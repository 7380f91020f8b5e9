import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { resolveParameters, SITE_APP_STATES, type ParameterValue, type SiteApp } from '../../../../shared/domain/apps.js';
import { plainText, rolloutText, type RolloutText } from '../../../../shared/domain/rollouts.js';
import { InvalidInputError } from '../../errors.js';
import { SiteUnreachableError, type OutboxAction, type OutboxService } from '../outbox/outbox-service.js';
import type { AppRepository } from './app-repository.js';
import type { SiteEngines } from './site-engines.js';
import { deployToEngine, isTransportError, LABEL, type DeployProgress } from './site-deploy.js';
import { Semaphore } from '../../lib/semaphore.js';
import { listContainers, removeContainer } from '../../protocols/engine/containers.js';
import { readEngine } from '../../protocols/engine/inventory.js';
import type { EngineClient, EngineError } from '../../protocols/engine/client.js';
import type { EngineSnapshots } from '../rollouts/engine-snapshots.js';

/**
 * Deploying a release to a site through the outbox ("apps.deploy"), and
 * the state of each site's apps as the last deployment saw it: queued,
 * transferring (bytes), starting, healthy, unhealthy, failed (the
 * engine's words), rolled back.
 */

export const DeployPayload = z.object({
  appId: z.string().min(1).max(40),
  version: z.string().min(1).max(80),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  rolloutId: z.string().max(80).nullable().default(null),
  stableSeconds: z.number().int().min(0).max(3600).default(30),
  startTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
  stopSeconds: z.number().int().min(0).max(600).default(10),
  rollbackOnFailure: z.boolean().default(true),
  /** A rollout's cap on image transfers at once (all its sites together). */
  maxConcurrentTransfers: z.number().int().min(1).max(1000).nullable().default(null),
  /** Per site, kilobytes per second. */
  bandwidthKBps: z.number().int().min(8).max(10_000_000).nullable().default(null),
});
export type DeployPayload = z.infer<typeof DeployPayload>;

export type SiteAppState = (typeof SITE_APP_STATES)[number];

export interface SiteAppRow {
  site_id: string;
  app_id: string;
  version: string;
  state: SiteAppState;
  detail: string | null;
  /** `detail` as catalog messages (JSON), for a rollout's site while it runs. */
  detail_messages: string | null;
  bytes_sent: number | null;
  bytes_total: number | null;
  previous_version: string | null;
  outbox_id: number | null;
  parameters: string | null;
  updated_at: string;
}

/** Removing an app from a site (a rollback by hand of a rollout that installed it). */
export const RemovePayload = z.object({ appId: z.string().min(1).max(40), rolloutId: z.string().max(80).nullable().default(null) });
export type RemovePayload = z.infer<typeof RemovePayload>;

export class SiteApps {
  private readonly upsert: Statement<[string, string, string, string, string | null, string, number | null, number | null, string | null, number | null, string | null, string]>;
  private readonly removeStatement: Statement<[string, string]>;
  /** Per rollout: its transfers at once (dropped when the rollout ends). */
  private readonly transferSlots = new Map<string, Semaphore>();
  private readonly ofSiteStatement: Statement<[string], SiteAppRow>;
  private readonly sitesStatement: Statement<[], { site_id: string }>;
  private readonly openStatement: Statement<[string, string], { n: number }>;
  private readonly driftStatement: Statement<[string, string | null, string | null, string, string, string]>;
  private readonly parametersStatement: Statement<[string, string], { parameters: string | null }>;

  constructor(
    private readonly db: Database,
    private readonly repository: AppRepository,
    private readonly engines: SiteEngines,
    private readonly outbox: OutboxService,
    private readonly snapshots: EngineSnapshots,
    private readonly now: () => Date,
  ) {
    this.upsert = db.prepare(`
      INSERT INTO site_apps (site_id, app_id, version, state, detail, detail_messages, bytes_sent, bytes_total, previous_version, outbox_id, parameters, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (site_id, app_id) DO UPDATE SET version = excluded.version, state = excluded.state, detail = excluded.detail, detail_messages = excluded.detail_messages, bytes_sent = excluded.bytes_sent,
        bytes_total = excluded.bytes_total, previous_version = COALESCE(excluded.previous_version, site_apps.previous_version), outbox_id = excluded.outbox_id,
        parameters = COALESCE(excluded.parameters, site_apps.parameters), updated_at = excluded.updated_at`);
    this.removeStatement = db.prepare('DELETE FROM site_apps WHERE site_id = ? AND app_id = ?');
    this.ofSiteStatement = db.prepare('SELECT * FROM site_apps WHERE site_id = ? ORDER BY app_id');
    this.sitesStatement = db.prepare("SELECT DISTINCT site_id FROM site_apps WHERE state IN ('healthy', 'drifted', 'rolled_back')");
    this.openStatement = db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE site_id = ? AND action = 'apps.deploy' AND state IN ('queued', 'running') AND json_extract(payload, '$.appId') = ?");
    this.parametersStatement = db.prepare('SELECT parameters FROM site_apps WHERE site_id = ? AND app_id = ?');
    this.driftStatement = db.prepare("UPDATE site_apps SET state = ?, detail = ?, detail_messages = ?, updated_at = ? WHERE site_id = ? AND app_id = ? AND state IN ('healthy', 'drifted', 'rolled_back')");
    outbox.register('apps.deploy', this.action());
    outbox.register('apps.remove', this.removal());
  }

  ofSite(siteId: string): SiteApp[] {
    return this.ofSiteStatement.all(siteId).map((row) => ({ appId: row.app_id, version: row.version, state: row.state, detail: row.detail, bytesSent: row.bytes_sent, bytesTotal: row.bytes_total, previousVersion: row.previous_version, updatedAt: row.updated_at }));
  }

  /** Sites with an app that was deployed healthy (for the drift watch). */
  sitesWithApps(): string[] {
    return this.sitesStatement.all().map((row) => row.site_id);
  }

  hasOpenDeployment(siteId: string, appId: string): boolean {
    return (this.openStatement.get(siteId, appId)?.n ?? 0) > 0;
  }

  /** The parameters of the deployment that made the app healthy (what runs), or null when not known (a row from before they were kept). */
  deployedParameters(siteId: string, appId: string): Record<string, ParameterValue> | null {
    const text = this.parametersStatement.get(siteId, appId)?.parameters;
    if (!text) return null;
    try {
      const parsed = JSON.parse(text) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, ParameterValue>) : null;
    } catch {
      return null;
    }
  }

  /** Marks a healthy app drifted with what the engine shows (or, with null, healthy again). */
  markDrift(siteId: string, appId: string, problem: string | null): void {
    if (!this.db.open) return;
    // The drift watch's words have no catalog messages (none are kept beside them).
    this.driftStatement.run(problem ? 'drifted' : 'healthy', problem, null, this.now().toISOString(), siteId, appId);
  }

  /** Queues a deployment of a release to a site; checked now (release, signer, parameters), run when the site can be reached. */
  deploy(siteId: string, input: z.input<typeof DeployPayload>, by: string | null) {
    const payload = DeployPayload.parse(input);
    const release = this.repository.verifiedRelease(payload.appId, payload.version);
    // Parameters are checked against the manifest's types before anything is queued.
    const { issues } = resolveParameters(release.manifest, payload.parameters);
    if (issues.length > 0) throw new InvalidInputError(issues.map((issue) => ({ field: `parameters.${issue.key}`, code: 'invalid', message: issue.message })));
    const item = this.outbox.enqueue(siteId, 'apps.deploy', payload, { groupId: payload.rolloutId, by });
    this.record(siteId, payload, 'queued', null, null, item.id);
    return item;
  }

  /** The rollouts holding transfer slots now (for tests and diagnostics). */
  transferSlotRollouts(): string[] {
    return [...this.transferSlots.keys()];
  }

  /** A rollout ended: its transfer slots go (transfers still finishing keep theirs; a rollout resumed later gets new ones). */
  releaseTransferSlots(rolloutId: string): void {
    this.transferSlots.delete(rolloutId);
  }

  private record(siteId: string, payload: DeployPayload, state: SiteAppState, detail: RolloutText | null, progress: Pick<DeployProgress, 'bytesSent' | 'bytesTotal'> | null, outboxId: number | null, previousVersion: string | null = null): void {
    // A deployment cut short by EdgeCab stopping may report after the database closed; it runs again at the next start.
    if (!this.db.open) return;
    // The parameters are those of what runs: kept from the deployment that made it healthy.
    const parameters = state === 'healthy' ? JSON.stringify(payload.parameters) : null;
    this.upsert.run(siteId, payload.appId, payload.version, state, detail?.text ?? null, detail ? JSON.stringify(detail.messages) : '[]', progress?.bytesSent ?? null, progress?.bytesTotal ?? null, previousVersion, outboxId, parameters, this.now().toISOString());
  }

  private transferSlot(payload: DeployPayload): (<T>(work: () => Promise<T>) => Promise<T>) | undefined {
    if (!payload.rolloutId || !payload.maxConcurrentTransfers) return undefined;
    let slots = this.transferSlots.get(payload.rolloutId);
    if (!slots) {
      slots = new Semaphore(payload.maxConcurrentTransfers);
      this.transferSlots.set(payload.rolloutId, slots);
    } else slots.resize(payload.maxConcurrentTransfers);
    const held = slots;
    return (work) => held.run(work);
  }

  /** What the engine holds after a deployment, for the next dry run; a failed read leaves the last snapshot. */
  private async snapshot(siteId: string, deviceId: string, client: EngineClient): Promise<void> {
    try {
      const inventory = await readEngine(client);
      if (this.db.open) this.snapshots.record(deviceId, siteId, inventory);
    } catch {
      // The next read of the engine records it.
    }
  }

  private removal(): OutboxAction<RemovePayload> {
    return {
      parse: (payload) => RemovePayload.parse(payload),
      reachable: (siteId, signal) => this.reachable(siteId, signal),
      run: async (payload, context) => {
        const [engine] = this.engines.ofSite(context.siteId);
        if (!engine) throw new SiteUnreachableError('the site has no workload engine connected');
        const client = await this.engines.client(engine);
        try {
          const containers = await listContainers(client, `${LABEL.app}=${payload.appId}`, context.signal);
          for (const container of containers) await removeContainer(client, container.id, context.signal);
          // Gone from the engine, as seen by listing again: only then is it gone from the site's apps.
          const left = await listContainers(client, `${LABEL.app}=${payload.appId}`, context.signal);
          if (left.length > 0) {
            const names = left.map((container) => container.name).join(', ');
            return { failed: true, detail: `${names} still on the engine`, detailMessages: [{ key: 'stillOnEngine', params: { containers: names } }] };
          }
          if (this.db.open) this.removeStatement.run(context.siteId, payload.appId);
          await this.snapshot(context.siteId, engine.id, client);
          return { failed: false, removed: containers.length };
        } catch (error) {
          if (isTransportError(error) && !context.signal.aborted) throw new SiteUnreachableError((error as EngineError).message);
          throw error;
        } finally {
          await client.close();
        }
      },
    };
  }

  private async reachable(siteId: string, signal: AbortSignal): Promise<boolean> {
    const [engine] = this.engines.ofSite(siteId);
    if (!engine) return false;
    const client = await this.engines.client(engine, 10_000);
    try {
      // An engine that does not answer throws, and the outbox keeps why.
      await client.call('GET', '/_ping', undefined, signal);
      return true;
    } finally {
      await client.close();
    }
  }

  private action(): OutboxAction<DeployPayload> {
    return {
      parse: (payload) => DeployPayload.parse(payload),
      reachable: (siteId, signal) => this.reachable(siteId, signal),
      run: async (payload, context) => {
        const [engine] = this.engines.ofSite(context.siteId);
        if (!engine) throw new SiteUnreachableError('the site has no workload engine connected');
        let release;
        try {
          release = this.repository.verifiedRelease(payload.appId, payload.version);
        } catch (error) {
          const said = plainText((error as Error).message);
          this.record(context.siteId, payload, 'failed', said, null, context.id);
          return { failed: true, detail: said.text, detailMessages: said.messages };
        }
        const client = await this.engines.client(engine);
        const slot = this.transferSlot(payload);
        let lastWrite = 0;
        try {
          const outcome = await deployToEngine(client, this.repository, release, payload.parameters, {
            stableSeconds: payload.stableSeconds,
            startTimeoutSeconds: payload.startTimeoutSeconds,
            stopSeconds: payload.stopSeconds,
            rollbackOnFailure: payload.rollbackOnFailure,
            rolloutId: payload.rolloutId,
            signal: context.signal,
            bytesPerSecond: payload.bandwidthKBps ? payload.bandwidthKBps * 1000 : null,
            ...(slot ? { transferSlot: slot } : {}),
            onProgress: (progress) => {
              // Transfer progress is written at most every half second; every change of state at once.
              const time = Date.now();
              if (progress.state === 'transferring' && time - lastWrite < 500 && progress.bytesSent !== progress.bytesTotal) return;
              lastWrite = time;
              this.record(context.siteId, payload, progress.state, progress.detail === null ? null : { text: progress.detail, messages: progress.detailMessages }, progress, context.id);
            },
          });
          if (outcome.state === 'rolled_back' && outcome.previousVersion) {
            // What runs now is the previous version: that is what the site page shows and the drift watch looks at.
            const said: RolloutText = {
              text: `${payload.version} failed and was rolled back: ${outcome.detail ?? ''}`,
              messages: [{ key: 'rolledBackAfter', params: { version: payload.version } }, ...outcome.detailMessages],
            };
            this.record(context.siteId, { ...payload, version: outcome.previousVersion }, 'rolled_back', said, { bytesSent: outcome.transferredBytes }, context.id, payload.version);
          } else this.record(context.siteId, payload, outcome.state, outcome.detail === null ? null : { text: outcome.detail, messages: outcome.detailMessages }, { bytesSent: outcome.transferredBytes }, context.id, outcome.previousVersion);
          await this.snapshot(context.siteId, engine.id, client);
          return { failed: outcome.state !== 'healthy', ...outcome };
        } catch (error) {
          if (isTransportError(error) && !context.signal.aborted) {
            const message = (error as EngineError).message;
            this.record(context.siteId, payload, 'queued', rolloutText(`the site went offline: ${message}`, 'siteWentOffline', { error: message }), null, context.id);
            throw new SiteUnreachableError((error as EngineError).message);
          }
          this.record(context.siteId, payload, 'failed', plainText((error as Error).message), null, context.id);
          throw error;
        } finally {
          await client.close();
        }
      },
    };
  }
}
