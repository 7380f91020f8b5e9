import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenView } from '../../../shared/domain/identity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';

/** Revoking says what stops working before it happens: it cannot be undone. */
export function RevokeDialog({ token, onClose, onRevoked }: { token: TokenView; onClose: () => void; onRevoked: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const revoke = async () => {
    setBusy(true);
    try {
      await client.tokens.revoke({ id: token.id });
      onRevoked();
    } catch (cause) {
      setError(toUiError(cause).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('auth.tokens.revokeTitle', { name: token.name })} onClose={onClose}>
      <p>{t('auth.tokens.revokeBody')}</p>
      <ErrorNotice message={error} />
      <footer className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="primary danger-fill" disabled={busy} onClick={() => void revoke()}>
          {t('auth.tokens.revoke')}
        </button>
      </footer>
    </Dialog>
  );
}
