import { z } from 'zod';
import { ianaTimeZone } from './validation.js';

/**
 * Firmware upgrade plans (issue 13, points 4 to 6): packages (or a
 * baseline's) for target devices, in waves with a cap and a failure
 * threshold; images staged ahead where the BMC can wait (never resetting
 * anything), activated only inside the maintenance window, one server per
 * cabinet at a time, each verified by reading its inventory back. A plan
 * without a window is an upgrade by hand: it runs now.
 */

export const PLAN_APPLY_TIMES = ['Immediate', 'OnReset', 'AtMaintenanceWindowStart', 'OnStartUpdateRequest'] as const;
export type PlanApplyTime = (typeof PLAN_APPLY_TIMES)[number];

export const MaintenanceWindow = z.object({
  /** Local start time, HH:MM. */
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'The window starts at a time of day, HH:MM' }),
  minutes: z.number().int().min(15, { error: 'A window lasts at least 15 minutes' }).max(24 * 60, { error: 'A window lasts at most 24 hours' }),
  /** The sites' local time zone. */
  timeZone: ianaTimeZone().default('Asia/Shanghai'),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const PlanTargets = z
  .object({
    siteIds: z.array(z.string().min(1)).max(5000).default([]),
    regionIds: z.array(z.number().int().positive()).max(500).default([]),
    /** Hardware models (as the inventory reads them), or cabinet models' ids (template:<id>). */
    models: z.array(z.string().trim().min(1).max(120)).max(200).default([]),
    deviceIds: z.array(z.string().min(1)).max(10000).default([]),
  })
  .refine((targets) => targets.siteIds.length + targets.regionIds.length + targets.models.length + targets.deviceIds.length > 0, { error: 'Choose the devices: sites, regions, models or single devices' });
export type PlanTargets = z.infer<typeof PlanTargets>;

export const PlanInput = z
  .object({
    name: z.string().trim().min(1, { error: 'Name the plan' }).max(80),
    packageIds: z.array(z.string().regex(/^fw-[0-9a-f]{16}$/)).max(500).default([]),
    baselineId: z.number().int().positive().nullable().default(null),
    targets: PlanTargets,
    /** At most this many devices per wave (XClarity's cap is 50). */
    waveSize: z.number().int().min(1).max(50).default(10),
    /** The plan stops once this many devices failed. */
    failureThreshold: z.number().int().min(1).max(1000).default(1),
    /** null: no window, activate now (an upgrade by hand). */
    window: MaintenanceWindow.nullable(),
  })
  .refine((input) => input.packageIds.length > 0 || input.baselineId !== null, { error: 'Choose packages or a baseline' });
export type PlanInput = z.input<typeof PlanInput>;

export const DEVICE_PHASES = ['pending', 'staging', 'staged', 'waiting', 'activating', 'verifying', 'verified', 'failed', 'skipped'] as const;
export type DevicePhase = (typeof DEVICE_PHASES)[number];

export const PLAN_STATES = ['running', 'completed', 'stopped', 'cancelled'] as const;
export type PlanState = (typeof PLAN_STATES)[number];

/** One device's step in a plan: what it runs, what it should, how the image goes, and where it stands. */
export const PlanDevice = z.object({
  deviceId: z.string(),
  name: z.string(),
  siteId: z.string(),
  siteName: z.string(),
  cabinetId: z.string(),
  model: z.string().nullable(),
  packageId: z.string(),
  component: z.string(),
  current: z.string().nullable(),
  target: z.string(),
  bytes: z.number().int(),
  /** How the image will be (or was) sent: staged to wait for OnReset / StartUpdate, or sent inside the window (Immediate, AtMaintenanceWindowStart). */
  applyTime: z.enum(PLAN_APPLY_TIMES).nullable(),
  /** Where the BMC declared its apply times ("not declared": taken as Immediate only); null until it was asked. */
  applyTimeSource: z.string().nullable(),
  staged: z.boolean(),
  wave: z.number().int(),
  phase: z.enum(DEVICE_PHASES),
  /** The step's last word: progress, the wait, or the BMC's error in its own words. */
  message: z.string().nullable(),
  messageId: z.string().nullable(),
  updatedAt: z.string(),
});
export type PlanDevice = z.infer<typeof PlanDevice>;

export const PlanPreview = z.object({
  devices: z.array(PlanDevice),
  /** Devices left out, and why (already at the target, no package for their model, not a BMC). */
  excluded: z.array(z.object({ deviceId: z.string(), name: z.string(), reason: z.string() })),
  waves: z.number().int(),
  bytes: z.number().int(),
});
export type PlanPreview = z.infer<typeof PlanPreview>;

export const PlanSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  state: z.enum(PLAN_STATES),
  reason: z.string().nullable(),
  window: MaintenanceWindow.nullable(),
  waveSize: z.number().int(),
  failureThreshold: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** Devices per phase. */
  phases: z.record(z.string(), z.number().int()),
  devices: z.number().int(),
  /** Whether the window is open now, and when it opens next (null without a window). */
  windowOpen: z.boolean(),
  nextWindow: z.string().nullable(),
});
export type PlanSummary = z.infer<typeof PlanSummary>;

export const PlanDetail = PlanSummary.extend({ list: z.array(PlanDevice) });
export type PlanDetail = z.infer<typeof PlanDetail>;

// A formatter per time zone: building one costs far more than formatting with it.
const minuteFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight of an instant in a time zone. */
export function localMinutes(at: Date, timeZone: string): number {
  let format = minuteFormats.get(timeZone);
  if (!format) minuteFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const [hours = 0, minutes = 0] = format.format(at).split(':').map(Number);
  return (hours % 24) * 60 + minutes;
}

const startMinutes = (window: MaintenanceWindow): number => Number(window.start.slice(0, 2)) * 60 + Number(window.start.slice(3, 5));

/** Whether an instant is inside the window (a window may run past midnight). */
export function insideWindow(window: MaintenanceWindow | null, at: Date): boolean {
  if (window === null) return true;
  const since = (localMinutes(at, window.timeZone) - startMinutes(window) + 1440) % 1440;
  return since < window.minutes;
}

/** When the window opens next (now, when it is open); to the minute. */
export function nextWindowStart(window: MaintenanceWindow, at: Date): Date {
  if (insideWindow(window, at)) return at;
  const until = (startMinutes(window) - localMinutes(at, window.timeZone) + 1440) % 1440;
  const start = new Date(at.getTime() + until * 60_000);
  start.setUTCSeconds(0, 0);
  return start;
}

/** When the window now open began. */
export function currentWindowStart(window: MaintenanceWindow, at: Date): Date {
  const since = (localMinutes(at, window.timeZone) - startMinutes(window) + 1440) % 1440;
  const start = new Date(at.getTime() - since * 60_000);
  start.setUTCSeconds(0, 0);
  return start;
}

/** When the open window closes. */
export function windowEnd(window: MaintenanceWindow, at: Date): Date {
  const since = (localMinutes(at, window.timeZone) - startMinutes(window) + 1440) % 1440;
  const end = new Date(at.getTime() + (window.minutes - since) * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}

/** A device's part in a plan, for its page: what is staged or waiting, and what ran. */
export const DevicePlanStep = PlanDevice.extend({ planId: z.number().int(), planName: z.string(), planState: z.enum(PLAN_STATES) });
export type DevicePlanStep = z.infer<typeof DevicePlanStep>;
