import { z } from 'zod';
import { DEVICE_KINDS } from './snmp.js';

const Oid = z.string().regex(/^\d+(\.\d+)+$/, { error: 'Not a numeric OID' });
const FIELD_TYPES = ['string', 'integer', 'number', 'counter', 'enum', 'oid', 'mac', 'timeticks'] as const;

const FieldBase = {
  type: z.enum(FIELD_TYPES),
  /** Multiplies a numeric value, e.g. 0.1 for "tenths of a volt". */
  scale: z.number().positive().optional(),
  /** Raw integer → normalized name, for type "enum"; for type "oid", a well-known OID value → its name. */
  enum: z.record(z.string(), z.string()).optional(),
  /**
   * The raw values the MIB allows (before scale), inclusive, e.g. [0, 100] for
   * upsEstimatedChargeRemaining: anything outside is "not available", never a number.
   */
  range: z.tuple([z.number(), z.number()]).refine(([min, max]) => min <= max, { error: 'A range is [min, max] with min ≤ max' }).optional(),
  /** Raw values an agent uses for "not measured" inside the range (e.g. -1 for a temperature). */
  notMeasured: z.array(z.number()).optional(),
  /** The value saturates at its maximum (ifSpeed: 4294967295 means "that or more"): the largest 32-bit values are readings here, not "not measured". */
  saturates: z.boolean().optional(),
};

const checkEnum = (field: { type: string; enum?: Record<string, string> | undefined }) => field.type !== 'enum' || Boolean(field.enum);
// A number without its MIB range would let a "not measured" marker through as a reading.
const checkRange = (field: { type: string; range?: readonly [number, number] | undefined }) => !(field.type === 'number' || field.type === 'integer') || Boolean(field.range);
const RANGE_NEEDED = { error: 'A number or integer field needs "range": [min, max], the raw values its MIB allows' };

export const ScalarField = z.object({ oid: Oid, ...FieldBase }).refine(checkEnum, { error: 'An enum field needs "enum"' }).refine(checkRange, RANGE_NEEDED);
const Availability = z
  .object({
    oid: Oid,
    values: z.array(z.number().int()).min(1),
    scalar: z.boolean().optional(),
    /** Unanswered means no reading too: for the objects that say what a value is (a unit, a sensor type), where silence proves nothing either way. */
    required: z.boolean().optional(),
  })
  .refine((condition) => !(condition.scalar && condition.oid.endsWith('.0')), { error: 'A scalar condition names the object without its .0 instance' });

export const ColumnField = z
  .object({
    column: z.number().int().positive(),
    ...FieldBase,
    /**
     * Tables whose index ends in the kind of measurement (Raritan PDU2: pduId.outletId.sensorType):
     * only the rows whose index ends in this arc, with it removed, so one row per outlet has current, power … as columns.
     */
    indexSuffix: z.string().regex(/^\d+(\.\d+)*$/).optional(),
    /** The column (an OID, indexed as this one) giving each value's decimal digits: the value is divided by 10^digits. */
    decimalDigitsFrom: Oid.optional(),
    /**
     * The value is no reading when this column (an OID, indexed as this one) answers something other than `values` (a sensor's "is available",
     * "communication ok"); with `scalar`, the OID is one scalar for every row (APC's memSensorsStatusSysTempUnits: a temperature is °C only when it says so).
     * Several conditions must all hold. An unanswered condition proves nothing and lets the value stand, unless it is `required`.
     */
    availableWhen: z.union([Availability, z.array(Availability).min(1)]).optional(),
  })
  .refine(checkEnum, { error: 'An enum field needs "enum"' })
  .refine(checkRange, RANGE_NEEDED);

export const TableSpec = z.object({
  entry: Oid,
  columns: z.record(z.string(), ColumnField),
  /** Vendors' per-entity tables answer 0 in every column for a card that measures nothing: such rows are no readings. */
  allZeroMeansNotMeasured: z.boolean().optional(),
  /**
   * The "table" is a group of scalars describing one line (APC's and XPPC's single-phase input and output): its row takes this index,
   * so it fills UPS-MIB's line of the same number instead of adding a second line.
   */
  rowIndex: z.string().regex(/^\d+(\.\d+)*$/).optional(),
});

export const SECTION_TARGETS = ['system', 'identity', 'interfaces', 'entities', 'sensors', 'ups', 'pdu', 'environment', 'host'] as const;
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
