import type { CabinetTemplate } from '../../shared/domain/cabinet.js';
import type { LabFault } from '../../shared/domain/monitoring.js';
import type { LabApplyTime } from './redfish/firmware-updates.js';
import { LabBmc } from './redfish/bmc.js';
import { selfSignedCertificate } from './redfish/certificate.js';
import type { Resource } from './redfish/store.js';
import { LabEnvironmentMonitor, LabPdu, LabSwitch, LabUps, seededRandom } from './snmp/devices.js';


/** What the fleet's BMCs declare for firmware, server by server in each cabinet. */
const FLEET_APPLY_TIMES: readonly LabApplyTime[][] = [['Immediate', 'OnReset'], ['Immediate'], ['AtMaintenanceWindowStart', 'OnReset']];

export const LAB_SNMP_PORT = 1161;
export const LAB_HTTPS_PORT = 8443;
export const LAB_COMMUNITY = 'public';
/** The SNMPv3 authPriv user provisioned on the lab's switch, UPS and PDU; the environment monitor, like many older sensors, only speaks v2c. */
export const LAB_SNMP_V3 = { user: 'edgecab-v3', authProtocol: 'sha256', authKey: 'lab-auth-key-7', privProtocol: 'aes', privKey: 'lab-priv-key-7' } as const;
/** The factory SNMPv3 admin of the lab's switch, UPS and PDU (an rwuser that may create users over USM); the environment monitor has none. */
export const LAB_SNMP_V3_ADMIN = { user: 'factory-admin', authProtocol: 'sha', authKey: 'lab-factory-auth', privProtocol: 'aes', privKey: 'lab-factory-priv' } as const;
/** The mockup's factory account, with the lab's factory password. */
export const LAB_BMC_USER = 'Administrator';
export const LAB_BMC_PASSWORD = 'lab-password';

export interface FleetOptions {
  sites: number;
  seed: number;
  template: CabinetTemplate;
  mockupDir: string;
  /** Second octet of the fleet's loopback addresses (127.<base>.x.y). */
  addressBase?: number;
  /**
   * The addresses the devices listen on instead, taken in order (device by
   * device, site by site): this machine's own, e.g. those of a veth in a
   * network namespace, so devices are reached (and send from) non-loopback addresses.
   */
  addresses?: readonly string[];
  trapTo?: { host: string; port: number };
  tickSeconds?: number;
  /** How often a flapping port changes state (default 4 s). */
  flapSeconds?: number;
  /**
   * What a site with its link down does: its devices stop listening
   * ("refuse", the default: connections are refused at once), or its BMCs
   * take connections and never answer ("silent": a WAN that drops
   * everything, where each request runs into its timeout). SNMP agents stop
   * either way; unanswered UDP looks the same.
   */
  linkDown?: 'refuse' | 'silent';
  /** Where the sites are spread (a circle around this point). */
  center?: { latitude: number; longitude: number; radiusDegrees: number };
}

type SnmpLabDevice = LabSwitch | LabUps | LabPdu | LabEnvironmentMonitor;

export interface FleetDevice {
  slotId: string;
  kind: string;
  protocol: 'redfish' | 'snmp';
  host: string;
  port: number;
  /** Redfish only. */
  url: string | null;
  fingerprint: string | null;
  lab: LabBmc | SnmpLabDevice;
}

export interface FleetSite {
  index: number;
  code: string;
  name: { en: string; 'zh-CN': string };
  latitude: number;
  longitude: number;
  devices: FleetDevice[];
  faults: Set<LabFault>;
}

const SYSTEM = '/redfish/v1/Systems/437XR1138R2';
const CHASSIS = '/redfish/v1/Chassis/1U';

/** Loopback address of device `slot` in site `site`: each has its own, as on a real network. */
export function labAddress(base: number, site: number, slot: number): string {
  return `127.${base + (site >> 8)}.${site & 255}.${slot + 1}`;
}

