import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { INTEGRITY_KINDS, type IntegrityCheck } from '../../../shared/domain/integrity.js';

/** The parts of an integrity report a device's row and an app's row show alike: a difference, what was checked, every check. */

export const valueText = (t: TFunction, value: string | null, missing: 'missing' | 'notRecorded' | 'notRead') => value ?? t(`security.integrity.${missing}`);

/** One difference: what (in the device's or engine's own words) on one line, recorded → now below it. */
export function Difference({ check }: { check: IntegrityCheck }) {
  const { t } = useTranslation();
  return (
    <li>
      <span className="muted">{t(`security.integrity.kinds.${check.kind}`)}</span> {check.property} <span className="muted">({check.component})</span>
      <div className="mono security-change">
        {valueText(t, check.expected, 'notRecorded')} → {valueText(t, check.actual, 'missing')}
      </div>
    </li>
  );
}

/** What was checked: each kind with how many properties. */
export function checkedKinds(t: TFunction, checks: readonly IntegrityCheck[]): string {
  const counts = new Map<string, number>();
  for (const check of checks) counts.set(check.kind, (counts.get(check.kind) ?? 0) + 1);
  return INTEGRITY_KINDS.filter((kind) => counts.has(kind))
    .map((kind) => t('security.integrity.checkCount', { kind: t(`security.integrity.kinds.${kind}`), count: counts.get(kind) }))
    .join(' · ');
}

/** Every check: what, the recorded value (and where it comes from), what is there now, the result. */
export function ChecksTable({ checks, testId }: { checks: readonly IntegrityCheck[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <table className="simple-table security-checks" data-testid={testId}>
      <thead>
        <tr>
          <th>{t('security.integrity.what')}</th>
          <th>{t('security.integrity.expected')}</th>
          <th>{t('security.integrity.actual')}</th>
          <th>{t('security.integrity.result')}</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((check) => (
          <tr key={check.key} className={check.ok === false ? 'security-differs' : undefined}>
            <td>
              <span className="muted small">{t(`security.integrity.kinds.${check.kind}`)}</span> {check.component} · {check.property}
            </td>
            <td className="mono break-all">
              {valueText(t, check.expected, 'notRecorded')}
              {check.source === 'baseline' ? <span className="muted small"> ({t('security.integrity.source.baseline')})</span> : null}
            </td>
            <td className="mono break-all">{valueText(t, check.actual, check.ok === null ? 'notRead' : 'missing')}</td>
            <td className="nowrap">{t(`security.integrity.results.${check.ok === null ? 'unread' : check.ok ? 'ok' : 'differs'}`)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
