import type { Condition } from '../../../../shared/domain/monitoring.js';
import type { AppContainer, SiteApp } from '../../../../shared/domain/apps.js';
import type { IntegrityCheck } from '../../../../shared/domain/integrity.js';
import { repeat, type Disposable, type FailureReporter } from '../../lib/disposable.js';
import { inspectContainer, listContainers, type ContainerState } from '../../protocols/engine/containers.js';
import type { SiteAlarms } from '../integrity/site-alarms.js';
import type { AppRepository } from './app-repository.js';
import { containerChecks } from './container-checks.js';
import { containerName, isTransportError, LABEL } from './site-deploy.js';
import type { SiteApps } from './site-apps.js';
import type { SiteEngines } from './site-engines.js';

export const driftKey = (appId: string) => `app:${appId}`;

/** One look at one app on its site's engine: the checks of its containers, or why the engine could not be looked at. */
export type AppLook = { siteId: string; appId: string; version: string; at: string } & ({ checks: IntegrityCheck[]; error: null } | { checks: null; error: string });

/** A feature that follows every look at an app (the integrity report); it must not throw. */
export interface AppLookFollower {
  appLooked(look: AppLook): void;
}

type Looked = { problem: string | null; checks: IntegrityCheck[] } | { unreachable: string };

/**
 * After a deployment, the engine is looked at again and again: a container
 * of a healthy app that stopped, restarts in a loop, is gone, or was
 * changed by hand at the site (another image, another spec) makes the app
 * "drifted" on the site page and raises an alarm; when the engine shows it
 * as deployed again, both clear. An app with a deployment queued or running
 * is left to that deployment. Each look is a set of integrity checks (the
 * image and configuration of every container, see container-checks.ts),
 * told to its followers.
 */
export class AppDriftWatch implements Disposable {
  private timer: Disposable | null = null;
  private checking = false;
  /** Restart counts seen per container, to tell a restart loop from one restart. */
  private readonly restarts = new Map<string, number>();
  /** Apps whose alarm may be active (raised here, or not looked at since EdgeCab started): cleared when they run as deployed. */
  private readonly unsettled = new Set<string>();
  private readonly seen = new Set<string>();
  /** Per site, the look running (a look asked for while one runs waits for it). */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly followers: AppLookFollower[] = [];

  constructor(
    private readonly siteApps: SiteApps,
    private readonly repository: AppRepository,
    private readonly engines: SiteEngines,
    private readonly alarms: SiteAlarms,
    private readonly report: FailureReporter,
    private readonly now: () => Date,
  ) {}

  follow(follower: AppLookFollower): void {
    this.followers.push(follower);
  }

  start(intervalMs = 5_000): void {
    // A look that fails before any site is looked at (the database) is reported as "apps.drift"; the next one still comes.
    this.timer ??= repeat('apps.drift', intervalMs, () => this.checkAll(), this.report);
  }

