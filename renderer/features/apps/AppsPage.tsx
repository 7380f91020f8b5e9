import { Fragment, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppRelease, AppSummary, Publisher } from '../../../shared/domain/apps.js';
import { decimalSize } from '../../../shared/domain/engine.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { useCan } from '../auth/access.js';
import { PublishersCard } from './PublishersCard.js';
import { UploadRelease } from './UploadRelease.js';
import './apps.css';

type Language = 'en' | 'zh-CN';

/** The app repository: what is in it (apps, versions, size, signer), uploading a release, and the trusted publishers. */
export function AppsPage() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const canUpload = useCan('administrator', 'everywhere');
  const canTrust = useCan('administrator', 'everywhere');
  const [apps, setApps] = useState<AppSummary[] | null>(null);
  const [publishers, setPublishers] = useState<Publisher[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [releases, setReleases] = useState<AppRelease[]>([]);
  const [error, setError] = useState<string | null>(null);
  const language: Language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';

  const load = useCallback(() => {
    client.apps.list().then(setApps, (cause: unknown) => setError(toUiError(cause).message));
    client.apps.publishers().then(setPublishers, (cause: unknown) => setError(toUiError(cause).message));
  }, [client]);
  useEffect(load, [load]);
  useEffect(() => {
    if (!open) return setReleases([]);
    client.apps.releases({ appId: open }).then(setReleases, (cause: unknown) => setError(toUiError(cause).message));
  }, [client, open, apps]);

  return (
    <section className="page apps-page" aria-labelledby="apps-title">
      <header className="page-header">
        <div>
          <h1 id="apps-title">{t('apps.title')}</h1>
          <p className="muted">{t('apps.intro')}</p>
        </div>
      </header>
      <ErrorNotice message={error} />
      {canUpload ? <UploadRelease onUploaded={load} /> : null}
      <div className="card scroll-x">
        {apps === null ? <p className="muted">{t('common.loading')}</p> : null}
        {apps && apps.length === 0 ? <p className="empty">{t('apps.list.empty')}</p> : null}
        {apps && apps.length > 0 ? (
          <table className="simple-table" data-testid="apps-table">
            <thead>
              <tr>
                <th>{t('apps.list.app')}</th>
                <th>{t('apps.list.latest')}</th>
                <th>{t('apps.list.versions')}</th>
                <th>{t('apps.list.size')}</th>
              </tr>
            </thead>
            <tbody>
              {apps.map((app) => (
                <Fragment key={app.appId}>
                  <tr>
                    <td>
                      <button type="button" className="link-button" aria-expanded={open === app.appId} onClick={() => setOpen(open === app.appId ? null : app.appId)}>
                        {app.name[language]}
                      </button>{' '}
                      <code className="muted">{app.appId}</code>
                    </td>
                    <td>{app.latestVersion}</td>
                    <td>{app.versions.length}</td>
                    <td>{decimalSize(app.sizeBytes)}</td>
                  </tr>
                  {open === app.appId ? (
                    <tr>
                      <td colSpan={4}>
                        <ReleaseTable releases={releases} language={language} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      <PublishersCard publishers={publishers} canManage={canTrust} onChanged={load} />
    </section>
  );
}

/** Every version of one app: what it runs, its parameters, size, signer and when it came. */
function ReleaseTable({ releases: list, language: lang }: { releases: AppRelease[]; language: Language }) {
  const { t, i18n } = useTranslation();
  return (
    <table className="simple-table apps-releases" data-testid="apps-releases">
      <thead>
        <tr>
          <th>{t('apps.list.version')}</th>
          <th>{t('apps.list.containers')}</th>
          <th>{t('apps.list.parameters')}</th>
          <th>{t('apps.list.size')}</th>
          <th>{t('apps.list.signer')}</th>
          <th>{t('apps.list.uploaded')}</th>
        </tr>
      </thead>
      <tbody>
        {list.map((release) => (
          <tr key={release.version}>
            <td>
              <strong>{release.version}</strong>
              <div className="muted">{release.description[lang]}</div>
            </td>
            <td>{release.manifest.containers.map((container) => container.name).join(', ')}</td>
            <td>{release.manifest.parameters.length > 0 ? release.manifest.parameters.map((parameter) => `${parameter.label[lang]} (${parameter.key}) = ${String(parameter.default)}`).join('; ') : t('apps.list.noParameters')}</td>
            <td>
              {decimalSize(release.sizeBytes)}
              <div className="muted">{t('apps.list.unique', { size: decimalSize(release.uniqueBytes) })}</div>
            </td>
            <td>
              {release.signer.name ?? release.signer.keyId.slice(0, 16)}{' '}
              <span className={release.signerTrusted ? 'badge badge-ok' : 'badge badge-warn'}>{release.signerTrusted ? t('apps.list.trusted') : t('apps.list.untrusted')}</span>
            </td>
            <td>
              {formatDateTime(release.uploadedAt, i18n.language)}
              {release.uploadedBy ? <div className="muted">{release.uploadedBy}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
