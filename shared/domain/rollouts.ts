import { z } from 'zod';
import { ianaTimeZone } from './validation.js';

/**
 * A rollout: one release taken to many sites in waves. Canary sites go
 * first, then the rest in batches; a wave starts only when every site of
 * the one before is healthy on its engine (or failed within what the
 * policy tolerates). Transfers are capped in number at once and in
 * bandwidth per site, so a thin WAN is never flooded.
 */

const ParameterValues = z.record(z.string().max(40), z.union([z.string().max(1000), z.number(), z.boolean()]));

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Hours in a time zone when work may start (e.g. 01:00–05:00 Asia/Shanghai); end before start spans midnight. */
export const MaintenanceWindow = z
  .object({
    start: z.string().regex(CLOCK, { error: 'A time like 01:00' }),
    end: z.string().regex(CLOCK, { error: 'A time like 05:00' }),
    /** IANA time zone of the sites (their local time). */
    timeZone: ianaTimeZone().default('Asia/Shanghai'),
  })
  .refine((window) => window.start !== window.end, { error: 'The window must not start and end at the same time', path: ['end'] });
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const FAILURE_POLICIES = ['rollback', 'pause', 'continue'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

export const RolloutTargets = z
  .object({
    siteIds: z.array(z.string().max(80)).max(100_000).optional(),
    regionId: z.number().int().positive().optional(),
    /** Sites whose name or code contains this. */
    q: z.string().trim().min(1).max(120).optional(),
  })
  .refine((targets) => targets.siteIds !== undefined || targets.regionId !== undefined || targets.q !== undefined, { error: 'Pick the target sites: a list, a region or a search' });
export type RolloutTargets = z.infer<typeof RolloutTargets>;

export const RolloutInput = z
  .object({
    name: z.string().trim().max(120).optional(),
    appId: z.string().min(1).max(40),
    version: z.string().min(1).max(80),
    targets: RolloutTargets,
    /** Parameters every site gets (over the manifest's defaults). */
    parameters: ParameterValues.default({}),
    /** Parameters for one site (over `parameters`). */
    siteParameters: z.record(z.string().max(80), ParameterValues).default({}),
    /** The canary wave: these sites, else the first `canaryCount` of the targets. */
    canarySiteIds: z.array(z.string().max(80)).max(1000).default([]),
    canaryCount: z.number().int().min(0).max(1000).default(1),
    /** The waves after the canary: so many sites, or so many percent of the rest, each. */
    batchSize: z.number().int().min(1).max(100_000).default(10),
    batchUnit: z.enum(['sites', 'percent']).default('sites'),
    /** Image transfers at once in the whole rollout. */
    maxConcurrentTransfers: z.number().int().min(1).max(1000).default(4),
    /** Per site, in kilobytes per second; none: as fast as the link goes. */
    bandwidthKBps: z.number().int().min(8).max(10_000_000).nullable().default(null),
    /** How long each site must stay healthy before it counts (and before the next wave). */
    stableSeconds: z.number().int().min(0).max(3600).default(30),
    startTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
    /** How long a container of the version being replaced gets to stop before it is killed. */
    stopSeconds: z.number().int().min(0).max(600).default(10),
    onFailure: z.enum(FAILURE_POLICIES).default('rollback'),
    /** Failed sites that stop the rollout (no further wave starts). */
    failureThreshold: z.number().int().min(1).max(100_000).default(1),
    window: MaintenanceWindow.nullable().default(null),
  })
  .refine((input) => input.batchUnit === 'sites' || input.batchSize <= 100, { error: 'A percentage is at most 100', path: ['batchSize'] });
export type RolloutInput = z.input<typeof RolloutInput>;
export type RolloutSpec = z.output<typeof RolloutInput>;

export const PLAN_ACTIONS = ['install', 'upgrade', 'nothing'] as const;

/**
 * One sentence of a rollout's texts as a catalog key (under
 * `rollouts.messages` of the UI's catalogs) and its values, so the UI says
 * it in the user's language. The English text beside it (`detail`,
 * `conflicts`) is what REST clients read, unchanged. Values that are
 * another program's own words (the engine's error, a version) stay as
 * they are.
 */
export const RolloutMessage = z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) });
export type RolloutMessage = z.infer<typeof RolloutMessage>;

/**
 * A text in English and as catalog messages said one after another (a
 * message ending in a colon leads into the next). No messages: only the
 * English is known (the UI shows it as it is).
 */
export interface RolloutText {
  text: string;
  messages: RolloutMessage[];
}

/** One catalog message and its English. */
export function rolloutText(text: string, key: string, params: Record<string, string | number> = {}): RolloutText {
  return { text, messages: [{ key, params }] };
}

/** Some other program's words (an error's message), as they are, in any language. */
export function plainText(text: string): RolloutText {
  return rolloutText(text, 'plain', { text });
}

/** Messages as kept (an outcome's field); anything else (a record from before they were kept) is none. */
export function asRolloutMessages(value: unknown): RolloutMessage[] {
  const parsed = z.array(RolloutMessage).safeParse(value);
  return parsed.success ? parsed.data : [];
}

