import { z } from 'zod';
import { DEVICE_KINDS, type SnmpDeviceKind } from '../../../../shared/domain/snmp.js';
import data from '../../../../assets/snmp-recognition.json' with { type: 'json' };

const Enterprises = z.object({
  source: z.string(),
  /** Enterprise numbers of agent software (Net-SNMP, Windows …): they name who wrote the agent, not who made the device. */
  agentSoftware: z.array(z.string().regex(/^\d+$/)),
  vendors: z.record(z.string().regex(/^\d+$/), z.string().min(1)),
  kinds: z.array(z.object({ prefix: z.string().regex(/^1\.3\.6\.1\.4\.1(\.\d+)+$/), kind: z.enum(DEVICE_KINDS), mib: z.string() })),
  descriptionKinds: z.array(z.object({ pattern: z.string().refine((pattern) => isRegExp(pattern), { error: 'not a regular expression' }), kind: z.enum(DEVICE_KINDS) })),
});

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

const ENTERPRISES = Enterprises.parse(data);
const PRIVATE = '1.3.6.1.4.1.';

/** The enterprise number a sysObjectID sits under, or null for one outside the private tree. */
export function enterpriseOf(objectId: string | null): string | null {
  if (!objectId?.startsWith(PRIVATE)) return null;
  return objectId.slice(PRIVATE.length).split('.')[0] || null;
}

/** The maker named by a sysObjectID's enterprise number; null when unknown or when it names agent software. */
export function vendorOfObjectId(objectId: string | null): string | null {
  const enterprise = enterpriseOf(objectId);
  if (!enterprise || ENTERPRISES.agentSoftware.includes(enterprise)) return null;
  return ENTERPRISES.vendors[enterprise] ?? null;
}

/** The kind a vendor's product tree says (the longest prefix that matches), or null. */
export function kindOfObjectId(objectId: string | null): SnmpDeviceKind | null {
  if (!objectId) return null;
  const matches = ENTERPRISES.kinds.filter((entry) => `${objectId}.`.startsWith(`${entry.prefix}.`));
  return matches.sort((a, b) => b.prefix.length - a.prefix.length)[0]?.kind ?? null;
}

/** The kind a device's own description (sysDescr) names ("UPS Web/SNMP Agent"), the last resort. */
export function kindOfDescription(description: string | null): SnmpDeviceKind | null {
  if (!description) return null;
  return ENTERPRISES.descriptionKinds.find((entry) => new RegExp(entry.pattern, 'i').test(description))?.kind ?? null;
}

const KNOWN_NAMES = [...new Set(Object.values(ENTERPRISES.vendors))];

/** A maker as a device names itself ("HUAWEI", "Eaton Corporation"), written as EdgeCab writes it where known; blank or placeholder text is none. */
export function canonicalVendor(name: string | null | undefined): string | null {
  const trimmed = name?.trim();
  if (!trimmed || /^(none|unknown|n\/a|-+)$/i.test(trimmed)) return null;
  const lower = trimmed.toLowerCase();
  return KNOWN_NAMES.find((known) => lower === known.toLowerCase() || lower.startsWith(`${known.toLowerCase()} `)) ?? trimmed;
}
