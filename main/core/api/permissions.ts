import { ORPCError } from '@orpc/server';
import type { Access, Role } from '../../../shared/domain/access.js';
import type { RegionOf, ScopeLookup } from './scope-lookup.js';

type Input = Record<string, unknown>;

/**
 * Where an operation acts, for the permission check:
 *  - `somewhere`: the role on any region (lists the handler filters to what the caller sees, starting a wizard run);
 *  - `everywhere`: the role at the root (global settings, users, repositories, probes that reach any host);
 *  - `on`: the role on each region the objects it touches live in (looked up from the input).
 */
/** Where a new object would go: refused with 403 (not 404) when the role is missing, since nothing is hidden by saying so. */
export interface Placement {
  placeIn: number | null | undefined;
}
type Target = RegionOf | 'no-site' | Placement;

export type Where = { kind: 'somewhere' } | { kind: 'everywhere' } | { kind: 'on'; regions: (input: Input, lookup: ScopeLookup) => readonly Target[] };

export interface Policy {
  role: Role;
  where: Where;
}

const somewhere = (role: Role): Policy => ({ role, where: { kind: 'somewhere' } });
const everywhere = (role: Role): Policy => ({ role, where: { kind: 'everywhere' } });
const on = (role: Role, regions: (input: Input, lookup: ScopeLookup) => readonly Target[]): Policy => ({ role, where: { kind: 'on', regions } });

const site = (field = 'id') => (input: Input, lookup: ScopeLookup) => [lookup.site(input[field])];
const device = (field = 'id') => (input: Input, lookup: ScopeLookup) => [lookup.device(input[field])];
/** The region a new object goes into (null: no region, which needs a role on every region). */
const placeIn = (field: string) => (input: Input, lookup: ScopeLookup): Placement[] => {
  const value = input[field];
  return [{ placeIn: value === null || value === undefined ? null : lookup.region(value) }];
};
const placeAt = (value: unknown, lookup: ScopeLookup): Placement => ({ placeIn: value === null || value === undefined ? null : lookup.region(value) });

/**
 * Every operation's permission, enforced once in the core for every
 * transport. Reads need viewer, everyday actions (acknowledge, comment,
 * power, polls, deploying a release, running a rollout that exists)
 * operator, and changes to sites, devices, credentials, certificates,
 * repositories, plans (a new rollout), users and settings administrator. A test checks that every
 * operation of the contract is listed here.
 */
