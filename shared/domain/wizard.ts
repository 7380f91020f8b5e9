import { z } from 'zod';
import { SiteFields } from './site.js';
import { secret } from './secret.js';

export const WIZARD_STEPS = [1, 2, 3, 4, 5] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** The promise: power-on to handed over within two hours. */
export const WIZARD_BUDGET_SECONDS = 2 * 3600;
/** What each step usually takes a branch IT generalist, in seconds; the plan shown before a step has run. */
export const STEP_ESTIMATE_SECONDS: Record<WizardStep, number> = { 1: 15 * 60, 2: 30 * 60, 3: 20 * 60, 4: 20 * 60, 5: 20 * 60 };

export const ITEM_STATES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** One unit of work of a step (an address probed, a device secured…), kept so a step re-run does only what is left. */
export const WizardItem = z.object({
  key: z.string(),
  step: z.number().int(),
  label: z.string(),
  state: z.enum(ITEM_STATES),
  /** English text; detailKey and params give it in the UI language. */
  detail: z.string().nullable(),
  detailKey: z.string().nullable(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  attempts: z.number().int(),
  updatedAt: z.string(),
});
export type WizardItem = z.infer<typeof WizardItem>;

export const PreflightCheck = z.object({
  id: z.enum(['interface', 'subnet', 'time']),
  ok: z.boolean().nullable(),
  detail: z.string(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

export const DiscoveredDevice = z.object({
  address: z.string(),
  port: z.number().int(),
  protocol: z.enum(['redfish', 'snmp']),
  kind: z.string(),
  vendor: z.string().nullable(),
  model: z.string().nullable(),
  serial: z.string().nullable(),
  firmware: z.string().nullable(),
  /** Redfish: the certificate the BMC presented; it is trusted only when the user says so. */
  fingerprint: z.string().nullable(),
  /** Which factory credential worked (a label, never the secret); null when none did. */
  credential: z.string().nullable(),
  /** The BMC's account lockout threshold, read after a login worked (null: not said). */
  lockoutThreshold: z.number().int().nullable().default(null),
  /** Why no credential was tried or worked: "untrusted" (your credentials wait for you to trust its certificate), "budget" (the login limit per address was reached), "secured" (EdgeCab's own credential). */
  note: z.enum(['untrusted', 'budget', 'secured']).nullable().default(null),
});
export type DiscoveredDevice = z.infer<typeof DiscoveredDevice>;

export const SlotMatch = z.object({
  slotId: z.string(),
  deviceId: z.string(),
  name: z.string(),
  kind: z.string(),
  protocol: z.enum(['redfish', 'snmp']),
  /** "address:port" of the discovered device placed in this slot, or null for none. */
  endpoint: z.string().nullable(),
});
export type SlotMatch = z.infer<typeof SlotMatch>;

export const StepTime = z.object({ step: z.number().int(), estimateSeconds: z.number(), startedAt: z.string().nullable(), finishedAt: z.string().nullable(), seconds: z.number() });

export const WizardState = z.object({
  id: z.string(),
  siteId: z.string().nullable(),
  /** The step the user is on. */
  step: z.number().int().min(1).max(5),
  /** The furthest step the user may go to (every step before it is done). */
  reachable: z.number().int().min(1).max(5),
  status: z.enum(['active', 'done']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  elapsedSeconds: z.number(),
  budgetSeconds: z.number(),
  /** Elapsed plus the plan of the steps not done yet (planned from the work found and the time measured per item). */
  projectedSeconds: z.number(),
  /** The projection passes the two-hour budget: the UI warns. */
  overBudget: z.boolean(),
  steps: z.array(StepTime),
  site: SiteFields.extend({ templateId: z.string(), managementSubnet: z.string() }).nullable(),
  preflight: z.array(PreflightCheck),
  discovery: z.object({ running: z.boolean(), total: z.number().int(), done: z.number().int(), devices: z.array(DiscoveredDevice) }),
  matches: z.array(SlotMatch),
  items: z.array(WizardItem),
  findings: z.array(z.object({ text: z.string(), key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) })),
  reportReady: z.boolean(),
  /** What each step was last run with, so going back shows the fields as they were (never a secret). */
  inputs: z.object({
    discover: z.object({ ranges: z.string(), redfishPorts: z.array(z.number().int()), snmpPorts: z.array(z.number().int()) }).optional(),
    secure: z.object({ snmpUser: z.string().nullable(), authProtocol: z.string().nullable(), privProtocol: z.string().nullable(), ownKeys: z.boolean() }).optional(),
    configure: z.object({ ntpServers: z.array(z.string()), dnsServers: z.array(z.string()), eventDestination: z.string().nullable(), trapDestination: z.string().nullable() }).optional(),
  }),
});
export type WizardState = z.infer<typeof WizardState>;

const RunId = z.string().uuid({ error: 'Not a wizard run' });

export const WizardSiteInput = SiteFields.extend({
  runId: RunId,
  templateId: z.string().min(1),
  /** e.g. 10.20.0.0/24: where the cabinet's management interfaces are. */
  managementSubnet: z.string().trim().min(1, { error: 'The management subnet, e.g. 10.20.0.0/24' }),
  /** The cabinet's device names follow the UI language the wizard runs in. */
  language: z.enum(['en', 'zh-CN']).default('en'),
});

export const WizardDiscoverInput = z.object({
  runId: RunId,
  /** CIDR blocks, a-b ranges or single addresses, separated by commas. */
  ranges: z.string().trim().min(1, { error: 'Addresses to search, e.g. 10.20.0.0/26' }),
  redfishPorts: z.array(z.number().int().min(1).max(65535)).min(1).max(4).default([443]),
  snmpPorts: z.array(z.number().int().min(1).max(65535)).min(1).max(4).default([161]),
  /** More credentials to try besides the factory defaults. */
  extraCredentials: z
    .array(z.object({ username: z.string().min(1).max(64), password: secret(z.string().min(1).max(128)) }))
    .max(10)
    .default([]),
  extraCommunities: z.array(secret(z.string().min(1).max(64))).max(10).default([]),
  /** Certificates the user compared and trusts ("address:port" → SHA-256): only these BMCs get the credentials typed above. */
  trusted: z.record(z.string(), z.string()).default({}),
});

export const WizardMatchInput = z.object({
  runId: RunId,
  matches: z.array(z.object({ slotId: z.string(), endpoint: z.string().nullable() })),
  /** Certificates the user compared and trusts: "address:port" → SHA-256 fingerprint. */
  trusted: z.record(z.string(), z.string()),
});

export const SnmpV3User = z.object({
  user: z.string().min(1).max(32),
  authProtocol: z.enum(['sha', 'sha256', 'sha512']),
  authKey: secret(z.string().min(8, { error: 'At least 8 characters' })),
  privProtocol: z.enum(['aes', 'aes256']),
  privKey: secret(z.string().min(8, { error: 'At least 8 characters' })),
});

export const WizardSecureInput = z.object({
  runId: RunId,
  /**
   * The site's SNMPv3 authPriv user to create on every SNMP device; null: EdgeCab makes one (named after the site, generated passphrases).
   * A user created by cloning keeps the factory admin's protocols, whatever is asked here.
   */
  snmpV3: SnmpV3User.nullable().default(null),
  /** Only these items again (a retry); all not done when empty. */
  only: z.array(z.string()).default([]),
});

export const WizardConfigureInput = z.object({
  runId: RunId,
  ntpServers: z.array(z.string().trim().min(1).max(255)).min(1, { error: 'At least one NTP server' }).max(4),
  dnsServers: z.array(z.string().trim().min(1).max(255)).min(1, { error: 'At least one DNS server' }).max(4),
  /**
   * EdgeCab's event receiver as the cabinet sees it (https://address:port), when it is not the address this
   * computer uses toward each BMC (NAT, another interface). Omitted: EdgeCab works it out per BMC.
   */
  eventDestination: z.string().trim().regex(/^https:\/\/[A-Za-z0-9.:[\]-]+(:\d{1,5})?\/?$/, { error: 'An https:// address, e.g. https://10.20.0.5:4781' }).optional(),
  /** Kept for older clients; trap destinations are set on the devices in step 3. */
  trapDestination: z.string().trim().regex(/^[A-Za-z0-9.:[\]-]+:\d{1,5}$/, { error: 'host:port, e.g. 10.20.0.5:162' }).optional(),
  only: z.array(z.string()).default([]),
});

export const WizardRunInput = z.object({ runId: RunId });
export const WizardGotoInput = z.object({ runId: RunId, step: z.number().int().min(1).max(5) });

export const WizardReport = z.object({ fileName: z.string(), html: z.string(), pdfBase64: z.string() });
export type WizardReport = z.infer<typeof WizardReport>;

/** Turns "10.0.0.0/30, 10.0.1.5-10.0.1.7, 10.0.2.9" into addresses; at most `limit`. */
export function expandRanges(text: string, limit = 4096): { addresses: string[]; error: string | null } {
  const addresses: string[] = [];
  const toNumber = (ip: string): number | null => {
    const parts = ip.split('.');
    if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null;
    return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
  };
  const toIp = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
  for (const raw of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    let first: number | null;
    let last: number | null;
    const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(raw);
    const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(raw);
    if (cidr) {
      const base = toNumber(cidr[1]!);
      const bits = Number(cidr[2]);
      if (base === null || bits > 32 || bits < 16) return { addresses: [], error: `"${raw}": use a block from /16 to /32` };
      const size = 2 ** (32 - bits);
      const network = Math.floor(base / size) * size;
      // Skip the network and broadcast addresses of blocks that have them.
      [first, last] = size > 2 ? [network + 1, network + size - 2] : [network, network + size - 1];
    } else if (range) {
      [first, last] = [toNumber(range[1]!), toNumber(range[2]!)];
      if (first === null || last === null || last < first) return { addresses: [], error: `"${raw}": a range goes from a lower to a higher IPv4 address` };
    } else {
      first = last = toNumber(raw);
      if (first === null) return { addresses: [], error: `"${raw}" is not an IPv4 address, range or CIDR block` };
    }
    for (let value = first!; value <= last!; value += 1) {
      if (addresses.length >= limit) return { addresses: [], error: `More than ${limit} addresses; search a smaller range` };
      addresses.push(toIp(value));
    }
  }
  return addresses.length ? { addresses: [...new Set(addresses)], error: null } : { addresses: [], error: 'No addresses given' };
}

/** Whether an IPv4 address lies in a CIDR block. */
export function inSubnet(address: string, cidr: string): boolean {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return address === cidr.trim();
  const toNumber = (ip: string) => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const size = 2 ** (32 - Number(match[2]));
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(match[1]!) / size);
}

export interface SlotToFill {
  slotId: string;
  deviceId: string;
  name: string;
  kind: string;
  protocol: 'redfish' | 'snmp';
  u: number;
  /** What the slot's device is known to be (from an earlier reading, or the template's model). */
  model: string | null;
  serial: string | null;
}

const addressOrder = (a: DiscoveredDevice, b: DiscoveredDevice) =>
  a.address.split('.').map(Number).reduce((diff, part, index) => diff || part - Number(b.address.split('.')[index]), 0) || a.port - b.port;

/**
 * Puts discovered devices in the cabinet's slots, bottom up: a device whose
 * serial the slot already knows first, then one of the same model, then one
 * of the same kind (BMCs may fill any server or storage slot), in address
 * order. Devices no credential opened are left for the user.
 */
export function proposeSlotMatches(slots: readonly SlotToFill[], discovered: readonly DiscoveredDevice[]): SlotMatch[] {
  const used = new Set<string>();
  const endpoint = (device: DiscoveredDevice) => `${device.address}:${device.port}`;
  const same = (a: string | null, b: string | null) => Boolean(a && b && a.trim().toLowerCase() === b.trim().toLowerCase());
  return [...slots]
    .sort((a, b) => a.u - b.u)
    .map((slot) => {
      const candidates = discovered.filter((device) => device.credential && device.protocol === slot.protocol && !used.has(endpoint(device))).sort(addressOrder);
      const pick =
        candidates.find((device) => same(device.serial, slot.serial)) ??
        candidates.find((device) => same(device.model, slot.model) && (slot.protocol === 'redfish' || device.kind === slot.kind)) ??
        candidates.find((device) => device.kind === slot.kind) ??
        (slot.protocol === 'redfish' ? candidates[0] : undefined);
      if (pick) used.add(endpoint(pick));
      return { slotId: slot.slotId, deviceId: slot.deviceId, name: slot.name, kind: slot.kind, protocol: slot.protocol, endpoint: pick ? endpoint(pick) : null };
    });
}
