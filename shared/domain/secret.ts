import { z } from 'zod';

/**
 * Fields whose values are secrets (passwords, communities, keys, webhook
 * secrets). The audit log, logs and answers redact by this mark, never by
 * a field's name.
 */
export const secretFields = z.registry<{ secret: true }>();
/** Long texts the audit log records by length only (an uploaded CSV). */
export const bulkFields = z.registry<{ bulk: true }>();

/** Marks a schema as holding a secret; it shows as a password field in the OpenAPI document. */
export function secret<T extends z.ZodType>(schema: T): T {
  secretFields.add(schema, { secret: true });
  return schema;
}

export function bulk<T extends z.ZodType>(schema: T): T {
  bulkFields.add(schema, { bulk: true });
  return schema;
}
