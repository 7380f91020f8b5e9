import { z } from 'zod';
import { secret } from './secret.js';

/** Redfish health as reported; anything else a BMC says becomes "unknown". */
export const HEALTH = ['OK', 'Warning', 'Critical', 'unknown'] as const;
export type Health = (typeof HEALTH)[number];

const text = z.string().nullable();
const num = z.number().nullable();
const health = z.enum(HEALTH);

export const ComponentStatus = z.object({ state: text, health, healthRollup: health });

export const RedfishSystem = z.object({
  id: z.string(),
  vendor: text,
  model: text,
  serial: text,
  uuid: text,
  hostName: text,
  biosVersion: text,
  powerState: z.enum(['On', 'Off', 'PoweringOn', 'PoweringOff', 'Paused', 'unknown']),
  status: ComponentStatus,
  processorCount: num,
  processorModel: text,
  memoryGiB: num,
  /** Reset types this system accepts (ResetType@Redfish.AllowableValues), or null when it does not say. */
  allowedResets: z.array(z.string()).nullable(),
  resetTarget: text,
  /** Fields the standard properties left empty that the vendor's OEM section filled, each with where from ("biosVersion from Oem.Hpe.Bios.Current.VersionString"). */
  oemFilled: z.array(z.string()).optional(),
});
export type RedfishSystem = z.infer<typeof RedfishSystem>;

export const Processor = z.object({ id: z.string(), socket: text, model: text, manufacturer: text, cores: num, threads: num, maxSpeedMHz: num, status: ComponentStatus });
export const MemoryModule = z.object({ id: z.string(), location: text, capacityMiB: num, type: text, speedMHz: num, manufacturer: text, partNumber: text, status: ComponentStatus });
export const Drive = z.object({ id: z.string(), name: text, model: text, serial: text, capacityBytes: num, mediaType: text, protocol: text, status: ComponentStatus });
export const StorageController = z.object({ id: z.string(), name: text, model: text, firmware: text, status: ComponentStatus, drives: z.array(Drive) });
export const NetworkPort = z.object({ id: z.string(), name: text, mac: text, speedMbps: num, linkStatus: text, ipv4: z.array(z.string()), status: ComponentStatus });
export const PowerSupply = z.object({ id: z.string(), name: text, model: text, serial: text, capacityWatts: num, inputWatts: num, outputWatts: num, firmware: text, status: ComponentStatus });
export const Fan = z.object({ id: z.string(), name: text, speed: num, unit: z.enum(['RPM', 'Percent', 'unknown']), status: ComponentStatus });
export const Reading = z.object({ id: z.string(), name: text, value: num, unit: text, upperCritical: num, status: ComponentStatus });
export const FirmwareItem = z.object({ id: z.string(), name: text, version: text, updateable: z.boolean().nullable() });
export const LogEntry = z.object({ id: z.string(), created: text, severity: text, message: text, entryType: text });

export const RedfishManager = z.object({
  id: z.string(),
  model: text,
  firmware: text,
  status: ComponentStatus,
  hostName: text,
  ntpServers: z.array(z.string()),
  ntpEnabled: z.boolean().nullable(),
  macAddress: text,
  ipv4: z.array(z.string()),
  dnsServers: z.array(z.string()),
  allowedResets: z.array(z.string()).nullable(),
  /** Fields the standard properties left empty that the vendor's OEM section filled, each with where from ("biosVersion from Oem.Hpe.Bios.Current.VersionString"). */
  oemFilled: z.array(z.string()).optional(),
});
export type RedfishManager = z.infer<typeof RedfishManager>;

export const RedfishChassis = z.object({
  id: z.string(),
  name: text,
  type: text,
  manufacturer: text,
  model: text,
  serial: text,
  status: ComponentStatus,
  powerSupplies: z.array(PowerSupply),
  fans: z.array(Fan),
  temperatures: z.array(Reading),
  voltages: z.array(Reading),
  powerConsumedWatts: num,
  /** What the chassis is rated to draw (PowerControl.PowerCapacityWatts), where the BMC says. */
  powerCapacityWatts: num.optional(),
  /** The chassis's own energy counter (EnvironmentMetrics.EnergykWh), where the BMC keeps one. */
  energyKwh: num.optional(),
  /** Which resources the readings came from: the deprecated Power/Thermal, or the newer subsystems. */
  sources: z.array(z.enum(['Power', 'Thermal', 'PowerSubsystem', 'ThermalSubsystem', 'EnvironmentMetrics', 'Sensors'])),
  /** Fields the standard properties left empty that the vendor's OEM section filled, each with where from ("biosVersion from Oem.Hpe.Bios.Current.VersionString"). */
  oemFilled: z.array(z.string()).optional(),
});
export type RedfishChassis = z.infer<typeof RedfishChassis>;

export const RedfishInventory = z.object({
  service: z.object({ url: z.string(), redfishVersion: text, vendor: text, uuid: text, product: text }),
  observedAt: z.string(),
  systems: z.array(
    RedfishSystem.extend({
      processors: z.array(Processor),
      memory: z.array(MemoryModule),
      storage: z.array(StorageController),
      networkPorts: z.array(NetworkPort),
    }),
  ),
  chassis: z.array(RedfishChassis),
  managers: z.array(RedfishManager),
  firmware: z.array(FirmwareItem),
  logEntries: z.array(LogEntry),
  /** What could not be read, by resource; the rest is still reported. */
  problems: z.array(z.object({ resource: z.string(), message: z.string() })),
  requests: z.number().int(),
});
export type RedfishInventory = z.infer<typeof RedfishInventory>;

export const RedfishHealth = z.object({
  observedAt: z.string(),
  systems: z.array(z.object({ id: z.string(), powerState: RedfishSystem.shape.powerState, status: ComponentStatus })),
  chassis: z.array(z.object({ id: z.string(), status: ComponentStatus })),
  worst: health,
});
export type RedfishHealth = z.infer<typeof RedfishHealth>;

export const FINGERPRINT_PATTERN = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

export const RedfishProbeInput = z.object({
  url: z
    .string()
    .trim()
    .regex(/^https?:\/\/[A-Za-z0-9.:[\]_-]+(:\d{1,5})?\/?$/, { error: 'A BMC address like https://10.0.0.10' })
    // The pattern lets through what no URL parser takes ("https://[", port 99999); the handler would fail on it with a 500.
    .refine((url) => z.url().safeParse(url).success, { error: 'A BMC address like https://10.0.0.10' }),
  username: z.string().min(1, { error: 'User name is required' }).max(64),
  password: secret(z.string().min(1, { error: 'Password is required' }).max(128)),
  /** The certificate trusted earlier; or trust what the BMC presents now. */
  fingerprint: z.string().trim().toUpperCase().regex(FINGERPRINT_PATTERN, { error: 'A SHA-256 fingerprint (32 hex pairs)' }).nullable().optional(),
  trustOnFirstUse: z.boolean().default(false),
  /** http:// sends the password in clear text: only when the user says so (a lab, a BMC on an isolated segment). */
  allowClearText: z.boolean().default(false),
});

export const RedfishProbeResult = RedfishInventory.extend({ certificateFingerprint: z.string().nullable() });
export type RedfishProbeResult = z.infer<typeof RedfishProbeResult>;

const HEALTH_ORDER: Record<Health, number> = { OK: 0, unknown: 1, Warning: 2, Critical: 3 };
export function worstHealth(values: readonly Health[]): Health {
  return values.reduce<Health>((worst, value) => (HEALTH_ORDER[value] > HEALTH_ORDER[worst] ? value : worst), 'OK');
}
