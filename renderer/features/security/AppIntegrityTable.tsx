import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SiteIntegrity } from '../../../shared/domain/integrity.js';
import { ageText, useNow } from '../../components/age.js';
import { formatDateTime } from '../../components/format.js';
import { checkedKinds, ChecksTable, Difference } from './IntegrityChecks.js';

/**
 * Per deployed app: when its containers were last looked at on the site's
 * engine, what was checked (images against the signed release, the
 * configuration against what was deployed), what differs, every check on
 * request. A difference is put right by deploying the release again.
 */
export function AppIntegrityTable({ apps }: { apps: SiteIntegrity['apps'] }) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const [open, setOpen] = useState<string | null>(null);
  if (apps.items.length === 0)
    return (
      <p className="muted small" data-testid="integrity-apps">
        {t('security.integrity.apps')}
      </p>
    );
  return (
    <table className="simple-table security-integrity" data-testid="integrity-apps">
      <thead>
        <tr>
          <th>{t('security.integrity.app')}</th>
          <th>{t('security.integrity.checked')}</th>
          <th>{t('security.integrity.what')}</th>
          <th>{t('security.integrity.differences')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {apps.items.map((app) => {
          const differing = app.checks.filter((check) => check.ok === false);
          const name = app.name ? (i18n.language === 'zh-CN' ? app.name['zh-CN'] : app.name.en) : app.appId;
          return (
            <Fragment key={app.appId}>
              <tr data-testid={`integrity-app-row-${app.appId}`} className={differing.length ? 'security-differs' : undefined}>
                <td>
                  {name} <span className="muted small">{app.version}</span>
                </td>
                <td className="nowrap" title={app.checkedAt ? formatDateTime(app.checkedAt, i18n.language) : undefined}>
                  {app.checkedAt ? ageText(t, app.checkedAt, now) : t('security.integrity.never')}
                </td>
                <td className="small">
                  {checkedKinds(t, app.checks) || '—'}
                  <div className="muted">{app.signedBy ? t('security.integrity.appAgainst', { signer: app.signedBy }) : t('security.integrity.appNoRelease')}</div>
                </td>
                <td>
                  {app.error ? <div className="security-failed small">{t('security.integrity.appFailed', { time: ageText(t, app.attemptedAt, now), error: app.error })}</div> : null}
                  {differing.length ? (
                    <>
                      <span className="badge badge-error">{t('security.integrity.differs', { count: differing.length })}</span>
                      <ul className="security-diff-list">
                        {differing.map((check) => (
                          <Difference key={check.key} check={check} />
                        ))}
                      </ul>
                    </>
                  ) : app.checkedAt ? (
                    <span className="badge badge-ok">{t('security.integrity.appMatches')}</span>
                  ) : null}
                </td>
                <td className="nowrap cell-actions">
                  {app.checks.length ? (
                    <button type="button" className="link-button" aria-expanded={open === app.appId} onClick={() => setOpen(open === app.appId ? null : app.appId)}>
                      {open === app.appId ? t('security.integrity.hideDetails') : t('security.integrity.details')}
                    </button>
                  ) : null}
                </td>
              </tr>
              {open === app.appId ? (
                <tr>
                  <td colSpan={5}>
                    <ChecksTable checks={app.checks} testId={`integrity-app-checks-${app.appId}`} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
