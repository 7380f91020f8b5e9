import { z } from 'zod';
import { DEVICE_STATUS } from './cabinet.js';
import { secret } from './secret.js';
import { queryBoolean } from './validation.js';

/** Worst first. */
export const ALARM_SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];
export const SEVERITY_RANK: Record<AlarmSeverity, number> = { critical: 4, major: 3, minor: 2, warning: 1 };

export const ALARM_ORIGINS = ['poll', 'trap', 'redfish-event'] as const;
export type AlarmOrigin = (typeof ALARM_ORIGINS)[number];

/** What a condition is about; convergence follows power and network wiring by category. */
export const CONDITION_CATEGORIES = ['reachability', 'power', 'network', 'thermal', 'health', 'environment'] as const;
export type ConditionCategory = (typeof CONDITION_CATEGORIES)[number];

/** A problem a device (or a site) has right now, as one poll, trap or event saw it. */
export interface Condition {
  /** Stable within its source, e.g. "fan:Fan1", "port:3", "unreachable". */
  key: string;
  category: ConditionCategory;
  severity: AlarmSeverity;
  /** English text, as northbound systems (webhook, syslog) receive it. */
  message: string;
  /** The same text as a catalog key and its values, so the UI shows it in the user's language. */
  messageKey: string;
  params: Record<string, string | number>;
  /** A switch port (ifIndex) or a server NIC position (1-based), for network convergence. */
  port?: number;
}

export const SENSOR_KINDS = ['temperature', 'humidity', 'power', 'load', 'charge', 'runtime', 'fan', 'voltage', 'traffic-in', 'traffic-out', 'energy'] as const;
export type SensorKind = (typeof SENSOR_KINDS)[number];

export const SENSOR_STATES = ['ok', 'warning', 'critical', 'invalid'] as const;

/** One sensor or component reading as last observed; invalid readings keep the reason and raise nothing. */
export const SensorState = z.object({
  key: z.string(),
  kind: z.enum(SENSOR_KINDS),
  label: z.string(),
  value: z.number().nullable(),
  unit: z.string(),
  state: z.enum(SENSOR_STATES),
  invalidReason: z.string().nullable(),
  observedAt: z.string(),
});
export type SensorState = z.infer<typeof SensorState>;

export const MetricPoint = z.tuple([z.number(), z.number()]);
export const MetricSeries = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.string(),
  /** Raw, 5-minute or hourly points, whichever covers the asked span. */
  resolution: z.enum(['raw', '5m', '1h']),
  /** [epoch seconds, value] */
  points: z.array(MetricPoint),
});
export type MetricSeries = z.infer<typeof MetricSeries>;

export const DeviceMonitoring = z.object({
  deviceId: z.string(),
  status: z.enum(DEVICE_STATUS),
  observedAt: z.string().nullable(),
  error: z.string().nullable(),
  lastPollAt: z.string().nullable(),
  nextPollAt: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  sensors: z.array(SensorState),
  series: z.array(MetricSeries),
});
export type DeviceMonitoring = z.infer<typeof DeviceMonitoring>;

export const MetricQuery = z.object({
  deviceId: z.string().min(1),
  /** How far back, in hours; the resolution follows (≤ 48 h raw, ≤ 30 days 5-minute, beyond that hourly). */
  hours: z.coerce.number().positive().max(24 * 366).default(1),
});

export const Alarm = z.object({
  id: z.number().int(),
  siteId: z.string(),
  siteName: z.string(),
  deviceId: z.string().nullable(),
  deviceName: z.string().nullable(),
  condition: z.string(),
  category: z.enum(CONDITION_CATEGORIES),
  severity: z.enum(ALARM_SEVERITIES),
  state: z.enum(['active', 'cleared']),
  origin: z.enum(ALARM_ORIGINS),
  message: z.string(),
  messageKey: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  count: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  clearedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  assignee: z.string().nullable(),
  /** Raised inside a maintenance window: kept in history, not shown as a problem. */
  muted: z.boolean(),
  /** Raised and cleared often enough to be held active until it stays quiet. */
  flapping: z.boolean(),
  rootId: z.number().int().nullable(),
  symptomCount: z.number().int(),
});
export type Alarm = z.infer<typeof Alarm>;

export const ALARM_SORTS = ['severity', 'lastSeen', 'firstSeen', 'count', 'site'] as const;

