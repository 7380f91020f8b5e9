import type { z } from 'zod';
import { contract } from '../../../shared/contract/index.js';
import { HIDDEN, redact } from '../../../shared/domain/redact.js';

type Procedure = { '~orpc': { inputSchema?: z.ZodType } };

/** The contract's input schema of an operation ("devices.connect"). */
export function inputSchemaOf(operationId: string): z.ZodType | undefined {
  const [group, name] = operationId.split('.') as [string, string];
  const procedures = (contract as unknown as Record<string, Record<string, Procedure>>)[group];
  return procedures?.[name]?.['~orpc'].inputSchema;
}

/**
 * The values a request puts into fields the contract marks secret: what
 * redact() hides is exactly what must never come back in an answer or land
 * in the audit log. Short values are left out (a 3-letter "secret" shows up
 * in any text by chance), and so are values that also sit in a field that
 * is not secret (then they may come back legitimately, as a name).
 */
export function secretValues(operationId: string, input: unknown, minLength = 8): string[] {
  const schema = inputSchemaOf(operationId);
  if (!schema || input === null || typeof input !== 'object') return [];
  const redacted = redact(schema, input);
  const found: string[] = [];
  const walk = (original: unknown, hidden: unknown, depth: number) => {
    if (depth > 12) return;
    if (hidden === HIDDEN && typeof original === 'string' && original !== HIDDEN) {
      if (original.length >= minLength) found.push(original);
      return;
    }
    if (original && typeof original === 'object' && hidden && typeof hidden === 'object') {
      for (const [key, child] of Object.entries(original)) walk(child, (hidden as Record<string, unknown>)[key], depth + 1);
    }
  };
  walk(input, redacted, 0);
  const visible = JSON.stringify(redacted) ?? '';
  return [...new Set(found)].filter((value) => !visible.includes(value) && value.trim().length >= minLength);
}

/** How a value may show up in a text: as is, JSON-escaped (inside a JSON answer or audit detail), or base64 (Basic auth). */
export function appearances(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  return [...new Set([value, escaped, JSON.stringify(escaped).slice(1, -1)])];
}

export function leaks(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => appearances(secret).some((form) => text.includes(form)));
}
