import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { SiteIntegrity } from '../../../shared/domain/integrity.js';
import type { Site } from '../../../shared/domain/site.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useCanAt } from '../auth/access.js';
import { AppIntegrityTable } from './AppIntegrityTable.js';
import { IdentityCard } from './IdentityCard.js';
import { IntegrityTable } from './IntegrityTable.js';
import { useSiteSecurity } from './useSiteSecurity.js';
import './security.css';

/** What the report covers: devices checked, apps checked (when any is deployed), differences. */
function summary(t: TFunction, report: SiteIntegrity): string {
  return [
    report.devices.length ? t('security.integrity.summaryDevices', { checked: report.devices.filter((device) => device.checkedAt).length, devices: report.devices.length }) : null,
    report.apps.deployed ? t('security.integrity.summaryApps', { checked: report.apps.items.filter((app) => app.checkedAt).length, apps: report.apps.deployed }) : null,
    t('security.integrity.summaryDifferences', { count: report.differences }),
  ]
    .filter((part) => part !== null)
    .join(' · ');
}

/** The site page's Security section: the cabinet's identity, the integrity of every device and of every deployed app. */
export function SecuritySection({ site }: { site: Site }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const canAt = useCanAt();
  const { identity, integrity, error, reload } = useSiteSecurity(site.id);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<string | null>(null);
  const canOperate = canAt('operator', site.regionId);
  const canAdminister = canAt('administrator', site.regionId);
  const anything = integrity !== null && (integrity.devices.length > 0 || integrity.apps.deployed > 0);

  const check = async () => {
    setChecking(true);
    setCheckError(null);
    try {
      await client.integrity.check({ siteId: site.id });
      reload();
    } catch (cause) {
      setCheckError(toUiError(cause).message);
    } finally {
      setChecking(false);
    }
  };

  return (
    <section className="card security-section" aria-labelledby="security-title" data-testid="security-section">
      <header className="page-header">
        <div>
          <h2 id="security-title">{t('security.title')}</h2>
          <p className="muted small">{t('security.intro')}</p>
        </div>
      </header>
      <ErrorNotice message={error} />
      <div className="security-grid">
        {identity ? <IdentityCard view={identity} siteName={site.name} canAdminister={canAdminister} onChanged={reload} /> : null}
        <section className="card security-integrity-card" aria-labelledby="integrity-title">
          <header className="page-header">
            <div>
              <h3 id="integrity-title">{t('security.integrity.title')}</h3>
              {integrity && anything ? (
                <p className="muted small" data-testid="integrity-summary">
                  {summary(t, integrity)}
                </p>
              ) : null}
            </div>
            {canOperate && anything ? (
              <button type="button" disabled={checking} onClick={() => void check()}>
                {checking ? t('security.integrity.checking') : t('security.integrity.checkNow')}
              </button>
            ) : null}
          </header>
          <ErrorNotice message={checkError} />
          {integrity ? <IntegrityTable report={integrity} canAdminister={canAdminister} onChanged={reload} /> : null}
          {integrity ? <AppIntegrityTable apps={integrity.apps} /> : null}
        </section>
      </div>
    </section>
  );
}
