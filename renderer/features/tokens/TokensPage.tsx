import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { higherRole, type Role } from '../../../shared/domain/access.js';
import type { TokenCreated, TokenView } from '../../../shared/domain/identity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { useAccess, useCan } from '../auth/access.js';
import { NewTokenNotice } from './NewTokenNotice.js';
import { RevokeDialog } from './RevokeDialog.js';
import { TokenCreateForm } from './TokenCreateForm.js';
import './tokens.css';

type Status = 'active' | 'revoked' | 'expired';

function statusOf(token: TokenView, now: number): Status {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

/** My API tokens (everyone's for administrators of every region): create one, see it once, revoke. */
export function TokensPage() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const { principal } = useAccess();
  const everyone = useCan('administrator', 'everywhere');
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [created, setCreated] = useState<z.infer<typeof TokenCreated> | null>(null);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const highest = (principal?.grants ?? []).reduce<Role | null>((role, grant) => higherRole(role, grant.role), null);

  const load = useCallback(() => {
    client.tokens.list().then(setTokens, (cause: unknown) => setError(toUiError(cause).message));
  }, [client]);
  useEffect(load, [load]);

  const now = Date.now();
  const date = (iso: string | null, none: string) => (iso ? formatDateTime(iso, i18n.language) : none);
  return (
    <section className="page" aria-labelledby="tokens-title">
      <header className="page-header">
        <div>
          <h1 id="tokens-title">{t('auth.tokens.title')}</h1>
          <p className="muted">{t('auth.tokens.intro')}</p>
          {everyone ? <p className="muted">{t('auth.tokens.introAdmin')}</p> : null}
        </div>
      </header>
      <ErrorNotice message={error} />
      {notice ? (
        <div className="notice" role="status">
          {notice}
          <button type="button" className="icon-button" aria-label={t('common.close')} onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      ) : null}
      {created ? (
        <NewTokenNotice name={created.name} token={created.token} onDismiss={() => setCreated(null)} />
      ) : highest ? (
        <TokenCreateForm
          highest={highest}
          onCreated={(token) => {
            setNotice(null);
            setCreated(token);
            load();
          }}
        />
      ) : null}
      <div className="card scroll-x">
        {tokens === null ? <p className="muted">{t('common.loading')}</p> : null}
        {tokens && tokens.length === 0 ? <p className="empty">{t('auth.tokens.empty')}</p> : null}
        {tokens && tokens.length > 0 ? (
          <table className="simple-table" data-testid="tokens-table">
            <thead>
              <tr>
                <th>{t('auth.tokens.name')}</th>
                {everyone ? <th>{t('auth.tokens.owner')}</th> : null}
                <th>{t('auth.tokens.scope')}</th>
                <th>{t('auth.tokens.created')}</th>
                <th>{t('auth.tokens.expires')}</th>
                <th>{t('auth.tokens.lastUsed')}</th>
                <th>{t('auth.tokens.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => {
                const status = statusOf(token, now);
                return (
                  <tr key={token.id} data-testid={`token-row-${token.name}`} className={status === 'active' ? undefined : 'token-inactive'}>
                    <td>{token.name}</td>
                    {everyone ? <td>{token.userName}</td> : null}
                    <td>{t(`auth.roles.${token.scope}`)}</td>
                    <td className="nowrap">{date(token.createdAt, '')}</td>
                    <td className="nowrap">{date(token.expiresAt, t('auth.tokens.noExpiry'))}</td>
                    <td className="nowrap">{date(token.lastUsedAt, t('auth.tokens.neverUsed'))}</td>
                    <td>
                      <span className={status === 'active' ? 'badge badge-ok' : 'badge badge-muted'}>{t(`auth.tokens.${status}`)}</span>
                    </td>
                    <td>
                      {status === 'active' ? (
                        <button type="button" className="link-button danger" onClick={() => setRevoking(token)}>
                          {t('auth.tokens.revoke')}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </div>
      {revoking ? (
        <RevokeDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setNotice(t('auth.tokens.revokedNotice', { name: revoking.name }));
            setRevoking(null);
            load();
          }}
        />
      ) : null}
    </section>
  );
}
