import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../components/LanguageSwitch.js';
import { AuthError, completeSetup } from './session.js';
import './auth.css';

/** The first administrator, created with the one-time token from the link `edgecab serve` printed. */
export function SetupPage({ token, onDone }: { token: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) {
      setError(t('auth.setup.mismatch'));
      return;
    }
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await completeSetup(token, name.trim(), password);
      onDone();
    } catch (failure) {
      if (failure instanceof AuthError && failure.fields.token) setError(t('auth.setup.invalidLink'));
      else if (failure instanceof AuthError && Object.keys(failure.fields).length > 0) setFields(failure.fields);
      else setError(t('common.error', { message: (failure as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-screen">
      <form className="auth-card" onSubmit={(event) => void submit(event)} aria-labelledby="setup-title">
        <div className="auth-card-top">
          <span className="brand-mark" aria-hidden="true" />
          <LanguageSwitch />
        </div>
        <h1 id="setup-title">{t('auth.setup.title')}</h1>
        <p className="auth-note">{t('auth.setup.intro')}</p>
        <label className="auth-field">
          <span>{t('auth.setup.name')}</span>
          <input name="username" autoComplete="username" value={name} onChange={(event) => setName(event.target.value)} required aria-invalid={Boolean(fields.name)} />
          {fields.name && <small className="auth-error">{fields.name}</small>}
        </label>
        <label className="auth-field">
          <span>{t('auth.setup.password')}</span>
          <input name="password" type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} required minLength={10} aria-invalid={Boolean(fields.password)} />
          {fields.password && <small className="auth-error">{fields.password}</small>}
        </label>
        <label className="auth-field">
          <span>{t('auth.setup.confirm')}</span>
          <input name="confirm" type="password" autoComplete="new-password" value={confirm} onChange={(event) => setConfirm(event.target.value)} required />
        </label>
        {error && (
          <p className="auth-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || !name || !password || !confirm}>
          {t('auth.setup.submit')}
        </button>
      </form>
    </main>
  );
}