export const POLICIES: Record<string, Policy> = {
  'system.info': somewhere('viewer'),
  'system.problems': everywhere('administrator'),
  'auth.me': somewhere('viewer'),

  'sites.list': somewhere('viewer'),
  'sites.get': on('viewer', site()),
  'sites.create': on('administrator', placeIn('regionId')),
  'sites.update': on('administrator', (input, lookup) => [lookup.site(input.id), ...('regionId' in input ? [placeAt(input.regionId, lookup)] : [])]),
  'sites.delete': on('administrator', site()),
  'sites.importCsv': everywhere('administrator'),

  'regions.list': somewhere('viewer'),
  'regions.create': on('administrator', placeIn('parentId')),
  'regions.update': on('administrator', (input, lookup) => [lookup.region(input.id), ...('parentId' in input ? [placeAt(input.parentId, lookup)] : [])]),
  'regions.delete': on('administrator', (input, lookup) => [lookup.region(input.id)]),

  'cabinets.templates': somewhere('viewer'),
  'cabinets.get': on('viewer', site('siteId')),
  'cabinets.create': on('administrator', site('siteId')),

  'devices.add': on('administrator', (input, lookup) => [lookup.cabinet(input.cabinetId)]),
  'devices.update': on('administrator', device()),
  'devices.remove': on('administrator', device()),
  'devices.connect': on('administrator', device()),
  'devices.connectEngine': on('administrator', device()),
  'devices.engine': on('operator', device()),
  'devices.trustCertificate': on('administrator', device()),
  'devices.get': on('viewer', device()),
  'devices.refresh': on('operator', device()),
  'devices.power': on('operator', device()),
  // They reach any address the caller names: administrators of everything only, and the network policy applies.
  'devices.probeSnmp': everywhere('administrator'),
  'devices.probeRedfish': everywhere('administrator'),
  // A unix socket reaches the EdgeCab machine's own engine; TCP any host the network policy allows.
  'devices.probeEngine': everywhere('administrator'),

  'map.sites': somewhere('viewer'),
  'map.site': on('viewer', site()),

  'apps.list': somewhere('viewer'),
  'apps.releases': somewhere('viewer'),
  'apps.push': everywhere('administrator'),
  'apps.publishers': somewhere('viewer'),
  'apps.deploy': on('operator', site('siteId')),
  'apps.siteApps': on('viewer', site('siteId')),
  'apps.trust': everywhere('administrator'),
  'apps.distrust': everywhere('administrator'),
  // A rollout's sites come from its targets (a list, a region, a search): the handler checks the role on each.
  'rollouts.plan': somewhere('operator'),
  'rollouts.create': somewhere('administrator'),
  'rollouts.list': somewhere('viewer'),
  'rollouts.get': somewhere('viewer'),
  'rollouts.act': somewhere('operator'),
  'tiles.list': somewhere('viewer'),
  'tiles.import': everywhere('administrator'),
  'tiles.online': somewhere('viewer'),
  'tiles.configureOnline': everywhere('administrator'),
  'tiles.remove': everywhere('administrator'),

  'monitor.status': somewhere('viewer'),
  'monitor.setPlan': everywhere('administrator'),
  'monitor.device': on('viewer', device('deviceId')),
  'monitor.pollSite': on('operator', site('siteId')),

  'alarms.list': somewhere('viewer'),
  'alarms.get': on('viewer', (input, lookup) => [lookup.alarm(input.id)]),
  'alarms.acknowledge': on('operator', (input, lookup) => (Array.isArray(input.ids) ? input.ids.map((id) => lookup.alarm(id)) : [undefined])),
  'alarms.comment': on('operator', (input, lookup) => [lookup.alarm(input.id)]),
  'alarms.assign': on('operator', (input, lookup) => [lookup.alarm(input.id)]),
  'alarms.maintenance': somewhere('viewer'),
  'alarms.addMaintenance': on('operator', (input, lookup) => [input.deviceId ? lookup.device(input.deviceId) : lookup.site(input.siteId)]),
  'alarms.removeMaintenance': on('operator', (input, lookup) => [lookup.maintenanceWindow(input.id)]),
  'alarms.forwarding': everywhere('administrator'),
  'alarms.setForwarding': everywhere('administrator'),

  'lab.status': somewhere('viewer'),
  'lab.start': everywhere('administrator'),
  'lab.fault': everywhere('administrator'),

  'wizard.start': somewhere('administrator'),
  'wizard.list': somewhere('administrator'),
  'wizard.get': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),
  'wizard.goto': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),
  'wizard.site': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId), placeAt(input.regionId, lookup)]),
  'wizard.discover': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),
  'wizard.confirm': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),
  'wizard.secure': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),
  'wizard.configure': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),
  'wizard.verify': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),
  'wizard.report': on('administrator', (input, lookup) => [lookup.wizardRun(input.runId)]),

  'network.policy': somewhere('viewer'),
  'network.setPolicy': everywhere('administrator'),

  'nodeIdentity.get': on('viewer', site('siteId')),
  'nodeIdentity.revoke': on('administrator', site('siteId')),
  'nodeIdentity.enrol': on('administrator', site('siteId')),
  'pki.authority': somewhere('viewer'),
  'energy.fleet': somewhere('viewer'),
  'energy.site': on('viewer', site('siteId')),
  'energy.export': somewhere('viewer'),
  'energy.tariff': on('viewer', (input, lookup) => [lookup.region(input.regionId)]),
  'energy.setTariff': on('administrator', (input, lookup) => [lookup.region(input.regionId)]),
  'energy.powerLimit': on('operator', device()),
  'energy.setPowerLimit': on('operator', device()),
  'energy.policy': on('viewer', site('siteId')),
  'energy.setPolicy': on('administrator', site('siteId')),
  'firmware.device': on('viewer', device()),
  'firmware.deviceCompliance': on('viewer', device()),
  'firmware.devicePlans': on('viewer', device()),
  'firmware.packages': somewhere('viewer'),
  'firmware.upload': everywhere('administrator'),
  'firmware.importCatalog': everywhere('administrator'),
  'firmware.removePackage': everywhere('administrator'),
  'firmware.baselines': somewhere('viewer'),
  'firmware.createBaseline': everywhere('administrator'),
  'firmware.updateBaseline': everywhere('administrator'),
  'firmware.removeBaseline': everywhere('administrator'),
  'firmware.compliance': somewhere('viewer'),
  'firmware.siteCompliance': on('viewer', site('siteId')),
  'firmware.previewPlan': everywhere('administrator'),
  'firmware.createPlan': everywhere('administrator'),
  // Plans span regions and name every device and BMC message in them: seen by those who see every region.
  'firmware.plans': everywhere('viewer'),
  'firmware.plan': everywhere('viewer'),
  'firmware.cancelPlan': everywhere('administrator'),
  'energy.caps': on('viewer', site('siteId')),
  'energy.setSiteCap': on('administrator', site('siteId')),
  'energy.setModelCap': everywhere('administrator'),
  'integrity.site': on('viewer', site('siteId')),
  'integrity.fleet': somewhere('viewer'),
  // Reading the devices again changes nothing on them, like polling a site.
  'integrity.check': on('operator', site('siteId')),
  'integrity.accept': on('administrator', device()),

  'audit.list': everywhere('administrator'),
  'events.subscribe': somewhere('viewer'),

  'users.list': everywhere('administrator'),
  'users.create': everywhere('administrator'),
  'users.update': everywhere('administrator'),
  // Everyone may change their own password (the handler checks whose); administrators anyone's.
  'users.setPassword': somewhere('viewer'),
  'tokens.list': somewhere('viewer'),
  'tokens.create': somewhere('viewer'),
  'tokens.revoke': somewhere('viewer'),
};

