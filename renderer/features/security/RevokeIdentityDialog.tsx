import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field, TextInput } from '../../components/Field.js';

/** Revoking says what it does before it happens and asks why: the reason is kept with the revoked identity. */
export function RevokeIdentityDialog({ siteId, siteName, onClose, onRevoked }: { siteId: string; siteName: string; onClose: () => void; onRevoked: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ reason?: string; form?: string }>({});
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await client.nodeIdentity.revoke({ siteId, reason });
      onRevoked();
    } catch (cause) {
      const uiError = toUiError(cause);
      setErrors(uiError.fields.reason ? { reason: uiError.fields.reason.message } : { form: uiError.message });
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('security.identity.revokeTitle', { site: siteName })} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <p>{t('security.identity.revokeBody')}</p>
        <Field id="revoke-reason" label={t('security.identity.reason')} error={errors.reason}>
          <TextInput id="revoke-reason" value={reason} error={errors.reason} maxLength={200} onChange={(event) => setReason(event.target.value)} />
        </Field>
        <ErrorNotice message={errors.form} />
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary danger-fill" disabled={busy}>
            {t('security.identity.revoke')}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
