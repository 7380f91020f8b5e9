import { EnergyService } from './services/energy/energy-service.js';
import { PowerLimits } from './services/energy/power-limits.js';
import { StandingCaps } from './services/energy/standing-caps.js';
import { FirmwareState } from './services/firmware/firmware-state.js';
import { FirmwareRepository } from './services/firmware/firmware-repository.js';
import { FirmwareBaselines } from './services/firmware/baselines.js';
import { FirmwareCompliance } from './services/firmware/compliance.js';
import { FirmwarePlans } from './services/firmware/plans.js';
import { CapabilityCache, FirmwarePlanner } from './services/firmware/planner.js';
import { FirmwarePlanRunner } from './services/firmware/plan-runner.js';
import { PlanStore } from './services/firmware/plan-store.js';
import { FirmwareOutbox } from './services/firmware/plan-outbox.js';
import { FirmwareImageServer } from './services/firmware/image-server.js';
import type { SystemInfo } from '../../shared/contract/index.js';
import type { SiteCsvImportResult } from '../../shared/domain/site.js';
import type { Database } from './db/open.js';
import { AuditLog } from './services/audit/audit-log.js';
import { AppRepository } from './services/apps/app-repository.js';
import { SiteEngines } from './services/apps/site-engines.js';
import { SiteApps } from './services/apps/site-apps.js';
import { AppDriftWatch } from './services/apps/drift-watch.js';
import { OutboxService } from './services/outbox/outbox-service.js';
import { EngineSnapshots } from './services/rollouts/engine-snapshots.js';
import { RolloutPlanner } from './services/rollouts/rollout-plan.js';
import { RolloutService } from './services/rollouts/rollout-service.js';
import { CabinetService } from './services/cabinets/cabinet-service.js';
import { loadTemplates } from './services/cabinets/templates.js';
import { CredentialVault } from './services/credentials/vault.js';
import { DeviceService } from './services/devices/device-service.js';
import { MapService } from './services/map/map-service.js';
import { OnlineTileCache } from './services/tiles/online-tiles.js';
import { NetworkPolicyService } from './services/network/network-policy.js';
import { TileService } from './services/tiles/tile-service.js';
import { EventBus } from './services/events/bus.js';
import { RegionService } from './services/regions/region-service.js';
import { importSitesCsv } from './services/sites/csv-import.js';
import { SiteService } from './services/sites/site-service.js';
import { AlarmService } from './services/alarms/alarm-service.js';
import { AlarmForwarder } from './services/alarms/forwarding.js';
import { NO_LAB, type LabController } from './services/lab/lab-controller.js';
import { MonitorService } from './services/monitor/monitor-service.js';
import { WizardService } from './services/wizard/wizard-service.js';
import { loadFactoryCredentials } from './services/wizard/discovery.js';
import { IdentityService } from './services/identity/identity-service.js';
import { CertificateAuthority } from './services/pki/authority.js';
import { CredentialRotation } from './services/credentials/rotation.js';
import { SystemHealth } from './services/system/system-health.js';
import type { RotationHooks } from './services/credentials/rotation.js';
import { NodeIdentityService } from './services/node-identity/node-identity-service.js';
import { IntegrityService } from './services/integrity/integrity-service.js';
import { SiteAlarms } from './services/integrity/site-alarms.js';

