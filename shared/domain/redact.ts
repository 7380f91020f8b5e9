import type { z } from 'zod';
import { bulkFields, secretFields } from './secret.js';

export const HIDDEN = '<hidden>';

/** The parts of zod's schema definitions the walk needs. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: readonly z.ZodType[];
  valueType?: z.ZodType;
  items?: readonly z.ZodType[];
  rest?: z.ZodType | null;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
interface BlobLike {
  size: number;
  name?: string;
  arrayBuffer: () => unknown;
}
/** shared/ has no DOM or Node types: a Blob or File is recognised by its shape. */
const isBlobLike = (value: unknown): value is BlobLike =>
  typeof value === 'object' && value !== null && typeof (value as BlobLike).size === 'number' && typeof (value as BlobLike).arrayBuffer === 'function';
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !isBlobLike(value);

/** What a file or a bulk text becomes in a log: its size, never its content. */
function summarize(value: unknown): unknown {
  if (typeof value === 'string') return `<${value.length} characters>`;
  if (isBlobLike(value)) return `<file ${value.name ?? ''}, ${value.size} bytes>`;
  return value;
}

/**
 * A copy of `value` with every field the schema marks secret replaced by
 * "<hidden>" (and bulk texts and files by their size), following the schema
 * through objects, arrays, records, unions and wrappers. Field names play no
 * part: a community in a list is hidden because its schema says secret.
 */
export function redact(schema: z.ZodType | undefined, value: unknown, depth = 0): unknown {
  if (value === undefined || value === null) return value;
  if (isBlobLike(value)) return summarize(value);
  if (!schema || depth > 32) return value;
  if (secretFields.has(schema)) return HIDDEN;
  if (bulkFields.has(schema)) return summarize(value);
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
    case 'success':
      return redact(def.innerType, value, depth + 1);
    case 'pipe':
      return redact(def.in, value, depth + 1);
    case 'lazy':
      return redact(def.getter?.(), value, depth + 1);
    case 'object': {
      if (!isRecord(value)) return value;
      const shape = def.shape ?? {};
      // Own keys only: an input key like "constructor" or "toString" must not find Object.prototype's members as a schema.
      const own = (key: string) => (Object.prototype.hasOwnProperty.call(shape, key) ? shape[key] : undefined);
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redact(own(key), child, depth + 1)]));
    }
    case 'array':
      return Array.isArray(value) ? value.map((child: unknown) => redact(def.element, child, depth + 1)) : value;
    case 'tuple':
      return Array.isArray(value) ? value.map((child: unknown, index) => redact(def.items?.[index] ?? def.rest ?? undefined, child, depth + 1)) : value;
    case 'record':
    case 'map':
      return isRecord(value) ? Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redact(def.valueType, child, depth + 1)])) : value;
    case 'union': {
      // Apply every option's marks: whichever option the value matched, its secrets are hidden.
      let result: unknown = value;
      for (const option of def.options ?? []) result = redact(option, result, depth + 1);
      return result;
    }
    case 'intersection':
      return redact(def.right, redact(def.left, value, depth + 1), depth + 1);
    default:
      return value;
  }
}
