import { ORPCError } from '@orpc/client';
import i18next from 'i18next';
import { ROLES, type Role } from '../../shared/domain/access.js';
import type { FieldIssue } from '../../shared/domain/validation.js';

export interface UiError {
  message: string;
  /** Field → issue, for errors to show next to a form field. */
  fields: Record<string, FieldIssue>;
  /** Set when the core refused for want of a role (403): the role the action needs. */
  refused?: Role;
}

/**
 * The texts refusals (403) and unseen objects (404) were turned into, so
 * ErrorNotice, which gets only the message string from every screen, can
 * show them as what they are ("Not allowed: …", "Not found: …") rather
 * than as "Something went wrong". A few per language at most.
 */
const explained = new Map<string, 'refused' | 'not-found'>();

function explain(text: string, kind: 'refused' | 'not-found'): string {
  explained.set(text, kind);
  return text;
}

/** What kind of message ErrorNotice shows: a refusal, a not-found (both already worded for the user), or another error. */
export function messageKind(message: string): 'refused' | 'not-found' | 'error' {
  return explained.get(message) ?? 'error';
}

function refusedRole(error: ORPCError<string, unknown>): Role | null {
  if (error.code !== 'FORBIDDEN') return null;
  const role = (error.data as { role?: unknown } | undefined)?.role;
  return (ROLES as readonly unknown[]).includes(role) ? (role as Role) : null;
}

/**
 * Turns whatever a call threw into a message and per-field issues. Every
 * screen's errors pass through here, so a refusal (403) reads as the role it
 * needs and an unseen object (404) as not found, in the user's language.
 */
export function toUiError(error: unknown): UiError {
  const fields: Record<string, FieldIssue> = {};
  if (error instanceof ORPCError) {
    const role = refusedRole(error);
    if (role) return { message: explain(i18next.t('auth.refused.needs', { role: i18next.t(`auth.roles.${role}`) }), 'refused'), fields, refused: role };
    if (error.code === 'NOT_FOUND') return { message: explain(i18next.t('auth.notFound'), 'not-found'), fields };
    const data = error.data as { issues?: FieldIssue[]; field?: string | null; reason?: string } | undefined;
    for (const issue of data?.issues ?? []) fields[issue.field] ??= issue;
    if (error.code === 'CONFLICT' && data?.field) {
      fields[data.field] = { field: data.field, code: 'conflict', message: data.reason ?? error.message };
    }
    return { message: error.message, fields };
  }
  return { message: error instanceof Error ? error.message : String(error), fields };
}
