import {
  HEALTH,
  RedfishInventory,
  worstHealth,
  type Health,
  type RedfishChassis,
  type RedfishHealth,
  type RedfishManager,
  type RedfishSystem,
} from '../../../../shared/domain/redfish.js';
import type { z } from 'zod';
import { RedfishClient, RedfishError, type Json, type JsonObject } from './client.js';
import { deadline as within } from '../../lib/deadline.js';
import { CHASSIS_OEM_RULES, fillFromOem, MANAGER_OEM_RULES, SYSTEM_OEM_RULES } from './oem.js';

type Problem = RedfishInventory['problems'][number];
type Status = z.infer<typeof import('../../../../shared/domain/redfish.js').ComponentStatus>;

const MAX_MEMBERS = 256;
const MAX_LOG_ENTRIES = 50;

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: Json | undefined): JsonObject => (isObject(value) ? value : {});
const str = (value: Json | undefined): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);
const num = (value: Json | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const list = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);
const link = (value: Json | undefined): string | null => str(obj(value)['@odata.id']);
const health = (value: Json | undefined): Health => ((HEALTH as readonly string[]).includes(String(value)) ? (value as Health) : 'unknown');

export function statusOf(resource: JsonObject): Status {
  const status = obj(resource.Status);
  return { state: str(status.State), health: health(status.Health), healthRollup: health(status.HealthRollup ?? status.Health) };
}

/** Reads what a service offers, walking links with a budget; what fails is recorded and skipped. */
export class RedfishWalker {
  readonly problems: Problem[] = [];
  private readonly expand: boolean;
  /**
   * Ends what is still queued or in flight when the deadline passes: the
   * deadline is checked before each request, but a collection's members are
   * requested all at once and wait in the client's queue.
   */
  private readonly budget: AbortSignal | undefined;

  constructor(
    readonly client: RedfishClient,
    readonly root: JsonObject,
    /** When the poll must end: resources not read by then are listed as skipped, not waited for. */
    private readonly deadline = Number.POSITIVE_INFINITY,
    private readonly signal?: AbortSignal,
  ) {
    const features = obj(root.ProtocolFeaturesSupported);
    const expandQuery = obj(features.ExpandQuery);
    this.expand = expandQuery.Levels === true || expandQuery.ExpandAll === true;
    const left = deadline - Date.now();
    // The poll's own signal and the deadline in one, made once for all the poll's requests.
    const limit = Number.isFinite(left) ? within(Math.max(0, left), signal) : null;
    this.budget = limit?.signal;
    this.release = limit ? limit.release : () => undefined;
  }

  /** Lets go of the deadline's timer and of the poll's signal: the walk is over. */
  readonly release: () => void;

  async get(path: string | null): Promise<JsonObject | null> {
    if (!path) return null;
    if (Date.now() > this.deadline) {
      this.problems.push({ resource: path, message: 'skipped: the poll ran out of time' });
      return null;
    }
    const signal = this.budget ?? this.signal;
    try {
      return await this.client.get(path, signal ? { signal } : {});
    } catch (error) {
      if (this.budget?.aborted && !this.signal?.aborted) {
        this.problems.push({ resource: path, message: 'skipped: the poll ran out of time' });
        return null;
      }
      // A cancelled poll ends here as a whole; an answer it could not use is one problem among others.
      if (error instanceof RedfishError && ['auth', 'tls_changed', 'tls_untrusted', 'aborted'].includes(error.code)) throw error;
      if (this.signal?.aborted) throw new RedfishError('timeout', `${this.client.url}: the poll ran out of time`);
      this.problems.push({ resource: path, message: (error as Error).message });
      return null;
    }
  }

