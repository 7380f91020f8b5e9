import type { Database, Statement } from 'better-sqlite3';
import { resolveParameters, substitute, type AppManifest, type AppRelease, type ParameterValue } from '../../../../shared/domain/apps.js';
import { decimalSize } from '../../../../shared/domain/engine.js';
import { assignWaves, rolloutText, type PlannedSite, type RolloutPlan, type RolloutSpec, type RolloutText } from '../../../../shared/domain/rollouts.js';
import { InvalidInputError } from '../../errors.js';
import { containerName } from '../apps/site-deploy.js';
import type { EngineSnapshot, EngineSnapshots } from './engine-snapshots.js';

export interface TargetSite {
  id: string;
  code: string;
  name: string;
  regionId: number | null;
}

interface SiteAppRow {
  site_id: string;
  app_id: string;
  version: string;
  state: string;
  previous_version: string | null;
  parameters: string | null;
}

/** A site's plan with what running it needs: its parameters and the version it leaves. */
export interface SitePlan extends PlannedSite {
  parameters: Record<string, ParameterValue>;
  fromParameters: Record<string, ParameterValue> | null;
}

/** States in which the app's `version` is what runs at the site. */
const RUNNING = new Set(['healthy', 'drifted', 'rolled_back', 'unhealthy']);
/** Unpacked layers take about as much again as the archive: a site needs twice the bytes free. */
const DISK_FACTOR = 2;

function parseParameters(text: string | null): Record<string, ParameterValue> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, ParameterValue>) : {};
  } catch {
    return {};
  }
}

/** The host ports a manifest's containers listen on, under these parameters ("8080/tcp"). */
export function portsOf(manifest: AppManifest, values: Readonly<Record<string, ParameterValue>>): string[] {
  return manifest.containers.flatMap((container) => container.ports.map((each) => `${typeof each.port === 'number' ? each.port : substitute(each.port, values)}/${each.protocol}`));
}

/**
 * The dry run: for each target site, what the rollout would do (install,
 * upgrade, nothing), the bytes it would send (the release's images its
 * engine was not last seen holding), and what is in the way. From the
 * database only: no site is asked anything.
 */
export class RolloutPlanner {
  private readonly allSites: Statement<[], { id: string; code: string; name: string; region_id: number | null }>;
  private readonly engines: Statement<[], { site_id: string }>;
  private readonly siteApps: Statement<[], SiteAppRow>;
  private readonly regionTree: Statement<[number], { id: number }>;

  constructor(
    db: Database,
    private readonly snapshots: EngineSnapshots,
    private readonly releaseOf: (appId: string, version: string) => AppRelease | null,
  ) {
    this.allSites = db.prepare('SELECT id, code, name, region_id FROM sites ORDER BY code');
    this.engines = db.prepare("SELECT DISTINCT c.site_id FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE d.kind = 'engine' AND d.endpoint IS NOT NULL");
    this.siteApps = db.prepare('SELECT site_id, app_id, version, state, previous_version, parameters FROM site_apps');
    this.regionTree = db.prepare('WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT r.id FROM regions r JOIN sub ON r.parent_id = sub.id) SELECT id FROM sub');
  }

  /** The sites the targets name, in code order: every listed id must exist; a region includes its sub-regions; all given filters apply. */
  targets(targets: RolloutSpec['targets']): TargetSite[] {
    let sites = this.allSites.all().map((row) => ({ id: row.id, code: row.code, name: row.name, regionId: row.region_id }));
    if (targets.siteIds !== undefined) {
      const wanted = new Set(targets.siteIds);
      const known = new Set(sites.map((site) => site.id));
      const unknown = [...wanted].filter((id) => !known.has(id));
      if (unknown.length > 0) throw new InvalidInputError([{ field: 'targets.siteIds', code: 'unknown', message: `No site with id ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}` }]);
      sites = sites.filter((site) => wanted.has(site.id));
    }
    if (targets.regionId !== undefined) {
      const tree = new Set(this.regionTree.all(targets.regionId).map((row) => row.id));
      sites = sites.filter((site) => site.regionId !== null && tree.has(site.regionId));
    }
    if (targets.q !== undefined) {
      const q = targets.q.toLowerCase();
      sites = sites.filter((site) => site.code.toLowerCase().includes(q) || site.name.toLowerCase().includes(q));
    }
    return sites;
  }

