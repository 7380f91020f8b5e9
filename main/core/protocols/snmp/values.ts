import type { ColumnField, ScalarField } from '../../../../shared/domain/snmp-profile.js';
import type { Varbind } from './session.js';

export type FieldValue = string | number | null;

function printable(buffer: Buffer): string | null {
  const trimmed = buffer.subarray(0, buffer.length - (buffer.at(-1) === 0 ? 1 : 0));
  const text = trimmed.toString('utf8');
  // Control characters (other than tab/newline) mean binary data, not text.
  return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text) ? null : text;
}

/** To six decimals: what a scaled reading keeps. */
export function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * Raw values agents send for "no reading" whatever the MIB says (the largest
 * and smallest 32-bit integers): never a measurement.
 */
const NOT_MEASURED_ANYWHERE = new Set([2147483647, 4294967295, -2147483648, -2147483647]);

/** A field's value, or why there is none although the agent answered. */
export interface FieldReading {
  value: FieldValue;
  /** Set when the agent answered something that is not a plausible value of the field. */
  unavailable: string | null;
}

/** The raw number of a numeric varbind, or null. */
export function rawNumber(raw: unknown): number | null {
  const value = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : Number.NaN;
  return Number.isFinite(value) ? value : null;
}

/** Why a raw number is no reading of the field (a "not measured" marker, outside the MIB's range), or null when it is one. */
function implausible(field: ScalarField | ColumnField, number: number): string | null {
  if ((NOT_MEASURED_ANYWHERE.has(number) && !field.saturates) || field.notMeasured?.includes(number)) return `${number} means "not measured"`;
  if (field.range && (number < field.range[0] || number > field.range[1])) return `${number} is outside the MIB's range ${field.range[0]}..${field.range[1]}`;
  return null;
}

/**
 * Reads a field as the MIB defines it: a number outside the field's range,
 * or one of the agent's "not measured" markers, is not available (with the
 * reason), never a value; an enumeration value the MIB does not list, or
 * an answer of the wrong type, likewise.
 */
export function readField(field: ScalarField | ColumnField, varbind: Varbind | undefined): FieldReading {
  const raw = varbind?.value;
  if (raw === null || raw === undefined) return { value: null, unavailable: null };
  const value = fieldValue(field, varbind);
  switch (field.type) {
    case 'integer':
    case 'number': {
      const number = rawNumber(raw);
      if (number === null) return { value: null, unavailable: `a ${typeof raw === 'object' ? 'non-numeric' : typeof raw} answer where the MIB has a number` };
      const why = implausible(field, number);
      return why ? { value: null, unavailable: why } : { value, unavailable: null };
    }
    case 'timeticks': {
      // A runtime of 4294967295 ticks is "not present", not 497 days.
      const ticks = rawNumber(raw);
      const why = ticks === null ? null : implausible(field, ticks);
      return why ? { value: null, unavailable: why } : { value, unavailable: null };
    }
    case 'enum':
      return value === null ? { value: null, unavailable: typeof raw === 'number' ? `${raw} is not one of the MIB's values` : 'not an enumeration value' } : { value, unavailable: null };
    default:
      return { value, unavailable: null };
  }
}

/** Turns a raw varbind into the profile field's normalized value; anything that does not fit becomes null. */
export function fieldValue(field: ScalarField | ColumnField, varbind: Varbind | undefined): FieldValue {
  const raw = varbind?.value;
  if (raw === null || raw === undefined) return null;
  switch (field.type) {
    case 'string': {
      if (Buffer.isBuffer(raw)) return printable(raw) ?? raw.toString('hex');
      return String(raw);
    }
    case 'integer':
    case 'number': {
      const value = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : Number.NaN;
      if (!Number.isFinite(value)) return null;
      return round(field.scale ? value * field.scale : value);
    }
    case 'counter':
      return typeof raw === 'bigint' || typeof raw === 'number' ? BigInt(raw).toString() : null;
    case 'enum':
      return typeof raw === 'number' ? (field.enum?.[String(raw)] ?? null) : null;
    case 'oid':
      // An OID that names a well-known thing (Liebert's measurement points) may be given a name by the profile.
      return typeof raw === 'string' ? (field.enum?.[raw] ?? raw) : null;
    case 'mac':
      return Buffer.isBuffer(raw) && raw.length > 0 ? [...raw].map((byte) => byte.toString(16).padStart(2, '0')).join(':') : null;
    case 'timeticks':
      // Seconds (TimeTicks are hundredths), times the scale: 1/60 gives minutes, as a UPS's runtime remaining.
      return typeof raw === 'number' ? round((raw / 100) * (field.scale ?? 1)) : null;
  }
}
