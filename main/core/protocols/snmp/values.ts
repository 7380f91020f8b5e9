import type { ColumnField, ScalarField } from '../../../../shared/domain/snmp-profile.js';
import type { Varbind } from './session.js';

export type FieldValue = string | number | null;

function printable(buffer: Buffer): string | null {
  const trimmed = buffer.subarray(0, buffer.length - (buffer.at(-1) === 0 ? 1 : 0));
  const text = trimmed.toString('utf8');
  // Control characters (other than tab/newline) mean binary data, not text.
  return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text) ? null : text;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
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
      return typeof raw === 'string' ? raw : null;
    case 'mac':
      return Buffer.isBuffer(raw) && raw.length > 0 ? [...raw].map((byte) => byte.toString(16).padStart(2, '0')).join(':') : null;
    case 'timeticks':
      return typeof raw === 'number' ? raw / 100 : null;
  }
}