/** Mutations nobody listed: only administrators of everything, until someone decides otherwise. */
const FALLBACK: Policy = everywhere('administrator');

export function policyOf(operation: string): Policy {
  return POLICIES[operation] ?? FALLBACK;
}

export class PermissionRefused extends ORPCError<'FORBIDDEN', { role: Role; operation: string }> {
  constructor(operation: string, role: Role, where: string) {
    super('FORBIDDEN', { status: 403, message: `This needs the ${role} role ${where}; ask an administrator for it`, data: { role, operation } });
  }
}

/**
 * Checks the caller may run `operation` with `input`. An object the caller
 * may not even see answers 404, as if it did not exist; one it sees but may
 * not change answers 403 naming the role needed.
 */
export function checkPermission(operation: string, input: unknown, access: Access, lookup: ScopeLookup): void {
  const policy = policyOf(operation);
  const { role, where } = policy;
  if (where.kind === 'somewhere') {
    if (!access.canSomewhere(role)) throw new PermissionRefused(operation, role, 'on some region');
    return;
  }
  if (where.kind === 'everywhere') {
    if (!access.canEverywhere(role)) throw new PermissionRefused(operation, role, 'on every region');
    return;
  }
  const record = input && typeof input === 'object' ? (input as Input) : {};
  for (const region of where.regions(record, lookup)) {
    if (region !== null && typeof region === 'object') {
      // A placement into a region that does not exist reaches the handler, which says so.
      if (region.placeIn === undefined) continue;
      if (!access.can(role, region.placeIn)) throw new PermissionRefused(operation, role, region.placeIn === null ? 'on every region (the new object is in no region)' : 'on that region');
      continue;
    }
    // Missing objects reach the handler, which answers 404 itself; a run without a site yet is anybody's who may start one.
    if (region === undefined || region === 'no-site') {
      if (!access.canSomewhere(role)) throw new PermissionRefused(operation, role, 'on some region');
      continue;
    }
    if (access.roleAt(region) === null) throw new ORPCError('NOT_FOUND', { status: 404, message: 'Not found' });
    if (!access.can(role, region)) throw new PermissionRefused(operation, role, region === null ? 'on every region (the site is in no region)' : 'on this site\'s region');
  }
}
