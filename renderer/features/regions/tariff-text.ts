import type { TFunction } from 'i18next';

/**
 * The core's words about a tariff's periods (shared/domain/energy.ts,
 * bandHours) in the UI language; a message it does not recognise is shown
 * as the core wrote it.
 */
export function tariffIssueText(t: TFunction, message: string): string {
  const none = /^(\d\d:00)–(\d\d:00) is in no period$/.exec(message);
  if (none) return t('energy.tariff.issues.noPeriod', { from: none[1], to: none[2] });
  const two = /^(\d\d:00)–(\d\d:00) is in period (\d+) and period (\d+)$/.exec(message);
  if (two) return t('energy.tariff.issues.twoPeriods', { from: two[1], to: two[2], first: two[3], second: two[4] });
  const empty = /^period (\d+) \((peak|flat|valley)\) is empty: it starts and ends at (\d+):00$/.exec(message);
  if (empty) return t('energy.tariff.issues.empty', { index: empty[1], band: t(`energy.tariff.bands.${empty[2]}`), hour: empty[3] });
  return message;
}

/** "07:00"; 24 is the midnight that ends the day. */
export function hourText(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}
