import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ORPCError } from '@orpc/client';
import type { SnmpDevice } from '../../../shared/domain/snmp.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Field, TextInput } from '../../components/Field.js';
import { issueText } from '../../i18n/index.js';
import { DeviceReport } from './DeviceReport.js';
import { ProbeActions, ProbeFailure } from './ProbeParts.js';
import { EngineProbe } from './EngineProbe.js';
import { RedfishProbe } from './RedfishProbe.js';

type Version = '2c' | '3';
interface FormState {
  host: string;
  port: string;
  version: Version;
  community: string;
  user: string;
  authProtocol: 'sha' | 'sha256' | 'sha512' | 'md5';
  authKey: string;
  privProtocol: 'aes' | 'aes256' | 'des';
  privKey: string;
}

const KNOWN_REASONS = new Set(['timeout', 'auth_failure', 'unknown_user', 'decryption_error']);

/** Reads a switch, UPS, PDU or environment monitor over SNMP v2c or v3. */
function SnmpProbe() {
  const { t } = useTranslation();
  const { client } = useApi();
  const [form, setForm] = useState<FormState>({
    host: '',
    port: '161',
    version: '2c',
    community: '',
    user: '',
    authProtocol: 'sha256',
    authKey: '',
    privProtocol: 'aes',
    privKey: '',
  });
  const [busy, setBusy] = useState(false);
  const [device, setDevice] = useState<SnmpDevice | null>(null);
  const [failure, setFailure] = useState<{ reason: string; detail: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setFieldErrors({});
    setDevice(null);
    const port = Number(form.port);
    const common = { host: form.host, port: Number.isInteger(port) ? port : -1, timeoutMs: 3000, retries: 1 };
    const input =
      form.version === '2c'
        ? { ...common, version: '2c' as const, community: form.community }
        : {
            ...common,
            version: '3' as const,
            v3: {
              user: form.user,
              ...(form.authKey ? { authProtocol: form.authProtocol, authKey: form.authKey } : {}),
              ...(form.privKey ? { privProtocol: form.privProtocol, privKey: form.privKey } : {}),
            },
          };
    try {
      setDevice(await client.devices.probeSnmp(input));
    } catch (error) {
      if (error instanceof ORPCError && error.code === 'DEVICE_UNREACHABLE') {
        const reason = (error.data as { reason?: string } | undefined)?.reason ?? 'other';
        setFailure({ reason: KNOWN_REASONS.has(reason) ? reason : 'other', detail: error.message });
      } else {
        const uiError = toUiError(error);
        const byField: Record<string, string> = {};
        for (const [field, issue] of Object.entries(uiError.fields)) byField[field.replace(/^v3\./, '')] = issueText(t, issue);
        setFieldErrors(byField);
        if (Object.keys(byField).length === 0) setFailure({ reason: 'other', detail: uiError.message });
      }
    } finally {
      setBusy(false);
    }
  };

  const text = (key: keyof FormState, label: string, options: { type?: string; hint?: string; optional?: boolean } = {}) => (
    <Field id={`probe-${key}`} label={options.optional ? t('probe.optionalLabel', { label }) : label} hint={options.hint} error={fieldErrors[key]}>
      <TextInput
        id={`probe-${key}`}
        type={options.type ?? 'text'}
        autoComplete="off"
        value={form[key]}
        error={fieldErrors[key]}
        hint={options.hint}
        onChange={(event) => set(key, event.target.value as never)}
      />
    </Field>
  );

  return (
    <>
      <form className="card form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="form-grid probe-grid">
          {text('host', t('probe.address'), { hint: t('probe.addressHint') })}
          {text('port', t('probe.port'))}
          <Field id="probe-version" label={t('probe.version')}>
            <select id="probe-version" value={form.version} onChange={(event) => set('version', event.target.value as Version)}>
              <option value="2c">{t('probe.v2c')}</option>
              <option value="3">{t('probe.v3')}</option>
            </select>
          </Field>
          {form.version === '2c' ? (
            text('community', t('probe.community'), { type: 'password' })
          ) : (
            <>
              {text('user', t('probe.user'))}
              <Field id="probe-authProtocol" label={t('probe.authProtocol')}>
                <select id="probe-authProtocol" value={form.authProtocol} onChange={(event) => set('authProtocol', event.target.value as FormState['authProtocol'])}>
                  <option value="sha256">SHA-256</option>
                  <option value="sha512">SHA-512</option>
                  <option value="sha">SHA-1</option>
                  <option value="md5">MD5</option>
                </select>
              </Field>
              {text('authKey', t('probe.authKey'), { type: 'password', optional: true })}
              <Field id="probe-privProtocol" label={t('probe.privProtocol')}>
                <select id="probe-privProtocol" value={form.privProtocol} onChange={(event) => set('privProtocol', event.target.value as FormState['privProtocol'])}>
                  <option value="aes">AES-128</option>
                  <option value="aes256">AES-256</option>
                  <option value="des">DES</option>
                </select>
              </Field>
              {text('privKey', t('probe.privKey'), { type: 'password', optional: true })}
            </>
          )}
        </div>
        <ProbeActions busy={busy} />
      </form>
      {failure ? <ProbeFailure explanation={t(`probe.reason.${failure.reason}`)} detail={failure.detail} /> : null}
      {device ? <DeviceReport device={device} /> : null}
    </>
  );
}

export function ProbePage() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<'snmp' | 'redfish' | 'engine'>('snmp');
  return (
    <section className="page" aria-labelledby="probe-title">
      <header className="page-header">
        <div>
          <h1 id="probe-title">{t('probe.title')}</h1>
          <p className="muted">{t('probe.intro')}</p>
        </div>
      </header>
      <div className="segmented" role="radiogroup" aria-label={t('probe.kindChoice')}>
        {(['snmp', 'redfish', 'engine'] as const).map((option) => (
          <label key={option} className={kind === option ? 'segment active' : 'segment'}>
            <input type="radio" name="probe-kind" value={option} checked={kind === option} onChange={() => setKind(option)} />
            {t(option === 'snmp' ? 'probe.kindSnmp' : option === 'redfish' ? 'probe.kindRedfish' : 'engine.kind')}
          </label>
        ))}
      </div>
      {kind === 'snmp' ? <SnmpProbe /> : kind === 'redfish' ? <RedfishProbe /> : <EngineProbe />}
    </section>
  );
}