  /** All members of a collection: inline when the service expands, else one GET each; follows nextLink. */
  async members(path: string | null): Promise<JsonObject[]> {
    if (!path) return [];
    const results: JsonObject[] = [];
    let next: string | null = this.expand ? `${path}?$expand=.($levels=1)` : path;
    const seen = new Set<string>();
    while (next && results.length < MAX_MEMBERS && !seen.has(next)) {
      seen.add(next);
      const page = await this.get(next);
      if (!page) break;
      // Only as many as are kept: a collection claiming thousands of members must not cost thousands of requests.
      const inline = list(page.Members).filter(isObject).slice(0, MAX_MEMBERS - results.length);
      const fetched = await Promise.all(
        inline.map((member) => (Object.keys(member).length > 1 && member.Id !== undefined ? Promise.resolve(member) : this.get(link(member)))),
      );
      for (const member of fetched) if (member) results.push(member);
      next = str(page['Members@odata.nextLink']);
    }
    return results.slice(0, MAX_MEMBERS);
  }
}

function allowableValues(action: JsonObject, parameter: string): string[] | null {
  const values = action[`${parameter}@Redfish.AllowableValues`];
  return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string') : null;
}

async function resetInfo(walker: RedfishWalker, resource: JsonObject, actionName: string): Promise<{ target: string | null; allowed: string[] | null }> {
  const action = obj(obj(resource.Actions)[actionName]);
  const target = str(action.target);
  let allowed = allowableValues(action, 'ResetType');
  const infoPath = str(action['@Redfish.ActionInfo']);
  if (!allowed && infoPath) {
    const info = await walker.get(infoPath);
    const parameter = list(info?.Parameters).map(obj).find((each) => each.Name === 'ResetType');
    allowed = parameter ? list(parameter.AllowableValues).filter((value): value is string => typeof value === 'string') : null;
  }
  return { target, allowed };
}

const POWER_STATES = ['On', 'Off', 'PoweringOn', 'PoweringOff', 'Paused'] as const;

async function readSystem(walker: RedfishWalker, system: JsonObject): Promise<RedfishInventory['systems'][number]> {
  const summary = obj(system.ProcessorSummary);
  const memorySummary = obj(system.MemorySummary);
  const reset = await resetInfo(walker, system, '#ComputerSystem.Reset');
  const [processors, memory, storages, simpleStorages, interfaces] = await Promise.all([
    walker.members(link(system.Processors)),
    walker.members(link(system.Memory)),
    walker.members(link(system.Storage)),
    system.Storage ? Promise.resolve([]) : walker.members(link(system.SimpleStorage)),
    walker.members(link(system.EthernetInterfaces)),
  ]);
  const storage = await Promise.all(
    storages.map(async (entry) => {
      const controllers = [...list(entry.StorageControllers).map(obj), ...(await walker.members(link(entry.Controllers)))];
      const drives = (await Promise.all(list(entry.Drives).map((each) => walker.get(link(each))))).filter((drive): drive is JsonObject => drive !== null);
      const controller = controllers[0] ?? {};
      return {
        id: str(entry.Id) ?? '?',
        name: str(entry.Name),
        model: str(controller.Model),
        firmware: str(controller.FirmwareVersion),
        status: statusOf(entry),
        drives: drives.map((drive) => ({
          id: str(drive.Id) ?? '?',
          name: str(drive.Name),
          model: str(drive.Model),
          serial: str(drive.SerialNumber),
          capacityBytes: num(drive.CapacityBytes),
          mediaType: str(drive.MediaType),
          protocol: str(drive.Protocol),
          status: statusOf(drive),
        })),
      };
    }),
  );
  for (const simple of simpleStorages) {
    storage.push({
      id: str(simple.Id) ?? '?',
      name: str(simple.Name),
      model: null,
      firmware: null,
      status: statusOf(simple),
      drives: list(simple.Devices).map(obj).map((device, index) => ({
        id: String(index),
        name: str(device.Name),
        model: str(device.Model),
        serial: null,
        capacityBytes: num(device.CapacityBytes),
        mediaType: null,
        protocol: null,
        status: statusOf(device),
      })),
    });
  }
  const powerState = str(system.PowerState);
  const oem = fillFromOem(system, SYSTEM_OEM_RULES, { biosVersion: str(system.BiosVersion) !== null, serial: str(system.SerialNumber) !== null, model: str(system.Model) !== null });
  return {
    id: str(system.Id) ?? '?',
    vendor: str(system.Manufacturer),
    model: str(system.Model) ?? str(oem.values.model),
    serial: str(system.SerialNumber) ?? str(oem.values.serial),
    uuid: str(system.UUID),
    hostName: str(system.HostName),
    biosVersion: str(system.BiosVersion) ?? str(oem.values.biosVersion),
    ...(oem.filled.length > 0 ? { oemFilled: oem.filled } : {}),
    powerState: (POWER_STATES as readonly string[]).includes(powerState ?? '') ? (powerState as RedfishSystem['powerState']) : 'unknown',
    status: statusOf(system),
    processorCount: num(summary.Count),
    processorModel: str(summary.Model),
    memoryGiB: num(memorySummary.TotalSystemMemoryGiB),
    allowedResets: reset.allowed,
    resetTarget: reset.target,
    processors: processors.map((cpu) => ({
      id: str(cpu.Id) ?? '?',
      socket: str(cpu.Socket),
      model: str(cpu.Model),
      manufacturer: str(cpu.Manufacturer),
      cores: num(cpu.TotalCores),
      threads: num(cpu.TotalThreads),
      maxSpeedMHz: num(cpu.MaxSpeedMHz),
      status: statusOf(cpu),
    })),
    memory: memory.map((dimm) => ({
      id: str(dimm.Id) ?? '?',
      location: str(obj(obj(dimm.Location).PartLocation).ServiceLabel) ?? str(dimm.DeviceLocator),
      capacityMiB: num(dimm.CapacityMiB),
      type: str(dimm.MemoryDeviceType),
      speedMHz: num(dimm.OperatingSpeedMhz),
      manufacturer: str(dimm.Manufacturer),
      partNumber: str(dimm.PartNumber),
      status: statusOf(dimm),
    })),
    storage,
    networkPorts: interfaces.map((nic) => ({
      id: str(nic.Id) ?? '?',
      name: str(nic.Name),
      mac: str(nic.MACAddress) ?? str(nic.PermanentMACAddress),
      speedMbps: num(nic.SpeedMbps),
      linkStatus: str(nic.LinkStatus),
      ipv4: list(nic.IPv4Addresses).map((address) => str(obj(address).Address)).filter((address): address is string => address !== null),
      status: statusOf(nic),
    })),
  };
}

