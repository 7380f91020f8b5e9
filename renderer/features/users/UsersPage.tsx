import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES } from '../../../shared/domain/access.js';
import type { UserView } from '../../../shared/domain/identity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { useAccess } from '../auth/access.js';
import { ChangePasswordDialog } from '../auth/ChangePasswordDialog.js';
import { useRegions } from '../regions/useRegions.js';
import { GrantsDialog } from './GrantsDialog.js';
import { SetPasswordDialog } from './SetPasswordDialog.js';
import { UserCreateDialog } from './UserCreateDialog.js';
import { grantText, fieldTexts } from './user-text.js';
import './users.css';

type Open = { kind: 'none' } | { kind: 'create' } | { kind: 'grants'; user: UserView } | { kind: 'password'; user: UserView } | { kind: 'own-password' };

/** Every user with their roles per region; create, change roles, disable or enable, set a password. */
export function UsersPage() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const { principal } = useAccess();
  const { regions } = useRegions();
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [open, setOpen] = useState<Open>({ kind: 'none' });
  // Kept as a key, so the notice follows a change of language.
  const [notice, setNotice] = useState<{ key: string; name?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const regionPaths = useMemo(() => new Map(regions.map((region) => [region.id, region.path])), [regions]);

  const load = useCallback(() => {
    client.users.list().then(
      (list) => {
        setUsers(list);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client]);
  useEffect(load, [load]);

  const done = (key: string, name?: string) => {
    setOpen({ kind: 'none' });
    setError(null);
    setNotice(name === undefined ? { key } : { key, name });
    load();
  };

  const setDisabled = async (user: UserView, disabled: boolean) => {
    if (disabled && !window.confirm(t('users.disableConfirm', { name: user.name }))) return;
    setNotice(null);
    try {
      await client.users.update({ id: user.id, disabled });
      done(disabled ? 'users.disabledNotice' : 'users.enabledNotice', user.name);
    } catch (cause) {
      const uiError = toUiError(cause);
      setError(Object.values(fieldTexts(t, uiError.fields))[0] ?? uiError.message);
    }
  };

  return (
    <section className="page" aria-labelledby="users-title">
      <header className="page-header">
        <div>
          <h1 id="users-title">{t('users.title')}</h1>
          <p className="muted">{t('users.intro')}</p>
        </div>
        <div className="page-actions">
          <button type="button" className="primary" onClick={() => setOpen({ kind: 'create' })}>
            {t('users.new')}
          </button>
        </div>
      </header>
      {notice ? (
        <div className="notice" role="status">
          {t(notice.key, { name: notice.name })}
          <button type="button" className="icon-button" aria-label={t('common.close')} onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      ) : null}
      <ErrorNotice message={error} />
      <div className="card scroll-x">
        {users === null ? <p className="muted">{t('common.loading')}</p> : null}
        {users ? (
          <table className="simple-table users-table" data-testid="users-table">
            <caption className="visually-hidden">{t('users.count', { count: users.length })}</caption>
            <thead>
              <tr>
                <th>{t('users.name')}</th>
                <th>{t('users.displayName')}</th>
                <th>{t('users.roles')}</th>
                <th>{t('users.status')}</th>
                <th>{t('auth.tokens.created')}</th>
                <th>{t('users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => {
                const self = user.id === principal?.userId;
                return (
                  <tr key={user.id} data-testid={`user-row-${user.name}`} className={user.disabled ? 'user-disabled' : undefined}>
                    <th scope="row">
                      {user.name} {self ? <span className="muted">{t('users.you')}</span> : null}
                    </th>
                    <td>{user.displayName ?? ''}</td>
                    <td>
                      <ul className="grant-list">
                        {user.grants.map((grant) => (
                          <li key={`${grant.role}:${grant.regionId}`} className={`grant-chip grant-${grant.role}`}>
                            {grantText(t, grant, regionPaths)}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>{user.disabled ? <span className="badge badge-muted">{t('users.disabled')}</span> : <span className="badge badge-ok">{t('users.active')}</span>}</td>
                    <td className="nowrap">{formatDateTime(user.createdAt, i18n.language)}</td>
                    <td className="user-actions">
                      <button type="button" className="link-button" onClick={() => setOpen({ kind: 'grants', user })}>
                        {t('users.editRoles')}
                      </button>
                      <button type="button" className="link-button" onClick={() => setOpen(self ? { kind: 'own-password' } : { kind: 'password', user })}>
                        {t('users.setPassword')}
                      </button>
                      {/* Disabling oneself would end one's own session mid-task: another administrator does that. */}
                      {!self ? (
                        <button type="button" className={user.disabled ? 'link-button' : 'link-button danger'} onClick={() => void setDisabled(user, !user.disabled)}>
                          {user.disabled ? t('users.enable') : t('users.disable')}
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
      <section className="card role-help" aria-labelledby="role-help-title">
        <h2 id="role-help-title">{t('users.helpTitle')}</h2>
        <dl>
          {ROLES.map((role) => (
            <div key={role}>
              <dt>{t(`auth.roles.${role}`)}</dt>
              <dd>{t(`auth.roleHelp.${role}`)}</dd>
            </div>
          ))}
        </dl>
      </section>
      {open.kind === 'create' ? <UserCreateDialog regions={regions} onClose={() => setOpen({ kind: 'none' })} onCreated={(user) => done('users.created', user.name)} /> : null}
      {open.kind === 'grants' ? <GrantsDialog user={open.user} regions={regions} onClose={() => setOpen({ kind: 'none' })} onSaved={(user) => done('users.saved', user.name)} /> : null}
      {open.kind === 'password' ? <SetPasswordDialog user={open.user} onClose={() => setOpen({ kind: 'none' })} onDone={() => done('users.passwordSet', open.user.name)} /> : null}
      {open.kind === 'own-password' && principal?.userId ? (
        <ChangePasswordDialog userId={principal.userId} userName={principal.name} onClose={() => setOpen({ kind: 'none' })} onDone={() => done('auth.password.done')} />
      ) : null}
    </section>
  );
}
