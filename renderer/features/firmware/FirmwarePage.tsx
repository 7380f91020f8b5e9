import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { Baseline, ComplianceOverview, FirmwarePackage } from '../../../shared/domain/firmware-repository.js';
import type { Region } from '../../../shared/domain/region.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useCan } from '../auth/access.js';
import { BaselinesPanel, type TargetChoices } from './BaselinesPanel.js';
import { CompliancePanel } from './CompliancePanel.js';
import { PlansPanel } from './PlansPanel.js';
import { RepositoryPanel } from './RepositoryPanel.js';
import './firmware.css';

const TABS = ['compliance', 'repository', 'baselines', 'plans'] as const;
type Tab = (typeof TABS)[number];

/** The firmware screen: compliance with the baselines, the package repository, and the baselines themselves; the tab is in the address. */
export function FirmwarePage() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const canManage = useCan('administrator', 'everywhere');
  const [params, setParams] = useSearchParams();
  const tab: Tab = TABS.find((name) => name === params.get('tab')) ?? 'compliance';
  const [packages, setPackages] = useState<FirmwarePackage[] | null>(null);
  const [baselines, setBaselines] = useState<Baseline[] | null>(null);
  const [templates, setTemplates] = useState<{ id: string; name: { en: string; 'zh-CN': string } }[]>([]);
  const [regions, setRegions] = useState<Region[]>([]);
  const [overview, setOverview] = useState<ComplianceOverview | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const fail = useCallback((cause: unknown) => setError(toUiError(cause).message), []);
  const load = useCallback(() => {
    client.firmware.packages().then(setPackages, fail);
    client.firmware.baselines().then(setBaselines, fail);
    client.firmware.compliance().then(setOverview, fail);
    setReloadKey((key) => key + 1);
  }, [client, fail]);
  useEffect(load, [load]);
  useEffect(() => {
    client.cabinets.templates().then(setTemplates, fail);
    client.regions.list().then(setRegions, fail);
  }, [client, fail]);

  const language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const choices: TargetChoices = useMemo(
    () => ({
      template: templates.map((template) => ({ id: template.id, name: template.name[language] })),
      region: regions.map((region) => ({ id: String(region.id), name: region.path })),
      site: (overview?.sites ?? []).map((site) => ({ id: site.siteId, name: `${site.name} (${site.code})` })),
    }),
    [templates, regions, overview, language],
  );

  return (
    <section className="page firmware-page" aria-labelledby="firmware-page-title">
      <header className="page-header">
        <div>
          <h1 id="firmware-page-title">{t('firmwareRepo.title')}</h1>
          <p className="muted">{t('firmwareRepo.intro')}</p>
        </div>
      </header>
      <div className="firmware-tabs" role="tablist" aria-label={t('firmwareRepo.title')}>
        {TABS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            className={tab === name ? 'firmware-tab active' : 'firmware-tab'}
            onClick={() =>
              setParams(
                (current) => {
                  const next = new URLSearchParams(current);
                  next.set('tab', name);
                  return next;
                },
                { replace: true },
              )
            }
          >
            {t(`firmwareRepo.tabs.${name}`)}
          </button>
        ))}
      </div>
      <ErrorNotice message={error} />
      {tab === 'compliance' ? <CompliancePanel reloadKey={reloadKey} /> : null}
      {tab === 'repository' ? <RepositoryPanel packages={packages} canManage={canManage} onChanged={load} /> : null}
      {tab === 'plans' ? <PlansPanel packages={packages ?? []} baselines={baselines ?? []} sites={choices.site} regions={choices.region} canManage={canManage} /> : null}
      {tab === 'baselines' ? <BaselinesPanel baselines={baselines} packages={packages ?? []} choices={choices} canManage={canManage} onChanged={load} /> : null}
    </section>
  );
}