/** Messages stored as JSON; anything else is none. */
export function parseRolloutMessages(json: string | null | undefined): RolloutMessage[] {
  if (!json) return [];
  try {
    return asRolloutMessages(JSON.parse(json));
  } catch {
    return [];
  }
}

/** One site in a dry run: what would happen, what it would cost, what is in the way. */
export const PlannedSite = z.object({
  siteId: z.string(),
  code: z.string(),
  name: z.string(),
  wave: z.number().int(),
  action: z.enum(PLAN_ACTIONS),
  currentVersion: z.string().nullable(),
  /** Images the site's engine lacks, in bytes (from what the engine was last seen holding). */
  bytesToTransfer: z.number().int().nonnegative(),
  /** When the engine was last read; null: never, so every image counts as missing. */
  engineSeenAt: z.string().nullable(),
  /** What stops this site (no engine, a port or a name taken, too little disk, bad parameters). */
  conflicts: z.array(z.string()),
  /** The same conflicts, one message each in the same order, for the UI's language. */
  conflictMessages: z.array(RolloutMessage),
});
export type PlannedSite = z.infer<typeof PlannedSite>;

export const RolloutPlan = z.object({
  appId: z.string(),
  version: z.string(),
  sites: z.array(PlannedSite),
  waves: z.array(z.object({ wave: z.number().int(), sites: z.number().int() })),
  totals: z.object({ install: z.number().int(), upgrade: z.number().int(), nothing: z.number().int(), conflicts: z.number().int(), bytesToTransfer: z.number().int() }),
});
export type RolloutPlan = z.infer<typeof RolloutPlan>;

export const ROLLOUT_STATES = ['running', 'paused', 'stopped', 'completed', 'cancelled', 'rolling_back', 'rolled_back'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/**
 * A site's part in a rollout. pending: its wave has not come; waiting: its
 * wave came, outside the maintenance window; queued … rolled_back: as the
 * site's engine showed it; skipped: a conflict or nothing to do; reverted:
 * taken back to what it ran before by a rollback of the whole rollout.
 */
export const ROLLOUT_SITE_STATES = ['pending', 'waiting', 'queued', 'transferring', 'starting', 'healthy', 'unhealthy', 'failed', 'rolled_back', 'skipped', 'cancelled', 'reverting', 'reverted'] as const;
export type RolloutSiteState = (typeof ROLLOUT_SITE_STATES)[number];

export const RolloutSite = z.object({
  siteId: z.string(),
  code: z.string(),
  name: z.string(),
  wave: z.number().int(),
  action: z.enum(PLAN_ACTIONS),
  fromVersion: z.string().nullable(),
  state: z.enum(ROLLOUT_SITE_STATES),
  /** The engine's own words for a failure, or why it waits ("site offline since …"). */
  detail: z.string().nullable(),
  /** `detail` as catalog messages for the UI's language; empty: show `detail` as it is. */
  detailMessages: z.array(RolloutMessage),
  bytesSent: z.number().int().nullable(),
  bytesTotal: z.number().int().nullable(),
  offlineSince: z.string().nullable(),
  updatedAt: z.string(),
});
export type RolloutSite = z.infer<typeof RolloutSite>;

export const RolloutSummary = z.object({
  id: z.string(),
  name: z.string(),
  appId: z.string(),
  version: z.string(),
  state: z.enum(ROLLOUT_STATES),
  /** Why it stopped, paused or ended, in English. */
  detail: z.string().nullable(),
  /** `detail` as catalog messages for the UI's language; empty: show `detail` as it is. */
  detailMessages: z.array(RolloutMessage),
  /** The wave running now (or last run). */
  currentWave: z.number().int(),
  waves: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type RolloutSummary = z.infer<typeof RolloutSummary>;

export const RolloutDetail = RolloutSummary.extend({ spec: z.unknown(), sites: z.array(RolloutSite) });
export type RolloutDetail = z.infer<typeof RolloutDetail>;

/** Whether `at` lies in the window, in the window's time zone. */
export function inWindow(window: MaintenanceWindow, at: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: window.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0);
  const now = hour * 60 + minute;
  const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The waves of a target list: canary first, then batches of a count or a percentage of the rest. */
export function assignWaves(siteIds: readonly string[], spec: Pick<RolloutSpec, 'canarySiteIds' | 'canaryCount' | 'batchSize' | 'batchUnit'>): Map<string, number> {
  const waves = new Map<string, number>();
  const listed = new Set(siteIds);
  const canary = spec.canarySiteIds.length > 0 ? spec.canarySiteIds.filter((id) => listed.has(id)) : siteIds.slice(0, spec.canaryCount);
  for (const id of canary) waves.set(id, 0);
  const rest = siteIds.filter((id) => !waves.has(id));
  const firstWave = canary.length > 0 ? 1 : 0;
  const size = spec.batchUnit === 'sites' ? spec.batchSize : Math.max(1, Math.ceil((rest.length * spec.batchSize) / 100));
  rest.forEach((id, index) => waves.set(id, firstWave + Math.floor(index / size)));
  return waves;
}
