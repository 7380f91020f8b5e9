import { z } from 'zod';
import { secret } from './secret.js';

export const DEVICE_KIND = ['server', 'storage', 'switch', 'ups', 'pdu', 'cooling', 'environment', 'engine'] as const;
/**
 * How EdgeCab reaches a device. `engine`: the Docker-Engine-compatible API
 * of a server's workload host (a device of kind engine sits on the U of
 * the server it runs on, and takes no rack space of its own).
 */
export const DEVICE_PROTOCOLS = ['redfish', 'snmp', 'engine', 'none'] as const;
export type DeviceProtocol = (typeof DEVICE_PROTOCOLS)[number];
/** The kinds a workload engine may run on. */
export const ENGINE_HOST_KINDS: readonly DeviceKind[] = ['server', 'storage'];
export type DeviceKind = (typeof DEVICE_KIND)[number];
export const FACES = ['front', 'rear'] as const;
export type Face = (typeof FACES)[number];
export const DEPTHS = ['full', 'half'] as const;

const LocalizedText = z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) });

export const TemplateSlot = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, { error: 'Slot ids are lower-case letters, digits and "-"' }),
  kind: z.enum(DEVICE_KIND, { error: (issue) => `Unknown device kind "${String(issue.input)}"; expected one of ${DEVICE_KIND.join(', ')}` }),
  /** The device's default name, in each UI language; the cabinet takes the one it is set up in. */
  name: z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) }),
  model: z.string().optional(),
  /** The lowest U the device occupies (1 = bottom). */
  u: z.number().int(),
  heightU: z.number().int().min(1).max(12),
  face: z.enum(FACES),
  depth: z.enum(DEPTHS),
  protocol: z.enum(DEVICE_PROTOCOLS),
});
export type TemplateSlot = z.infer<typeof TemplateSlot>;

export const LinkEnd = z.object({ slot: z.string(), port: z.string().min(1) });
export const TemplateLink = z.object({ kind: z.enum(['power', 'network']), from: LinkEnd, to: LinkEnd });
export type TemplateLink = z.infer<typeof TemplateLink>;

/** A cabinet model as data: its height, default devices, and how power and network are wired. */
export const CabinetTemplate = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: LocalizedText,
  description: LocalizedText,
  heightU: z.number().int().min(4).max(60),
  slots: z.array(TemplateSlot).min(1),
  links: z.array(TemplateLink),
  /** A pseudo-endpoint for the WAN uplink (not a device in the cabinet). */
  externalEnds: z.array(z.string()).default(['wan']),
});
export type CabinetTemplate = z.infer<typeof CabinetTemplate>;

export interface Placement {
  id?: string;
  name: string;
  u: number;
  heightU: number;
  face: Face;
  depth: 'full' | 'half';
}

export interface PlacementIssue {
  field: 'u' | 'heightU' | 'face';
  code: 'out_of_range' | 'overlap';
  message: string;
}

/** Whether two devices share rack space: a full-depth device blocks both faces, a half-depth one only its own. */
function collide(a: Placement, b: Placement): boolean {
  const overlapU = a.u <= b.u + b.heightU - 1 && b.u <= a.u + a.heightU - 1;
  if (!overlapU) return false;
  return a.depth === 'full' || b.depth === 'full' || a.face === b.face;
}

/** Checks one placement against the cabinet and the other devices. Pure: the UI and the core use the same rules. */
export function checkPlacement(candidate: Placement, others: readonly Placement[], cabinetHeightU: number): PlacementIssue[] {
  const issues: PlacementIssue[] = [];
  const top = candidate.u + candidate.heightU - 1;
  if (candidate.u < 1 || top > cabinetHeightU) {
    issues.push({ field: 'u', code: 'out_of_range', message: `U${candidate.u}–U${top} is outside the cabinet (U1–U${cabinetHeightU})` });
  }
  for (const other of others) {
    if (other.id !== undefined && other.id === candidate.id) continue;
    if (collide(candidate, other)) {
      issues.push({ field: 'u', code: 'overlap', message: `overlaps ${other.name} (U${other.u}–U${other.u + other.heightU - 1}, ${other.face}${other.depth === 'half' ? ', half depth' : ''})` });
    }
  }
  return issues;
}

