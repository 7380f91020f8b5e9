import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Publisher } from '../../../shared/domain/apps.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Field } from '../../components/Field.js';
import { formatDateTime } from '../../components/format.js';

/** The keys releases must be signed with; administrators add and remove them. */
export function PublishersCard({ publishers, canManage, onChanged }: { publishers: Publisher[]; canManage: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [name, setName] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [added, setAdded] = useState<Publisher | null>(null);

  const trust = async () => {
    setErrors({});
    setAdded(null);
    try {
      setAdded(await client.apps.trust({ name, publicKey }));
      setName('');
      setPublicKey('');
      onChanged();
    } catch (cause) {
      const error = toUiError(cause);
      const fields = Object.fromEntries(Object.entries(error.fields).map(([field, issue]) => [field, issue.message]));
      setErrors(Object.keys(fields).length > 0 ? fields : { form: error.message });
    }
  };

  const remove = async (publisher: Publisher) => {
    if (!window.confirm(t('apps.publishers.confirmRemove', { name: publisher.name }))) return;
    try {
      await client.apps.distrust({ keyId: publisher.keyId });
      onChanged();
    } catch (cause) {
      setErrors({ form: toUiError(cause).message });
    }
  };

  return (
    <div className="card" data-testid="apps-publishers">
      <h2>{t('apps.publishers.title')}</h2>
      <p className="muted">{t('apps.publishers.intro')}</p>
      {publishers.length === 0 ? <p className="empty">{t('apps.publishers.empty')}</p> : null}
      {publishers.length > 0 ? (
        <table className="simple-table">
          <thead>
            <tr>
              <th>{t('apps.publishers.name')}</th>
              <th>{t('apps.publishers.key')}</th>
              <th>{t('apps.publishers.trustedAt')}</th>
              {canManage ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {publishers.map((publisher) => (
              <tr key={publisher.keyId}>
                <td>{publisher.name}</td>
                <td>
                  <code title={publisher.keyId}>{publisher.keyId.slice(0, 16)}…</code>
                </td>
                <td>{formatDateTime(publisher.trustedAt, i18n.language)}</td>
                {canManage ? (
                  <td>
                    <button type="button" className="secondary" onClick={() => void remove(publisher)}>
                      {t('apps.publishers.remove')}
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canManage ? (
        <form
          className="apps-trust-form"
          onSubmit={(event) => {
            event.preventDefault();
            void trust();
          }}
        >
          <h3>{t('apps.publishers.add')}</h3>
          <Field id="publisher-name" label={t('apps.publishers.name')} error={errors.name}>
            <input id="publisher-name" value={name} onChange={(event) => setName(event.target.value)} maxLength={80} />
          </Field>
          <Field id="publisher-key" label={t('apps.publishers.publicKey')} hint={t('apps.publishers.publicKeyHint')} error={errors.publicKey}>
            <textarea id="publisher-key" value={publicKey} onChange={(event) => setPublicKey(event.target.value)} rows={4} spellCheck={false} />
          </Field>
          {errors.form ? (
            <p className="error" role="alert">
              {errors.form}
            </p>
          ) : null}
          {added ? (
            <p className="notice" role="status">
              {t('apps.publishers.added', { name: added.name, key: added.keyId.slice(0, 16) })}
            </p>
          ) : null}
          <button type="submit">{t('apps.publishers.trust')}</button>
        </form>
      ) : null}
    </div>
  );
}
