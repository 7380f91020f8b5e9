import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserView } from '../../../shared/domain/identity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field, TextInput } from '../../components/Field.js';
import { fieldTexts } from './user-text.js';

/** An administrator sets someone else's password (e.g. they forgot it); that user's sessions end. */
export function SetPasswordDialog({ user, onClose, onDone }: { user: UserView; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (password !== confirm) {
      setFields({ confirm: t('auth.password.mismatch') });
      return;
    }
    setBusy(true);
    try {
      await client.users.setPassword({ id: user.id, password });
      onDone();
    } catch (cause) {
      const uiError = toUiError(cause);
      const texts = fieldTexts(t, uiError.fields);
      setFields(texts);
      if (Object.keys(texts).length === 0) setError(uiError.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('users.setPasswordTitle', { name: user.name })} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <p className="muted">{t('users.setPasswordIntro')}</p>
        <div className="users-form-stack">
          <Field id="set-password" label={t('users.newPassword')} hint={t('users.passwordHint')} error={fields.password}>
            <TextInput id="set-password" type="password" autoComplete="new-password" value={password} hint={t('users.passwordHint')} error={fields.password} onChange={(event) => setPassword(event.target.value)} />
          </Field>
          <Field id="set-password-confirm" label={t('auth.password.confirm')} error={fields.confirm}>
            <TextInput id="set-password-confirm" type="password" autoComplete="new-password" value={confirm} error={fields.confirm} onChange={(event) => setConfirm(event.target.value)} />
          </Field>
        </div>
        <ErrorNotice message={error} />
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !password || !confirm}>
            {busy ? t('common.saving') : t('users.setPassword')}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