export class TemplateError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Cabinet template ${source} is not valid:\n  ${problems.join('\n  ')}`);
    this.name = 'TemplateError';
  }
}

/** Parses and checks a template: schema, every slot inside the cabinet, no overlaps, links between known slots. */
export function parseTemplate(data: unknown, source: string): CabinetTemplate {
  const parsed = CabinetTemplate.safeParse(data);
  if (!parsed.success) {
    throw new TemplateError(source, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  const template = parsed.data;
  const problems: string[] = [];
  const ids = new Set<string>();
  template.slots.forEach((slot, index) => {
    if (ids.has(slot.id)) problems.push(`slots.${index}: duplicate slot id "${slot.id}"`);
    ids.add(slot.id);
    const placed = template.slots.slice(0, index).map((other) => ({ ...other, name: other.name.en }));
    for (const issue of checkPlacement({ ...slot, name: slot.name.en }, placed, template.heightU)) problems.push(`slots.${index} (${slot.id}): ${issue.message}`);
  });
  const known = new Set([...ids, ...template.externalEnds]);
  template.links.forEach((link, index) => {
    for (const end of [link.from, link.to]) if (!known.has(end.slot)) problems.push(`links.${index}: unknown slot "${end.slot}"`);
  });
  if (problems.length > 0) throw new TemplateError(source, problems);
  return template;
}

export const DEVICE_STATUS = ['ok', 'warning', 'critical', 'unreachable', 'unknown'] as const;
export type DeviceStatus = (typeof DEVICE_STATUS)[number];

export const CabinetDevice = z.object({
  id: z.string(),
  cabinetId: z.string(),
  slotId: z.string().nullable(),
  kind: z.enum(DEVICE_KIND),
  name: z.string(),
  model: z.string().nullable(),
  u: z.number().int(),
  heightU: z.number().int(),
  face: z.enum(FACES),
  depth: z.enum(DEPTHS),
  protocol: z.enum(DEVICE_PROTOCOLS),
  endpoint: z.string().nullable(),
  hasCredential: z.boolean(),
  /** The BMC certificate trusted for this device (Redfish). */
  fingerprint: z.string().nullable(),
  status: z.enum(DEVICE_STATUS),
  /** When the state shown was read; null when never. */
  observedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type CabinetDevice = z.infer<typeof CabinetDevice>;

export const CabinetLink = z.object({
  kind: z.enum(['power', 'network']),
  fromDeviceId: z.string().nullable(),
  fromPort: z.string(),
  toDeviceId: z.string().nullable(),
  toPort: z.string(),
  /** For an end outside the cabinet, e.g. "wan". */
  external: z.string().nullable(),
});

export const CabinetView = z.object({
  cabinet: z.object({ id: z.string(), siteId: z.string(), templateId: z.string(), name: z.string(), heightU: z.number().int() }),
  devices: z.array(CabinetDevice),
  links: z.array(CabinetLink),
});
export type CabinetView = z.infer<typeof CabinetView>;

export const TemplateSummary = z.object({
  id: z.string(),
  name: LocalizedText,
  description: LocalizedText,
  heightU: z.number().int(),
  deviceCount: z.number().int(),
  /** Where the model puts each device, for a thumbnail of the cabinet. */
  layout: z.array(z.object({ slotId: z.string(), kind: z.enum(DEVICE_KIND), name: LocalizedText, u: z.number().int(), heightU: z.number().int(), face: z.enum(FACES), depth: z.enum(DEPTHS) })),
});

export const NewDevice = z.object({
  cabinetId: z.string(),
  kind: z.enum(DEVICE_KIND),
  name: z.string().trim().min(1, { error: 'Name is required' }).max(80),
  model: z.string().trim().max(120).nullable().optional(),
  u: z.number({ error: 'A U number' }).int({ error: 'A whole U number' }),
  heightU: z.number().int().min(1, { error: 'At least 1U' }).max(12, { error: 'At most 12U' }),
  face: z.enum(FACES),
  depth: z.enum(DEPTHS),
  protocol: z.enum(DEVICE_PROTOCOLS),
}).refine((device) => (device.kind === 'engine') === (device.protocol === 'engine'), { path: ['protocol'], error: 'A workload engine is reached over the engine API, and only an engine is' });

export const DeviceMove = z.object({
  id: z.string(),
  name: z.string().trim().min(1).max(80).optional(),
  u: z.number().int().optional(),
  face: z.enum(FACES).optional(),
});

/** How EdgeCab reaches a device. Secrets go to the credential store and never come back out. */
export const DeviceConnection = z.discriminatedUnion('protocol', [
  z.object({
    id: z.string(),
    protocol: z.literal('redfish'),
    url: z
      .string()
      .trim()
      .regex(/^https?:\/\/[A-Za-z0-9.:[\]_-]+(:\d{1,5})?\/?$/, { error: 'A BMC address like https://10.0.0.10' })
      // The pattern lets through what no URL parser takes ("https://[", port 99999), which the service would fail on.
      .refine((url) => z.url().safeParse(url).success, { error: 'A BMC address like https://10.0.0.10' }),
    username: z.string().min(1, { error: 'User name is required' }).max(64),
    password: secret(z.string().min(1, { error: 'Password is required' }).max(128)),
    fingerprint: z.string().trim().toUpperCase().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, { error: 'A SHA-256 fingerprint' }).nullable().optional(),
  }),
  z.object({
    id: z.string(),
    protocol: z.literal('snmp'),
    host: z.string().trim().min(1, { error: 'Address is required' }).regex(/^[A-Za-z0-9.:_-]+$/, { error: 'An IP address or host name' }),
    port: z.number().int().min(1).max(65535).default(161),
    version: z.enum(['2c', '3']),
    community: secret(z.string().min(1).max(64)).optional(),
    v3: z
      .object({
        user: z.string().min(1).max(32),
        authProtocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
        authKey: secret(z.string().min(8)).optional(),
        privProtocol: z.enum(['des', 'aes', 'aes256', 'aes256c']).optional(),
        privKey: secret(z.string().min(8)).optional(),
      })
      .optional(),
  }),
]);
export type DeviceConnection = z.infer<typeof DeviceConnection>;

/** A server's workload engine: a unix socket on the EdgeCab machine, or https:// with mutual TLS (EdgeCab's client certificate) and the engine's certificate pinned. */
export const EngineConnection = z.object({
  id: z.string(),
  protocol: z.literal('engine'),
  url: z
    .string()
    .trim()
    .max(300)
    .regex(/^(unix:\/[^\0]+|https:\/\/[A-Za-z0-9.:[\]_-]+(:\d{1,5})?\/?)$/, { error: 'unix:/path/to/engine.sock, or https://host:port (mutual TLS; clear text is refused)' })
    // The pattern lets through what no URL parser takes ("https://]", port 99999).
    .refine((url) => url.startsWith('unix:') || z.url().safeParse(url).success, { error: 'unix:/path/to/engine.sock, or https://host:port (mutual TLS; clear text is refused)' }),
  fingerprint: z.string().trim().toUpperCase().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, { error: 'A SHA-256 fingerprint' }).nullable().optional(),
});
export type EngineConnection = z.infer<typeof EngineConnection>;