export interface Services {
  /** The database the services share (for lookups that cross features, such as permission checks). */
  db: Database;
  sites: SiteService;
  regions: RegionService;
  audit: AuditLog;
  bus: EventBus;
  cabinets: CabinetService;
  devices: DeviceService;
  map: MapService;
  alarms: AlarmService;
  forwarder: AlarmForwarder;
  monitor: MonitorService;
  /** Replaced by hosts that offer the lab fleet. */
  lab: LabController;
  wizard: WizardService;
  tiles: TileService;
  onlineTiles: OnlineTileCache;
  network: NetworkPolicyService;
  identity: IdentityService;
  vault: CredentialVault;
  authority: CertificateAuthority;
  rotation: CredentialRotation;
  /** Cabinet identities issued by EdgeCab's CA, confirmed by the monitor's polls. */
  nodeIdentity: NodeIdentityService;
  /** Integrity reports per device, checked with the inventory poll and on demand. */
  integrity: IntegrityService;
  energy: EnergyService;
  powerLimits: PowerLimits;
  /** Every device's firmware per component, as history, from the monitor's inventory reads. */
  firmware: FirmwareState;
  /** Firmware packages (image + checked description), content-addressed. */
  firmwarePackages: FirmwareRepository;
  /** Which version each component of each model should run, per cabinet model, region or site. */
  firmwareBaselines: FirmwareBaselines;
  /** Every device's compliance with its baseline, from its last inventory read. */
  firmwareCompliance: FirmwareCompliance;
  /** Upgrade plans: dry run, waves, staging, activation inside the window, verification. */
  firmwarePlans: FirmwarePlans;
  /** Standing power caps per site and cabinet model, applied through the BMCs and checked hourly. */
  standingCaps: StandingCaps;
  /** Failures of EdgeCab's own background work. */
  health: SystemHealth;
  /** Signed app releases and their images, content-addressed. */
  apps: AppRepository;
  /** The sites' workload engines (devices of kind engine) and clients for them. */
  engines: SiteEngines;
  /** Remote work for sites, queued durably and run in order when the site can be reached. */
  outbox: OutboxService;
  /** Deployments of releases to sites (through the outbox) and the state of each site's apps. */
  siteApps: SiteApps;
  /** Healthy apps looked at again on their engines: drift on the site page and an alarm. */
  appDrift: AppDriftWatch;
  /** Releases taken to many sites in waves, through the outbox. */
  rollouts: RolloutService;
  importSitesCsv: (csv: string, mode: 'preview' | 'commit') => SiteCsvImportResult;
  system: () => SystemInfo;
}

