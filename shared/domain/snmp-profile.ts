import { z } from 'zod';
import { DEVICE_KINDS } from './snmp.js';

const Oid = z.string().regex(/^\d+(\.\d+)+$/, { error: 'Not a numeric OID' });
const FIELD_TYPES = ['string', 'integer', 'number', 'counter', 'enum', 'oid', 'mac', 'timeticks'] as const;

const FieldBase = {
  type: z.enum(FIELD_TYPES),
  /** Multiplies a numeric value, e.g. 0.1 for "tenths of a volt". */
  scale: z.number().positive().optional(),
  /** Raw integer → normalized name, for type "enum". */
  enum: z.record(z.string(), z.string()).optional(),
};

const checkEnum = (field: { type: string; enum?: Record<string, string> | undefined }) => field.type !== 'enum' || Boolean(field.enum);

export const ScalarField = z.object({ oid: Oid, ...FieldBase }).refine(checkEnum, { error: 'An enum field needs "enum"' });
export const ColumnField = z
  .object({ column: z.number().int().positive(), ...FieldBase })
  .refine(checkEnum, { error: 'An enum field needs "enum"' });

export const TableSpec = z.object({ entry: Oid, columns: z.record(z.string(), ColumnField) });

export const SECTION_TARGETS = ['system', 'interfaces', 'entities', 'sensors', 'ups', 'pdu', 'environment', 'host'] as const;
export type SectionTarget = (typeof SECTION_TARGETS)[number];

export const ProfileSection = z.object({
  target: z.enum(SECTION_TARGETS),
  scalars: z.record(z.string(), ScalarField).optional(),
  tables: z.record(z.string(), TableSpec).optional(),
});

/**
 * A device profile: which OIDs to read for which part of the normalized
 * device, and when it applies. Profiles are data (assets/snmp-profiles);
 * adding a device model means adding a file, not code.
 */
export const SnmpProfile = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    vendor: z.string().optional(),
    kind: z.enum(DEVICE_KINDS).optional(),
    match: z.object({
      always: z.boolean().optional(),
      sysObjectIdPrefixes: z.array(z.string().regex(/^\d+(\.\d+)*\.?$/)).optional(),
      /** The profile applies when the agent has something under this OID. */
      whenOidExists: Oid.optional(),
    }),
    vendorsBySysObjectId: z.record(z.string(), z.string()).optional(),
    contactKeywords: z.record(z.enum(['door', 'smoke', 'water']), z.array(z.string())).optional(),
    sections: z.array(ProfileSection),
  })
  .refine((profile) => profile.match.always || profile.match.sysObjectIdPrefixes?.length || profile.match.whenOidExists, {
    error: 'A profile must say when it applies (always, sysObjectIdPrefixes or whenOidExists)',
  });
export type SnmpProfile = z.infer<typeof SnmpProfile>;
export type ScalarField = z.infer<typeof ScalarField>;
export type ColumnField = z.infer<typeof ColumnField>;
export type TableSpec = z.infer<typeof TableSpec>;
