import { ORPCError } from '@orpc/client';
import type { TFunction } from 'i18next';
import { toUiError } from '../../api/errors.js';

/** Device failures the catalog words in the UI language (energy.limit.refused.reasons); others keep the core's words. */
const WORDED_REASONS = new Set(['timeout', 'connection', 'auth', 'tls_untrusted', 'tls_changed']);

/** Watts as the UI shows them: whole watts, grouped in the UI language. */
export function wattsNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(value);
}

/**
 * Why a BMC does not limit power (main/core/protocols/redfish/power-limit.ts)
 * in the UI language; a reason the catalog does not know is shown as the core
 * wrote it.
 */
export function notLimitingText(t: TFunction, reason: string | null): string | null {
  if (!reason) return null;
  if (/\(no Power control, no PowerControl\)$/.test(reason)) return t('energy.limit.notLimitingWhy.nothing');
  if (/\(its PowerControl has no PowerLimit\)$/.test(reason)) return t('energy.limit.notLimitingWhy.noPowerLimit');
  if (reason === 'the BMC lists no chassis') return t('energy.limit.notLimitingWhy.noChassis');
  return reason;
}

/** "5000 W is outside what the BMC allows (150–1000 W)" in the UI language, or null for other words. */
function boundsText(t: TFunction, message: string, language: string): string | null {
  const bounds = /(\d+) W is outside what the BMC allows \((\d+)–(\d+) W\)/.exec(message);
  if (!bounds) return null;
  return t('energy.limit.refused.bounds', { watts: wattsNumber(Number(bounds[1]), language), min: wattsNumber(Number(bounds[2]), language), max: wattsNumber(Number(bounds[3]), language) });
}

/**
 * A refusal of a power limit (or of a read) in the UI language where the
 * catalog has words for it: outside the BMC's bounds, outside what the
 * contract takes, a BMC that does not limit power, a BMC that did not answer.
 * Anything else is the core's own message (a role refusal as toUiError words it).
 */
export function powerLimitRefusal(t: TFunction, cause: unknown, language: string): string {
  if (cause instanceof ORPCError) {
    const data = cause.data as { reason?: unknown; issues?: { field?: unknown; code?: unknown; message?: unknown }[] } | undefined;
    if (cause.code === 'CONFLICT') return t('energy.limit.refused.notLimiting');
    if (cause.code === 'DEVICE_UNREACHABLE') {
      const reason = typeof data?.reason === 'string' ? data.reason : '';
      // The bounds as the protocol layer words them, should a BMC's own bounds reach it.
      if (reason === 'not_allowed') return boundsText(t, cause.message, language) ?? cause.message;
      if (WORDED_REASONS.has(reason)) return t(`energy.limit.refused.reasons.${reason}`);
      return cause.message;
    }
    const issue = cause.code === 'BAD_REQUEST' && Array.isArray(data?.issues) ? data.issues.find((each) => each.field === 'watts') : undefined;
    if (issue) {
      const message = typeof issue.message === 'string' ? issue.message : '';
      // Outside the BMC's own bounds (read from it before sending), else outside what the contract takes at all.
      if (issue.code === 'out_of_range') return boundsText(t, message, language) ?? message;
      return t('energy.limit.refused.range');
    }
  }
  return toUiError(cause).message;
}

/** The core refused a cap itself (outside 50–100,000 W, as the contract has it): the emergency policy's and the standing caps' forms alike. */
export function capRefused(cause: unknown): boolean {
  if (!(cause instanceof ORPCError) || cause.code !== 'BAD_REQUEST') return false;
  const issues = (cause.data as { issues?: { field?: unknown }[] } | undefined)?.issues;
  return Array.isArray(issues) && issues.some((issue) => issue.field === 'capWatts');
}
