import { eventIterator, oc, type ContractRouterClient } from '@orpc/contract';
import { z } from 'zod';
import { AuditListQuery, AuditPage } from '../domain/audit.js';
import { AppEvent } from '../domain/events.js';
import { Region, RegionCreate, RegionUpdate } from '../domain/region.js';
import {
  Site,
  SiteCsvImportInput,
  SiteCsvImportResult,
  SiteFields,
  SiteId,
  SiteListQuery,
  SitePage,
  SiteUpdate,
} from '../domain/site.js';
import { CabinetDevice, CabinetView, DeviceConnection, DeviceMove, EngineConnection, NewDevice, TemplateSummary } from '../domain/cabinet.js';
import { DeviceDetail, DeviceReading } from '../domain/readings.js';
import { MapSite, MapSites, OnlineTiles, OnlineTilesStatus, TilePackage } from '../domain/map.js';
import { NetworkPolicy } from '../domain/network.js';
import { FINGERPRINT_PATTERN, RedfishProbeInput, RedfishProbeResult } from '../domain/redfish.js';
import { SnmpDevice, SnmpProbeInput } from '../domain/snmp.js';
import { EngineInventory, EngineProbeInput } from '../domain/engine.js';
import { RolloutDetail, RolloutInput, RolloutPlan, RolloutSummary } from '../domain/rollouts.js';
import { AppRelease, AppSummary, DeployToSiteInput, MAX_RELEASE_UPLOAD_BYTES, OutboxItemView, Publisher, PushResult, SiteApp, TrustPublisherInput } from '../domain/apps.js';
import { ValidationProblem } from '../domain/validation.js';
import { PrincipalView, ROLES } from '../domain/access.js';
import { PasswordChange, TokenCreate, TokenCreated, TokenView, UserCreate, UserUpdate, UserView } from '../domain/identity.js';
import {
  AlarmAssign,
  AlarmComment,
  AlarmDetail,
  AlarmIds,
  AlarmPage,
  AlarmQuery,
  Alarm,
  DeviceMonitoring,
  Forwarding,
  LabFaultInput,
  LabStartInput,
  LabStatus,
  MaintenanceWindow,
  MaintenanceWindowInput,
  MetricQuery,
  MonitorStatus,
  PollPlan,
} from '../domain/monitoring.js';
import {
  WizardConfigureInput,
  WizardDiscoverInput,
  WizardGotoInput,
  WizardMatchInput,
  WizardReport,
  WizardRunInput,
  WizardSecureInput,
  WizardSiteInput,
  WizardState,
} from '../domain/wizard.js';
import { IdentityEnrolInput, IdentityRevokeInput, SiteIdentityView } from '../domain/node-identity.js';
import { DeviceIntegrity, IntegrityAcceptInput, IntegrityFleet, IntegritySiteInput, SiteIntegrity } from '../domain/integrity.js';
import { FirmwareQuery, FirmwareView } from '../domain/firmware.js';
import { DevicePlanStep, PlanDetail, PlanInput, PlanPreview, PlanSummary } from '../domain/firmware-plans.js';
import {
  Baseline,
  BaselineInput,
  CatalogImportResult,
  ComplianceOverview,
  DeviceCompliance,
  FirmwarePackage,
  FirmwareUploadResult,
  MAX_FIRMWARE_CATALOG_BYTES,
  MAX_FIRMWARE_DESCRIPTION_BYTES,
  MAX_FIRMWARE_IMAGE_BYTES,
  SiteCompliance,
} from '../domain/firmware-repository.js';
import { EmergencyPolicy, EmergencyPolicyView, EnergyExport, ModelCapInput, ModelCapView, SiteCapInput, SiteCapsQuery, SiteCapsView, EnergyFleet, EnergyQuery, PowerLimitInput, PowerLimitQuery, PowerLimitView, RegionTariffQuery, SiteEnergy, SiteEnergyQuery, TariffInput, TariffView } from '../domain/energy.js';

/**
 * Every operation of EdgeCab, declared once. The core implements it, the
 * renderer's client and the northbound OpenAPI document are derived from it.
 * Mutating operations (any method but GET) are written to the audit log.
 */
const base = oc.errors({
  BAD_REQUEST: { status: 400, message: 'The input is not valid', data: ValidationProblem },
  UNAUTHORIZED: { status: 401, message: 'Sign in first' },
  FORBIDDEN: { status: 403, message: 'Your role does not allow this here', data: z.object({ role: z.enum(ROLES), operation: z.string() }) },
});

const ConflictData = z.object({ field: z.string().nullable(), reason: z.string() });
const NotFoundData = z.object({ resource: z.string(), id: z.string() });

const notFound = { NOT_FOUND: { status: 404, message: 'Not found', data: NotFoundData } } as const;
const conflict = { CONFLICT: { status: 409, message: 'Conflict', data: ConflictData } } as const;

const RegionIdInput = z.object({ id: z.coerce.number().int().positive() });
const SiteIdInput = z.object({ id: SiteId });

export const CoreProblem = z.object({ key: z.string(), message: z.string(), count: z.number().int(), firstSeen: z.string(), lastSeen: z.string() });

