import { existsSync } from 'node:fs';
import type { z } from 'zod';
import type { LabFaultInput, LabStartInput, LabStatus } from '../../shared/domain/monitoring.js';
import type { Services } from '../core/services.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../core/errors.js';
import type { LabController } from '../core/services/lab/lab-controller.js';
import { publishLabApp, startLabEngines, stopLabEngines, type LabEngine } from './engines.js';
import { LAB_BMC_PASSWORD, LAB_BMC_USER, LAB_COMMUNITY, LabFleet, type FleetDevice, type FleetOptions } from './fleet.js';

const LAB_REGION = 'EdgeCab lab';
/** Where the lab's Podman services put their sockets (startPodman's temporary folders). */
const LAB_ENGINE_SOCKET = /^unix:.*\/edgecab-podman-[^/]+\/api\.sock$/;

/**
 * Registers a running fleet in the core: a region, one site per lab cabinet
 * (cabinet from the same template), and every lab device connected. Sites
 * already registered under the same code are reused, so a restarted lab
 * finds its sites again.
 */
export interface FleetDescription {
  sites: readonly {
    code: string;
    name: { en: string; 'zh-CN': string };
    latitude: number;
    longitude: number;
    devices: readonly Pick<FleetDevice, 'slotId' | 'protocol' | 'host' | 'port' | 'url' | 'fingerprint'>[];
    /** The site's workload engine (unix:…), on its first server; absent: none installed. */
    engineUrl?: string;
  }[];
}

export function registerFleet(services: Services, fleet: FleetDescription, templateId: string, language: 'en' | 'zh-CN' = 'en'): Map<string, string> {
  const region = services.regions.list().find((each) => each.name === LAB_REGION && each.parentId === null) ?? services.regions.create({ name: LAB_REGION, parentId: null });
  const siteIds = new Map<string, string>();
  for (const site of fleet.sites) {
    const existing = services.sites.list({ q: site.code, limit: 5, offset: 0, sort: 'code', order: 'asc' }).items.find((each) => each.code === site.code);
    const registered = existing ?? services.sites.create({ name: site.name[language], code: site.code, latitude: site.latitude, longitude: site.longitude, regionId: region.id, address: null, contact: null });
    siteIds.set(site.code, registered.id);
    const cabinet = services.cabinets.viewForSite(registered.id) ?? services.cabinets.createForSite(registered.id, templateId, null, language);
    for (const device of site.devices) {
      const placed = cabinet.devices.find((each) => each.slotId === device.slotId);
      if (!placed) continue;
      if (device.protocol === 'redfish') {
        services.devices.connect({ id: placed.id, protocol: 'redfish', url: device.url!, username: LAB_BMC_USER, password: LAB_BMC_PASSWORD, fingerprint: device.fingerprint });
      } else {
        services.devices.connect({ id: placed.id, protocol: 'snmp', host: device.host, port: device.port, version: '2c', community: LAB_COMMUNITY });
      }
    }
    if (site.engineUrl) connectLabEngine(services, registered.id, site.engineUrl);
    else removeLabEngine(services, registered.id);
  }
  services.audit.record({ actor: 'lab', operation: 'lab.start', target: null, outcome: 'ok', errorCode: null, detail: `${fleet.sites.length} lab sites, ${fleet.sites.reduce((sum, site) => sum + site.devices.length, 0)} devices` });
  services.monitor.refreshTargets();
  return siteIds;
}

/** The engine device sits on the cabinet's first server (added once), connected to this run's socket. */
function connectLabEngine(services: Services, siteId: string, url: string): void {
  const cabinet = services.cabinets.viewForSite(siteId);
  const server = cabinet?.devices.find((device) => device.kind === 'server');
  if (!cabinet || !server) return;
  const engine =
    cabinet.devices.find((device) => device.kind === 'engine') ??
    services.cabinets.add({ cabinetId: cabinet.cabinet.id, kind: 'engine', name: 'Podman', u: server.u, heightU: 1, face: server.face, depth: 'full', protocol: 'engine' });
  services.devices.connectEngine({ id: engine.id, protocol: 'engine', url });
}

/**
 * A lab site without an engine this run loses the one an earlier run gave it
 * (its socket is gone with that run's temporary folder, and the path could be
 * taken by anyone); an engine the user connected elsewhere stays.
 */
