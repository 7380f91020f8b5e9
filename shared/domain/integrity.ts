import { z } from 'zod';
import { SITE_APP_STATES } from './apps.js';
import { SiteId } from './site.js';

/**
 * Integrity of a site's devices: what each reports about its boot chain and
 * software (Secure Boot, trusted modules, component measurements, firmware
 * versions) compared with the recorded state — what was first seen, or what
 * an administrator accepted — and, for firmware, with the configuration
 * baseline the first-boot wizard took.
 *
 * Apps deployed at a site are checked too (kinds "app-image" and
 * "app-config"): each container's running image against the image its
 * signed release names, and its configuration (command, environment, the
 * parameters it was made with, EdgeCab's spec label) against what was
 * deployed. The drift watch of the apps feature makes those checks.
 */
export const INTEGRITY_KINDS = ['secure-boot', 'tpm', 'measurement', 'firmware', 'app-image', 'app-config'] as const;
export type IntegrityKind = (typeof INTEGRITY_KINDS)[number];

/** Kinds a device check reads today, in the order a report shows them. */
export const DEVICE_KINDS = ['secure-boot', 'tpm', 'measurement', 'firmware'] as const satisfies readonly IntegrityKind[];

/** One thing a device reports: a property of one of its components, as a string. */
export const IntegrityFact = z.object({
  kind: z.enum(INTEGRITY_KINDS),
  /** The component, as the device names it (a system id, "TPM", a firmware item). */
  component: z.string(),
  /** The property, in the device's vocabulary (SecureBootEnable, FirmwareVersion, PCR 1 (SHA256), sysDescr…). */
  property: z.string(),
  value: z.string(),
  /** When the device says it last measured this (ComponentIntegrity LastUpdated), if it does. */
  measuredAt: z.string().nullable().default(null),
});
export type IntegrityFact = z.infer<typeof IntegrityFact>;

export const factKey = (fact: Pick<IntegrityFact, 'kind' | 'component' | 'property'>) => `${fact.kind}|${fact.component}|${fact.property}`;

export const IntegrityCheck = z.object({
  key: z.string(),
  kind: z.enum(INTEGRITY_KINDS),
  component: z.string(),
  property: z.string(),
  /** The recorded (or baseline) value; null when nothing was recorded (a component that appeared). */
  expected: z.string().nullable(),
  /** What the device reports now; null when it no longer reports it (a component gone) or it could not be read. */
  actual: z.string().nullable(),
  /** true: matches; false: differs; null: this part could not be read this time. */
  ok: z.boolean().nullable(),
  /** Where the expected value comes from: the wizard's baseline, or the recorded state (first seen or accepted). */
  source: z.enum(['baseline', 'recorded', 'none']),
  measuredAt: z.string().nullable(),
});
export type IntegrityCheck = z.infer<typeof IntegrityCheck>;

export const DeviceIntegrity = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  slotId: z.string().nullable(),
  protocol: z.enum(['redfish', 'snmp']),
  /** When the checks shown were read; null when never. */
  checkedAt: z.string().nullable(),
  /** The last attempt, and why it failed (the checks shown stay those of the last complete read). */
  attemptedAt: z.string().nullable(),
  error: z.string().nullable(),
  differences: z.number().int(),
  recorded: z.object({ at: z.string(), source: z.enum(['first-seen', 'accepted']), by: z.string().nullable() }).nullable(),
  /** When the wizard's baseline compared against was taken, if there is one. */
  baselineAt: z.string().nullable(),
  checks: z.array(IntegrityCheck),
});
export type DeviceIntegrity = z.infer<typeof DeviceIntegrity>;

/** Kinds an app check makes, in the order a report shows them. */
export const APP_KINDS = ['app-image', 'app-config'] as const satisfies readonly IntegrityKind[];

/** One app deployed at a site: its containers on the site's engine against its signed release and what was deployed, as last looked at. */
export const AppIntegrity = z.object({
  appId: z.string(),
  /** The version that runs (after a rollback, the one rolled back to). */
  version: z.string(),
  /** The release's name; null when the release is no longer in the repository. */
  name: z.object({ en: z.string(), 'zh-CN': z.string() }).nullable(),
  state: z.enum(SITE_APP_STATES),
  /** Who signed the release compared against (the publisher's name, or its key id). */
  signedBy: z.string().nullable(),
  /** When the engine was last looked at for this version; null when not yet. */
  checkedAt: z.string().nullable(),
  /** The last attempt, and why it could not look (the checks shown stay those of the last look). */
  attemptedAt: z.string().nullable(),
  error: z.string().nullable(),
  differences: z.number().int(),
  checks: z.array(IntegrityCheck),
});
export type AppIntegrity = z.infer<typeof AppIntegrity>;

export const SiteIntegrity = z.object({
  siteId: z.string(),
  siteName: z.string(),
  /** The newest check of any device or app. */
  checkedAt: z.string().nullable(),
  /** Differences of the devices and the apps together. */
  differences: z.number().int(),
  devices: z.array(DeviceIntegrity),
  /** Deployed apps against their signed releases: how many, every check of them (as in `items`), the newest look, their differences, and per app. */
  apps: z.object({
    deployed: z.number().int(),
    checks: z.array(IntegrityCheck),
    checkedAt: z.string().nullable(),
    differences: z.number().int(),
    items: z.array(AppIntegrity),
  }),
});
export type SiteIntegrity = z.infer<typeof SiteIntegrity>;

