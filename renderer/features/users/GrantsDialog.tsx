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

/** Changes a user's full name and roles; the core refuses to remove the last administrator of every region. */
export function GrantsDialog({ user, regions, onClose, onSaved }: { user: UserView; regions: readonly Region[]; onClose: () => void; onSaved: (user: UserView) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [displayName, setDisplayName] = useState(user.displayName ?? '');
  const [grants, setGrants] = useState<Grant[]>(user.grants.length > 0 ? user.grants : [{ role: 'viewer', regionId: regions[0]?.id ?? null }]);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSaved(await client.users.update({ id: user.id, displayName: displayName.trim() || null, grants }));
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
    <Dialog title={t('users.editTitle', { name: user.name })} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="users-form-stack">
          <Field id="grants-display-name" label={t('users.displayName')} error={fields.displayName}>
            <TextInput id="grants-display-name" autoComplete="off" value={displayName} error={fields.displayName} onChange={(event) => setDisplayName(event.target.value)} />
          </Field>
          <GrantsEditor grants={grants} regions={regions} error={fields.grants} onChange={setGrants} />
        </div>
        <ErrorNotice message={error} />
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
