import { z } from 'zod';
import { secret } from './secret.js';

/** How to reach an SNMP agent. Secrets are kept out of anything but this object. */
export const SnmpV3Credentials = z.object({
  user: z.string().min(1).max(32),
  authProtocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
  authKey: secret(z.string().min(8, { error: 'SNMPv3 keys are at least 8 characters' })).optional(),
  privProtocol: z.enum(['des', 'aes', 'aes256', 'aes256c']).optional(),
  privKey: secret(z.string().min(8, { error: 'SNMPv3 keys are at least 8 characters' })).optional(),
  context: z.string().max(64).optional(),
});
export type SnmpV3Credentials = z.infer<typeof SnmpV3Credentials>;

const SnmpTargetFields = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(161),
    version: z.enum(['2c', '3']),
    community: secret(z.string().min(1).max(64)).optional(),
    v3: SnmpV3Credentials.optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(2000),
    retries: z.number().int().min(0).max(5).default(1),
  });
const needsCredentials = (target: { version: '2c' | '3'; community?: string | undefined; v3?: unknown }) =>
  target.version === '2c' ? Boolean(target.community) : Boolean(target.v3);

export const SnmpTarget = SnmpTargetFields.refine(needsCredentials, {
  error: 'SNMP v2c needs a community; SNMP v3 needs a user',
  path: ['community'],
});
export type SnmpTarget = z.input<typeof SnmpTarget>;

/** What the UI and the REST API send to check a device: a target whose host is a plain name or address. */
export const SnmpProbeInput = SnmpTargetFields.extend({
  host: z
    .string()
    .trim()
    .min(1, { error: 'Address is required' })
    .max(253)
    .regex(/^[A-Za-z0-9.:_-]+$/, { error: 'An IP address or host name' }),
}).refine(needsCredentials, { error: 'SNMP v2c needs a community; SNMP v3 needs a user', path: ['community'] });

export const DEVICE_KINDS = ['switch', 'ups', 'pdu', 'environment', 'cooling', 'server', 'unknown'] as const;
export type SnmpDeviceKind = (typeof DEVICE_KINDS)[number];

const text = z.string().nullable();
const num = z.number().nullable();
/** Counters travel as decimal strings: Counter64 does not fit a JSON number. */
const counter = z.string().regex(/^\d+$/).nullable();

export const SnmpSystem = z.object({
  descr: text,
  objectId: text,
  uptimeSeconds: num,
  contact: text,
  name: text,
  location: text,
  services: num,
});

export const IF_STATUS = ['up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'] as const;

export const SnmpInterface = z.object({
  index: z.string(),
  name: text,
  descr: text,
  alias: text,
  type: num,
  mtu: num,
  speedMbps: num,
  mac: text,
  adminStatus: z.enum(IF_STATUS).nullable(),
  operStatus: z.enum(IF_STATUS).nullable(),
  lastChangeSeconds: num,
  inOctets: counter,
  outOctets: counter,
  inErrors: counter,
  outErrors: counter,
  inDiscards: counter,
  outDiscards: counter,
  /** True when the octet counters are the 64-bit ifHC* ones. */
  highCapacity: z.boolean(),
});
export type SnmpInterface = z.infer<typeof SnmpInterface>;

export const SnmpEntity = z.object({
  index: z.string(),
  descr: text,
  class: text,
  name: text,
  hardwareRev: text,
  firmwareRev: text,
  softwareRev: text,
  serial: text,
  manufacturer: text,
  model: text,
});

export const SnmpSensor = z.object({
  index: z.string(),
  name: text,
  type: z.enum(['temperature', 'humidity', 'voltage', 'current', 'power', 'frequency', 'fan', 'airflow', 'contact', 'other']),
  value: num,
  unit: text,
  status: z.enum(['ok', 'unavailable', 'nonoperational', 'unknown']),
});
export type SnmpSensor = z.infer<typeof SnmpSensor>;

export const UpsStatus = z.object({
  manufacturer: text,
  model: text,
  firmware: text,
  battery: z.object({
    status: z.enum(['unknown', 'normal', 'low', 'depleted']).nullable(),
    secondsOnBattery: num,
    minutesRemaining: num,
    chargePercent: num,
    voltageV: num,
    currentA: num,
    temperatureC: num,
  }),
  inputLines: z.array(z.object({ index: z.string(), frequencyHz: num, voltageV: num, currentA: num, powerW: num })),
  outputSource: z.enum(['other', 'none', 'normal', 'bypass', 'battery', 'booster', 'reducer']).nullable(),
  outputFrequencyHz: num,
  outputLines: z.array(z.object({ index: z.string(), voltageV: num, currentA: num, powerW: num, loadPercent: num })),
  /** The mains the static bypass would switch the load to (UPS-MIB upsBypass). Added after the first release: readings stored before it have none. */
  bypassFrequencyHz: num.optional(),
  bypassLines: z.array(z.object({ index: z.string(), voltageV: num, currentA: num, powerW: num })).optional(),
  alarmsPresent: num,
  alarms: z.array(z.object({ index: z.string(), descr: text, condition: text })),
});
export type UpsStatus = z.infer<typeof UpsStatus>;

/**
 * Whether the UPS runs on its battery: its output source says so, or, where the agent gives no source the profile can trust,
 * it counts seconds on battery (UPS-MIB upsSecondsOnBattery: zero whenever it is not on battery).
 */
