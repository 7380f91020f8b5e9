import i18next, { type TFunction } from 'i18next';
import type { Grant } from '../../../shared/domain/access.js';
import type { FieldIssue } from '../../../shared/domain/validation.js';
import { issueText } from '../../i18n/index.js';

/** "Operator · Hubei/Wuhan", "Administrator · every region": a grant as a person reads it. */
export function grantText(t: TFunction, grant: Grant, regionPaths: ReadonlyMap<number, string>): string {
  const where = grant.regionId === null ? t('users.everyRegion') : (regionPaths.get(grant.regionId) ?? `#${grant.regionId}`);
  return `${t(`auth.roles.${grant.role}`)} · ${where}`;
}

/**
 * A user form's field issue in the user's language: the users screen's own
 * texts first (the core words them for the REST API), then the shared ones.
 */
export function userIssueText(t: TFunction, issue: FieldIssue): string {
  // The core refuses to leave nobody able to manage users as a conflict on the grants.
  if (issue.field === 'grants' && issue.code === 'conflict') return t('users.issues.lastAdministrator');
  const field = issue.field.split('.')[0] ?? '';
  for (const key of [`users.issues.${field}.${issue.code}`, `users.issues.${issue.code}`]) {
    if (i18next.exists(key)) return t(key);
  }
  return issueText(t, issue);
}

/** Field → text, for the form's inline errors; grants.0.regionId and the like land on "grants". */
export function fieldTexts(t: TFunction, fields: Record<string, FieldIssue>): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const issue of Object.values(fields)) texts[issue.field.split('.')[0] ?? ''] ??= userIssueText(t, issue);
  return texts;
}
