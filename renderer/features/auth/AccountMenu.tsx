import { useTranslation } from 'react-i18next';
import { currentTransport } from '../../api/client.js';
import { useAccess } from './access.js';
import { signOut } from './session.js';

/** Who is signed in, and signing out (server mode); the desktop app needs no sign-in. */
export function AccountMenu() {
  const { t } = useTranslation();
  const { principal } = useAccess();
  if (currentTransport() === 'desktop') return <span className="account-menu">{t('auth.account.desktop')}</span>;
  if (!principal) return null;
  return (
    <div className="account-menu">
      <span data-testid="signed-in-as">{t('auth.account.signedInAs', { name: principal.name })}</span>
      <button type="button" onClick={() => void signOut()}>
        {t('auth.account.signOut')}
      </button>
    </div>
  );
}
