import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The token, shown this once (only its hash is kept), with a copy button and a plain warning. */
export function NewTokenNotice({ name, token, onDismiss }: { name: string; token: string; onDismiss: () => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('yes');
    } catch {
      // No clipboard (e.g. a page served over plain http from another host): leave the token selected for Ctrl+C.
      input.current?.select();
      setCopied('failed');
    }
  };
  return (
    <section className="card new-token" aria-labelledby="new-token-title" data-testid="new-token">
      <h2 id="new-token-title">{t('auth.tokens.createdTitle', { name })}</h2>
      <p className="new-token-warning" role="alert">
        <strong aria-hidden="true">⚠ </strong>
        {t('auth.tokens.shownOnce')}
      </p>
      <div className="new-token-value">
        <input ref={input} className="mono" readOnly value={token} aria-label={t('auth.tokens.tokenLabel')} onFocus={(event) => event.target.select()} />
        <button type="button" className="primary" onClick={() => void copy()}>
          {copied === 'yes' ? `✓ ${t('auth.tokens.copied')}` : t('auth.tokens.copy')}
        </button>
      </div>
      {copied === 'failed' ? <p className="field-error">{t('auth.tokens.copyFailed')}</p> : null}
      <p className="muted small">{t('auth.tokens.usage')}</p>
      <footer className="dialog-actions">
        <button type="button" onClick={onDismiss}>
          {t('auth.tokens.dismiss')}
        </button>
      </footer>
    </section>
  );
}