function removeLabEngine(services: Services, siteId: string): void {
  const cabinet = services.cabinets.viewForSite(siteId);
  for (const device of cabinet?.devices.filter((each) => each.kind === 'engine') ?? []) {
    const endpoint = services.cabinets.device(device.id).endpoint;
    if (endpoint && LAB_ENGINE_SOCKET.test(endpoint)) services.cabinets.remove(device.id);
  }
}

/** The lab as the API offers it (server mode, and the first-run screen). */
export function createLabController(services: Services, options: { mockupDir: string; trapTo?: () => { host: string; port: number } | null }): LabController {
  let fleet: LabFleet | null = null;
  let engines = new Map<string, LabEngine>();
  let siteIds = new Map<string, string>();
  let starting: Promise<void> | null = null;
  const status = (): LabStatus => ({
    available: existsSync(options.mockupDir),
    running: fleet !== null,
    sites: (fleet?.sites ?? []).map((site) => ({ siteId: siteIds.get(site.code) ?? '', code: site.code, devices: site.devices.length, faults: [...site.faults], engine: engines.has(site.code) ? ('podman' as const) : ('none' as const) })),
  });
  return {
    status,
    async start(input: z.output<typeof LabStartInput>) {
      if (fleet || starting) throw new ConflictError('A lab is already running; stop it first', 'sites');
      const template = services.cabinets.templates.get(input.templateId);
      if (!template) throw new InvalidInputError([{ field: 'templateId', code: 'not_found', message: `No cabinet model "${input.templateId}"` }]);
      const work = (async () => {
        const trapTo = options.trapTo?.() ?? null;
        const fleetOptions: FleetOptions = { sites: input.sites, seed: input.seed, template, mockupDir: options.mockupDir, ...(trapTo ? { trapTo } : {}) };
        const started = await LabFleet.start(fleetOptions);
        try {
          const lab = await startLabEngines(started.sites, Math.min(input.engines, input.sites));
          engines = lab.engines;
          if (lab.problem) services.audit.record({ actor: 'lab', operation: 'lab.engines', target: null, outcome: 'error', errorCode: null, detail: lab.problem });
          const withEngines = { sites: started.sites.map((site) => ({ ...site, ...(engines.has(site.code) ? { engineUrl: engines.get(site.code)!.engine.url } : {}) })) };
          siteIds = registerFleet(services, withEngines, template.id, input.language);
          const first = engines.values().next().value;
          // Without its sample app the lab still runs; what went wrong is in the audit log.
          if (first) await publishLabApp(services, first.engine).catch((error: unknown) => services.audit.record({ actor: 'lab', operation: 'lab.sampleApp', target: null, outcome: 'error', errorCode: null, detail: (error as Error).message }));
        } catch (error) {
          await stopLabEngines(engines);
          engines = new Map();
          await started.stop();
          throw error;
        }
        fleet = started;
      })();
      starting = work;
      try {
        await work;
      } finally {
        starting = null;
      }
      return status();
    },
    async fault(input: z.output<typeof LabFaultInput>) {
      const code = [...siteIds].find(([, id]) => id === input.siteId)?.[0];
      const site = code ? fleet?.site(code) : undefined;
      if (!fleet || !site) throw new NotFoundError('lab site', input.siteId);
      await fleet.fault(site, input.fault, input.active);
      // The WAN link gone takes the site's engine with it: remote work for the site queues until it is back (both steps idempotent, so a retry after a failed one completes it).
      const engine = engines.get(site.code)?.engine;
      if (engine && input.fault === 'link-down') await (input.active ? engine.goAway() : engine.comeBack());
      services.audit.record({ actor: 'lab', operation: 'lab.fault', target: input.siteId, outcome: 'ok', errorCode: null, detail: `${input.fault} ${input.active ? 'on' : 'off'}` });
      return status();
    },
    async stop() {
      // A start under way finishes first, so what it started is stopped too.
      await starting?.catch(() => undefined);
      const running = fleet;
      const runningEngines = engines;
      fleet = null;
      engines = new Map();
      await Promise.allSettled([running?.stop(), stopLabEngines(runningEngines)]);
      return status();
    },
  };
}
