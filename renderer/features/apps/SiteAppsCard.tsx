import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppParameter, OutboxItemView, ParameterValue, SiteApp } from '../../../shared/domain/apps.js';
import { decimalSize } from '../../../shared/domain/engine.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Field } from '../../components/Field.js';
import { formatDateTime } from '../../components/format.js';
import { useReleaseChoice } from './useReleaseChoice.js';
import './apps.css';

const BADGE: Record<SiteApp['state'], string> = {
  queued: 'badge-muted',
  transferring: 'badge-warn',
  starting: 'badge-warn',
  healthy: 'badge-ok',
  unhealthy: 'badge-error',
  failed: 'badge-error',
  rolled_back: 'badge-warn',
  drifted: 'badge-error',
};

/** The site's apps as the engine showed them, the remote actions waiting for the site, and (operators) deploying a release here. */
export function SiteAppsCard({ siteId, canDeploy, hasEngine }: { siteId: string; canDeploy: boolean; hasEngine: boolean }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [apps, setApps] = useState<SiteApp[]>([]);
  const [actions, setActions] = useState<OutboxItemView[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.apps.siteApps({ siteId }).then(
      (answer) => {
        setApps(answer.apps);
        setActions(answer.actions);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client, siteId]);
  useEffect(load, [load]);
  // While something waits or runs, follow it closely; otherwise still look every few seconds, so that drift at the site shows without a reload.
  const busy = actions.some((action) => action.state === 'queued' || action.state === 'running');
  useEffect(() => {
    const timer = setInterval(load, busy ? 1500 : 5000);
    return () => clearInterval(timer);
  }, [busy, load]);

  const waiting = actions.filter((action) => action.state === 'queued');
  return (
    <section className="card" aria-labelledby="site-apps-title" data-testid="site-apps">
      <h2 id="site-apps-title">{t('apps.site.title')}</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {apps.length === 0 ? <p className="muted">{t(hasEngine ? 'apps.site.none' : 'apps.site.noEngine')}</p> : null}
      {apps.length > 0 ? (
        <table className="simple-table" data-testid="site-apps-table">
          <thead>
            <tr>
              <th>{t('apps.list.app')}</th>
              <th>{t('apps.list.version')}</th>
              <th>{t('apps.site.state')}</th>
              <th>{t('apps.site.detail')}</th>
              <th>{t('apps.site.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {apps.map((app) => (
              <tr key={app.appId} data-testid={`site-app-${app.appId}`}>
                <td>{app.appId}</td>
                <td>
                  {app.version}
                  {app.previousVersion ? <div className="muted">{t('apps.site.previous', { version: app.previousVersion })}</div> : null}
                </td>
                <td>
                  <span className={`badge ${BADGE[app.state]}`}>{t(`apps.site.states.${app.state}`)}</span>
                  {app.state === 'transferring' && app.bytesTotal ? (
                    <progress className="wide-progress" max={app.bytesTotal} value={app.bytesSent ?? 0} aria-label={t('apps.site.states.transferring')} />
                  ) : null}
                </td>
                <td>{app.detail ?? (app.bytesSent ? t('apps.site.sent', { size: decimalSize(app.bytesSent) }) : '')}</td>
                <td>{formatDateTime(app.updatedAt, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {waiting.map((action) => (
        <p key={action.id} className="notice notice-warn" data-testid="site-apps-waiting">
          {action.offlineSince ? t('apps.site.offline', { since: formatDateTime(action.offlineSince, i18n.language) }) : t('apps.site.waiting')}
        </p>
      ))}
      {canDeploy && hasEngine ? <DeployForm siteId={siteId} onQueued={load} /> : null}
    </section>
  );
}

export function ParameterInput({ parameter, value, onChange, language }: { parameter: AppParameter; value: ParameterValue; onChange: (value: ParameterValue) => void; language: 'en' | 'zh-CN' }) {
  const id = `deploy-param-${parameter.key}`;
  if (parameter.type === 'boolean')
    return (
      <label htmlFor={id} className="checkbox">
        <input id={id} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} /> {parameter.label[language]}
      </label>
    );
  const input =
    parameter.type === 'enum' ? (
      <select id={id} value={String(value)} onChange={(event) => onChange(event.target.value)}>
        {parameter.values.map((each) => (
          <option key={each} value={each}>
            {each}
          </option>
        ))}
      </select>
    ) : (
      <input id={id} inputMode={parameter.type === 'string' ? undefined : 'numeric'} value={String(value)} onChange={(event) => onChange(parameter.type === 'string' || !/^-?\d+$/.test(event.target.value) ? event.target.value : Number(event.target.value))} />
    );
  return (
    <Field id={id} label={`${parameter.label[language]} (${parameter.key})`}>
      {input}
    </Field>
  );
}

function DeployForm({ siteId, onQueued }: { siteId: string; onQueued: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const { apps, appId, setAppId, releases, version, setVersion, release, values, setValues } = useReleaseChoice((list) => list[0]?.version ?? '');
  const [stable, setStable] = useState('30');
  const [error, setError] = useState<string | null>(null);

  const deploy = async () => {
    setError(null);
    try {
      await client.apps.deploy({ siteId, appId, version, parameters: values, stableSeconds: Number(stable) });
      onQueued();
    } catch (cause) {
      const uiError = toUiError(cause);
      setError(Object.values(uiError.fields)[0]?.message ?? uiError.message);
    }
  };

  return (
    <form
      className="apps-deploy-form"
      aria-label={t('apps.site.deploy')}
      onSubmit={(event) => {
        event.preventDefault();
        void deploy();
      }}
    >
      <h3>{t('apps.site.deploy')}</h3>
      <div className="form-grid probe-grid">
        <Field id="deploy-app" label={t('apps.list.app')}>
          <select id="deploy-app" value={appId} onChange={(event) => setAppId(event.target.value)}>
            <option value="">—</option>
            {apps.map((app) => (
              <option key={app.appId} value={app.appId}>
                {app.name[language]}
              </option>
            ))}
          </select>
        </Field>
        <Field id="deploy-version" label={t('apps.list.version')}>
          <select id="deploy-version" value={version} onChange={(event) => setVersion(event.target.value)} disabled={releases.length === 0}>
            {releases.map((each) => (
              <option key={each.version} value={each.version} disabled={!each.signerTrusted}>
                {each.version}
              </option>
            ))}
          </select>
        </Field>
        {release?.manifest.parameters.map((parameter) => (
          <ParameterInput key={parameter.key} parameter={parameter} value={values[parameter.key] ?? parameter.default} language={language} onChange={(value) => setValues((current) => ({ ...current, [parameter.key]: value }))} />
        ))}
        <Field id="deploy-stable" label={t('apps.site.stable')} hint={t('apps.site.stableHint')}>
          <input id="deploy-stable" inputMode="numeric" value={stable} onChange={(event) => setStable(event.target.value)} />
        </Field>
      </div>
      {error ? (
        <p className="error" role="alert" data-testid="deploy-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={!release}>
        {t('apps.site.deployButton')}
      </button>
    </form>
  );
}
