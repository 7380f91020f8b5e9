import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../../shared/domain/audit.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';

const PAGE_SIZE = 50;

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ items: AuditEntry[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.audit
      .list({ limit: PAGE_SIZE, offset })
      .then((result) => {
        setPage(result);
        setError(null);
      })
      .catch((cause: unknown) => setError(toUiError(cause).message));
  }, [client, offset]);
  useEffect(load, [load]);
  // Any change the UI can see was audited; refresh the first page when one arrives.
  useLiveEvents(() => {
    if (offset === 0) load();
  });

  return (
    <section className="page" aria-labelledby="audit-title">
      <header className="page-header">
        <div>
          <h1 id="audit-title">{t('audit.title')}</h1>
          <p className="muted">{t('audit.intro')}</p>
        </div>
        {page ? <p className="muted">{t('audit.total', { count: page.total })}</p> : null}
      </header>
      <ErrorNotice message={error} />
      {page && page.items.length === 0 ? <p className="empty">{t('audit.empty')}</p> : null}
      {page && page.items.length > 0 ? (
        <div className="card scroll-x">
          <table className="simple-table" data-testid="audit-table">
            <thead>
              <tr>
                <th>{t('audit.at')}</th>
                <th>{t('audit.actor')}</th>
                <th>{t('audit.operation')}</th>
                <th>{t('audit.target')}</th>
                <th>{t('audit.outcome')}</th>
                <th>{t('audit.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((entry) => (
                <tr key={entry.id}>
                  <td className="nowrap">{formatDateTime(entry.at, i18n.language)}</td>
                  <td>{entry.actor}</td>
                  <td className="mono">{entry.operation}</td>
                  <td className="mono">{entry.target ?? ''}</td>
                  <td>
                    <span className={entry.outcome === 'ok' ? 'badge badge-ok' : 'badge badge-error'}>
                      {entry.outcome === 'ok' ? t('audit.ok') : `${t('audit.error')} · ${entry.errorCode ?? ''}`}
                    </span>
                  </td>
                  <td className="detail" title={entry.detail ?? ''}>
                    {entry.detail ?? ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              {t('audit.newer')}
            </button>
            <button type="button" disabled={offset + PAGE_SIZE >= page.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
              {t('audit.older')}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
