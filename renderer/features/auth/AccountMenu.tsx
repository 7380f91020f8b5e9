import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { higherRole, type Role } from '../../../shared/domain/access.js';
import { currentTransport } from '../../api/client.js';
import { useAccess } from './access.js';
import { ChangePasswordDialog } from './ChangePasswordDialog.js';
import { signOut } from './session.js';
import './auth.css';

/** The highest role held, and whether it holds on every region: what the header says about the user. */
function roleSummary(grants: readonly { role: Role; regionId: number | null }[]): { role: Role; everywhere: boolean } | null {
  const best = grants.reduce<Role | null>((role, grant) => higherRole(role, grant.role), null);
  if (!best) return null;
  return { role: best, everywhere: grants.some((grant) => grant.role === best && grant.regionId === null) };
}

/** Who is signed in with which role, changing one's password, and signing out (server mode); the desktop app needs no sign-in. */
export function AccountMenu() {
  const { t } = useTranslation();
  const { principal } = useAccess();
  const [changing, setChanging] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 6_000);
    return () => clearTimeout(timer);
  }, [notice]);
  if (currentTransport() === 'desktop') return <span className="account-menu">{t('auth.account.desktop')}</span>;
  if (!principal) return null;
  const summary = roleSummary(principal.grants);
  return (
    <div className="account-menu">
      <span data-testid="signed-in-as">{t('auth.account.signedInAs', { name: principal.name })}</span>
      {summary ? (
        <span className="account-role" data-testid="signed-in-role">
          {t(summary.everywhere ? 'auth.account.role' : 'auth.account.roleSomewhere', { role: t(`auth.roles.${summary.role}`) })}
        </span>
      ) : null}
      {principal.userId ? (
        <button type="button" onClick={() => setChanging(true)}>
          {t('auth.account.changePassword')}
        </button>
      ) : null}
      <button type="button" onClick={() => void signOut()}>
        {t('auth.account.signOut')}
      </button>
      {notice ? (
        <span className="account-notice" role="status">
          {notice}
        </span>
      ) : null}
      {changing && principal.userId ? (
        <ChangePasswordDialog
          userId={principal.userId}
          userName={principal.name}
          onClose={() => setChanging(false)}
          onDone={(message) => {
            setChanging(false);
            setNotice(message);
          }}
        />
      ) : null}
    </div>
  );
}
