import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract/index.js';
import { EngineClient, EngineError, engineAddress, type EngineAddress } from '../protocols/engine/client.js';
import { readEngine } from '../protocols/engine/inventory.js';
import { RedfishClient, RedfishError } from '../protocols/redfish/client.js';
import { readInventory } from '../protocols/redfish/inventory.js';
import { collectDevice, SnmpError } from '../protocols/snmp/collect.js';
import type { Services } from '../services.js';
import { DeviceUnreachableError } from '../services/devices/device-service.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { LabUnavailableError } from '../services/lab/lab-controller.js';
import type { RolloutDetail } from '../../../shared/domain/rollouts.js';
import { Access, atLeast, higherRole, type Grant, type PrincipalView, type RegionScope, type Role } from '../../../shared/domain/access.js';
import { checkPermission } from './permissions.js';
import { ScopeLookup } from './scope-lookup.js';
import { followEvents, type StreamViewer } from './event-filter.js';
import { policyRefusal } from '../services/network/refusal.js';
import { HostUnresolvedError } from '../services/network/network-policy.js';

async function orLabUnavailable<T>(work: () => Promise<T>, unavailable: () => Error): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LabUnavailableError) throw unavailable();
    throw error;
  }
}
import type { CabinetDevice } from '../../../shared/domain/cabinet.js';
import type { Region } from '../../../shared/domain/region.js';

/** A device as the API shows it: no credential id, no internal joins. */
function publicDevice(device: CabinetDevice & { credentialId?: string | null; siteId?: string }): CabinetDevice {
  const { credentialId: _credentialId, siteId: _siteId, ...rest } = device;
  return rest;
}

/** Who is calling and through what; set by the host (desktop user, signed-in session, API token, CLI). */
export interface CoreContext {
  /** The name the audit log and alarm history record. */
  actor: string;
  principal: PrincipalView;
  /** How the call came: "session 10.0.0.7", "token", "desktop", "cli"… */
  via: string;
  /**
   * Who the caller's session or token stands for now: null once it was
   * signed out, ended, revoked or its user disabled. Set by hosts whose
   * callers can change (the server); calls that outlive their request (the
   * event stream) ask again. Absent: the principal never changes.
   */
  recheck?: () => PrincipalView | null;
}

/** The highest role among grants: all that a token made by this caller may be scoped to. */
function highestRole(grants: readonly Grant[]): Role | null {
  return grants.reduce<Role | null>((best, grant) => higherRole(best, grant.role), null);
}

/** The principal of in-process callers (the CLI, the lab, tests): every right, named for the audit log. */
export function systemPrincipal(name: string): PrincipalView {
  return { kind: 'system', userId: null, name, grants: [{ role: 'administrator', regionId: null }] };
}

export function systemContext(actor: string, via = 'in-process'): CoreContext {
  return { actor, principal: systemPrincipal(actor), via };
}