function reading(entry: JsonObject, valueKey: string, unit: string, index: number): RedfishChassis['temperatures'][number] {
  return {
    id: str(entry.MemberId) ?? str(entry.Id) ?? String(index),
    name: str(entry.Name),
    value: num(entry[valueKey]),
    unit,
    upperCritical: num(entry.UpperThresholdCritical),
    status: statusOf(entry),
  };
}

async function readChassis(walker: RedfishWalker, chassis: JsonObject): Promise<RedfishChassis> {
  const sources: RedfishChassis['sources'] = [];
  const [power, thermal, powerSubsystem, thermalSubsystem, environment] = await Promise.all([
    walker.get(link(chassis.Power)),
    walker.get(link(chassis.Thermal)),
    walker.get(link(chassis.PowerSubsystem)),
    walker.get(link(chassis.ThermalSubsystem)),
    walker.get(link(chassis.EnvironmentMetrics)),
  ]);
  const powerSupplies: RedfishChassis['powerSupplies'] = [];
  const fans: RedfishChassis['fans'] = [];
  const temperatures: RedfishChassis['temperatures'] = [];
  const voltages: RedfishChassis['voltages'] = [];
  let powerConsumedWatts: number | null = null;
  let energyKwh: number | null = null;
  let powerCapacityWatts: number | null = null;

  if (powerSubsystem) {
    sources.push('PowerSubsystem');
    for (const psu of await walker.members(link(powerSubsystem.PowerSupplies))) {
      const metrics = await walker.get(link(psu.Metrics));
      powerSupplies.push({
        id: str(psu.Id) ?? '?',
        name: str(psu.Name),
        model: str(psu.Model),
        serial: str(psu.SerialNumber),
        capacityWatts: num(psu.PowerCapacityWatts),
        inputWatts: num(obj(metrics?.InputPowerWatts).Reading),
        outputWatts: num(obj(metrics?.OutputPowerWatts).Reading),
        firmware: str(psu.FirmwareVersion),
        status: statusOf(psu),
      });
    }
  } else if (power) {
    sources.push('Power');
    list(power.PowerSupplies).map(obj).forEach((psu, index) =>
      powerSupplies.push({
        id: str(psu.MemberId) ?? String(index),
        name: str(psu.Name),
        model: str(psu.Model),
        serial: str(psu.SerialNumber),
        capacityWatts: num(psu.PowerCapacityWatts),
        inputWatts: num(psu.PowerInputWatts),
        outputWatts: num(psu.PowerOutputWatts) ?? num(psu.LastPowerOutputWatts),
        firmware: str(psu.FirmwareVersion),
        status: statusOf(psu),
      }),
    );
  }
  if (power) {
    if (!sources.includes('Power')) sources.push('Power');
    list(power.Voltages).map(obj).forEach((entry, index) => voltages.push(reading(entry, 'ReadingVolts', 'V', index)));
    powerConsumedWatts = num(obj(list(power.PowerControl)[0]).PowerConsumedWatts);
    powerCapacityWatts = num(obj(list(power.PowerControl)[0]).PowerCapacityWatts);
  }
  if (thermalSubsystem) {
    sources.push('ThermalSubsystem');
    for (const fan of await walker.members(link(thermalSubsystem.Fans))) {
      const speed = obj(fan.SpeedPercent);
      fans.push({
        id: str(fan.Id) ?? '?',
        name: str(fan.Name),
        speed: num(speed.SpeedRPM) ?? num(speed.Reading),
        unit: num(speed.SpeedRPM) !== null ? 'RPM' : num(speed.Reading) !== null ? 'Percent' : 'unknown',
        status: statusOf(fan),
      });
    }
    const metrics = await walker.get(link(thermalSubsystem.ThermalMetrics));
    list(metrics?.TemperatureReadingsCelsius).map(obj).forEach((entry, index) =>
      temperatures.push({ id: str(entry.DeviceName) ?? String(index), name: str(entry.DeviceName), value: num(entry.Reading), unit: 'Cel', upperCritical: null, status: { state: null, health: 'unknown', healthRollup: 'unknown' } }),
    );
  }
  if (thermal) {
    sources.push('Thermal');
    if (fans.length === 0) {
      list(thermal.Fans).map(obj).forEach((fan, index) => {
        const units = str(fan.ReadingUnits);
        fans.push({ id: str(fan.MemberId) ?? String(index), name: str(fan.Name) ?? str(fan.FanName), speed: num(fan.Reading), unit: units === 'RPM' ? 'RPM' : units === 'Percent' ? 'Percent' : 'unknown', status: statusOf(fan) });
      });
    }
    if (temperatures.length === 0) list(thermal.Temperatures).map(obj).forEach((entry, index) => temperatures.push(reading(entry, 'ReadingCelsius', 'Cel', index)));
  }
  if (environment) {
    sources.push('EnvironmentMetrics');
    powerConsumedWatts ??= num(obj(environment.PowerWatts).Reading);
    energyKwh = num(obj(environment.EnergykWh).Reading);
    const ambient = num(obj(environment.TemperatureCelsius).Reading);
    if (ambient !== null && temperatures.length === 0) {
      temperatures.push({ id: 'environment', name: 'Chassis environment', value: ambient, unit: 'Cel', upperCritical: null, status: { state: null, health: 'unknown', healthRollup: 'unknown' } });
    }
  }
  // An inlet sensor listed without a reading does not count: the OEM figure is better than none.
  const hasInlet = temperatures.some((entry) => entry.value !== null && /inlet|ambient|intake/i.test(entry.name ?? entry.id));
  const oem = fillFromOem(chassis, CHASSIS_OEM_RULES, { inletCelsius: hasInlet });
  const inlet = num(oem.values.inletCelsius);
  if (inlet !== null) temperatures.push({ id: 'oem-inlet', name: 'Inlet', value: inlet, unit: 'Cel', upperCritical: null, status: { state: null, health: 'unknown', healthRollup: 'unknown' } });
  return {
    id: str(chassis.Id) ?? '?',
    name: str(chassis.Name),
    type: str(chassis.ChassisType),
    manufacturer: str(chassis.Manufacturer),
    model: str(chassis.Model),
    serial: str(chassis.SerialNumber),
    ...(oem.filled.length > 0 ? { oemFilled: oem.filled } : {}),
    status: statusOf(chassis),
    powerSupplies,
    fans,
    temperatures,
    voltages,
    powerConsumedWatts,
    powerCapacityWatts,
    energyKwh,
    sources,
  };
}