const csvList = <T extends z.ZodType>(item: T) =>
  z.preprocess((value) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value), z.array(item).max(20));

export const AlarmQuery = z.object({
  severity: csvList(z.enum(ALARM_SEVERITIES)).optional(),
  siteId: z.string().optional(),
  deviceId: z.string().optional(),
  state: z.enum(['active', 'cleared', 'all']).default('active'),
  acknowledged: z.enum(['yes', 'no', 'any']).default('any'),
  /** Roots and standalone alarms only (symptoms come with their root); false lists every alarm. */
  rootsOnly: queryBoolean().default(true),
  includeMuted: queryBoolean().default(false),
  sort: z.enum(ALARM_SORTS).default('severity'),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export type AlarmQuery = z.input<typeof AlarmQuery>;

export const AlarmPage = z.object({
  alarms: z.array(Alarm),
  total: z.number().int(),
  /** Raw events (every observation of every condition, symptoms included) behind the alarms shown. */
  rawEvents: z.number().int(),
  shown: z.number().int(),
  convergenceRatio: z.number().nullable(),
});
export type AlarmPage = z.infer<typeof AlarmPage>;

export const AlarmHistoryEntry = z.object({
  at: z.string(),
  kind: z.enum(['raised', 'repeated', 'cleared', 'reopened', 'acknowledged', 'commented', 'assigned', 'symptom', 'root', 'muted']),
  actor: z.string().nullable(),
  text: z.string().nullable(),
});
export type AlarmHistoryEntry = z.infer<typeof AlarmHistoryEntry>;

export const AlarmDetail = z.object({ alarm: Alarm, root: Alarm.nullable(), symptoms: z.array(Alarm), history: z.array(AlarmHistoryEntry) });
export type AlarmDetail = z.infer<typeof AlarmDetail>;

export const AlarmIds = z.object({ ids: z.array(z.number().int().positive()).min(1, { error: 'Choose at least one alarm' }).max(1000) });
export const AlarmComment = z.object({ id: z.coerce.number().int().positive(), text: z.string().trim().min(1, { error: 'Write a comment' }).max(2000) });
export const AlarmAssign = z.object({ id: z.coerce.number().int().positive(), assignee: z.string().trim().min(1).max(100).nullable() });

export const MaintenanceWindowInput = z
  .object({
    siteId: z.string().min(1),
    deviceId: z.string().min(1).nullable().default(null),
    startsAt: z.iso.datetime({ offset: true, error: 'A date and time, e.g. 2026-11-25T08:00:00Z' }),
    endsAt: z.iso.datetime({ offset: true, error: 'A date and time, e.g. 2026-11-25T10:00:00Z' }),
    reason: z.string().trim().min(1, { error: 'Say why' }).max(500),
  })
  .refine((window) => Date.parse(window.endsAt) > Date.parse(window.startsAt), { error: 'The window must end after it starts', path: ['endsAt'] });
export const MaintenanceWindow = z.object({
  id: z.number().int(),
  siteId: z.string(),
  deviceId: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  reason: z.string(),
  createdBy: z.string().nullable(),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const PollPlan = z.object({
  healthSeconds: z.number().int().min(30).max(3600),
  inventorySeconds: z.number().int().min(300).max(86_400),
  /** How long a health poll may take. */
  timeoutSeconds: z.number().int().min(1).max(120),
  /** How long an inventory (the full read, many more requests) may take. */
  inventoryTimeoutSeconds: z.number().int().min(5).max(600).default(30),
  globalConcurrency: z.number().int().min(1).max(1000),
  siteConcurrency: z.number().int().min(1).max(50),
});
export type PollPlan = z.infer<typeof PollPlan>;
export const DEFAULT_POLL_PLAN: PollPlan = { healthSeconds: 45, inventorySeconds: 3600, timeoutSeconds: 10, inventoryTimeoutSeconds: 30, globalConcurrency: 64, siteConcurrency: 4 };

export const MonitorStatus = z.object({
  running: z.boolean(),
  devices: z.number().int(),
  inFlight: z.number().int(),
  polls: z.number().int(),
  failures: z.number().int(),
  samplesPerSecond: z.number(),
  pollLagP50Ms: z.number().nullable(),
  pollLagP99Ms: z.number().nullable(),
  /** The same, over the polls started in the last minute only. */
  pollLagP99LastMinuteMs: z.number().nullable(),
  plan: PollPlan,
  /** SNMP trap receiver counters since start; null when traps are off. */
  traps: z.object({ port: z.number().int(), address: z.string(), received: z.number().int(), delivered: z.number().int(), refused: z.number().int(), malformed: z.number().int(), dropped: z.number().int() }).nullable(),
  /** Redfish events: the push receiver (null when off) and the BMC event streams followed. */
  events: z.object({
    push: z.object({ port: z.number().int(), received: z.number().int(), accepted: z.number().int(), refused: z.number().int(), malformed: z.number().int() }).nullable(),
    streams: z.number().int(),
    malformed: z.number().int(),
    /** The most event streams held at once (null: no cap); BMCs past it are `streamsCapped`, polled for health every `cappedHealthSeconds` instead. */
    streamCap: z.number().int().nullable(),
    streamsCapped: z.number().int(),
    cappedHealthSeconds: z.number().int(),
  }),
  /** Results waiting for the batched writer (grows only when the database cannot keep up). */
  writerBacklog: z.number().int(),
  /** 99th percentile of the writer's last 500 transactions, in ms (null before the first): the database's time. */
  writerFlushP99Ms: z.number().nullable(),
  /** 99th percentile of the core's event-loop delay over the last full minute of monitoring, in ms (null before): how long anything else waited behind polling. */
  eventLoopDelayP99Ms: z.number().nullable(),
  /** Results the writer dropped to stay bounded while the database was busy (older results of a device first; its newest state never). */
  writerDropped: z.number().int(),
  /** Polls that ignored their timeout's abort (should stay 0). */
  stuckPolls: z.number().int(),
  /** No device answered lately although some are monitored: the UI shows data as of `dataAsOf`. */
  offline: z.boolean(),
  dataAsOf: z.string().nullable(),
});
export type MonitorStatus = z.infer<typeof MonitorStatus>;

export const Forwarding = z.object({
  desktopCritical: z.boolean(),
  webhook: z
    .object({
      url: z.string().trim().regex(/^https?:\/\/\S+$/, { error: 'An http:// or https:// address' }),
      /** HMAC-SHA256 key; the signature goes in X-EdgeCab-Signature. */
      secret: secret(z.string().min(16, { error: 'At least 16 characters' }).max(200)),
      minSeverity: z.enum(ALARM_SEVERITIES),
    })
    .nullable(),
  syslog: z
    .object({
      host: z.string().trim().min(1).max(255),
      port: z.number().int().min(1).max(65535),
      transport: z.enum(['udp', 'tcp']),
      minSeverity: z.enum(ALARM_SEVERITIES),
    })
    .nullable(),
});
export type Forwarding = z.infer<typeof Forwarding>;

export const LAB_FAULTS = ['link-down', 'ups-on-battery', 'fan-failed', 'port-flapping', 'sensor-out-of-range', 'pdu-energy-reset'] as const;
export type LabFault = (typeof LAB_FAULTS)[number];

export const LabStartInput = z.object({
  sites: z.number().int().min(1).max(200),
  seed: z.number().int().min(0).max(2 ** 31).default(1),
  templateId: z.string().default('edge-24u'),
  /** Names of the lab's sites and devices follow the UI language they are started from. */
  language: z.enum(['en', 'zh-CN']).default('en'),
  /** How many of the first lab cabinets get a real Podman service as their workload engine (where Podman is installed); the others have none. */
  engines: z.number().int().min(0).max(10).default(3),
});
export const LabFaultInput = z.object({ siteId: z.string().min(1), fault: z.enum(LAB_FAULTS), active: z.boolean() });
export const LabStatus = z.object({
  available: z.boolean(),
  running: z.boolean(),
  sites: z.array(z.object({ siteId: z.string(), code: z.string(), devices: z.number().int(), faults: z.array(z.enum(LAB_FAULTS)), engine: z.enum(['podman', 'none']) })),
});
export type LabStatus = z.infer<typeof LabStatus>;

/** Raw events per alarm shown; null when nothing is shown. */
export function convergenceRatio(rawEvents: number, shown: number): number | null {
  return shown === 0 ? null : Math.round((rawEvents / shown) * 10) / 10;
}
