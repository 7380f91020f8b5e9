import { z } from 'zod';

/** One rejected input field, as every transport reports it. */
export const FieldIssue = z.object({
  /** Dotted path of the field, e.g. "latitude"; "" for the input as a whole. */
  field: z.string(),
  code: z.string(),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof FieldIssue>;

export const ValidationProblem = z.object({ issues: z.array(FieldIssue) });
export type ValidationProblem = z.infer<typeof ValidationProblem>;

interface IssueLike {
  readonly code?: string;
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
}

export function toFieldIssues(issues: readonly IssueLike[]): FieldIssue[] {
  return issues.map((issue) => ({
    field: (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)).join('.'),
    code: issue.code ?? 'invalid',
    message: issue.message,
  }));
}

/** Field name → first message, for showing errors next to form fields. */
export function issuesByField(issues: readonly FieldIssue[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const issue of issues) byField[issue.field] ??= issue.message;
  return byField;
}

/**
 * A boolean in a query string: "true"/"false" (also 1/0, yes/no, on/off) as
 * well as a real boolean from the RPC transport. z.coerce.boolean() would
 * turn the string "false" into true.
 */
export const queryBoolean = () => z.union([z.boolean(), z.stringbool({ error: 'true or false' })]);

/** An IANA time zone this runtime knows, e.g. Asia/Shanghai. */
export const ianaTimeZone = () =>
  z
    .string()
    .min(1)
    .max(60)
    .refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'A time zone like Asia/Shanghai' },
    );
