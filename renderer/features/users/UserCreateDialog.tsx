import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Grant } from '../../../shared/domain/access.js';
import type { Region } from '../../../shared/domain/region.js';
import type { UserView } from '../../../shared/domain/identity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field, TextInput } from '../../components/Field.js';
import { GrantsEditor } from './GrantsEditor.js';
import { fieldTexts } from './user-text.js';

/** A new user: name to sign in with, full name, initial password, and their roles. */
export function UserCreateDialog({ regions, onClose, onCreated }: { regions: readonly Region[]; onClose: () => void; onCreated: (user: UserView) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [grants, setGrants] = useState<Grant[]>([{ role: 'viewer', regionId: regions[0]?.id ?? null }]);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await client.users.create({ name: name.trim(), displayName: displayName.trim() || null, password, grants }));
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
    <Dialog title={t('users.createTitle')} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="form-grid">
          <Field id="user-name" label={t('users.name')} hint={t('users.nameHint')} error={fields.name}>
            <TextInput id="user-name" autoComplete="off" value={name} hint={t('users.nameHint')} error={fields.name} onChange={(event) => setName(event.target.value)} />
          </Field>
          <Field id="user-display-name" label={t('users.displayName')} hint={t('users.displayNameHint')} error={fields.displayName}>
            <TextInput id="user-display-name" autoComplete="off" value={displayName} hint={t('users.displayNameHint')} error={fields.displayName} onChange={(event) => setDisplayName(event.target.value)} />
          </Field>
          <div className="span-2">
            <Field id="user-password" label={t('users.password')} hint={t('users.passwordHint')} error={fields.password}>
              <TextInput id="user-password" type="password" autoComplete="new-password" value={password} hint={t('users.passwordHint')} error={fields.password} onChange={(event) => setPassword(event.target.value)} />
            </Field>
          </div>
          <div className="span-2">
            <GrantsEditor grants={grants} regions={regions} error={fields.grants} onChange={setGrants} />
          </div>
        </div>
        <ErrorNotice message={error} />
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !name.trim() || !password}>
            {busy ? t('common.saving') : t('common.create')}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
