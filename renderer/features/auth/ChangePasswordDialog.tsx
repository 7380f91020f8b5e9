import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field, TextInput } from '../../components/Field.js';
import { signIn } from './session.js';

/**
 * One's own password: the current one proves it is you. A new password ends
 * every session of the user, this one included, so the dialog signs in again
 * with the new password at once instead of dropping the user at the sign-in screen.
 */
export function ChangePasswordDialog({ userId, userName, onClose, onDone }: { userId: string; userName: string; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<{ current?: string; next?: string; confirm?: string }>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (next !== confirm) {
      setFields({ confirm: t('auth.password.mismatch') });
      return;
    }
    setFields({});
    setBusy(true);
    try {
      await client.users.setPassword({ id: userId, password: next, currentPassword: current });
    } catch (cause) {
      const uiError = toUiError(cause);
      if (uiError.fields.currentPassword) setFields({ current: t('auth.password.wrongCurrent') });
      else if (uiError.fields.password) setFields({ next: uiError.fields.password.code === 'weak_password' ? t('auth.password.weak') : uiError.fields.password.message });
      else setError(uiError.message);
      setBusy(false);
      return;
    }
    // The change ended this session too; a failure here leaves the sign-in screen, which is the right place.
    await signIn(userName, next).catch(() => undefined);
    onDone(t('auth.password.done'));
  };

  return (
    <Dialog title={t('auth.password.title')} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <p className="muted">{t('auth.password.intro')}</p>
        <div className="form-stack">
          <Field id="password-current" label={t('auth.password.current')} error={fields.current}>
            <TextInput id="password-current" type="password" autoComplete="current-password" value={current} error={fields.current} onChange={(event) => setCurrent(event.target.value)} />
          </Field>
          <Field id="password-next" label={t('auth.password.next')} error={fields.next}>
            <TextInput id="password-next" type="password" autoComplete="new-password" value={next} error={fields.next} onChange={(event) => setNext(event.target.value)} />
          </Field>
          <Field id="password-confirm" label={t('auth.password.confirm')} error={fields.confirm}>
            <TextInput id="password-confirm" type="password" autoComplete="new-password" value={confirm} error={fields.confirm} onChange={(event) => setConfirm(event.target.value)} />
          </Field>
        </div>
        <ErrorNotice message={error} />
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !current || !next || !confirm}>
            {busy ? t('common.saving') : t('auth.password.submit')}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