async function readManager(walker: RedfishWalker, manager: JsonObject): Promise<{ manager: RedfishManager; logs: RedfishInventory['logEntries'] }> {
  const [protocol, interfaces, logServices] = await Promise.all([
    walker.get(link(manager.NetworkProtocol)),
    walker.members(link(manager.EthernetInterfaces)),
    walker.members(link(manager.LogServices)),
  ]);
  const reset = await resetInfo(walker, manager, '#Manager.Reset');
  const ntp = obj(protocol?.NTP);
  const nic = interfaces[0] ?? {};
  const oem = fillFromOem(manager, MANAGER_OEM_RULES, { firmware: str(manager.FirmwareVersion) !== null, hostName: (str(protocol?.HostName) ?? str(nic.HostName)) !== null });
  const sel = logServices.find((service) => /sel|event/i.test(`${str(service.Id)} ${str(service.Name)}`)) ?? logServices[0];
  const entries = sel ? await walker.members(link(sel.Entries)) : [];
  return {
    manager: {
      id: str(manager.Id) ?? '?',
      model: str(manager.Model),
      firmware: str(manager.FirmwareVersion) ?? str(oem.values.firmware),
      status: statusOf(manager),
      hostName: str(protocol?.HostName) ?? str(nic.HostName) ?? str(oem.values.hostName),
      ...(oem.filled.length > 0 ? { oemFilled: oem.filled } : {}),
      ntpServers: list(ntp.NTPServers).map(str).filter((server): server is string => server !== null),
      ntpEnabled: typeof ntp.ProtocolEnabled === 'boolean' ? ntp.ProtocolEnabled : null,
      macAddress: str(nic.MACAddress),
      ipv4: list(nic.IPv4Addresses).map((address) => str(obj(address).Address)).filter((address): address is string => address !== null),
      dnsServers: [...list(nic.StaticNameServers), ...list(nic.NameServers)].map(str).filter((server, index, all): server is string => server !== null && all.indexOf(server) === index),
      allowedResets: reset.allowed,
    },
    logs: entries.slice(-MAX_LOG_ENTRIES).map((entry) => ({
      id: str(entry.Id) ?? '?',
      created: str(entry.Created),
      severity: str(entry.Severity),
      message: str(entry.Message),
      entryType: str(entry.EntryType),
    })),
  };
}