export function createServices(db: Database, dataDir: string, now: () => Date, system: () => SystemInfo, options: { rotationHooks?: RotationHooks; vaultKey?: Buffer } = {}): Services {
  const bus = new EventBus();
  const regions = new RegionService(db, bus, now);
  const sites = new SiteService(db, regions, bus, now);
  const audit = new AuditLog(db, now);
  const cabinets = new CabinetService(db, loadTemplates(), bus, now);
  const vault = new CredentialVault(db, dataDir, now, options.vaultKey ? { key: options.vaultKey } : {});
  const devices = new DeviceService(db, cabinets, vault, bus, now);
  const alarms = new AlarmService(db, bus, now);
  const forwarder = new AlarmForwarder(db, now, vault);
  const health = new SystemHealth(db, now);
  const authority = new CertificateAuthority(db, vault, now);
  const rotation = new CredentialRotation(db, vault, now, options.rotationHooks);
  const monitor = new MonitorService(db, vault, devices, alarms, forwarder, bus, rotation, authority, now, (what, error) => health.report(what, error), (what) => health.cleared(what));
  // Refreshes, power actions and integrity reads wait for the device's poll and count against the polling caps, like polls.
  devices.useGate(monitor.scheduler);
  devices.useCredentials({
    opening: (device) => rotation.openingCredential({ deviceId: device.id, endpoint: device.endpoint, fingerprint: device.fingerprint }),
    mayLogin: (device, credentialId) => rotation.mayLogin({ deviceId: device.id, endpoint: device.endpoint }, credentialId),
    refused: (device, credentialId) => rotation.loginRefused({ deviceId: device.id, endpoint: device.endpoint }, credentialId, 'monitor'),
    worked: (device) => rotation.loginWorked(device.id),
  });
  const network = new NetworkPolicyService(db, now);
  const siteAlarms = new SiteAlarms(db, alarms, forwarder, bus, now);
  const nodeIdentity = new NodeIdentityService(db, { sites, cabinets, vault, authority, alarms: siteAlarms, bus }, now, (what, error) => health.report(what, error));
  const apps = new AppRepository(db, dataDir, now);
  const snapshots = new EngineSnapshots(db);
  const engines = new SiteEngines(cabinets, authority, devices, snapshots, now);
  const outbox = new OutboxService(db, now, (what, error) => health.report(what, error), (what) => health.cleared(what));
  const siteApps = new SiteApps(db, apps, engines, outbox, snapshots, now);
  const rollouts = new RolloutService(db, apps, siteApps, outbox, new RolloutPlanner(db, snapshots, (appId, version) => apps.releaseOrNull(appId, version)), now, (what, error) => health.report(what, error), (what) => health.cleared(what));
  const appDrift = new AppDriftWatch(siteApps, apps, engines, siteAlarms, (what, error) => health.report(what, error), now);
  const integrity = new IntegrityService(db, { sites, cabinets, devices, vault, alarms: siteAlarms, bus, appWatch: appDrift, releases: apps }, now, (what, error) => health.report(what, error));
  // Both follow every poll for as long as the services live; each stops its own work when monitoring stops.
  monitor.follow(nodeIdentity.verifier);
  monitor.follow(integrity);
  const powerLimits = new PowerLimits(db, devices, alarms, audit, now, (what, error) => health.report(what, error), () => monitor.flush());
  // A UPS seen on battery holds its site's servers to the site's emergency cap; mains back sets them back.
  monitor.follow(powerLimits);
  const firmware = new FirmwareState(db, (what, error) => health.report(what, error));
  devices.onReadingKept((deviceId, reading) => firmware.readingKept(deviceId, reading));
  const firmwarePackages = new FirmwareRepository(db, dataDir, (keyId) => apps.publisherKey(keyId), now);
  const firmwareBaselines = new FirmwareBaselines(firmwarePackages.store, cabinets.templates, now);
  const firmwareCompliance = new FirmwareCompliance(firmwarePackages.store, firmwareBaselines, now);
  const planStore = new PlanStore(db);
  const capabilities = new CapabilityCache();
  let planRunner: FirmwarePlanRunner | null = null;
  const firmwareOutbox = new FirmwareOutbox(outbox, planStore, devices, now, () => void planRunner?.tick());
  planRunner = new FirmwarePlanRunner(planStore, firmwarePackages, devices, capabilities, now, (what, error) => health.report(what, error), {}, (siteId, step) => firmwareOutbox.queue(siteId, step), new FirmwareImageServer(authority));
  const firmwarePlans = new FirmwarePlans(planStore, new FirmwarePlanner(firmwarePackages, devices, capabilities, (deviceId) => planStore.runningPlanOf(deviceId), (regionId) => regions.subtreeIds(regionId)), planRunner, now);
  const standingCaps = new StandingCaps(db, devices, powerLimits, audit, cabinets.templates, now, (what, error) => health.report(what, error));
  // Mains back and every server set back: the standing caps are checked at once (one may have changed during the outage).
  powerLimits.afterLift = (siteId) => void standingCaps.applySite(siteId).catch((error: unknown) => health.report('energy.caps', error));
  // Every look of the drift watch at a deployed app is that app's integrity report.
  appDrift.follow(integrity);
  // The monitor saw something change at a site: it may be reachable again.
  outbox.follow((signal) => bus.subscribe(signal));
  return {
    db,
    alarms,
    forwarder,
    monitor,
    wizard: new WizardService(db, { sites, cabinets, devices, vault, monitor, alarms, bus, rotation, network, identities: nodeIdentity }, loadFactoryCredentials, now),
    lab: NO_LAB,
    sites,
    regions,
    audit,
    bus,
    cabinets,
    devices,
    map: new MapService(db, now),
    tiles: new TileService(db, dataDir, now),
    apps,
    engines,
    outbox,
    siteApps,
    appDrift,
    rollouts,
    onlineTiles: new OnlineTileCache(db, now, network),
    network,
    system,
    identity: new IdentityService(db, now),
    vault,
    authority,
    rotation,
    nodeIdentity,
    integrity,
    powerLimits,
    standingCaps,
    firmware,
    firmwarePackages,
    firmwareBaselines,
    firmwareCompliance,
    firmwarePlans,
    energy: new EnergyService(db, now, (what, error) => health.report(what, error), (what) => health.cleared(what), siteAlarms),
    health,
    importSitesCsv: (csv, mode) => importSitesCsv(csv, mode, sites, regions),
  };
}
