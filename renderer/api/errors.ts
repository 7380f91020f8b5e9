import { ORPCError } from '@orpc/client';
import type { FieldIssue } from '../../shared/domain/validation.js';

export interface UiError {
  message: string;
  /** Field → issue, for errors to show next to a form field. */
  fields: Record<string, FieldIssue>;
}

/** Turns whatever a call threw into a message and per-field issues. */
export function toUiError(error: unknown): UiError {
  const fields: Record<string, FieldIssue> = {};
  if (error instanceof ORPCError) {
    const data = error.data as { issues?: FieldIssue[]; field?: string | null; reason?: string } | undefined;
    for (const issue of data?.issues ?? []) fields[issue.field] ??= issue;
    if (error.code === 'CONFLICT' && data?.field) {
      fields[data.field] = { field: data.field, code: 'conflict', message: data.reason ?? error.message };
    }
    return { message: error.message, fields };
  }
  return { message: error instanceof Error ? error.message : String(error), fields };
}