/** The full normalized inventory of one BMC. Missing or odd properties become null or "unknown", never a crash. */
export interface PollOptions {
  now?: () => Date;
  /** Budget for the whole poll; what is left unread when it runs out is reported, not awaited. */
  pollTimeoutMs?: number;
  /** Cancels every request of the poll (the scheduler's timeout, monitoring stopping). */
  signal?: AbortSignal;
}

export async function readInventory(client: RedfishClient, options: PollOptions = {}): Promise<RedfishInventory> {
  const now = options.now ?? (() => new Date());
  const deadline = Date.now() + (options.pollTimeoutMs ?? 120_000);
  const root = await client.serviceRoot({ signal: options.signal });
  const walker = new RedfishWalker(client, root, deadline, options.signal);
  try {
    const updateService = await walker.get(link(root.UpdateService));
    const [systems, chassis, managers, firmware] = await Promise.all([
      walker.members(link(root.Systems)),
      walker.members(link(root.Chassis)),
      walker.members(link(root.Managers)),
      walker.members(link(updateService?.FirmwareInventory)),
    ]);
    const [systemDetails, chassisDetails, managerDetails] = await Promise.all([
      Promise.all(systems.map((system) => readSystem(walker, system))),
      Promise.all(chassis.map((each) => readChassis(walker, each))),
      Promise.all(managers.map((manager) => readManager(walker, manager))),
    ]);
    const inventory = {
      service: {
        url: client.url,
        redfishVersion: str(root.RedfishVersion),
        vendor: str(root.Vendor) ?? systemDetails[0]?.vendor ?? null,
        uuid: str(root.UUID),
        product: str(root.Product),
      },
      observedAt: now().toISOString(),
      systems: systemDetails,
      chassis: chassisDetails,
      managers: managerDetails.map((detail) => detail.manager),
      firmware: firmware.map((item) => ({ id: str(item.Id) ?? '?', name: str(item.Name), version: str(item.Version), updateable: typeof item.Updateable === 'boolean' ? item.Updateable : null })),
      logEntries: managerDetails.flatMap((detail) => detail.logs),
      problems: walker.problems,
      requests: client.requestCount,
    };
    return RedfishInventory.parse(inventory);
  } finally {
    walker.release();
  }
}

