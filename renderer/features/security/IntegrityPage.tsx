import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import type { IntegritySiteSummary } from '../../../shared/domain/integrity.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import './security.css';

/** Where a site's differences are: on its devices, in its apps, or both. */
function differing(t: TFunction, site: IntegritySiteSummary): string {
  if (site.appsDiffering === 0) return t('security.fleet.differing', { count: site.differences, devices: site.devicesDiffering });
  if (site.devicesDiffering === 0) return t('security.fleet.differingApps', { count: site.differences, apps: site.appsDiffering });
  return t('security.fleet.differingBoth', { count: site.differences, devices: site.devicesDiffering, apps: site.appsDiffering });
}

/** The fleet's integrity: per site, devices and apps checked, differences and the last check; sites with differences first (the core's order). */
export function IntegrityPage() {
  const { t } = useTranslation();
  const { client } = useApi();
  const now = useNow();
  const [sites, setSites] = useState<IntegritySiteSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    client.integrity.fleet().then(
      (fleet) => {
        setSites(fleet.sites);
        setError(null);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client]);
  useEffect(load, [load]);
  useLiveEvents((event) => {
    if (event.type === 'alarm.changed' || event.type === 'connection.restored') load();
  });
  return (
    <section className="page" aria-labelledby="integrity-fleet-title">
      <header className="page-header">
        <div>
          <h1 id="integrity-fleet-title">{t('security.fleet.title')}</h1>
          <p className="muted">{t('security.fleet.intro')}</p>
        </div>
      </header>
      <ErrorNotice message={error} />
      {sites === null ? <p className="muted">{t('common.loading')}</p> : null}
      {sites !== null && sites.length === 0 ? <p className="muted">{t('security.fleet.empty')}</p> : null}
      {sites?.length ? (
        <section className="card">
          <table className="simple-table" data-testid="integrity-fleet">
            <thead>
              <tr>
                <th>{t('security.fleet.site')}</th>
                <th>{t('security.fleet.devices')}</th>
                <th>{t('security.fleet.apps')}</th>
                <th>{t('security.fleet.differences')}</th>
                <th>{t('security.fleet.lastCheck')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sites.map((site) => (
                <tr key={site.siteId} data-testid={`integrity-site-${site.siteCode}`} className={site.differences ? 'security-differs' : undefined}>
                  <td>
                    {site.siteName} <span className="muted small">{site.siteCode}</span>
                  </td>
                  <td>{site.devices ? t('security.fleet.devicesValue', { checked: site.devicesChecked, devices: site.devices }) : '—'}</td>
                  <td>{site.apps ? t('security.fleet.appsValue', { checked: site.appsChecked, apps: site.apps }) : '—'}</td>
                  <td>
                    {site.differences ? (
                      <span className="badge badge-error">{differing(t, site)}</span>
                    ) : (
                      <span className="badge badge-ok">{t('security.fleet.none')}</span>
                    )}
                  </td>
                  <td className="nowrap">{site.lastCheckedAt ? ageText(t, site.lastCheckedAt, now) : t('security.integrity.never')}</td>
                  <td>
                    <Link to={`/sites/${site.siteId}`}>{t('security.fleet.open')}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </section>
  );
}
