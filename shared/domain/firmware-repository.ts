import { z } from 'zod';

/**
 * The firmware repository (issue 13, parts 2 and 3): packages — an image
 * plus its description — and baselines that say which version each
 * component of each model should run, with compliance computed from what
 * the devices' inventory reads showed.
 */

/** An image may be up to 2 GiB (a full server bundle); a description up to 1 MiB, a catalog up to 16 MiB. */
export const MAX_FIRMWARE_IMAGE_BYTES = 2 * 1024 * 1024 * 1024;
export const MAX_FIRMWARE_DESCRIPTION_BYTES = 1024 * 1024;
export const MAX_FIRMWARE_CATALOG_BYTES = 16 * 1024 * 1024;

/** The descriptor formats taken: JSON, and the XML schema's older (1.0) and newer (2.0) versions (assets/firmware/*.xsd). */
export const DESCRIPTOR_FORMATS = ['json', 'xml-1.0', 'xml-2.0'] as const;
export type DescriptorFormat = (typeof DESCRIPTOR_FORMATS)[number];

const word = (what: string, max: number) =>
  z
    .string({ error: `${what} is missing` })
    .trim()
    .min(1, { error: `${what} is empty` })
    .max(max, { error: `${what} is longer than ${max} characters` })
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: `${what} holds control characters` });

export const FirmwareSignature = z.object({
  keyId: z.string().regex(/^[0-9a-f]{64}$/, { error: 'A signature names its key by 64 hex digits (the SHA-256 of the Ed25519 public key)' }),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, { error: 'An Ed25519 signature is 64 bytes in base64' }),
});
export type FirmwareSignature = z.infer<typeof FirmwareSignature>;

/** What a package says of itself, whichever format it came in. */
export const FirmwareDescription = z.object({
  vendor: word('The vendor', 80),
  /** What it updates, as its vendor names it: BMC, BIOS, NIC, RAID, PSU, CPLD, UPS … */
  component: word('The component', 80),
  version: word('The version', 80),
  releaseDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'The release date is not a date (YYYY-MM-DD)' }),
  appliesTo: z.object({
    models: z.array(word('A model', 120)).min(1, { error: 'The description names no model it applies to' }).max(200),
    /** The device components it updates, matched with the Id or name a device's firmware inventory gives them. */
    components: z.array(word('A component', 80)).min(1, { error: 'The description names no component it applies to' }).max(50),
  }),
  notes: z.object({ en: z.string().max(8000), 'zh-CN': z.string().max(8000) }),
  image: z.object({
    fileName: word('The image file name', 200),
    sizeBytes: z.number({ error: 'The image size is not a number' }).int({ error: 'The image size is not a whole number' }).positive({ error: 'The image size is not above 0' }).max(MAX_FIRMWARE_IMAGE_BYTES, { error: 'An image is at most 2 GiB' }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, { error: 'The SHA-256 is not 64 hex digits' }).transform((value) => value.toLowerCase()),
  }),
  signature: FirmwareSignature.nullable(),
});
export type FirmwareDescription = z.infer<typeof FirmwareDescription>;

/**
 * The exact bytes a signature covers: the fields that decide what an image
 * is and where it goes, in a fixed order, the same whichever format the
 * description came in (so a package signed once is verified from JSON and
 * from either XML version alike).
 */
export function firmwareSignedStatement(description: Omit<FirmwareDescription, 'signature' | 'notes' | 'releaseDate'>): string {
  const sorted = (values: readonly string[]) => [...values].sort();
  return JSON.stringify({
    format: 'edgecab-firmware-package/1',
    vendor: description.vendor,
    component: description.component,
    version: description.version,
    models: sorted(description.appliesTo.models),
    components: sorted(description.appliesTo.components),
    sha256: description.image.sha256,
    sizeBytes: description.image.sizeBytes,
  });
}

export const FirmwarePackage = z.object({
  id: z.string(),
  description: FirmwareDescription,
  format: z.enum(DESCRIPTOR_FORMATS),
  /** false: registered from a catalog, its image not uploaded yet (it cannot be sent anywhere). */
  imageStored: z.boolean(),
  signer: z.object({ keyId: z.string(), name: z.string().nullable(), trusted: z.boolean() }).nullable(),
  addedAt: z.string(),
  addedBy: z.string().nullable(),
  /** Baselines that use it (a package in a baseline cannot be removed). */
  baselines: z.array(z.object({ id: z.number().int(), name: z.string() })),
});
export type FirmwarePackage = z.infer<typeof FirmwarePackage>;

export const FirmwareUploadResult = z.object({ package: FirmwarePackage, stored: z.boolean() });
export type FirmwareUploadResult = z.infer<typeof FirmwareUploadResult>;

export const CatalogImportResult = z.object({
  format: z.enum(DESCRIPTOR_FORMATS),
  registered: z.array(FirmwarePackage),
  /** Packages the repository held already (the same image and description). */
  alreadyKnown: z.number().int(),
});
export type CatalogImportResult = z.infer<typeof CatalogImportResult>;

export const BASELINE_SCOPES = ['template', 'region', 'site'] as const;
export type BaselineScope = (typeof BASELINE_SCOPES)[number];

