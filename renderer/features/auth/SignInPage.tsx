import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../components/LanguageSwitch.js';
import { AuthError, signIn } from './session.js';
import './auth.css';

/** The sign-in screen of server mode; `ended` says why it is shown again. */
export function SignInPage({ ended, setupRequired }: { ended: boolean; setupRequired: boolean }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(name.trim(), password);
    } catch (failure) {
      setPassword('');
      if (failure instanceof AuthError && failure.status === 429) setError(t('auth.signIn.throttled', { seconds: failure.retryAfterSeconds }));
      else if (failure instanceof AuthError && failure.status === 401) setError(t('auth.signIn.wrong'));
      else setError(t('common.error', { message: (failure as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-screen">
      <form className="auth-card" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <div className="auth-card-top">
          <span className="brand-mark" aria-hidden="true" />
          <LanguageSwitch />
        </div>
        <h1 id="sign-in-title">{t('auth.signIn.title')}</h1>
        {ended && <p className="auth-note">{t('auth.signIn.ended')}</p>}
        {setupRequired && <p className="auth-note">{t('auth.signIn.setupHint')}</p>}
        <label className="auth-field">
          <span>{t('auth.signIn.name')}</span>
          <input name="username" autoComplete="username" value={name} onChange={(event) => setName(event.target.value)} required autoFocus />
        </label>
        <label className="auth-field">
          <span>{t('auth.signIn.password')}</span>
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required />
        </label>
        {error && (
          <p className="auth-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || !name || !password}>
          {busy ? t('auth.signIn.submitting') : t('auth.signIn.submit')}
        </button>
      </form>
    </main>
  );
}
