import type { Condition } from '../../../../shared/domain/monitoring.js';
import type { SiteApp } from '../../../../shared/domain/apps.js';
import type { Disposable, FailureReporter } from '../../lib/disposable.js';
import { inspectContainer, listContainers } from '../../protocols/engine/containers.js';
import type { SiteAlarms } from '../integrity/site-alarms.js';
import type { AppRepository } from './app-repository.js';
import { containerName, containerSpec, isTransportError, LABEL } from './site-deploy.js';
import type { SiteApps } from './site-apps.js';
import type { SiteEngines } from './site-engines.js';
import { resolveParameters } from '../../../../shared/domain/apps.js';

export const driftKey = (appId: string) => `app:${appId}`;

/**
 * After a deployment, the engine is looked at again and again: a container
 * of a healthy app that stopped, restarts in a loop, is gone, or was
 * changed by hand at the site (another image, another spec) makes the app
 * "drifted" on the site page and raises an alarm; when the engine shows it
 * as deployed again, both clear. An app with a deployment queued or running
 * is left to that deployment.
 */
export class AppDriftWatch implements Disposable {
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  /** Restart counts seen per container, to tell a restart loop from one restart. */
  private readonly restarts = new Map<string, number>();
  /** Apps whose alarm may be active (raised here, or not looked at since EdgeCab started): cleared when they run as deployed. */
  private readonly unsettled = new Set<string>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly siteApps: SiteApps,
    private readonly repository: AppRepository,
    private readonly engines: SiteEngines,
    private readonly alarms: SiteAlarms,
    private readonly report: FailureReporter,
  ) {}

  start(intervalMs = 5_000): void {
    this.timer ??= setInterval(() => void this.checkAll(), intervalMs);
    this.timer.unref();
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

  /** What is wrong with the app's containers on the engine, or null when it runs as deployed. */
  private async problem(siteApp: SiteApp, siteId: string): Promise<string | null | 'unreachable'> {
    const [engine] = this.engines.ofSite(siteId);
    if (!engine) return 'unreachable';
    const release = this.repository.release(siteApp.appId, siteApp.version);
    const client = await this.engines.client(engine, 10_000);
    try {
      const present = await listContainers(client, `${LABEL.app}=${siteApp.appId}`);
      for (const declared of release.manifest.containers) {
        const name = containerName(release.appId, declared.name, release.version);
        const found = present.find((container) => container.name === name);
        if (!found) return `${name} is gone from the engine`;
        const state = await inspectContainer(client, found.id);
        const previous = this.restarts.get(found.id) ?? state.restartCount;
        this.restarts.set(found.id, state.restartCount);
        if (!state.running) return `${name} is ${state.status}${state.exitCode !== null ? ` (exit code ${state.exitCode})` : ''}${state.error ? `: ${state.error}` : ''}`;
        if (state.restartCount > previous) return `${name} restarted ${state.restartCount - previous} times since the last look`;
        let values = {};
        try {
          values = JSON.parse(found.labels[LABEL.parameters] ?? '{}') as Record<string, string>;
        } catch {
          values = {};
        }
        const expected = containerSpec(release, declared, resolveParameters(release.manifest, values).values);
        if (state.imageId && state.imageId.replace(/^sha256:/, '') !== declared.image.replace(/^sha256:/, '')) return `${name} was changed at the site: it runs image ${state.imageId}, not ${declared.image}`;
        if (found.labels[LABEL.spec] !== expected.hash) return `${name} was changed at the site: it is not the container EdgeCab made`;
      }
      return null;
    } catch (error) {
      if (isTransportError(error)) return 'unreachable';
      throw error;
    } finally {
      await client.close();
    }
  }

  async checkSite(siteId: string): Promise<void> {
    for (const siteApp of this.siteApps.ofSite(siteId)) {
      if (siteApp.state !== 'healthy' && siteApp.state !== 'drifted' && siteApp.state !== 'rolled_back') continue;
      if (this.siteApps.hasOpenDeployment(siteId, siteApp.appId)) continue;
      const problem = await this.problem(siteApp, siteId);
      // An engine that cannot be reached is the monitor's alarm, not drift.
      if (problem === 'unreachable') continue;
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
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