export const BaselineTarget = z.object({ scope: z.enum(BASELINE_SCOPES), id: z.string().trim().min(1).max(80) });
export type BaselineTarget = z.infer<typeof BaselineTarget>;

export const BaselineInput = z.object({
  name: word('The name', 80),
  packageIds: z.array(z.string().regex(/^fw-[0-9a-f]{16}$/, { error: 'Not a firmware package id' })).min(1, { error: 'Choose at least one package' }).max(500),
  targets: z.array(BaselineTarget).max(1000),
});
export type BaselineInput = z.infer<typeof BaselineInput>;

export const Baseline = z.object({
  id: z.number().int(),
  name: z.string(),
  packages: z.array(z.object({ id: z.string(), vendor: z.string(), component: z.string(), version: z.string(), models: z.array(z.string()) })),
  targets: z.array(BaselineTarget.extend({ name: z.string() })),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type Baseline = z.infer<typeof Baseline>;

export const COMPLIANCE_STATES = ['compliant', 'behind', 'ahead', 'unknown'] as const;
export type ComplianceState = (typeof COMPLIANCE_STATES)[number];

export const ComplianceCounts = z.object({
  devices: z.number().int(),
  compliant: z.number().int(),
  behind: z.number().int(),
  ahead: z.number().int(),
  unknown: z.number().int(),
  /** Devices no baseline covers (their model is in none of the site's baseline packages): not counted as out of compliance. */
  noBaseline: z.number().int(),
});
export type ComplianceCounts = z.infer<typeof ComplianceCounts>;

export const DeviceCompliance = z.object({
  deviceId: z.string(),
  name: z.string(),
  siteId: z.string(),
  /** The model the baseline was matched with: as the device's inventory read it, else as the cabinet's layout names it. */
  model: z.string().nullable(),
  baseline: z.object({ id: z.number().int(), name: z.string(), scope: z.enum(BASELINE_SCOPES) }).nullable(),
  /** The worst of its components (behind, then ahead, then unknown); null when no baseline covers it. */
  state: z.enum(COMPLIANCE_STATES).nullable(),
  components: z.array(
    z.object({
      component: z.string(),
      packageId: z.string(),
      target: z.string(),
      /** What the device's last inventory read showed; null: never read. */
      current: z.string().nullable(),
      readAt: z.string().nullable(),
      state: z.enum(COMPLIANCE_STATES),
    }),
  ),
});
export type DeviceCompliance = z.infer<typeof DeviceCompliance>;

export const ComplianceOverview = z.object({
  computedAt: z.string(),
  fleet: ComplianceCounts,
  /** Each region with everything below it counted in. */
  regions: z.array(z.object({ regionId: z.number().int(), name: z.string(), parentId: z.number().int().nullable(), counts: ComplianceCounts })),
  sites: z.array(z.object({ siteId: z.string(), name: z.string(), code: z.string(), regionId: z.number().int().nullable(), counts: ComplianceCounts })),
});
export type ComplianceOverview = z.infer<typeof ComplianceOverview>;

export const SiteCompliance = z.object({ siteId: z.string(), computedAt: z.string(), counts: ComplianceCounts, devices: z.array(DeviceCompliance) });
export type SiteCompliance = z.infer<typeof SiteCompliance>;

/** A model name as packages and inventories are matched by: spaces collapsed, case ignored. */
export const modelKey = (model: string): string => model.trim().replace(/\s+/g, ' ').toLowerCase();

/** The names (lower case) a device's firmware inventory may give the component a package updates: its component and the components it applies to. */
export function componentNames(description: Pick<FirmwareDescription, 'component' | 'appliesTo'>): Set<string> {
  return new Set([description.component, ...description.appliesTo.components].map((name) => name.toLowerCase()));
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Firmware version order: digit runs compared as numbers ("2.10" after "2.9"), letters without case; 0 for the same version. */
export function compareFirmwareVersions(a: string, b: string): number {
  const left = a.trim();
  const right = b.trim();
  if (left.toLowerCase() === right.toLowerCase()) return 0;
  return collator.compare(left, right);
}

export function complianceOf(current: string | null, target: string): ComplianceState {
  if (current === null) return 'unknown';
  const order = compareFirmwareVersions(current, target);
  return order === 0 ? 'compliant' : order < 0 ? 'behind' : 'ahead';
}

const RANK: Record<ComplianceState, number> = { compliant: 0, unknown: 1, ahead: 2, behind: 3 };

/** A device's state from its components': the one that needs most attention. */
export function worstCompliance(states: readonly ComplianceState[]): ComplianceState | null {
  let worst: ComplianceState | null = null;
  for (const state of states) if (worst === null || RANK[state] > RANK[worst]) worst = state;
  return worst;
}

export function emptyCounts(): ComplianceCounts {
  return { devices: 0, compliant: 0, behind: 0, ahead: 0, unknown: 0, noBaseline: 0 };
}

export function addToCounts(counts: ComplianceCounts, state: ComplianceState | null): void {
  counts.devices += 1;
  if (state === null) counts.noBaseline += 1;
  else counts[state] += 1;
}