  plan(release: AppRelease, spec: RolloutSpec, sites: readonly TargetSite[]): { plan: RolloutPlan; sites: SitePlan[] } {
    const withEngine = new Set(this.engines.all().map((row) => row.site_id));
    const snapshots = this.snapshots.bySite();
    const appsBySite = new Map<string, SiteAppRow[]>();
    for (const row of this.siteApps.iterate()) {
      const list = appsBySite.get(row.site_id);
      if (list) list.push(row);
      else appsBySite.set(row.site_id, [row]);
    }
    const portsCache = new Map<string, string[]>();
    const otherPorts = (row: SiteAppRow): string[] => {
      const key = `${row.app_id}@${row.version}@${row.parameters ?? ''}`;
      let ports = portsCache.get(key);
      if (!ports) {
        const other = this.releaseOf(row.app_id, row.version);
        ports = other ? portsOf(other.manifest, resolveParameters(other.manifest, parseParameters(row.parameters)).values) : [];
        portsCache.set(key, ports);
      }
      return ports;
    };
    const allImagesBytes = release.images.reduce((sum, image) => sum + image.sizeBytes, 0);

    const planned: SitePlan[] = sites.map((site) => {
      const found: RolloutText[] = [];
      const overrides = { ...spec.parameters, ...(spec.siteParameters[site.id] ?? {}) };
      const { values, issues } = resolveParameters(release.manifest, overrides);
      for (const issue of issues) found.push(rolloutText(issue.message, issue.messageKey, issue.params));
      const apps = appsBySite.get(site.id) ?? [];
      const own = apps.find((row) => row.app_id === release.appId);
      const currentVersion = own ? (RUNNING.has(own.state) ? own.version : own.state === 'failed' ? own.previous_version : null) : null;
      const action = currentVersion === null ? 'install' : currentVersion === release.version && own?.state === 'healthy' ? 'nothing' : 'upgrade';
      const snapshot: EngineSnapshot | undefined = snapshots.get(site.id);
      if (!withEngine.has(site.id)) found.push(rolloutText('no workload engine is connected at this site', 'noEngine'));
      const bytesToTransfer = action === 'nothing' ? 0 : snapshot ? release.images.filter((image) => !snapshot.imageIds.has(image.id)).reduce((sum, image) => sum + image.sizeBytes, 0) : allImagesBytes;
      if (action !== 'nothing' && issues.length === 0) {
        const mine = new Set(portsOf(release.manifest, values));
        for (const other of apps) {
          if (other.app_id === release.appId || !RUNNING.has(other.state)) continue;
          for (const port of otherPorts(other)) if (mine.has(port)) found.push(rolloutText(`port ${port} is used by ${other.app_id} ${other.version} at this site`, 'portInUse', { port, app: other.app_id, version: other.version }));
        }
      }
      if (snapshot && action !== 'nothing') {
        const names = new Set(release.manifest.containers.map((container) => containerName(release.appId, container.name, release.version)));
        for (const container of snapshot.containers) {
          if (names.has(container.name) && container.app !== release.appId) found.push(rolloutText(`a container named ${container.name} is already on the engine and is not this app's`, 'containerNameTaken', { container: container.name }));
        }
        if (snapshot.freeBytes !== null && snapshot.freeBytes < bytesToTransfer * DISK_FACTOR) {
          const needed = decimalSize(bytesToTransfer * DISK_FACTOR);
          const free = decimalSize(snapshot.freeBytes);
          found.push(rolloutText(`not enough disk: about ${needed} needed, ${free} free`, 'notEnoughDisk', { needed, free }));
        }
      }
      return {
        siteId: site.id,
        code: site.code,
        name: site.name,
        wave: -1,
        action,
        currentVersion,
        bytesToTransfer,
        engineSeenAt: snapshot?.observedAt ?? null,
        conflicts: found.map((conflict) => conflict.text),
        conflictMessages: found.flatMap((conflict) => conflict.messages),
        parameters: values,
        fromParameters: own && currentVersion !== null ? parseParameters(own.parameters) : null,
      };
    });
    const actionable = planned.filter((site) => site.action !== 'nothing' && site.conflicts.length === 0);
    const waves = assignWaves(
      actionable.map((site) => site.siteId),
      spec,
    );
    for (const site of actionable) site.wave = waves.get(site.siteId)!;
    const waveCounts = new Map<number, number>();
    for (const wave of waves.values()) waveCounts.set(wave, (waveCounts.get(wave) ?? 0) + 1);
    const count = (action: string) => planned.filter((site) => site.action === action && site.conflicts.length === 0).length;
    const plan: RolloutPlan = {
      appId: release.appId,
      version: release.version,
      sites: planned.map(({ parameters: _parameters, fromParameters: _from, ...site }) => site),
      waves: [...waveCounts.entries()].sort((a, b) => a[0] - b[0]).map(([wave, size]) => ({ wave, sites: size })),
      totals: { install: count('install'), upgrade: count('upgrade'), nothing: count('nothing'), conflicts: planned.filter((site) => site.conflicts.length > 0).length, bytesToTransfer: actionable.reduce((sum, site) => sum + site.bytesToTransfer, 0) },
    };
    return { plan, sites: planned };
  }
}