  async checkAll(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const siteId of this.siteApps.sitesWithApps()) await this.checkSite(siteId).catch((error: unknown) => this.report(`app drift ${siteId}`, error));
    } finally {
      this.checking = false;
    }
  }

  /** The checks of the app's containers on the engine and what is wrong with them (null when it runs as deployed), or why the engine could not be looked at. */
  private async look(siteApp: SiteApp, siteId: string): Promise<Looked> {
    const [engine] = this.engines.ofSite(siteId);
    if (!engine) return { unreachable: 'the site has no workload engine connected' };
    const release = this.repository.release(siteApp.appId, siteApp.version);
    const deployed = this.siteApps.deployedParameters(siteId, siteApp.appId);
    const client = await this.engines.client(engine, 10_000);
    try {
      const present = await listContainers(client, `${LABEL.app}=${siteApp.appId}`);
      const checks: IntegrityCheck[] = [];
      let problem: string | null = null;
      for (const declared of release.manifest.containers) {
        const name = containerName(release.appId, declared.name, release.version);
        const found = present.find((container) => container.name === name) ?? null;
        const state = found ? await inspectContainer(client, found.id) : null;
        const own = containerChecks(release, declared, name, deployed, { found, state });
        checks.push(...own);
        // Every container is looked at (its restarts counted); the app's problem is that of the first with one.
        const said = this.problemOf(name, declared, state, own);
        problem ??= said;
      }
      return { problem, checks };
    } catch (error) {
      if (isTransportError(error)) return { unreachable: error.message };
      throw error;
    } finally {
      await client.close();
    }
  }

  private problemOf(name: string, declared: AppContainer, state: ContainerState | null, checks: readonly IntegrityCheck[]): string | null {
    if (!state) return `${name} is gone from the engine`;
    const previous = this.restarts.get(state.id) ?? state.restartCount;
    this.restarts.set(state.id, state.restartCount);
    if (!state.running) return `${name} is ${state.status}${state.exitCode !== null ? ` (exit code ${state.exitCode})` : ''}${state.error ? `: ${state.error}` : ''}`;
    if (state.restartCount > previous) return `${name} restarted ${state.restartCount - previous} times since the last look`;
    const differs = (kind: IntegrityCheck['kind']) => checks.some((check) => check.kind === kind && check.ok === false);
    if (differs('app-image')) return `${name} was changed at the site: it runs image ${state.imageId}, not ${declared.image}`;
    if (differs('app-config')) return `${name} was changed at the site: it is not the container EdgeCab made`;
    return null;
  }

  private tell(look: AppLook): void {
    for (const follower of this.followers) {
      try {
        follower.appLooked(look);
      } catch (error) {
        this.report(`app drift ${look.siteId}`, error);
      }
    }
  }

  /** Looks at the site's deployed apps now, after any look at them already running. */
  checkSite(siteId: string): Promise<void> {
    const run = (this.chains.get(siteId) ?? Promise.resolve()).then(() => this.lookAtSite(siteId));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(siteId, settled);
    void settled.then(() => {
      if (this.chains.get(siteId) === settled) this.chains.delete(siteId);
    });
    return run;
  }

  private async lookAtSite(siteId: string): Promise<void> {
    for (const siteApp of this.siteApps.ofSite(siteId)) {
      if (siteApp.state !== 'healthy' && siteApp.state !== 'drifted' && siteApp.state !== 'rolled_back') continue;
      if (this.siteApps.hasOpenDeployment(siteId, siteApp.appId)) continue;
      const looked = await this.look(siteApp, siteId);
      const at = this.now().toISOString();
      // An engine that cannot be reached is the monitor's alarm, not drift (the integrity report says it could not look).
      if ('unreachable' in looked) {
        this.tell({ siteId, appId: siteApp.appId, version: siteApp.version, at, checks: null, error: looked.unreachable });
        continue;
      }
      const { problem } = looked;
      // The checks are kept before the alarm is announced: a page reloading for the alarm shows them.
      this.tell({ siteId, appId: siteApp.appId, version: siteApp.version, at, checks: looked.checks, error: null });
      const key = `${siteId}:${siteApp.appId}`;
      if (!this.seen.has(key)) {
        this.seen.add(key);
        this.unsettled.add(key);
      }
      if (problem) {
        if (siteApp.state !== 'drifted' || siteApp.detail !== problem) this.siteApps.markDrift(siteId, siteApp.appId, problem);
        const condition: Condition = { key: driftKey(siteApp.appId), category: 'health', severity: 'major', message: `App ${siteApp.appId} ${siteApp.version} is not running as deployed: ${problem}`, messageKey: 'appDrift', params: { app: siteApp.appId, version: siteApp.version, problem } };
        this.alarms.apply(siteId, [condition], []);
        this.unsettled.add(key);
      } else {
        if (siteApp.state === 'drifted') this.siteApps.markDrift(siteId, siteApp.appId, null);
        // Also after a new deployment made it healthy again.
        if (this.unsettled.delete(key)) this.alarms.apply(siteId, [], [driftKey(siteApp.appId)]);
      }
    }
  }

  dispose(): void {
    this.timer?.dispose();
    this.timer = null;
  }
}
