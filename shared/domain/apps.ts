import { z } from 'zod';

/**
 * An app release: a manifest that says what runs on a site's workload
 * engine, signed by a publisher the administrator trusts, plus its images.
 *
 * Images are pinned by their image ID (`sha256:` of the image's config),
 * the digest an engine reports for a loaded image whatever the archive
 * format; a registry's manifest digest does not exist without a registry.
 * The config pins every layer (rootfs.diff_ids), so the signed manifest
 * covers every byte that runs.
 */

export const APP_MANIFEST_SCHEMA = 'edgecab.app/v1';
/** A release bundle upload, at most (REST and the UI). */
export const MAX_RELEASE_UPLOAD_BYTES = 4 * 1024 * 1024 * 1024;
/** The manifest's JSON text, as signed, at most this long. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

const LocalizedText = z.object({
  en: z.string().trim().min(1, { error: 'An English text is required' }).max(400),
  'zh-CN': z.string().trim().min(1, { error: 'A Chinese text is required' }).max(400),
});

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
export const ImageId = z.string().regex(IMAGE_ID, { error: 'An image ID: sha256: and 64 lower-case hex digits (the image config digest)' });

const APP_ID = /^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
const PARAMETER_KEY = /^[A-Z][A-Z0-9_]{0,39}$/;
const CONTAINER_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

const ParameterBase = { key: z.string().regex(PARAMETER_KEY, { error: 'A parameter key is upper case: letters, digits, "_" (e.g. HTTP_PORT)' }), label: LocalizedText, description: LocalizedText.optional() };

export const AppParameter = z.discriminatedUnion('type', [
  z.object({ ...ParameterBase, type: z.literal('string'), default: z.string().max(1000), pattern: z.string().max(200).optional() }),
  z.object({ ...ParameterBase, type: z.literal('integer'), default: z.number().int(), min: z.number().int().optional(), max: z.number().int().optional() }),
  z.object({ ...ParameterBase, type: z.literal('port'), default: z.number().int().min(1).max(65535) }),
  z.object({ ...ParameterBase, type: z.literal('boolean'), default: z.boolean() }),
  z.object({ ...ParameterBase, type: z.literal('enum'), values: z.array(z.string().min(1).max(100)).min(1).max(50), default: z.string() }),
]);
export type AppParameter = z.infer<typeof AppParameter>;
export type ParameterValue = string | number | boolean;

/** Text in which `${KEY}` names a parameter. */
const Template = z.string().max(4000);

export const AppContainer = z.object({
  /** The container is named `<app id>-<name>` on the site. */
  name: z.string().regex(CONTAINER_NAME, { error: 'A container name is lower case letters, digits and "-"' }),
  image: ImageId,
  command: z.array(Template).max(100).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'An environment variable name' }), Template).optional(),
  /** Ports the container listens on, on the host's network (site engines run containers with host networking). */
  ports: z.array(z.object({ port: z.union([z.number().int().min(1).max(65535), Template]), protocol: z.enum(['tcp', 'udp']).default('tcp') })).max(50).default([]),
  volumes: z.array(z.object({ name: z.string().regex(CONTAINER_NAME, { error: 'A volume name is lower case letters, digits and "-"' }), path: z.string().regex(/^\/[^\0]*$/, { error: 'An absolute path in the container' }) })).max(20).default([]),
  /** Run in the container (exec); healthy when it exits 0. */
  health: z
    .object({
      command: z.array(Template).min(1).max(50),
      intervalSeconds: z.number().int().min(1).max(300).default(5),
      timeoutSeconds: z.number().int().min(1).max(120).default(5),
      retries: z.number().int().min(1).max(20).default(3),
    })
    .optional(),
  resources: z.object({ memoryMb: z.number().int().min(4).max(1024 * 1024).optional(), cpus: z.number().min(0.01).max(512).optional() }).default({}),
  /** Containers start in ascending order; equal orders start together. */
  startOrder: z.number().int().min(0).max(100).default(0),
});
export type AppContainer = z.infer<typeof AppContainer>;

