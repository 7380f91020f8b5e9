import { ORPCError } from '@orpc/client';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RedfishProbeResult } from '../../../shared/domain/redfish.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Field, TextInput } from '../../components/Field.js';
import { issueText } from '../../i18n/index.js';
import { ProbeActions, ProbeFailure } from './ProbeParts.js';
import { ServerReport } from './ServerReport.js';
import { UntrustedCertificate } from '../../components/UntrustedCertificate.js';

const KNOWN_REASONS = new Set(['tls_changed', 'auth', 'timeout', 'connection', 'not_redfish']);

/** Reads a BMC; an unknown certificate is shown with its fingerprint and trusted only on request. */
export function RedfishProbe() {
  const { t } = useTranslation();
  const { client } = useApi();
  const [form, setForm] = useState({ url: '', username: '', password: '' });
  const [trusted, setTrusted] = useState<string | null>(null);
  const [untrusted, setUntrusted] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RedfishProbeResult | null>(null);
  const [failure, setFailure] = useState<{ reason: string; detail: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const read = async (fingerprint: string | null) => {
    setBusy(true);
    setFailure(null);
    setFieldErrors({});
    setResult(null);
    setUntrusted(null);
    try {
      const answer = await client.devices.probeRedfish({ ...form, fingerprint, trustOnFirstUse: false });
      setTrusted(answer.certificateFingerprint);
      setResult(answer);
    } catch (error) {
      if (error instanceof ORPCError && error.code === 'DEVICE_UNREACHABLE') {
        const data = (error.data ?? {}) as { reason?: string; fingerprint?: string | null };
        if (data.reason === 'tls_untrusted' && data.fingerprint) setUntrusted(data.fingerprint);
        else setFailure({ reason: KNOWN_REASONS.has(data.reason ?? '') ? data.reason! : 'other', detail: error.message });
      } else {
        const uiError = toUiError(error);
        const byField: Record<string, string> = {};
        for (const [field, issue] of Object.entries(uiError.fields)) byField[field] = issueText(t, issue);
        setFieldErrors(byField);
        if (Object.keys(byField).length === 0) setFailure({ reason: 'other', detail: uiError.message });
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void read(trusted);
  };
  const input = (key: keyof typeof form, label: string, type = 'text', hint?: string) => (
    <Field id={`redfish-${key}`} label={label} hint={hint} error={fieldErrors[key]}>
      <TextInput
        id={`redfish-${key}`}
        type={type}
        autoComplete="off"
        value={form[key]}
        hint={hint}
        error={fieldErrors[key]}
        onChange={(event) => {
          const value = event.target.value;
          setForm((current) => ({ ...current, [key]: value }));
          if (key === 'url') setTrusted(null);
        }}
      />
    </Field>
  );

  return (
    <>
      <form className="card form" onSubmit={submit} noValidate>
        <div className="form-grid probe-grid">
          {input('url', t('probe.redfish.url'), 'text', t('probe.redfish.urlHint'))}
          {input('username', t('probe.redfish.user'))}
          {input('password', t('probe.redfish.password'), 'password')}
        </div>
        {trusted ? (
          <p className="muted small mono break-all" data-testid="redfish-trusted">
            {t('probe.redfish.trusted')}: {trusted}
          </p>
        ) : null}
        <ProbeActions busy={busy} />
      </form>
      {untrusted ? <UntrustedCertificate fingerprint={untrusted} onTrust={(fingerprint) => void read(fingerprint)} /> : null}
      {failure ? <ProbeFailure explanation={t(`probe.redfish.reason.${failure.reason}`)} detail={failure.detail} /> : null}
      {result ? <ServerReport inventory={result} /> : null}
    </>
  );
}
