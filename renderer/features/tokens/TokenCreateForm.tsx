import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { ROLES, atLeast, type Role } from '../../../shared/domain/access.js';
import type { TokenCreated } from '../../../shared/domain/identity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field, TextInput } from '../../components/Field.js';
import { issueText } from '../../i18n/index.js';

const EXPIRIES = [30, 90, 365, null] as const;

/** A new API token: what uses it, its scope (never above the user's highest role) and when it expires. */
export function TokenCreateForm({ highest, onCreated }: { highest: Role; onCreated: (token: z.infer<typeof TokenCreated>) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const scopes = ROLES.filter((role) => atLeast(highest, role));
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Role>('viewer');
  const [expiry, setExpiry] = useState<(typeof EXPIRIES)[number]>(90);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      onCreated(await client.tokens.create({ name: name.trim(), scope, expiresInDays: expiry }));
      setName('');
    } catch (cause) {
      const uiError = toUiError(cause);
      const byField = Object.fromEntries(Object.values(uiError.fields).map((issue) => [issue.field, issueText(t, issue)]));
      setFields(byField);
      if (Object.keys(byField).length === 0) setError(uiError.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card token-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="token-create-title">
      <h2 id="token-create-title">{t('auth.tokens.create')}</h2>
      <div className="token-form-grid">
        <Field id="token-name" label={t('auth.tokens.name')} hint={t('auth.tokens.nameHint')} error={fields.name}>
          <TextInput id="token-name" autoComplete="off" maxLength={80} value={name} hint={t('auth.tokens.nameHint')} error={fields.name} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field id="token-scope" label={t('auth.tokens.scope')} hint={t('auth.tokens.scopeHint')} error={fields.scope}>
          <select id="token-scope" value={scope} aria-describedby="token-scope-hint" onChange={(event) => setScope(event.target.value as Role)}>
            {scopes.map((role) => (
              <option key={role} value={role}>
                {t(`auth.roles.${role}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="token-expiry" label={t('auth.tokens.expiry')} error={fields.expiresInDays}>
          <select id="token-expiry" value={expiry === null ? '' : String(expiry)} onChange={(event) => setExpiry(event.target.value ? (Number(event.target.value) as 30 | 90 | 365) : null)}>
            {EXPIRIES.map((days) => (
              <option key={days ?? 'never'} value={days === null ? '' : String(days)}>
                {days === null ? t('auth.tokens.never') : t('auth.tokens.expiryDays', { count: days })}
              </option>
            ))}
          </select>
        </Field>
        <div className="token-form-submit">
          <button type="submit" className="primary" disabled={busy || !name.trim()}>
            {busy ? t('common.saving') : t('auth.tokens.submit')}
          </button>
        </div>
      </div>
      <ErrorNotice message={error} />
    </form>
  );
}