export const AppManifest = z
  .object({
    schema: z.literal(APP_MANIFEST_SCHEMA, { error: `The manifest's "schema" must be "${APP_MANIFEST_SCHEMA}"` }),
    id: z.string().regex(APP_ID, { error: 'An app id is 2 to 40 lower-case letters, digits and "-" (e.g. video-recorder)' }),
    version: z.string().regex(SEMVER, { error: 'A version like 1.2.0 (semantic versioning)' }),
    name: LocalizedText,
    description: LocalizedText,
    parameters: z.array(AppParameter).max(100).default([]),
    containers: z.array(AppContainer).min(1, { error: 'A release runs at least one container' }).max(20),
  })
  .superRefine((manifest, context) => {
    const names = new Set<string>();
    manifest.containers.forEach((container, index) => {
      if (names.has(container.name)) context.addIssue({ code: 'custom', path: ['containers', index, 'name'], message: `Two containers are named "${container.name}"` });
      names.add(container.name);
    });
    const keys = new Set<string>();
    manifest.parameters.forEach((parameter, index) => {
      if (keys.has(parameter.key)) context.addIssue({ code: 'custom', path: ['parameters', index, 'key'], message: `Two parameters are named ${parameter.key}` });
      keys.add(parameter.key);
      const problem = parameterProblem(parameter, parameter.default);
      if (problem) context.addIssue({ code: 'custom', path: ['parameters', index, 'default'], message: `The default of ${parameter.key}: ${problem}` });
    });
    const texts = manifest.containers.flatMap((container, index) => [
      ...(container.command ?? []).map((text) => ({ text, path: ['containers', index, 'command'] })),
      ...Object.values(container.env ?? {}).map((text) => ({ text, path: ['containers', index, 'env'] })),
      ...container.ports.filter((each) => typeof each.port === 'string').map((each) => ({ text: String(each.port), path: ['containers', index, 'ports'] })),
      ...(container.health?.command ?? []).map((text) => ({ text, path: ['containers', index, 'health'] })),
    ]);
    for (const { text, path } of texts)
      for (const key of referencedKeys(text)) if (!keys.has(key)) context.addIssue({ code: 'custom', path, message: `\${${key}} names no parameter of the release` });
  });
export type AppManifest = z.infer<typeof AppManifest>;

/** `manifest.sig` in a release bundle: who signed the manifest's exact bytes, and the Ed25519 signature. */
export const ReleaseSignature = z.object({
  /** SHA-256 of the publisher's raw 32-byte Ed25519 public key, hex. */
  keyId: z.string().regex(/^[0-9a-f]{64}$/, { error: 'keyId: 64 lower-case hex digits' }),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, { error: 'signature: an Ed25519 signature in base64 (64 bytes)' }),
});
export type ReleaseSignature = z.infer<typeof ReleaseSignature>;

export const Publisher = z.object({
  keyId: z.string(),
  name: z.string(),
  /** The public key, PEM (SPKI). */
  publicKey: z.string(),
  trustedAt: z.string(),
  trustedBy: z.string().nullable(),
});
export type Publisher = z.infer<typeof Publisher>;

export const TrustPublisherInput = z.object({
  name: z.string().trim().min(1, { error: 'A name for the publisher is required' }).max(80),
  publicKey: z
    .string()
    .trim()
    .max(2000)
    .regex(/^-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+-----END PUBLIC KEY-----$/, { error: 'An Ed25519 public key in PEM (-----BEGIN PUBLIC KEY-----)' }),
});

export const ReleaseImage = z.object({ id: z.string(), tags: z.array(z.string()), sizeBytes: z.number().int().nonnegative(), layers: z.number().int().nonnegative() });

export const AppRelease = z.object({
  appId: z.string(),
  version: z.string(),
  name: LocalizedText,
  description: LocalizedText,
  manifest: AppManifest,
  images: z.array(ReleaseImage),
  /** Bytes of its images (layers counted once per release). */
  sizeBytes: z.number().int().nonnegative(),
  /** Of those, bytes no other release shares. */
  uniqueBytes: z.number().int().nonnegative(),
  signer: z.object({ keyId: z.string(), name: z.string().nullable() }),
  /** Whether the signer is still trusted; a release whose publisher was removed cannot be rolled out. */
  signerTrusted: z.boolean(),
  uploadedAt: z.string(),
  uploadedBy: z.string().nullable(),
});
export type AppRelease = z.infer<typeof AppRelease>;

export const AppSummary = z.object({
  appId: z.string(),
  name: LocalizedText,
  latestVersion: z.string(),
  versions: z.array(z.string()),
  sizeBytes: z.number().int().nonnegative(),
});
export type AppSummary = z.infer<typeof AppSummary>;

export const PushResult = z.object({
  release: AppRelease,
  /** Blobs (image configs and layers) the repository did not hold yet, and their bytes. */
  storedBlobs: z.number().int().nonnegative(),
  storedBytes: z.number().int().nonnegative(),
  /** Blobs it already held (shared with another release). */
  sharedBlobs: z.number().int().nonnegative(),
});
export type PushResult = z.infer<typeof PushResult>;

export function referencedKeys(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]!);
}

/** Why a value is not valid for a parameter: the English text, and the same as a message key and its values (for the UI's language). */
export interface ParameterProblem {
  text: string;
  messageKey: string;
  params: Record<string, string | number>;
}