export const IntegritySiteSummary = z.object({
  siteId: z.string(),
  siteName: z.string(),
  siteCode: z.string(),
  regionId: z.number().int().nullable(),
  devices: z.number().int(),
  devicesChecked: z.number().int(),
  devicesDiffering: z.number().int(),
  /** Apps deployed at the site, how many were looked at, how many differ. */
  apps: z.number().int(),
  appsChecked: z.number().int(),
  appsDiffering: z.number().int(),
  /** Of the devices and the apps together. */
  differences: z.number().int(),
  /** The newest check of any device or app. */
  lastCheckedAt: z.string().nullable(),
});
export type IntegritySiteSummary = z.infer<typeof IntegritySiteSummary>;

export const IntegrityFleet = z.object({ sites: z.array(IntegritySiteSummary) });
export type IntegrityFleet = z.infer<typeof IntegrityFleet>;

export const IntegritySiteInput = z.object({ siteId: SiteId });
export const IntegrityAcceptInput = z.object({ id: z.string().min(1) });

/** The recorded state of a device: its facts, and which kinds were read when they were recorded. */
export interface RecordedState {
  facts: readonly IntegrityFact[];
  kinds: readonly IntegrityKind[];
  source: 'first-seen' | 'accepted';
  at: string;
}

export interface Baseline {
  facts: readonly IntegrityFact[];
  takenAt: string;
}

interface Expected {
  fact: IntegrityFact;
  source: 'baseline' | 'recorded';
}

/**
 * What a device should report: the recorded state, with firmware taken from
 * the wizard's baseline when that is newer than the record or the record is
 * only what was first seen (an acceptance after the baseline wins).
 */
export function expectedFacts(recorded: RecordedState | null, baseline: Baseline | null): Map<string, Expected> {
  const expected = new Map<string, Expected>();
  for (const fact of recorded?.facts ?? []) expected.set(factKey(fact), { fact, source: 'recorded' });
  const baselineWins = baseline !== null && (recorded === null || recorded.source === 'first-seen' || Date.parse(baseline.takenAt) > Date.parse(recorded.at));
  if (baselineWins) {
    for (const fact of baseline.facts) expected.set(factKey(fact), { fact, source: 'baseline' });
  }
  return expected;
}

/**
 * Every fact expected or reported, compared. A fact of a kind that could not
 * be read this time is "not read" (ok null), never a difference: a failed
 * request must not look like a TPM that vanished.
 */
export function compareFacts(expected: ReadonlyMap<string, Expected>, actual: readonly IntegrityFact[], unread: ReadonlySet<IntegrityKind>): IntegrityCheck[] {
  const seen = new Map(actual.map((fact) => [factKey(fact), fact]));
  const keys = [...new Set([...expected.keys(), ...seen.keys()])];
  const checks = keys.map((key): IntegrityCheck => {
    const wanted = expected.get(key);
    const now = seen.get(key);
    const fact = (now ?? wanted!.fact) as IntegrityFact;
    const notRead = !now && unread.has(fact.kind);
    return {
      key,
      kind: fact.kind,
      component: fact.component,
      property: fact.property,
      expected: wanted?.fact.value ?? null,
      actual: now?.value ?? null,
      ok: notRead ? null : (wanted?.fact.value ?? null) === (now?.value ?? null),
      source: wanted?.source ?? 'none',
      measuredAt: now?.measuredAt ?? wanted?.fact.measuredAt ?? null,
    };
  });
  const order = (kind: IntegrityKind) => INTEGRITY_KINDS.indexOf(kind);
  return checks.sort((a, b) => order(a.kind) - order(b.kind) || a.component.localeCompare(b.component) || a.property.localeCompare(b.property));
}

/** The checks that differ, per kind: one drift alarm per device and kind. */
export function driftsByKind(checks: readonly IntegrityCheck[]): Map<IntegrityKind, IntegrityCheck[]> {
  const drifts = new Map<IntegrityKind, IntegrityCheck[]>();
  for (const check of checks) if (check.ok === false) drifts.set(check.kind, [...(drifts.get(check.kind) ?? []), check]);
  return drifts;
}

/**
 * The state to record: the facts read now, and for kinds not read now, what
 * was recorded before (accepting must not forget a TPM that merely did not
 * answer this time).
 */
export function recordFrom(actual: readonly IntegrityFact[], unread: ReadonlySet<IntegrityKind>, previous: RecordedState | null): { facts: IntegrityFact[]; kinds: IntegrityKind[] } {
  const kept = (previous?.facts ?? []).filter((fact) => unread.has(fact.kind));
  const kinds = new Set<IntegrityKind>([...DEVICE_KINDS.filter((kind) => !unread.has(kind)), ...(previous?.kinds ?? []).filter((kind) => unread.has(kind))]);
  return { facts: [...actual, ...kept], kinds: [...kinds] };
}

/**
 * A record made before a kind could ever be read takes that kind as first
 * seen now, instead of calling every fact of it new.
 */
export function adoptNewKinds(recorded: RecordedState, actual: readonly IntegrityFact[], unread: ReadonlySet<IntegrityKind>): RecordedState | null {
  const fresh = DEVICE_KINDS.filter((kind) => !unread.has(kind) && !recorded.kinds.includes(kind));
  if (fresh.length === 0) return null;
  return { ...recorded, facts: [...recorded.facts, ...actual.filter((fact) => fresh.includes(fact.kind as (typeof fresh)[number]))], kinds: [...recorded.kinds, ...fresh] };
}