export function createRouter(services: Services) {
  const lookup = new ScopeLookup(services.db);
  const base = implement(contract)
    .$context<CoreContext>()
    // Validate input before the permission check, so it reads typed input (ids coerced, defaults applied).
    .$config({ initialInputValidationIndex: Number.NEGATIVE_INFINITY });
  const guarded = base.use(({ context, path, next }, input) => {
    const access = new Access(context.principal, (regionId) => services.regions.ancestors(regionId));
    checkPermission(path.join('.'), input, access, lookup);
    return next({ context: { access } });
  });
  const os = guarded;
  const { sites, regions, audit, bus, system } = services;
  const scopeOf = (access: Access): RegionScope => access.scope(regions.allIds());
  type UnreachableError = (options: { message: string; data: { reason: string; fingerprint: string | null } }) => Error;
  /** Work that reaches a device now: a device that did not answer as expected is the route's declared 502. */
  const onDevice = async <T>(work: () => Promise<T>, errors: { DEVICE_UNREACHABLE: UnreachableError }): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DeviceUnreachableError) throw errors.DEVICE_UNREACHABLE({ message: error.message, data: { reason: error.reason, fingerprint: error.fingerprint } });
      throw error;
    }
  };
  const isRootAdmin = (access: Access) => access.canEverywhere('administrator');
  return os.router({
    system: {
      info: os.system.info.handler(() => system()),
      problems: os.system.problems.handler(() => services.health.problems()),
    },
    sites: {
      list: os.sites.list.handler(({ input, context }) => sites.list(input, scopeOf(context.access))),
      get: os.sites.get.handler(({ input }) => sites.get(input.id)),
      create: os.sites.create.handler(({ input }) => sites.create(input)),
      update: os.sites.update.handler(({ input }) => sites.update(input)),
      delete: os.sites.delete.handler(({ input }) => {
        sites.delete(input.id);
        return { id: input.id, deleted: true as const };
      }),
      importCsv: os.sites.importCsv.handler(({ input }) => services.importSitesCsv(input.csv, input.mode)),
    },
    regions: {
      list: os.regions.list.handler(({ context }) => visibleRegions(regions.list(), context.access)),
      create: os.regions.create.handler(({ input }) => regions.create(input)),
      update: os.regions.update.handler(({ input }) => regions.update(input)),
      delete: os.regions.delete.handler(({ input }) => {
        regions.delete(input.id);
        return { id: input.id, deleted: true as const };
      }),
    },
    cabinets: {
      templates: os.cabinets.templates.handler(() =>
        [...services.cabinets.templates.values()].map((template) => ({
          id: template.id,
          name: template.name,
          description: template.description,
          heightU: template.heightU,
          deviceCount: template.slots.length,
          layout: template.slots.map((slot) => ({ slotId: slot.id, kind: slot.kind, name: slot.name, u: slot.u, heightU: slot.heightU, face: slot.face, depth: slot.depth })),
        })),
      ),
      get: os.cabinets.get.handler(({ input }) => {
        sites.get(input.siteId);
        return services.cabinets.viewForSite(input.siteId);
      }),
      create: os.cabinets.create.handler(({ input }) => services.cabinets.createForSite(input.siteId, input.templateId, input.name, input.language)),
    },
    devices: {
      add: os.devices.add.handler(({ input }) => publicDevice(services.cabinets.add(input))),
      update: os.devices.update.handler(({ input }) => publicDevice(services.cabinets.move(input))),
      remove: os.devices.remove.handler(({ input }) => {
        services.cabinets.remove(input.id);
        return { id: input.id, deleted: true as const };
      }),
      connect: os.devices.connect.handler(async ({ input }) => {
        // A device outside the networks EdgeCab may reach is refused here, before monitoring would reach it.
        await services.network.check(input.protocol === 'redfish' ? new URL(input.url).hostname : input.host).catch((error: unknown) => {
          // Nothing is reached yet: a name that does not resolve is bad input here, not an unreachable device.
          if (error instanceof HostUnresolvedError) throw new InvalidInputError([{ field: input.protocol === 'redfish' ? 'url' : 'host', code: 'unresolved', message: error.message }]);
          return policyRefusal(error);
        });
        return publicDevice(services.devices.connect(input));
      }),
      connectEngine: os.devices.connectEngine.handler(async ({ input, context, errors }) => {
        if (input.url.startsWith('unix:')) {
          // A socket is the EdgeCab machine's own engine, not a site's: only for administrators of every region, as for the probe.
          if (!context.access.canEverywhere('administrator')) throw errors.FORBIDDEN({ message: "A unix socket is an engine on the EdgeCab machine itself; only an administrator of every region may connect one. A site's engine is reached over https://", data: { role: 'administrator', operation: 'devices.connectEngine' } });
        } else {
          await services.network.check(new URL(input.url).hostname).catch((error: unknown) => {
            if (error instanceof HostUnresolvedError) throw new InvalidInputError([{ field: 'url', code: 'unresolved', message: error.message }]);
            return policyRefusal(error);
          });
        }
        return publicDevice(services.devices.connectEngine(input));
      }),
      engine: os.devices.engine.handler(async ({ input, context, errors }) => {
        const device = services.cabinets.device(input.id);
        if (device.endpoint?.startsWith('unix:') && !context.access.canEverywhere('administrator'))
          throw errors.FORBIDDEN({ message: 'This engine is a unix socket on the EdgeCab machine itself; only an administrator of every region may read it', data: { role: 'administrator', operation: 'devices.engine' } });
        try {
          return await services.engines.read(input.id);
        } catch (error) {
          if (error instanceof EngineError) throw errors.DEVICE_UNREACHABLE({ message: error.message, data: { reason: error.code, fingerprint: error.fingerprint ?? null } });
          throw error;
        }
      }),
      trustCertificate: os.devices.trustCertificate.handler(({ input }) => {
        services.devices.trustCertificate(input.id, input.fingerprint);
        return { id: input.id, trusted: true as const };
      }),
      get: os.devices.get.handler(({ input }) => services.devices.detail(input.id)),
      refresh: os.devices.refresh.handler(({ input, errors }) => onDevice(() => services.devices.refresh(input.id), errors)),
      power: os.devices.power.handler(({ input, errors }) => onDevice(() => services.devices.power(input.id, input.action), errors)),
      probeRedfish: os.devices.probeRedfish.handler(async ({ input, errors }) => {
        if (input.url.startsWith('http:') && !input.allowClearText) {
          throw new InvalidInputError([{ field: 'url', code: 'clear_text', message: 'http:// would send the password in clear text; use https://, or allow clear text explicitly' }]);
        }
        const target = await services.network.reachableUrl(input.url).catch(policyRefusal);
        const client = new RedfishClient({
          url: target.origin,
          username: input.username,
          password: input.password,
          pinnedFingerprint: input.fingerprint ?? null,
          trustOnFirstUse: input.trustOnFirstUse,
          requestTimeoutMs: 15_000,
          allowClearText: input.allowClearText,
        });
        try {
          const inventory = await readInventory(client);
          return { ...inventory, certificateFingerprint: client.fingerprint };
        } catch (error) {
          if (error instanceof RedfishError) {
            throw errors.DEVICE_UNREACHABLE({ message: error.message, data: { reason: error.code, fingerprint: error.fingerprint ?? null } });
          }
          throw error;
        } finally {
          await client.close();
        }
      }),
      probeEngine: os.devices.probeEngine.handler(async ({ input, errors }) => {
        let address: EngineAddress;
        try {
          address = engineAddress(input.url);
        } catch (error) {
          if (error instanceof EngineError) throw new InvalidInputError([{ field: 'url', code: error.code === 'cleartext' ? 'clear_text' : 'invalid', message: error.message }]);
          throw error;
        }
        const url = address.kind === 'tls' ? (await services.network.reachableUrl(address.origin).catch(policyRefusal)).origin : input.url;
        const client = new EngineClient({
          url,
          clientCertificate: address.kind === 'tls' ? await services.authority.engineClientCertificate() : null,
          pinnedFingerprint: input.fingerprint ?? null,
          trustOnFirstUse: input.trustOnFirstUse,
        });
        try {
          return await readEngine(client);
        } catch (error) {
          if (error instanceof EngineError) throw errors.DEVICE_UNREACHABLE({ message: error.message, data: { reason: error.code, fingerprint: error.fingerprint ?? null } });
          throw error;
        } finally {
          await client.close();
        }
      }),
      probeSnmp: os.devices.probeSnmp.handler(async ({ input, errors }) => {
        try {
          return await collectDevice({ ...input, host: await services.network.reachableHost(input.host).catch(policyRefusal) });
        } catch (error) {
          if (error instanceof SnmpError) throw errors.DEVICE_UNREACHABLE({ message: error.message, data: { reason: error.code } });
          throw error;
        }
      }),
    },
    map: {
      sites: os.map.sites.handler(({ context }) => {
        const scope = scopeOf(context.access);
        const all = services.map.all();
        return { generatedAt: new Date().toISOString(), sites: scope === 'all' ? [...all] : all.filter((site) => Access.sees(scope, site[5])) };
      }),
      site: os.map.site.handler(({ input }) => {
        const site = services.map.one(input.id);
        if (!site) throw new NotFoundError('site', input.id);
        return site;
      }),
    },
    apps: {
      list: os.apps.list.handler(() => services.apps.apps()),
      releases: os.apps.releases.handler(({ input }) => services.apps.releases(input.appId)),
      push: os.apps.push.handler(({ input, context }) => services.apps.pushUpload(input.file, context.actor)),
      deploy: os.apps.deploy.handler(({ input, context, errors }) => {
        services.sites.get(input.siteId);
        // An engine on a unix socket is the EdgeCab machine's own: only an administrator of every region puts containers there.
        if (services.engines.ofSite(input.siteId).some((engine) => engine.endpoint?.startsWith('unix:')) && !context.access.canEverywhere('administrator'))
          throw errors.FORBIDDEN({ message: "This site's engine is a unix socket on the EdgeCab machine itself; only an administrator of every region may deploy to it", data: { role: 'administrator', operation: 'apps.deploy' } });
        const { siteId, ...deployment } = input;
        return services.siteApps.deploy(siteId, { ...deployment, rolloutId: null }, context.actor);
      }),
      siteApps: os.apps.siteApps.handler(({ input }) => {
        services.sites.get(input.siteId);
        return { apps: services.siteApps.ofSite(input.siteId), actions: services.outbox.list({ siteId: input.siteId, limit: 50 }) };
      }),
      publishers: os.apps.publishers.handler(() => services.apps.publishers()),
      trust: os.apps.trust.handler(({ input, context }) => services.apps.trust(input, context.actor)),
      distrust: os.apps.distrust.handler(({ input }) => {
        services.apps.distrust(input.keyId);
        return { keyId: input.keyId, deleted: true as const };
      }),
    },
    rollouts: (() => {
      type Guard = { access: Access; role: Role; forbid: (message: string) => Error };
      /** The caller must hold the guard's role where every site is (operator to run, administrator to plan a new one), and be an administrator of every region for an engine on this machine's unix socket. */
      const mayOperate = (siteList: readonly { id: string; code: string; regionId: number | null }[], { access, forbid, role }: Guard) => {
        const outside = siteList.filter((site) => !access.can(role, site.regionId));
        if (outside.length > 0) throw forbid(`${outside.length} of the ${siteList.length} sites (${outside.slice(0, 3).map((site) => site.code).join(', ')}${outside.length > 3 ? ', …' : ''}) are in regions where you are not ${role === 'administrator' ? 'an administrator' : 'an operator'}`);
        if (!access.canEverywhere('administrator') && siteList.some((site) => services.engines.ofSite(site.id).some((engine) => engine.endpoint?.startsWith('unix:'))))
          throw forbid("A target site's engine is a unix socket on the EdgeCab machine itself; only an administrator of every region may deploy to it");
      };
      const sitesOf = (id: string) =>
        services.rollouts.siteIds(id).map((siteId) => {
          const site = services.sites.get(siteId);
          return { id: siteId, code: site.code, regionId: site.regionId };
        });
      const guard = (context: { access: Access }, errors: { FORBIDDEN: (options: { message: string; data: { role: Role; operation: string } }) => Error }, operation: string, role: Role = 'operator'): Guard => ({
        access: context.access,
        role,
        forbid: (message) => errors.FORBIDDEN({ message, data: { role, operation } }),
      });
      const visibleDetail = (detail: RolloutDetail, access: Access) => {
        const scope = scopeOf(access);
        if (scope === 'all') return detail;
        const sites = detail.sites.filter((site) => Access.sees(scope, services.sites.get(site.siteId).regionId));
        if (sites.length === 0) throw new NotFoundError('rollout', detail.id);
        return { ...detail, sites };
      };
      return {
        plan: os.rollouts.plan.handler(({ input, context, errors }) => {
          mayOperate(services.rollouts.targets(input), guard(context, errors, 'rollouts.plan'));
          return services.rollouts.plan(input);
        }),
        create: os.rollouts.create.handler(({ input, context, errors }) => {
          mayOperate(services.rollouts.targets(input), guard(context, errors, 'rollouts.create', 'administrator'));
          return services.rollouts.create(input, context.actor);
        }),
        list: os.rollouts.list.handler(({ context }) => {
          const scope = scopeOf(context.access);
          const all = services.rollouts.list();
          if (scope === 'all') return all;
          return all.filter((rollout) => services.rollouts.siteIds(rollout.id).some((siteId) => Access.sees(scope, services.sites.get(siteId).regionId)));
        }),
        get: os.rollouts.get.handler(({ input, context }) => visibleDetail(services.rollouts.get(input.id), context.access)),
        act: os.rollouts.act.handler(({ input, context, errors }) => {
          mayOperate(sitesOf(input.id), guard(context, errors, 'rollouts.act'));
          const act = { pause: () => services.rollouts.pause(input.id), resume: () => services.rollouts.resume(input.id), cancel: () => services.rollouts.cancel(input.id), rollback: () => services.rollouts.rollback(input.id) }[input.action];
          return act();
        }),
      };
    })(),
    tiles: {
      list: os.tiles.list.handler(() => services.tiles.list()),
      // A file the HTTP server staged on disk is taken over by path; others are streamed to disk first.
      import: os.tiles.import.handler(({ input }) =>
        services.tiles.importUpload(input.file, { name: input.name, datum: input.datum, fileName: input.file.name.replace(/\.(mbtiles|pmtiles)$/i, '') }),
      ),
      online: os.tiles.online.handler(() => services.onlineTiles.status()),
      configureOnline: os.tiles.configureOnline.handler(({ input }) => services.onlineTiles.setSource(input)),
      remove: os.tiles.remove.handler(({ input }) => {
        services.tiles.remove(input.id);
        return { id: input.id, deleted: true as const };
      }),
    },
    monitor: {
      status: os.monitor.status.handler(() => services.monitor.status()),
      setPlan: os.monitor.setPlan.handler(({ input }) => services.monitor.setPlan(input)),
      device: os.monitor.device.handler(({ input }) => {
        services.cabinets.device(input.deviceId);
        return services.monitor.deviceState(input.deviceId, input.hours);
      }),
      pollSite: os.monitor.pollSite.handler(async ({ input }) => {
        sites.get(input.siteId);
        await services.monitor.pollSite(input.siteId);
        return { siteId: input.siteId, polled: true as const };
      }),
    },
    alarms: {
      list: os.alarms.list.handler(({ input, context }) => services.alarms.list(input, scopeOf(context.access))),
      get: os.alarms.get.handler(({ input }) => services.alarms.detail(input.id)),
      acknowledge: os.alarms.acknowledge.handler(({ input, context }) => services.alarms.acknowledge(input.ids, context.actor)),
      comment: os.alarms.comment.handler(({ input, context }) => services.alarms.comment(input.id, input.text, context.actor)),
      assign: os.alarms.assign.handler(({ input, context }) => services.alarms.assign(input.id, input.assignee, context.actor)),
      maintenance: os.alarms.maintenance.handler(({ input, context }) => {
        const scope = scopeOf(context.access);
        return services.alarms.maintenance(input.siteId).filter((window) => scope === 'all' || Access.sees(scope, lookup.site(window.siteId) ?? null));
      }),
      addMaintenance: os.alarms.addMaintenance.handler(({ input, context }) => services.alarms.addMaintenance(input, context.actor)),
      removeMaintenance: os.alarms.removeMaintenance.handler(({ input }) => {
        services.alarms.removeMaintenance(input.id);
        return { id: input.id, deleted: true as const };
      }),
      forwarding: os.alarms.forwarding.handler(() => services.forwarder.publicConfig()),
      setForwarding: os.alarms.setForwarding.handler(({ input }) => services.forwarder.setConfig(input)),
    },
    lab: {
      status: os.lab.status.handler(() => services.lab.status()),
      start: os.lab.start.handler(({ input, errors }) => orLabUnavailable(() => services.lab.start(input), () => errors.LAB_UNAVAILABLE())),
      fault: os.lab.fault.handler(({ input, errors }) => orLabUnavailable(() => services.lab.fault(input), () => errors.LAB_UNAVAILABLE())),
    },
    wizard: {
      start: os.wizard.start.handler(() => services.wizard.start()),
      list: os.wizard.list.handler(({ context }) => {
        const scope = scopeOf(context.access);
        return services.wizard.list().filter((run) => {
          const region = lookup.wizardRun(run.id);
          return scope === 'all' || region === 'no-site' || (region !== undefined && Access.sees(scope, region));
        });
      }),
      get: os.wizard.get.handler(({ input }) => services.wizard.get(input.runId)),
      goto: os.wizard.goto.handler(({ input }) => services.wizard.goto(input.runId, input.step)),
      site: os.wizard.site.handler(({ input }) => services.wizard.saveSite(input)),
      discover: os.wizard.discover.handler(({ input }) => {
        const { wait, ...rest } = input;
        return services.wizard.discover(rest, wait);
      }),
      confirm: os.wizard.confirm.handler(({ input }) => services.wizard.confirm(input)),
      secure: os.wizard.secure.handler(({ input }) => services.wizard.secure(input)),
      configure: os.wizard.configure.handler(({ input }) => services.wizard.configure(input)),
      verify: os.wizard.verify.handler(({ input }) => services.wizard.verify(input.runId)),
      report: os.wizard.report.handler(({ input }) => services.wizard.report(input.runId)),
    },
    network: {
      policy: os.network.policy.handler(() => services.network.get()),
      setPolicy: os.network.setPolicy.handler(({ input }) => services.network.set(input)),
    },
    audit: {
      list: os.audit.list.handler(({ input }) => audit.list(input)),
    },
    events: {
      // The caller is checked again while the stream is open: rights are the current ones, not those it opened with.
      subscribe: os.events.subscribe.handler(({ signal, context }) => {
        const viewerNow = (): StreamViewer | null => {
          const principal = context.recheck ? context.recheck() : context.principal;
          if (!principal) return null;
          const access = new Access(principal, (regionId) => regions.ancestors(regionId));
          try {
            checkPermission('events.subscribe', undefined, access, lookup);
          } catch {
            return null;
          }
          return { access, scope: scopeOf(access) };
        };
        return followEvents(bus, signal, viewerNow, lookup);
      }),
    },
    nodeIdentity: {
      get: os.nodeIdentity.get.handler(({ input }) => services.nodeIdentity.view(input.siteId)),
      revoke: os.nodeIdentity.revoke.handler(({ input, context }) => services.nodeIdentity.revoke(input.siteId, input.reason, context.actor)),
      enrol: os.nodeIdentity.enrol.handler(async ({ input, context }) => {
        await services.nodeIdentity.enrol(input.siteId, context.actor);
        return services.nodeIdentity.view(input.siteId);
      }),
    },
    pki: {
      authority: os.pki.authority.handler(async () => new File([(await services.authority.certificate()).certificatePem], 'edgecab-ca.pem', { type: 'application/x-pem-file' })),
    },
    firmware: {
      device: os.firmware.device.handler(({ input }) => services.firmware.view(input.id)),
      deviceCompliance: os.firmware.deviceCompliance.handler(({ input }) => services.firmwareCompliance.device(input.id)),
      devicePlans: os.firmware.devicePlans.handler(({ input }) => {
        services.cabinets.device(input.id);
        return services.firmwarePlans.deviceSteps(input.id);
      }),
      packages: os.firmware.packages.handler(() => services.firmwarePackages.list()),
      upload: os.firmware.upload.handler(({ input, context }) => services.firmwarePackages.upload(input, context.actor)),
      importCatalog: os.firmware.importCatalog.handler(({ input, context }) => services.firmwarePackages.importCatalog(input.file, context.actor)),
      removePackage: os.firmware.removePackage.handler(({ input }) => {
        services.firmwarePackages.remove(input.id);
        return { id: input.id, deleted: true as const };
      }),
      baselines: os.firmware.baselines.handler(() => services.firmwareBaselines.list()),
      createBaseline: os.firmware.createBaseline.handler(({ input, context }) => services.firmwareBaselines.create(input, context.actor)),
      updateBaseline: os.firmware.updateBaseline.handler(({ input: { id, ...input }, context }) => services.firmwareBaselines.update(id, input, context.actor)),
      removeBaseline: os.firmware.removeBaseline.handler(({ input }) => {
        services.firmwareBaselines.remove(input.id);
        return { id: input.id, deleted: true as const };
      }),
      compliance: os.firmware.compliance.handler(({ context }) => services.firmwareCompliance.overview(scopeOf(context.access))),
      siteCompliance: os.firmware.siteCompliance.handler(({ input }) => services.firmwareCompliance.site(input.siteId)),
      previewPlan: os.firmware.previewPlan.handler(({ input }) => services.firmwarePlans.preview(input)),
      createPlan: os.firmware.createPlan.handler(({ input, context }) => services.firmwarePlans.create(input, context.actor)),
      plans: os.firmware.plans.handler(() => services.firmwarePlans.list()),
      plan: os.firmware.plan.handler(({ input }) => services.firmwarePlans.get(input.id)),
      cancelPlan: os.firmware.cancelPlan.handler(({ input, context }) => services.firmwarePlans.cancel(input.id, context.actor)),
    },
    energy: {
      fleet: os.energy.fleet.handler(({ input, context }) => services.energy.fleet(scopeOf(context.access), input.days)),
      site: os.energy.site.handler(({ input }) => services.energy.site(input.siteId, input.days)),
      export: os.energy.export.handler(({ input, context }) => services.energy.exportCsv(scopeOf(context.access), input.days)),
      tariff: os.energy.tariff.handler(({ input }) => services.energy.regionTariff(input.regionId)),
      setTariff: os.energy.setTariff.handler(({ input }) => services.energy.setRegionTariff(input.regionId, input.tariff)),
      powerLimit: os.energy.powerLimit.handler(({ input, errors }) => onDevice(() => services.powerLimits.read(input.id), errors)),
      setPowerLimit: os.energy.setPowerLimit.handler(({ input, errors }) => onDevice(() => services.powerLimits.set(input.id, input.watts), errors)),
      policy: os.energy.policy.handler(({ input }) => services.powerLimits.policy(input.siteId)),
      setPolicy: os.energy.setPolicy.handler(({ input }) => services.powerLimits.setPolicy(input)),
      caps: os.energy.caps.handler(({ input }) => services.standingCaps.view(input.siteId)),
      setSiteCap: os.energy.setSiteCap.handler(({ input }) => services.standingCaps.setSite(input.siteId, input.capWatts)),
      setModelCap: os.energy.setModelCap.handler(({ input }) => services.standingCaps.setModel(input.templateId, input.capWatts)),
    },
    integrity: {
      site: os.integrity.site.handler(({ input }) => services.integrity.site(input.siteId)),
      fleet: os.integrity.fleet.handler(({ context }) => services.integrity.fleet(scopeOf(context.access))),
      check: os.integrity.check.handler(({ input }) => services.integrity.checkSite(input.siteId)),
      accept: os.integrity.accept.handler(({ input, context }) => services.integrity.accept(input.id, context.actor)),
    },
    auth: {
      me: os.auth.me.handler(({ context }) => context.principal),
    },
    users: {
      list: os.users.list.handler(() => services.identity.listUsers()),
      create: os.users.create.handler(({ input }) => services.identity.createUser(input)),
      update: os.users.update.handler(({ input }) => services.identity.updateUser(input)),
      setPassword: os.users.setPassword.handler(({ input, context }) => services.identity.setPassword(input, context.principal.userId, isRootAdmin(context.access))),
    },
    tokens: {
      list: os.tokens.list.handler(({ context }) => services.identity.listTokens(isRootAdmin(context.access) ? null : (context.principal.userId ?? '-'))),
      create: os.tokens.create.handler(({ input, context, errors }) => {
        if (!context.principal.userId) throw errors.FORBIDDEN({ message: 'API tokens belong to users: sign in as a user (or use `edgecab tokens create --user NAME`)', data: { role: 'viewer', operation: 'tokens.create' } });
        // Capped by the caller, not only by the user: a token's principal holds its user's grants cut to its scope,
        // so a viewer token cannot mint an administrator token for its user.
        const most = highestRole(context.principal.grants);
        if (!most || !atLeast(most, input.scope)) {
          throw errors.FORBIDDEN({ message: `A new token may do at most what its creator may (${most ?? 'no role'}); a ${input.scope} token needs the ${input.scope} role`, data: { role: input.scope, operation: 'tokens.create' } });
        }
        return services.identity.createToken(context.principal.userId, input);
      }),
      revoke: os.tokens.revoke.handler(({ input, context, errors }) => {
        const token = services.identity.token(input.id);
        if (token.userId !== context.principal.userId && !isRootAdmin(context.access)) throw new NotFoundError('token', input.id);
        // A token may not revoke one that may do more than itself (a leaked viewer token cutting off its user's
        // administrator integrations); users signed in may always revoke their own.
        const most = highestRole(context.principal.grants);
        if (context.principal.kind === 'token' && (!most || !atLeast(most, token.scope))) {
          throw errors.FORBIDDEN({ message: `A token may revoke only tokens that do no more than itself (${most ?? 'no role'}); this one is ${token.scope}`, data: { role: token.scope, operation: 'tokens.revoke' } });
        }
        return services.identity.revokeToken(input.id);
      }),
    },
  });
}

export type CoreRouter = ReturnType<typeof createRouter>;

/** The regions a caller sees, with their ancestors for the tree; site counts only of what the caller sees. */
function visibleRegions(all: Region[], access: Access): Region[] {
  if (access.canEverywhere('viewer')) return all;
  const visible = new Set(all.filter((region) => access.roleAt(region.id) !== null).map((region) => region.id));
  const byId = new Map(all.map((region) => [region.id, region]));
  const shown = new Set(visible);
  for (const id of visible) {
    for (let parent = byId.get(id)?.parentId ?? null; parent !== null && !shown.has(parent); parent = byId.get(parent)?.parentId ?? null) shown.add(parent);
  }
  return all.filter((region) => shown.has(region.id)).map((region) => (visible.has(region.id) ? region : { ...region, siteCount: 0 }));
}
