import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CabinetDevice } from '../../../shared/domain/cabinet.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field, TextInput } from '../../components/Field.js';
import { issueText } from '../../i18n/index.js';

/** Address and credentials of a device; the secrets are sent once and never shown again. */
export function ConnectionForm({ device, onSaved }: { device: CabinetDevice; onSaved: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [values, setValues] = useState({ url: '', username: '', password: '', host: '', port: '161', community: '', version: '2c', user: '', authKey: '', privKey: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const set = (key: keyof typeof values, value: string) => setValues((current) => ({ ...current, [key]: value }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      if (device.protocol === 'redfish') {
        await client.devices.connect({ id: device.id, protocol: 'redfish', url: values.url, username: values.username, password: values.password });
      } else {
        const common = { id: device.id, protocol: 'snmp' as const, host: values.host, port: Number(values.port) || 161 };
        await client.devices.connect(
          values.version === '3'
            ? {
                ...common,
                version: '3',
                v3: {
                  user: values.user,
                  ...(values.authKey ? { authProtocol: 'sha256' as const, authKey: values.authKey } : {}),
                  ...(values.privKey ? { privProtocol: 'aes' as const, privKey: values.privKey } : {}),
                },
              }
            : { ...common, version: '2c', community: values.community },
        );
      }
      setErrors({});
      setFailure(null);
      onSaved();
    } catch (cause) {
      const uiError = toUiError(cause);
      setErrors(Object.fromEntries(Object.entries(uiError.fields).map(([field, issue]) => [field, issueText(t, issue)])));
      if (Object.keys(uiError.fields).length === 0) setFailure(uiError.message);
    }
  };
  const input = (key: keyof typeof values, label: string, type = 'text', hint?: string) => (
    <Field id={`conn-${key}`} label={label} hint={hint} error={errors[key]}>
      <TextInput id={`conn-${key}`} type={type} autoComplete="off" value={values[key]} hint={hint} error={errors[key]} onChange={(event) => set(key, event.target.value)} />
    </Field>
  );
  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label={t('device.connection')}>
      <div className="form-grid probe-grid">
        {device.protocol === 'redfish' ? (
          <>
            {input('url', t('probe.redfish.url'), 'text', t('probe.redfish.urlHint'))}
            {input('username', t('probe.redfish.user'))}
            {input('password', t('probe.redfish.password'), 'password')}
          </>
        ) : (
          <>
            {input('host', t('probe.address'), 'text', t('probe.addressHint'))}
            {input('port', t('probe.port'))}
            <Field id="conn-version" label={t('probe.version')}>
              <select id="conn-version" value={values.version} onChange={(event) => set('version', event.target.value)}>
                <option value="2c">{t('probe.v2c')}</option>
                <option value="3">{t('probe.v3')}</option>
              </select>
            </Field>
            {values.version === '2c' ? (
              input('community', t('probe.community'), 'password')
            ) : (
              <>
                {input('user', t('probe.user'))}
                {input('authKey', `${t('probe.authKey')} (SHA-256)`, 'password')}
                {input('privKey', `${t('probe.privKey')} (AES-128)`, 'password')}
              </>
            )}
          </>
        )}
      </div>
      <ErrorNotice message={failure} />
      <footer className="dialog-actions">
        <button type="submit" className="primary">
          {t('device.saveConnection')}
        </button>
      </footer>
    </form>
  );
}