/**
 * Simulated cabinets on loopback, laid out from a cabinet template: a lab BMC
 * per server or storage slot, an SNMP switch, UPS, PDU and environment monitor
 * for theirs, each on its own 127.x.y.z address. Readings move every tick;
 * faults are switched on and off per site.
 */
export class LabFleet {
  readonly sites: FleetSite[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly flappers = new Map<number, ReturnType<typeof setInterval>>();
  private readonly random: () => number;

  private constructor(private readonly options: FleetOptions) {
    this.random = seededRandom(options.seed);
  }

  static async start(options: FleetOptions): Promise<LabFleet> {
    const fleet = new LabFleet(options);
    try {
      await fleet.build();
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    const tick = options.tickSeconds ?? 5;
    fleet.timer = setInterval(() => fleet.tick(tick), tick * 1000);
    fleet.timer.unref?.();
    return fleet;
  }

  private async build(): Promise<void> {
    const base = this.options.addressBase ?? 100;
    const center = this.options.center ?? { latitude: 30.27, longitude: 120.15, radiusDegrees: 1.5 };
    for (let index = 0; index < this.options.sites; index += 1) {
      const number = String(index + 1).padStart(3, '0');
      const angle = this.random() * 2 * Math.PI;
      const distance = Math.sqrt(this.random()) * center.radiusDegrees;
      const site: FleetSite = {
        index,
        code: `LAB-${number}`,
        name: { en: `Lab branch ${number}`, 'zh-CN': `实验网点 ${number}` },
        latitude: Math.round((center.latitude + distance * Math.sin(angle)) * 1e5) / 1e5,
        longitude: Math.round((center.longitude + distance * Math.cos(angle)) * 1e5) / 1e5,
        devices: [],
        faults: new Set(),
      };
      this.sites.push(site);
      const starts: Promise<unknown>[] = [];
      let servers = 0;
      this.options.template.slots.forEach((slot, slotIndex) => {
        const host = this.options.addresses ? this.options.addresses[index * this.options.template.slots.length + slotIndex] : labAddress(base, index, slotIndex);
        if (!host) throw new Error(`the lab needs ${this.options.sites * this.options.template.slots.length} addresses; ${this.options.addresses?.length ?? 0} given`);
        const name = `${site.code.toLowerCase()}-${slot.id}`;
        const seed = this.options.seed * 100_003 + index * 101 + slotIndex;
        if (slot.protocol === 'redfish') {
          // Each BMC its own certificate, as in the field: pins and handshakes are per device.
          // The servers of a cabinet take firmware as different BMCs do: at once or on reset; at once only; at their maintenance window or on reset.
          const firmware = FLEET_APPLY_TIMES[servers++ % FLEET_APPLY_TIMES.length]!;
          const bmc = new LabBmc({ mockupDir: this.options.mockupDir, host, port: LAB_HTTPS_PORT, users: { [LAB_BMC_USER]: LAB_BMC_PASSWORD }, certificate: selfSignedCertificate(name), firmware: { applyTimes: firmware } });
          healthyBaseline(bmc);
          // Every lab server has its own serial, as real ones do (the mockup gives them all the same).
          setPath(bmc, SYSTEM, ['SerialNumber'], `${site.code}-${slot.id.toUpperCase()}`);
          site.devices.push({ slotId: slot.id, kind: slot.kind, protocol: 'redfish', host, port: LAB_HTTPS_PORT, url: `https://${host}:${LAB_HTTPS_PORT}`, fingerprint: bmc.fingerprint, lab: bmc });
          starts.push(bmc.start());
          return;
        }
        const common = {
          name,
          port: LAB_SNMP_PORT,
          address: host,
          community: LAB_COMMUNITY,
          users: slot.kind === 'environment' ? [] : [{ ...LAB_SNMP_V3 }],
          adminUsers: slot.kind === 'environment' ? [] : [{ ...LAB_SNMP_V3_ADMIN }],
          seed,
          trapDestinations: this.options.trapTo ? [{ ...this.options.trapTo, community: LAB_COMMUNITY }] : [],
        };
        const lab: SnmpLabDevice | null =
          slot.kind === 'switch' ? new LabSwitch(common) : slot.kind === 'ups' ? new LabUps(common) : slot.kind === 'pdu' ? new LabPdu(common) : slot.kind === 'environment' ? new LabEnvironmentMonitor(common) : null;
        // Cooling units have no lab model yet: their slot stays unconnected, as an unmanaged device would.
        if (!lab) return;
        site.devices.push({ slotId: slot.id, kind: slot.kind, protocol: 'snmp', host, port: LAB_SNMP_PORT, url: null, fingerprint: null, lab });
        starts.push(lab.start());
      });
      await Promise.all(starts);
    }
  }

  get deviceCount(): number {
    return this.sites.reduce((sum, site) => sum + site.devices.length, 0);
  }

  private tick(seconds: number): void {
    for (const site of this.sites) {
      if (site.faults.has('link-down')) continue;
      for (const device of site.devices) {
        if (device.lab instanceof LabBmc) driftBmc(device.lab, this.random, seconds);
        else device.lab.tick(seconds);
      }
      // What the cabinet draws goes through its UPS: the PDUs' outlets (the servers and switches behind them).
      const pdus = site.devices.filter((device) => device.lab instanceof LabPdu).map((device) => (device.lab as LabPdu).totalWatts());
      if (pdus.length) this.first(site, 'ups', LabUps)?.setLoad(pdus.reduce((sum, watts) => sum + watts, 0));
    }
  }

  site(code: string): FleetSite | undefined {
    return this.sites.find((site) => site.code === code);
  }

  private first<T>(site: FleetSite, kind: string, type: abstract new (...args: never[]) => T): T | null {
    const device = site.devices.find((each) => each.kind === kind && each.lab instanceof type);
    return (device?.lab as T | undefined) ?? null;
  }

  /** Switches a fault on or off in one site. */
  async fault(site: FleetSite, fault: LabFault, active: boolean): Promise<void> {
    if (site.faults.has(fault) === active) return;
    if (active) site.faults.add(fault);
    else site.faults.delete(fault);
    const server = site.devices.find((device) => device.kind === 'server' && device.lab instanceof LabBmc)?.lab as LabBmc | undefined;
    const servers = site.devices.filter((device) => device.lab instanceof LabBmc).map((device) => device.lab as LabBmc);
    switch (fault) {
      case 'link-down':
        // The WAN link is gone: nothing in the site answers (agents stop listening; BMCs too, or they go silent).
        for (const device of site.devices) {
          if (device.lab instanceof LabBmc && this.options.linkDown === 'silent') device.lab.faults = { ...device.lab.faults, silent: active };
          else if (active) await device.lab.stop();
          else await device.lab.start();
        }
        break;
      case 'ups-on-battery': {
        await this.first(site, 'ups', LabUps)?.setOnBattery(active);
        // On battery, a line-interactive UPS's output sags a little, which the PDU and the servers' PSUs notice.
        this.first(site, 'pdu', LabPdu)?.setInputVoltage(active ? 192 : 220);
        for (const bmc of servers) setPath(bmc, `${CHASSIS}/PowerSubsystem/PowerSupplies/Bay1`, ['Status', 'Health'], active ? 'Warning' : 'OK');
        break;
      }
      case 'fan-failed':
        if (server) {
          setPath(server, `${CHASSIS}/ThermalSubsystem/Fans/Bay1`, ['Status', 'Health'], active ? 'Critical' : 'OK');
          setPath(server, CHASSIS, ['Status', 'HealthRollup'], active ? 'Critical' : 'OK');
          if (active) server.emitEvent('ResourceEvent.1.0.ResourceErrorsDetected', 'Fan Bay1 stopped: 0 RPM', 'Critical', `${CHASSIS}/ThermalSubsystem/Fans/Bay1`);
        }
        break;
      case 'port-flapping': {
        const sw = this.first(site, 'switch', LabSwitch);
        if (active && sw) {
          let up = false;
          const flap = async () => {
            await sw.setLink(1, up);
            if (server) setPath(server, `${SYSTEM}/EthernetInterfaces/12446A3B0411`, ['LinkStatus'], up ? 'LinkUp' : 'LinkDown');
            up = !up;
          };
          await flap();
          const timer = setInterval(() => void flap(), (this.options.flapSeconds ?? 4) * 1000);
          timer.unref?.();
          this.flappers.set(site.index, timer);
        } else {
          clearInterval(this.flappers.get(site.index));
          this.flappers.delete(site.index);
          await sw?.setLink(1, true);
          if (server) setPath(server, `${SYSTEM}/EthernetInterfaces/12446A3B0411`, ['LinkStatus'], 'LinkUp');
        }
        break;
      }
      case 'sensor-out-of-range':
        this.first(site, 'environment', LabEnvironmentMonitor)?.setTemperature(active ? 46 : 25);
        break;
      case 'pdu-energy-reset':
        // As when the PDU's counters are cleared from its menu: the device and outlet kWh start again from 0 (once; turning it off changes nothing).
        if (active) this.first(site, 'pdu', LabPdu)?.resetEnergy();
        break;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const timer of this.flappers.values()) clearInterval(timer);
    this.flappers.clear();
    await Promise.all(this.sites.flatMap((site) => site.devices.map((device) => device.lab.stop().catch(() => undefined))));
  }
}

function setPath(bmc: LabBmc, path: string, keys: string[], value: unknown): void {
  const resource = bmc.resource(path);
  if (!resource) return;
  let target: Resource = resource;
  for (const key of keys.slice(0, -1)) {
    target[key] ??= {};
    target = target[key] as Resource;
  }
  target[keys.at(-1)!] = value;
}

/** The DMTF mockup ships with a CPU temperature caution; a lab cabinet starts healthy. */
function healthyBaseline(bmc: LabBmc): void {
  // Redfish 1.5+ services name their maker in the service root; the mockup predates that. Its products are Contoso's.
  const root = bmc.resource('/redfish/v1');
  if (root && root.Vendor === undefined) root.Vendor = 'Contoso';
  const system = bmc.resource(SYSTEM);
  if (system) {
    system.Status = { State: 'Enabled', Health: 'OK', HealthRollup: 'OK' };
  }
  const chassis = bmc.resource(CHASSIS);
  if (chassis) chassis.Status = { State: 'Enabled', Health: 'OK', HealthRollup: 'OK' };
  // PSU 1 of the mockup predicts its own failure; a lab cabinet's power supplies start healthy.
  const psu = bmc.resource(`${CHASSIS}/PowerSubsystem/PowerSupplies/Bay1`);
  if (psu) psu.Status = { State: 'Enabled', Health: 'OK' };
}

/** Temperatures and power wander within a plausible band. */
function driftBmc(bmc: LabBmc, random: () => number, seconds: number): void {
  const metrics = bmc.resource(`${CHASSIS}/ThermalSubsystem/ThermalMetrics`);
  const readings = metrics?.TemperatureReadingsCelsius;
  if (Array.isArray(readings)) {
    for (const reading of readings as Resource[]) {
      const value = typeof reading.Reading === 'number' ? reading.Reading : 30;
      reading.Reading = Math.round(Math.min(45, Math.max(18, value + (random() - 0.5) * 0.4 * Math.sqrt(seconds))) * 10) / 10;
    }
  }
  const power = bmc.resource(`${CHASSIS}/Power`);
  const control = Array.isArray(power?.PowerControl) ? (power.PowerControl as Resource[])[0] : undefined;
  if (control && typeof control.PowerConsumedWatts === 'number') {
    // The load wanders toward its own level (about 340 W); a power limit holds it below the limit.
    control.PowerConsumedWatts = Math.round(Math.min(520, Math.max(220, control.PowerConsumedWatts * (0.97 + random() * 0.06))));
    bmc.holdToPowerLimit();
    bmc.drawPower(seconds);
  }
}