export const SystemInfo = z.object({
  product: z.literal('EdgeCab'),
  version: z.string(),
  schemaVersion: z.number().int(),
  host: z.enum(['desktop', 'server']),
  startedAt: z.string(),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export const contract = {
  system: {
    info: base
      .route({ method: 'GET', path: '/system', tags: ['system'], summary: 'Version and schema of the running core' })
      .output(SystemInfo),
    problems: base
      .route({ method: 'GET', path: '/system/problems', tags: ['system'], summary: "Failures of EdgeCab's own background work (a timer, a receiver, the database), newest first" })
      .output(z.array(CoreProblem)),
  },
  sites: {
    list: base
      .route({ method: 'GET', path: '/sites', tags: ['sites'], summary: 'List sites, paged, filtered and sorted' })
      .input(SiteListQuery)
      .output(SitePage),
    get: base
      .route({ method: 'GET', path: '/sites/{id}', tags: ['sites'], summary: 'One site' })
      .errors(notFound)
      .input(SiteIdInput)
      .output(Site),
    create: base
      .route({ method: 'POST', path: '/sites', successStatus: 201, tags: ['sites'], summary: 'Create a site' })
      .errors({ ...conflict, ...notFound })
      .input(SiteFields)
      .output(Site),
    update: base
      .route({ method: 'PATCH', path: '/sites/{id}', tags: ['sites'], summary: 'Change some fields of a site' })
      .errors({ ...conflict, ...notFound })
      .input(SiteUpdate)
      .output(Site),
    delete: base
      .route({ method: 'DELETE', path: '/sites/{id}', tags: ['sites'], summary: 'Delete a site' })
      .errors(notFound)
      .input(SiteIdInput)
      .output(z.object({ id: z.string(), deleted: z.literal(true) })),
    importCsv: base
      .route({
        method: 'POST',
        path: '/sites/import',
        tags: ['sites'],
        summary: 'Import sites from CSV: "preview" validates every row, "commit" creates the valid rows',
      })
      .input(SiteCsvImportInput)
      .output(SiteCsvImportResult),
  },
  regions: {
    list: base
      .route({ method: 'GET', path: '/regions', tags: ['regions'], summary: 'All regions, flat, each with its parent' })
      .output(z.array(Region)),
    create: base
      .route({ method: 'POST', path: '/regions', successStatus: 201, tags: ['regions'], summary: 'Create a region' })
      .errors({ ...conflict, ...notFound })
      .input(RegionCreate)
      .output(Region),
    update: base
      .route({ method: 'PATCH', path: '/regions/{id}', tags: ['regions'], summary: 'Rename or move a region' })
      .errors({ ...conflict, ...notFound })
      .input(RegionUpdate)
      .output(Region),
    delete: base
      .route({ method: 'DELETE', path: '/regions/{id}', tags: ['regions'], summary: 'Delete an empty region' })
      .errors({ ...conflict, ...notFound })
      .input(RegionIdInput)
      .output(z.object({ id: z.number().int(), deleted: z.literal(true) })),
  },
  cabinets: {
    templates: base
      .route({ method: 'GET', path: '/cabinet-templates', tags: ['cabinets'], summary: 'The cabinet models a site can be set up with' })
      .output(z.array(TemplateSummary)),
    get: base
      .route({ method: 'GET', path: '/sites/{siteId}/cabinet', tags: ['cabinets'], summary: "The site's cabinet with every device, its state and the wiring; null when not set up" })
      .errors(notFound)
      .input(z.object({ siteId: SiteId }))
      .output(CabinetView.nullable()),
    create: base
      .route({ method: 'POST', path: '/sites/{siteId}/cabinet', successStatus: 201, tags: ['cabinets'], summary: 'Set up the site cabinet from a model, with its default devices and wiring' })
      .errors({ ...notFound, ...conflict })
      .input(
        z.object({
          siteId: SiteId,
          templateId: z.string().min(1),
          name: z.string().trim().max(80).nullable().optional(),
          /** Language of the default device names. */
          language: z.enum(['en', 'zh-CN']).default('en'),
        }),
      )
      .output(CabinetView),
  },
  devices: {
    add: base
      .route({ method: 'POST', path: '/cabinets/{cabinetId}/devices', successStatus: 201, tags: ['devices'], summary: 'Place a device in the cabinet' })
      .errors(notFound)
      .input(NewDevice)
      .output(CabinetDevice),
    update: base
      .route({ method: 'PATCH', path: '/devices/{id}', tags: ['devices'], summary: 'Rename a device or move it to another U or face' })
      .errors(notFound)
      .input(DeviceMove)
      .output(CabinetDevice),
    remove: base
      .route({ method: 'DELETE', path: '/devices/{id}', tags: ['devices'], summary: 'Take a device out of the cabinet' })
      .errors(notFound)
      .input(z.object({ id: z.string() }))
      .output(z.object({ id: z.string(), deleted: z.literal(true) })),
    connect: base
      .route({ method: 'PUT', path: '/devices/{id}/connection', tags: ['devices'], summary: 'Set how EdgeCab reaches the device; credentials are stored sealed and never returned' })
      .errors(notFound)
      .input(DeviceConnection)
      .output(CabinetDevice),
    connectEngine: base
      .route({ method: 'PUT', path: '/devices/{id}/engine', tags: ['devices'], summary: "Set where a server's workload engine answers: unix:/path on the EdgeCab machine, or https://host:port (mutual TLS) with the engine certificate's fingerprint" })
      .errors(notFound)
      .input(EngineConnection)
      .output(CabinetDevice),
    engine: base
      .route({ method: 'GET', path: '/devices/{id}/engine', tags: ['devices'], summary: "Read a workload engine device now (version, host, disk, images, containers, volumes); an untrusted certificate gives 502 with reason tls_untrusted and its fingerprint" })
      .errors({ ...notFound, DEVICE_UNREACHABLE: { status: 502, message: 'The device did not answer as expected', data: z.object({ reason: z.string(), fingerprint: z.string().nullable() }) } })
      .input(z.object({ id: z.string() }))
      .output(EngineInventory),
    trustCertificate: base
      .route({ method: 'PUT', path: '/devices/{id}/certificate', tags: ['devices'], summary: "Trust the BMC certificate with this SHA-256 fingerprint" })
      .errors(notFound)
      .input(z.object({ id: z.string(), fingerprint: z.string().trim().toUpperCase().regex(FINGERPRINT_PATTERN, { error: 'A SHA-256 fingerprint' }) }))
      .output(z.object({ id: z.string(), trusted: z.literal(true) })),
    get: base
      .route({ method: 'GET', path: '/devices/{id}', tags: ['devices'], summary: 'A device with its latest reading and recent history' })
      .errors(notFound)
      .input(z.object({ id: z.string() }))
      .output(DeviceDetail),
    refresh: base
      .route({ method: 'POST', path: '/devices/{id}/refresh', tags: ['devices'], summary: 'Read the device now and keep the reading' })
      .errors({ ...notFound, DEVICE_UNREACHABLE: { status: 502, message: 'The device did not answer as expected', data: z.object({ reason: z.string(), fingerprint: z.string().nullable() }) } })
      .input(z.object({ id: z.string() }))
      .output(DeviceReading),
    power: base
      .route({ method: 'POST', path: '/devices/{id}/power', tags: ['devices'], summary: 'Power action on a server through its BMC (only the reset types it allows)' })
      .errors({ ...notFound, DEVICE_UNREACHABLE: { status: 502, message: 'The device did not answer as expected', data: z.object({ reason: z.string(), fingerprint: z.string().nullable() }) } })
      .input(z.object({ id: z.string(), action: z.enum(['On', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'ForceOff']) }))
      .output(DeviceReading),
    probeSnmp: base
      .route({
        method: 'POST',
        path: '/devices/probe/snmp',
        tags: ['devices'],
        summary: 'Read an SNMP agent (v2c or v3) now and return the normalized device; nothing is stored',
      })
      .errors({
        DEVICE_UNREACHABLE: {
          status: 502,
          message: 'The device did not answer as expected',
          data: z.object({ reason: z.string() }),
        },
      })
      .input(SnmpProbeInput)
      .output(SnmpDevice),
    probeRedfish: base
      .route({
        method: 'POST',
        path: '/devices/probe/redfish',
        tags: ['devices'],
        summary: "Read a BMC's inventory over Redfish now; an untrusted certificate is refused with its fingerprint",
      })
      .errors({
        DEVICE_UNREACHABLE: {
          status: 502,
          message: 'The device did not answer as expected',
          data: z.object({ reason: z.string(), fingerprint: z.string().nullable() }),
        },
      })
      .input(RedfishProbeInput)
      .output(RedfishProbeResult),
    probeEngine: base
      .route({
        method: 'POST',
        path: '/devices/probe/engine',
        tags: ['devices'],
        summary: "Read a site's workload engine (Docker or Podman API) now: version, host, disk, images, containers, volumes; nothing is stored",
      })
      .errors({
        DEVICE_UNREACHABLE: {
          status: 502,
          message: 'The engine did not answer as expected',
          data: z.object({ reason: z.string(), fingerprint: z.string().nullable() }),
        },
      })
      .input(EngineProbeInput)
      .output(EngineInventory),
  },
  map: {
    sites: base
      .route({ method: 'GET', path: '/map/sites', tags: ['map'], summary: 'Every site with its position and worst state, compact: [id, code, name, lat, lng, regionId, state, lastSeen]' })
      .output(MapSites),
    site: base
      .route({ method: 'GET', path: '/map/sites/{id}', tags: ['map'], summary: 'One site as the map shows it' })
      .errors(notFound)
      .input(z.object({ id: SiteId }))
      .output(MapSite),
  },
  apps: {
    list: base.route({ method: 'GET', path: '/apps', tags: ['apps'], summary: 'Apps in the repository, with their versions' }).output(z.array(AppSummary)),
    releases: base
      .route({ method: 'GET', path: '/apps/{appId}/releases', tags: ['apps'], summary: "An app's releases, newest first: manifest, images, size, signer" })
      .errors(notFound)
      .input(z.object({ appId: z.string().max(40) }))
      .output(z.array(AppRelease)),
    push: base
      .route({ method: 'POST', path: '/apps/releases', successStatus: 201, tags: ['apps'], summary: 'Upload a signed release bundle (.ecapp; multipart: file); checked (schema, signature, image digests) before anything is kept' })
      .errors(conflict)
      .input(z.object({ file: z.file({ error: 'Choose a release bundle (.ecapp)' }).max(MAX_RELEASE_UPLOAD_BYTES, { error: 'At most 4 GiB' }) }))
      .output(PushResult),
    deploy: base
      .route({ method: 'POST', path: '/sites/{siteId}/apps', successStatus: 202, tags: ['apps'], summary: "Queue a release's deployment to a site's engine (outbox): run in order when the site can be reached; parameters checked against the manifest first" })
      .errors({ ...notFound, ...conflict })
      .input(DeployToSiteInput)
      .output(OutboxItemView),
    siteApps: base
      .route({ method: 'GET', path: '/sites/{siteId}/apps', tags: ['apps'], summary: "A site's apps as their last deployment saw them on the engine, and the site's queued and recent remote actions" })
      .errors(notFound)
      .input(z.object({ siteId: z.string() }))
      .output(z.object({ apps: z.array(SiteApp), actions: z.array(OutboxItemView) })),
    publishers: base.route({ method: 'GET', path: '/apps/publishers', tags: ['apps'], summary: 'Publisher keys whose signed releases the repository accepts' }).output(z.array(Publisher)),
    trust: base
      .route({ method: 'POST', path: '/apps/publishers', successStatus: 201, tags: ['apps'], summary: "Trust a publisher's Ed25519 public key (PEM)" })
      .input(TrustPublisherInput)
      .output(Publisher),
    distrust: base
      .route({ method: 'DELETE', path: '/apps/publishers/{keyId}', tags: ['apps'], summary: 'Stop trusting a publisher key (its releases stay, marked untrusted, and cannot be rolled out)' })
      .errors(notFound)
      .input(z.object({ keyId: z.string().regex(/^[0-9a-f]{64}$/, { error: 'A key id: 64 hex digits' }) }))
      .output(z.object({ keyId: z.string(), deleted: z.literal(true) })),
  },
  rollouts: {
    plan: base
      .route({ method: 'POST', path: '/rollouts/plan', tags: ['rollouts'], summary: 'Dry run: per target site install, upgrade or nothing, the bytes it lacks, and conflicts (ports, names, disk, no engine); from the database, no site is asked' })
      .errors({ ...notFound, ...conflict })
      .input(RolloutInput)
      .output(RolloutPlan),
    create: base
      .route({ method: 'POST', path: '/rollouts', successStatus: 201, tags: ['rollouts'], summary: 'Start a rollout: canary sites, then batches, each wave after the one before is healthy; sites with a conflict or nothing to do are skipped' })
      .errors({ ...notFound, ...conflict })
      .input(RolloutInput)
      .output(RolloutDetail),
    list: base.route({ method: 'GET', path: '/rollouts', tags: ['rollouts'], summary: 'Rollouts, newest first, with how many sites are in each state' }).output(z.array(RolloutSummary)),
    get: base
      .route({ method: 'GET', path: '/rollouts/{id}', tags: ['rollouts'], summary: "A rollout and each site's part: wave, state as its engine showed it, bytes sent, the engine's words on failure" })
      .errors(notFound)
      .input(z.object({ id: z.string() }))
      .output(RolloutDetail),
    act: base
      .route({ method: 'POST', path: '/rollouts/{id}/{action}', tags: ['rollouts'], summary: 'pause (no further site starts), resume, cancel (queued actions dropped, running ones stopped), or rollback (every site back to what it ran before)' })
      .errors({ ...notFound, ...conflict })
      .input(z.object({ id: z.string(), action: z.enum(['pause', 'resume', 'cancel', 'rollback']) }))
      .output(RolloutDetail),
  },
  tiles: {
    list: base.route({ method: 'GET', path: '/tiles/packages', tags: ['tiles'], summary: 'Imported offline tile packages' }).output(z.array(TilePackage)),
    import: base
      .route({ method: 'POST', path: '/tiles/packages', successStatus: 201, tags: ['tiles'], summary: 'Import an MBTiles (raster) or PMTiles (raster or vector) file (multipart: file, name, datum)' })
      .input(
        z.object({
          file: z.file({ error: 'Choose an .mbtiles or .pmtiles file' }).max(512 * 1024 * 1024, { error: 'At most 512 MiB' }),
          name: z.string().trim().max(80).default(''),
          datum: z.enum(['wgs84', 'gcj02']).default('wgs84'),
        }),
      )
      .output(TilePackage),
    online: base
      .route({ method: 'GET', path: '/tiles/online', tags: ['tiles'], summary: 'The online tile source, if any, and its offline cache' })
      .output(OnlineTilesStatus),
    configureOnline: base
      .route({ method: 'PUT', path: '/tiles/online', tags: ['tiles'], summary: 'Set (or clear, with urlTemplate null) the online tile source and the cache size' })
      .input(OnlineTiles)
      .output(OnlineTilesStatus),
    remove: base
      .route({ method: 'DELETE', path: '/tiles/packages/{id}', tags: ['tiles'], summary: 'Remove a tile package and its file' })
      .errors(notFound)
      .input(z.object({ id: z.string() }))
      .output(z.object({ id: z.string(), deleted: z.literal(true) })),
  },
  monitor: {
    status: base
      .route({ method: 'GET', path: '/monitor', tags: ['monitor'], summary: 'Polling status: devices, poll lag, samples per second, and whether the core is offline' })
      .output(MonitorStatus),
    setPlan: base
      .route({ method: 'PUT', path: '/monitor/plan', tags: ['monitor'], summary: 'Set the poll plan: intervals, timeout, concurrency caps' })
      .input(PollPlan)
      .output(PollPlan),
    device: base
      .route({ method: 'GET', path: '/devices/{deviceId}/monitoring', tags: ['monitor'], summary: "A device's current state, every sensor with its age and validity, and metric history" })
      .errors(notFound)
      .input(MetricQuery)
      .output(DeviceMonitoring),
    pollSite: base
      .route({ method: 'POST', path: '/sites/{siteId}/poll', tags: ['monitor'], summary: "Poll every device of a site now" })
      .errors(notFound)
      .input(z.object({ siteId: SiteId }))
      .output(z.object({ siteId: z.string(), polled: z.literal(true) })),
  },
  alarms: {
    list: base
      .route({ method: 'GET', path: '/alarms', tags: ['alarms'], summary: 'Alarms, roots with their symptom count by default; with raw events and the convergence ratio' })
      .input(AlarmQuery)
      .output(AlarmPage),
    get: base
      .route({ method: 'GET', path: '/alarms/{id}', tags: ['alarms'], summary: 'One alarm with its root, its symptoms and its full history' })
      .errors(notFound)
      .input(z.object({ id: z.coerce.number().int().positive() }))
      .output(AlarmDetail),
    acknowledge: base
      .route({ method: 'POST', path: '/alarms/acknowledge', tags: ['alarms'], summary: 'Acknowledge alarms (a root takes its symptoms with it)' })
      .errors(notFound)
      .input(AlarmIds)
      .output(z.array(Alarm)),
    comment: base
      .route({ method: 'POST', path: '/alarms/{id}/comments', tags: ['alarms'], summary: 'Add a comment to an alarm' })
      .errors(notFound)
      .input(AlarmComment)
      .output(AlarmDetail),
    assign: base
      .route({ method: 'PUT', path: '/alarms/{id}/assignee', tags: ['alarms'], summary: 'Assign an alarm to someone (null: unassign)' })
      .errors(notFound)
      .input(AlarmAssign)
      .output(Alarm),
    maintenance: base
      .route({ method: 'GET', path: '/maintenance-windows', tags: ['alarms'], summary: 'Current and future maintenance windows' })
      .input(z.object({ siteId: z.string().optional() }))
      .output(z.array(MaintenanceWindow)),
    addMaintenance: base
      .route({ method: 'POST', path: '/maintenance-windows', successStatus: 201, tags: ['alarms'], summary: 'Mute alarms of a site or device for a while; they are still recorded' })
      .errors(notFound)
      .input(MaintenanceWindowInput)
      .output(MaintenanceWindow),
    removeMaintenance: base
      .route({ method: 'DELETE', path: '/maintenance-windows/{id}', tags: ['alarms'], summary: 'End a maintenance window' })
      .errors(notFound)
      .input(z.object({ id: z.coerce.number().int().positive() }))
      .output(z.object({ id: z.number(), deleted: z.literal(true) })),
    forwarding: base
      .route({ method: 'GET', path: '/alarms/forwarding', tags: ['alarms'], summary: 'Where new alarms are forwarded (webhook secret hidden)' })
      .output(Forwarding),
    setForwarding: base
      .route({ method: 'PUT', path: '/alarms/forwarding', tags: ['alarms'], summary: 'Set desktop notifications, webhook (HMAC-signed JSON) and syslog (RFC 5424) forwarding' })
      .input(Forwarding)
      .output(Forwarding),
  },
  lab: {
    status: base.route({ method: 'GET', path: '/lab', tags: ['lab'], summary: 'The simulated lab fleet, if this host offers one' }).output(LabStatus),
    start: base
      .route({ method: 'POST', path: '/lab', tags: ['lab'], summary: 'Start N simulated cabinets on loopback and register them as sites' })
      .errors({ ...conflict, LAB_UNAVAILABLE: { status: 501, message: 'This host does not offer a lab' } })
      .input(LabStartInput)
      .output(LabStatus),
    fault: base
      .route({ method: 'POST', path: '/lab/faults', tags: ['lab'], summary: 'Inject or end a fault in a lab site: link-down, ups-on-battery, fan-failed, port-flapping, sensor-out-of-range' })
      .errors({ ...notFound, LAB_UNAVAILABLE: { status: 501, message: 'This host does not offer a lab' } })
      .input(LabFaultInput)
      .output(LabStatus),
  },
  wizard: {
    start: base.route({ method: 'POST', path: '/wizard', successStatus: 201, tags: ['wizard'], summary: 'Start a first-boot wizard run for a new cabinet' }).output(WizardState),
    list: base
      .route({ method: 'GET', path: '/wizard', tags: ['wizard'], summary: 'Wizard runs, newest first (to resume one)' })
      .output(z.array(z.object({ id: z.string(), siteName: z.string().nullable(), step: z.number().int(), status: z.enum(['active', 'done']), startedAt: z.string() }))),
    get: base.route({ method: 'GET', path: '/wizard/{runId}', tags: ['wizard'], summary: 'A wizard run: step, budget, items, findings' }).errors(notFound).input(WizardRunInput).output(WizardState),
    goto: base
      .route({ method: 'PUT', path: '/wizard/{runId}/step', tags: ['wizard'], summary: 'Go to a step already reached (back, or forward again)' })
      .errors({ ...notFound, ...conflict })
      .input(WizardGotoInput)
      .output(WizardState),
    site: base
      .route({ method: 'PUT', path: '/wizard/{runId}/site', tags: ['wizard'], summary: 'Step 1: the site and its cabinet, and the pre-flight check of this computer' })
      .errors({ ...notFound, ...conflict })
      .input(WizardSiteInput)
      .output(WizardState),
    discover: base
      .route({ method: 'POST', path: '/wizard/{runId}/discover', tags: ['wizard'], summary: 'Step 2: search the management addresses for Redfish services and SNMP agents (wait=true answers when done)' })
      .errors({ ...notFound, ...conflict })
      .input(WizardDiscoverInput.extend({ wait: z.boolean().default(false) }))
      .output(WizardState),
    confirm: base
      .route({ method: 'PUT', path: '/wizard/{runId}/matches', tags: ['wizard'], summary: 'Step 2: confirm which device sits in which slot and trust their certificates; the devices are connected' })
      .errors({ ...notFound, ...conflict })
      .input(WizardMatchInput)
      .output(WizardState),
    secure: base
      .route({ method: 'POST', path: '/wizard/{runId}/secure', tags: ['wizard'], summary: 'Step 3: replace factory credentials (BMC passwords, SNMP to v3)' })
      .errors({ ...notFound, ...conflict })
      .input(WizardSecureInput)
      .output(WizardState),
    configure: base
      .route({ method: 'POST', path: '/wizard/{runId}/configure', tags: ['wizard'], summary: 'Step 4: NTP, DNS, host names, event delivery, configuration baseline' })
      .errors({ ...notFound, ...conflict })
      .input(WizardConfigureInput)
      .output(WizardState),
    verify: base
      .route({ method: 'POST', path: '/wizard/{runId}/verify', tags: ['wizard'], summary: 'Step 5: health, alarms and clocks of every device; the site goes live' })
      .errors({ ...notFound, ...conflict })
      .input(WizardRunInput)
      .output(WizardState),
    report: base
      .route({ method: 'GET', path: '/wizard/{runId}/report', tags: ['wizard'], summary: 'The acceptance report, as HTML and as PDF (base64)' })
      .errors({ ...notFound, ...conflict })
      .input(WizardRunInput)
      .output(WizardReport),
  },
  network: {
    policy: base
      .route({ method: 'GET', path: '/network/policy', tags: ['network'], summary: 'The networks EdgeCab may reach for probes and the online tile source (empty: no restriction)' })
      .output(NetworkPolicy),
    setPolicy: base
      .route({ method: 'PUT', path: '/network/policy', tags: ['network'], summary: 'Set the networks EdgeCab may reach (CIDR, IPv4 or IPv6); an empty list lifts the restriction' })
      .input(NetworkPolicy)
      .output(NetworkPolicy),
  },
  nodeIdentity: {
    get: base
      .route({ method: 'GET', path: '/sites/{siteId}/identity', tags: ['security'], summary: "The cabinet's identity: certificate, status, last verified, bound hardware, and earlier identities" })
      .errors(notFound)
      .input(IdentityEnrolInput)
      .output(SiteIdentityView),
    revoke: base
      .route({ method: 'POST', path: '/sites/{siteId}/identity/revoke', tags: ['security'], summary: "Revoke the cabinet's identity (kept, with who and why); the site has no valid identity until re-enrolled" })
      .errors({ ...notFound, ...conflict })
      .input(IdentityRevokeInput)
      .output(SiteIdentityView),
    enrol: base
      .route({ method: 'POST', path: '/sites/{siteId}/identity/enrol', tags: ['security'], summary: 'Issue the cabinet a new identity (new key), bound to its hardware as it is now; supersedes the current one' })
      .errors({ ...notFound, ...conflict })
      .input(IdentityEnrolInput)
      .output(SiteIdentityView),
  },
  pki: {
    authority: base
      .route({ method: 'GET', path: '/pki/ca', tags: ['security'], summary: "EdgeCab's CA certificate (PEM), which signs cabinet identities and EdgeCab's own certificates" })
      .output(z.file()),
  },
  energy: {
    fleet: base
      .route({ method: 'GET', path: '/energy', tags: ['energy'], summary: 'Energy of every site over the last days: kWh of the cabinet input, cost, efficiency, change week on week, sites missing data' })
      .input(EnergyQuery)
      .output(EnergyFleet),
    site: base
      .route({ method: 'GET', path: '/sites/{siteId}/energy', tags: ['energy'], summary: "A site's energy per day (IT load, input, losses, efficiency, kWh per tariff band, cost), per hour for 48 h, and per device" })
      .errors(notFound)
      .input(SiteEnergyQuery)
      .output(SiteEnergy),
    export: base
      .route({ method: 'GET', path: '/energy/export', tags: ['energy'], summary: 'Energy and cost per site and day as CSV (in a JSON envelope with its file name)' })
      .input(EnergyQuery)
      .output(EnergyExport),
    tariff: base
      .route({ method: 'GET', path: '/regions/{regionId}/tariff', tags: ['energy'], summary: "A region's own tariff (time-of-day periods with prices), or null" })
      .errors(notFound)
      .input(RegionTariffQuery)
      .output(TariffView),
    setTariff: base
      .route({ method: 'PUT', path: '/regions/{regionId}/tariff', tags: ['energy'], summary: "Set (or with null remove) a region's tariff: periods covering the day once, in a time zone; it prices the hours rolled from now on" })
      .errors(notFound)
      .input(TariffInput)
      .output(TariffView),
    powerLimit: base
      .route({ method: 'GET', path: '/devices/{id}/power-limit', tags: ['energy'], summary: "A server's power limit as its BMC shows it now (Control or legacy PowerControl), or why it has none" })
      .errors({ ...notFound, DEVICE_UNREACHABLE: { status: 502, message: 'The device did not answer as expected', data: z.object({ reason: z.string(), fingerprint: z.string().nullable() }) } })
      .input(PowerLimitQuery)
      .output(PowerLimitView),
    setPowerLimit: base
      .route({ method: 'PUT', path: '/devices/{id}/power-limit', tags: ['energy'], summary: "Hold a server to a power limit (watts), or lift it (null); the answer is read back from the BMC. 409 where the BMC does not limit power" })
      .errors({ ...notFound, ...conflict, DEVICE_UNREACHABLE: { status: 502, message: 'The device did not answer as expected', data: z.object({ reason: z.string(), fingerprint: z.string().nullable() }) } })
      .input(PowerLimitInput)
      .output(PowerLimitView),
    policy: base
      .route({ method: 'GET', path: '/sites/{siteId}/energy/policy', tags: ['energy'], summary: "A site's emergency power policy and the servers it holds now" })
      .errors(notFound)
      .input(z.object({ siteId: z.string().min(1) }))
      .output(EmergencyPolicyView),
    setPolicy: base
      .route({ method: 'PUT', path: '/sites/{siteId}/energy/policy', tags: ['energy'], summary: "Set a site's emergency power policy: while its UPS is on battery, hold each server to capWatts" })
      .errors(notFound)
      .input(EmergencyPolicy)
      .output(EmergencyPolicyView),
    caps: base
      .route({ method: 'GET', path: '/sites/{siteId}/energy/caps', tags: ['energy'], summary: "A site's standing power caps (its own, its cabinet models') and where each server stands with its cap, as its BMC last showed" })
      .errors(notFound)
      .input(SiteCapsQuery)
      .output(SiteCapsView),
    setSiteCap: base
      .route({ method: 'PUT', path: '/sites/{siteId}/energy/caps', tags: ['energy'], summary: "Set (or with null remove) a site's standing cap: every server held to capWatts where its BMC limits power, applied and read back before the answer, checked hourly" })
      .errors(notFound)
      .input(SiteCapInput)
      .output(SiteCapsView),
    setModelCap: base
      .route({ method: 'PUT', path: '/energy/model-caps/{templateId}', tags: ['energy'], summary: "Set (or with null remove) a cabinet model's standing cap, for every site with that model and no cap of its own; applied site by site after the answer" })
      .input(ModelCapInput)
      .output(ModelCapView),
  },
  firmware: {
    device: base
      .route({ method: 'GET', path: '/devices/{id}/firmware', tags: ['firmware'], summary: "A device's firmware per component as its last inventory read showed it, and what each component ran when" })
      .errors(notFound)
      .input(FirmwareQuery)
      .output(FirmwareView),
    deviceCompliance: base
      .route({ method: 'GET', path: '/devices/{id}/firmware/compliance', tags: ['firmware'], summary: "A device's compliance with the baseline that covers it, per component: target, current version and when it was read" })
      .errors(notFound)
      .input(FirmwareQuery)
      .output(DeviceCompliance),
    devicePlans: base
      .route({ method: 'GET', path: '/devices/{id}/firmware/plans', tags: ['firmware'], summary: "A device's steps in upgrade plans, newest first: images staged and waiting for their window, activations, verifications" })
      .errors(notFound)
      .input(FirmwareQuery)
      .output(z.array(DevicePlanStep)),
    packages: base.route({ method: 'GET', path: '/firmware/packages', tags: ['firmware'], summary: 'Firmware packages in the repository: description, signer, whether the image is stored, the baselines using each' }).output(z.array(FirmwarePackage)),
    upload: base
      .route({ method: 'POST', path: '/firmware/packages', successStatus: 201, tags: ['firmware'], summary: 'Upload a firmware image (multipart: image, and description: JSON or XML 1.0/2.0, unless a catalog described it); size, SHA-256, signature and applicability checked before anything is kept' })
      .errors(conflict)
      .input(
        z.object({
          description: z.file({ error: 'The description is a file (JSON or XML)' }).max(MAX_FIRMWARE_DESCRIPTION_BYTES, { error: 'A description is at most 1 MiB' }).optional(),
          image: z.file({ error: 'Choose the firmware image' }).max(MAX_FIRMWARE_IMAGE_BYTES, { error: 'An image is at most 2 GiB' }),
        }),
      )
      .output(FirmwareUploadResult),
    importCatalog: base
      .route({ method: 'POST', path: '/firmware/catalogs', successStatus: 201, tags: ['firmware'], summary: "Import a vendor catalog (XML, schema 1.0 or 2.0; multipart: file): every package it lists registered at once, their images uploaded later; one bad package refuses the catalog" })
      .errors(conflict)
      .input(z.object({ file: z.file({ error: 'Choose a catalog (XML)' }).max(MAX_FIRMWARE_CATALOG_BYTES, { error: 'A catalog is at most 16 MiB' }) }))
      .output(CatalogImportResult),
    removePackage: base
      .route({ method: 'DELETE', path: '/firmware/packages/{id}', tags: ['firmware'], summary: 'Remove a package (refused while a baseline uses it)' })
      .errors({ ...notFound, ...conflict })
      .input(z.object({ id: z.string().regex(/^fw-[0-9a-f]{16}$/, { error: 'Not a firmware package id' }) }))
      .output(z.object({ id: z.string(), deleted: z.literal(true) })),
    baselines: base.route({ method: 'GET', path: '/firmware/baselines', tags: ['firmware'], summary: 'Baselines: their packages and the cabinet models, regions and sites that follow each' }).output(z.array(Baseline)),
    createBaseline: base
      .route({ method: 'POST', path: '/firmware/baselines', successStatus: 201, tags: ['firmware'], summary: 'Create a baseline from packages, attached to cabinet models, regions or sites (one baseline per target)' })
      .errors(conflict)
      .input(BaselineInput)
      .output(Baseline),
    updateBaseline: base
      .route({ method: 'PUT', path: '/firmware/baselines/{id}', tags: ['firmware'], summary: "Change a baseline's name, packages or targets; compliance follows at once" })
      .errors({ ...notFound, ...conflict })
      .input(BaselineInput.extend({ id: z.coerce.number().int().positive() }))
      .output(Baseline),
    removeBaseline: base
      .route({ method: 'DELETE', path: '/firmware/baselines/{id}', tags: ['firmware'], summary: 'Remove a baseline (its targets are then covered by none, or by the one above them)' })
      .errors(notFound)
      .input(z.object({ id: z.coerce.number().int().positive() }))
      .output(z.object({ id: z.number(), deleted: z.literal(true) })),
    compliance: base
      .route({ method: 'GET', path: '/firmware/compliance', tags: ['firmware'], summary: 'Compliance counts fleet-wide, per region (its subtree) and per site, computed from the last inventory reads (never stale)' })
      .output(ComplianceOverview),
    previewPlan: base
      .route({ method: 'POST', path: '/firmware/plans/preview', tags: ['firmware'], summary: 'Dry run of an upgrade plan: every target device with its current and target version, the bytes to send and the apply time its BMC declares, in waves; and every device left out with the reason. Nothing is sent' })
      .errors(notFound)
      .input(PlanInput)
      .output(PlanPreview),
    createPlan: base
      .route({ method: 'POST', path: '/firmware/plans', successStatus: 201, tags: ['firmware'], summary: 'Start an upgrade plan: waves staged without any reset, activated only inside the maintenance window, one server per cabinet at a time, each verified from its inventory; no window: run now (an upgrade by hand)' })
      .errors({ ...notFound, ...conflict })
      .input(PlanInput)
      .output(PlanDetail),
    plans: base.route({ method: 'GET', path: '/firmware/plans', tags: ['firmware'], summary: 'Upgrade plans, newest first, with devices per phase and the window' }).output(z.array(PlanSummary)),
    plan: base
      .route({ method: 'GET', path: '/firmware/plans/{id}', tags: ['firmware'], summary: "A plan's progress per wave, site and device: staged, waiting for the window, activating, verified, failed with the BMC's message" })
      .errors(notFound)
      .input(z.object({ id: z.coerce.number().int().positive() }))
      .output(PlanDetail),
    cancelPlan: base
      .route({ method: 'POST', path: '/firmware/plans/{id}/cancel', tags: ['firmware'], summary: 'Cancel a plan: steps under way finish, nothing more starts' })
      .errors({ ...notFound, ...conflict })
      .input(z.object({ id: z.coerce.number().int().positive() }))
      .output(PlanDetail),
    siteCompliance: base
      .route({ method: 'GET', path: '/sites/{siteId}/firmware/compliance', tags: ['firmware'], summary: "A site's devices and their compliance per component" })
      .errors(notFound)
      .input(z.object({ siteId: z.string() }))
      .output(SiteCompliance),
  },
  integrity: {
    site: base
      .route({ method: 'GET', path: '/sites/{siteId}/integrity', tags: ['security'], summary: 'Integrity of each device of a site: what was checked, when, expected and actual values' })
      .errors(notFound)
      .input(IntegritySiteInput)
      .output(SiteIntegrity),
    fleet: base
      .route({ method: 'GET', path: '/integrity', tags: ['security'], summary: 'Integrity per site (devices checked, differences, last check), sites with differences first' })
      .output(IntegrityFleet),
    check: base
      .route({ method: 'POST', path: '/sites/{siteId}/integrity/check', tags: ['security'], summary: "Check the integrity of every device of a site now" })
      .errors(notFound)
      .input(IntegritySiteInput)
      .output(SiteIntegrity),
    accept: base
      .route({ method: 'POST', path: '/devices/{id}/integrity/accept', tags: ['security'], summary: "Accept a device's state as last checked as its recorded state; its drift alarms clear" })
      .errors({ ...notFound, ...conflict })
      .input(IntegrityAcceptInput)
      .output(DeviceIntegrity),
  },
  auth: {
    me: base.route({ method: 'GET', path: '/auth/me', tags: ['identity'], summary: 'Who is calling, with the roles they hold on which regions' }).output(PrincipalView),
  },
  users: {
    list: base.route({ method: 'GET', path: '/users', tags: ['identity'], summary: 'Every user with their roles per region' }).output(z.array(UserView)),
    create: base
      .route({ method: 'POST', path: '/users', successStatus: 201, tags: ['identity'], summary: 'Create a user with a password and roles on regions' })
      .errors(conflict)
      .input(UserCreate)
      .output(UserView),
    update: base
      .route({ method: 'PATCH', path: '/users/{id}', tags: ['identity'], summary: 'Change a user: display name, roles, or disable (which ends their sessions)' })
      .errors({ ...notFound, ...conflict })
      .input(UserUpdate)
      .output(UserView),
    setPassword: base
      .route({ method: 'PUT', path: '/users/{id}/password', tags: ['identity'], summary: "Set a user's password (one's own needs the current one); ends the user's sessions" })
      .errors(notFound)
      .input(PasswordChange)
      .output(UserView),
  },
  tokens: {
    list: base.route({ method: 'GET', path: '/tokens', tags: ['identity'], summary: 'API tokens: yours, or everyone\'s for administrators of every region' }).output(z.array(TokenView)),
    create: base
      .route({ method: 'POST', path: '/tokens', successStatus: 201, tags: ['identity'], summary: 'Create an API token (Bearer) for yourself; the token is shown in this answer only' })
      .input(TokenCreate)
      .output(TokenCreated),
    revoke: base
      .route({ method: 'DELETE', path: '/tokens/{id}', tags: ['identity'], summary: 'Revoke an API token; it stops working at once' })
      .errors(notFound)
      .input(z.object({ id: z.string().uuid({ error: 'Not a token' }) }))
      .output(TokenView),
  },
  audit: {
    list: base
      .route({ method: 'GET', path: '/audit', tags: ['audit'], summary: 'The audit log, newest first' })
      .input(AuditListQuery)
      .output(AuditPage),
  },
  events: {
    subscribe: base
      .route({ method: 'GET', path: '/events', tags: ['events'], summary: 'Server-sent events: site.changed, region.changed, alarm.changed' })
      .output(eventIterator(AppEvent)),
  },
};

export type Contract = typeof contract;
export type EdgecabClient = ContractRouterClient<Contract>;

/** Operation names ("sites.create") of the contract, for audit and docs. */
export type OperationName = {
  [G in keyof Contract]: `${G & string}.${keyof Contract[G] & string}`;
}[keyof Contract];