function healthOf(systems: JsonObject[], chassis: JsonObject[]): Omit<RedfishHealth, 'observedAt'> {
  const systemHealth = systems.map((system) => {
    const powerState = str(system.PowerState);
    return {
      id: str(system.Id) ?? '?',
      powerState: (POWER_STATES as readonly string[]).includes(powerState ?? '') ? (powerState as RedfishSystem['powerState']) : ('unknown' as const),
      status: statusOf(system),
    };
  });
  const chassisHealth = chassis.map((each) => ({ id: str(each.Id) ?? '?', status: statusOf(each) }));
  return { systems: systemHealth, chassis: chassisHealth, worst: worstHealth([...systemHealth, ...chassisHealth].map((each) => each.status.healthRollup)) };
}

/** A health-only poll: systems and chassis status, with as few requests as the service allows. */
export async function readHealth(client: RedfishClient, options: PollOptions = {}): Promise<RedfishHealth> {
  const now = options.now ?? (() => new Date());
  const root = await client.serviceRoot({ signal: options.signal });
  const walker = new RedfishWalker(client, root, Date.now() + (options.pollTimeoutMs ?? 30_000), options.signal);
  try {
    const [systems, chassis] = await Promise.all([walker.members(link(root.Systems)), walker.members(link(root.Chassis))]);
    return {
      observedAt: now().toISOString(),
      ...healthOf(systems, chassis),
    };
  } finally {
    walker.release();
  }
}

/** What a monitoring poll needs: health, the chassis readings (temperatures, fans, power supplies, power), and each system NIC's link. */
export interface RedfishVitals extends RedfishHealth {
  chassisReadings: RedfishChassis[];
  /** The systems' Ethernet interfaces in collection order, so "nic-1" in a cabinet's wiring is the first. */
  nics: { id: string; linkStatus: string | null; state: string | null }[];
  problems: Problem[];
}

export async function readVitals(client: RedfishClient, options: PollOptions = {}): Promise<RedfishVitals> {
  const now = options.now ?? (() => new Date());
  const root = await client.serviceRoot({ signal: options.signal });
  const walker = new RedfishWalker(client, root, Date.now() + (options.pollTimeoutMs ?? 30_000), options.signal);
  try {
    const [systems, chassis] = await Promise.all([walker.members(link(root.Systems)), walker.members(link(root.Chassis))]);
    const [chassisReadings, nicLists] = await Promise.all([
      Promise.all(chassis.map((each) => readChassis(walker, each))),
      Promise.all(systems.map((system) => walker.members(link(system.EthernetInterfaces)))),
    ]);
    return {
      observedAt: now().toISOString(),
      ...healthOf(systems, chassis),
      chassisReadings,
      nics: nicLists.flat().map((nic) => ({ id: str(nic.Id) ?? '?', linkStatus: str(nic.LinkStatus), state: str(obj(nic.Status).State) })),
      problems: walker.problems,
    };
  } finally {
    walker.release();
  }
}