/** Why `value` is not a valid value of `parameter` (in words and as a message), or null. */
export function describeParameterProblem(parameter: AppParameter, value: unknown): ParameterProblem | null {
  const problem = (text: string, messageKey: string, params: Record<string, string | number> = {}): ParameterProblem => ({ text, messageKey, params });
  switch (parameter.type) {
    case 'string': {
      if (typeof value !== 'string') return problem('a text', 'parameterText');
      if (value.length > 1000) return problem('at most 1000 characters', 'parameterTooLong', { max: 1000 });
      if (parameter.pattern !== undefined) {
        let pattern: RegExp;
        try {
          pattern = new RegExp(`^(?:${parameter.pattern})$`);
        } catch {
          return problem(`its pattern ${parameter.pattern} is not a regular expression`, 'parameterBadPattern', { pattern: parameter.pattern });
        }
        if (!pattern.test(value)) return problem(`must match ${parameter.pattern}`, 'parameterPattern', { pattern: parameter.pattern });
      }
      return null;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return problem('a whole number', 'parameterInteger');
      if (parameter.min !== undefined && value < parameter.min) return problem(`at least ${parameter.min}`, 'parameterMin', { min: parameter.min });
      if (parameter.max !== undefined && value > parameter.max) return problem(`at most ${parameter.max}`, 'parameterMax', { max: parameter.max });
      return null;
    case 'port':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535 ? null : problem('a port from 1 to 65535', 'parameterPort');
    case 'boolean':
      return typeof value === 'boolean' ? null : problem('true or false', 'parameterBoolean');
    case 'enum':
      return typeof value === 'string' && parameter.values.includes(value) ? null : problem(`one of ${parameter.values.join(', ')}`, 'parameterEnum', { values: parameter.values.join(', ') });
  }
}

/** Why `value` is not a valid value of `parameter`, or null. */
export function parameterProblem(parameter: AppParameter, value: unknown): string | null {
  return describeParameterProblem(parameter, value)?.text ?? null;
}

export interface ParameterIssue {
  key: string;
  message: string;
  /** The message as a catalog key (`rollouts.messages.<messageKey>`) and its values (`parameter`: its key). */
  messageKey: string;
  params: Record<string, string | number>;
}

/**
 * The parameters a site runs with: the manifest's defaults, overridden by
 * `overrides`. Unknown keys and values of the wrong type are issues, never
 * dropped silently.
 */
export function resolveParameters(manifest: AppManifest, overrides: Readonly<Record<string, ParameterValue>>): { values: Record<string, ParameterValue>; issues: ParameterIssue[] } {
  const values: Record<string, ParameterValue> = {};
  const issues: ParameterIssue[] = [];
  const known = new Map(manifest.parameters.map((parameter) => [parameter.key, parameter]));
  for (const key of Object.keys(overrides))
    if (!known.has(key)) issues.push({ key, message: `${manifest.id} ${manifest.version} has no parameter ${key}`, messageKey: 'parameterUnknown', params: { app: manifest.id, version: manifest.version, parameter: key } });
  for (const parameter of manifest.parameters) {
    const value = Object.hasOwn(overrides, parameter.key) ? overrides[parameter.key] : parameter.default;
    const problem = describeParameterProblem(parameter, value);
    if (problem) issues.push({ key: parameter.key, message: `${parameter.key}: ${problem.text}`, messageKey: problem.messageKey, params: { ...problem.params, parameter: parameter.key } });
    else values[parameter.key] = value as ParameterValue;
  }
  return { values, issues };
}

/** `text` with each `${KEY}` replaced by its value. */
export function substitute(text: string, values: Readonly<Record<string, ParameterValue>>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? String(values[key]) : whole));
}

/** drifted: it was healthy, and the engine no longer shows it as deployed (stopped, gone, restarting, changed by hand). */
export const SITE_APP_STATES = ['queued', 'transferring', 'starting', 'healthy', 'unhealthy', 'failed', 'rolled_back', 'drifted'] as const;

/** An app at a site as its last deployment saw it on the engine. */
export const SiteApp = z.object({
  appId: z.string(),
  version: z.string(),
  state: z.enum(SITE_APP_STATES),
  /** The engine's own words for a failure, or why it waits. */
  detail: z.string().nullable(),
  bytesSent: z.number().int().nullable(),
  bytesTotal: z.number().int().nullable(),
  previousVersion: z.string().nullable(),
  updatedAt: z.string(),
});
export type SiteApp = z.infer<typeof SiteApp>;

export const OutboxItemView = z.object({
  id: z.number().int(),
  siteId: z.string(),
  action: z.string(),
  groupId: z.string().nullable(),
  state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  attempts: z.number().int(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** While the site cannot be reached: since when ("queued: site offline since …"). */
  offlineSince: z.string().nullable(),
  lastError: z.string().nullable(),
  outcome: z.unknown(),
  queuedBy: z.string().nullable(),
});
export type OutboxItemView = z.infer<typeof OutboxItemView>;

export const DeployToSiteInput = z.object({
  siteId: z.string(),
  appId: z.string().min(1).max(40),
  version: z.string().min(1).max(80),
  parameters: z.record(z.string().max(40), z.union([z.string().max(1000), z.number(), z.boolean()])).default({}),
  stableSeconds: z.number().int().min(0).max(3600).default(30),
  startTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
  rollbackOnFailure: z.boolean().default(true),
});