export function upsOnBattery(ups: UpsStatus): boolean {
  return ups.outputSource === 'battery' || (ups.outputSource === null && (ups.battery.secondsOnBattery ?? 0) > 0);
}

/** The bypass lines' voltages that were read: a line whose voltage was not adds nothing to show. */
export function bypassVoltages(ups: UpsStatus): number[] {
  return (ups.bypassLines ?? []).flatMap((line) => (line.voltageV === null ? [] : [line.voltageV]));
}

/** The source to show: battery whenever the UPS runs on it, so the page says what the alarm says. */
export function upsShownSource(ups: UpsStatus): UpsStatus['outputSource'] {
  return upsOnBattery(ups) ? 'battery' : ups.outputSource;
}

export const PduStatus = z.object({
  name: text,
  powerKw: num,
  energyKwh: num,
  loadState: z.enum(['lowLoad', 'normal', 'nearOverload', 'overload']).nullable(),
  phases: z.array(z.object({ index: z.string(), currentA: num, voltageV: num, powerKw: num })),
  outlets: z.array(
    z.object({ index: z.string(), name: text, state: z.enum(['on', 'off', 'unknown']), currentA: num, powerW: num, energyKwh: num }),
  ),
});
export type PduStatus = z.infer<typeof PduStatus>;

export const ContactState = z.enum(['normal', 'alarm', 'unknown']);

export const EnvironmentStatus = z.object({
  temperatures: z.array(z.object({ index: z.string(), name: text, celsius: num })),
  humidities: z.array(z.object({ index: z.string(), name: text, percent: num })),
  /** "alarm" means open (door), detected (smoke, water). */
  door: ContactState,
  smoke: ContactState,
  waterLeak: ContactState,
  contacts: z.array(z.object({ index: z.string(), name: text, kind: z.enum(['door', 'smoke', 'water', 'other']), state: ContactState })),
});
export type EnvironmentStatus = z.infer<typeof EnvironmentStatus>;

export const HostResources = z.object({
  processes: num,
  memoryKb: num,
  processorLoads: z.array(z.number()),
  storage: z.array(z.object({ index: z.string(), descr: text, sizeBytes: num, usedBytes: num })),
});

/** A part of the device that could not be read or made no sense; the rest is still reported. */
export const SnmpProblem = z.object({
  section: z.string(),
  message: z.string(),
  /** The object a value came from, when the problem is one value (out of its MIB range, a "not measured" marker, of the wrong type). */
  oid: z.string().optional(),
});

/** What the device is: model, serial and firmware, from ENTITY-MIB's chassis, the vendor's identity objects, or its UPS identity, each saying where from. */
export const SnmpIdentity = z.object({
  model: text,
  serial: text,
  firmware: text,
  /** Per field, where its value came from: "entity" (ENTITY-MIB), "vendor" (the vendor's identity objects), "ups" (UPS-MIB or the vendor's UPS group). */
  sources: z.object({ model: text, serial: text, firmware: text }),
});
export type SnmpIdentity = z.infer<typeof SnmpIdentity>;

export const SnmpDevice = z.object({
  target: z.object({ host: z.string(), port: z.number().int(), version: z.enum(['2c', '3']) }),
  observedAt: z.string(),
  kind: z.enum(DEVICE_KINDS),
  vendor: text,
  profiles: z.array(z.string()),
  system: SnmpSystem,
  interfaces: z.array(SnmpInterface),
  entities: z.array(SnmpEntity),
  sensors: z.array(SnmpSensor),
  ups: UpsStatus.nullable(),
  pdu: PduStatus.nullable(),
  environment: EnvironmentStatus.nullable(),
  host: HostResources.nullable(),
  /** Added after the first release: readings stored before it have none. */
  identity: SnmpIdentity.nullable().optional(),
  problems: z.array(SnmpProblem),
});
export type SnmpDevice = z.infer<typeof SnmpDevice>;

/**
 * Per-second rate between two readings of a Counter32 or Counter64, wrap-safe:
 * a counter that went down wrapped once (a larger drop than a wrap can explain,
 * e.g. after a reboot, gives null rather than a huge false rate).
 */
export function counterRate(previous: string, current: string, seconds: number, bits: 32 | 64): number | null {
  if (!(seconds > 0)) return null;
  const before = BigInt(previous);
  const after = BigInt(current);
  const modulus = 1n << BigInt(bits);
  let delta = after - before;
  if (delta < 0n) delta += modulus;
  if (delta < 0n || delta >= modulus / 2n) return null;
  return Number(delta) / seconds;
}

/** Typed events the trap receiver turns notifications into. */
export const SnmpTrapEvent = z.object({
  kind: z.enum([
    'coldStart',
    'warmStart',
    'linkDown',
    'linkUp',
    'upsOnBattery',
    'upsTestCompleted',
    'upsAlarmAdded',
    'upsAlarmRemoved',
    'sensorThreshold',
    'unknown',
  ]),
  trapOid: z.string(),
  source: z.object({ address: z.string(), port: z.number().int() }),
  version: z.enum(['1', '2c', '3']),
  /** Community or v3 user the trap came with. */
  securityName: z.string(),
  receivedAt: z.string(),
  ifIndex: z.string().nullable(),
  detail: z.string().nullable(),
  varbinds: z.array(z.object({ oid: z.string(), type: z.string(), value: z.string() })),
});
export type SnmpTrapEvent = z.infer<typeof SnmpTrapEvent>;
