import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ALARM_SEVERITIES, type AlarmSeverity, type Forwarding } from '../../../shared/domain/monitoring.js';
import { useApi } from '../../api/context.js';
import { toUiError, type UiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';

/** Where new alarms go besides this screen: desktop notifications, a webhook, syslog. */
export function ForwardingDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [desktop, setDesktop] = useState(true);
  const [webhookUrl, setWebhookUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [webhookSeverity, setWebhookSeverity] = useState<AlarmSeverity>('major');
  const [syslogHost, setSyslogHost] = useState('');
  const [syslogPort, setSyslogPort] = useState('514');
  const [transport, setTransport] = useState<'udp' | 'tcp'>('udp');
  const [syslogSeverity, setSyslogSeverity] = useState<AlarmSeverity>('warning');
  const [error, setError] = useState<UiError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    client.alarms.forwarding().then((config) => {
      setDesktop(config.desktopCritical);
      if (config.webhook) {
        setWebhookUrl(config.webhook.url);
        setSecret(config.webhook.secret);
        setWebhookSeverity(config.webhook.minSeverity);
      }
      if (config.syslog) {
        setSyslogHost(config.syslog.host);
        setSyslogPort(String(config.syslog.port));
        setTransport(config.syslog.transport);
        setSyslogSeverity(config.syslog.minSeverity);
      }
    }, (cause: unknown) => setError(toUiError(cause)));
  }, [client]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const config: Forwarding = {
      desktopCritical: desktop,
      webhook: webhookUrl.trim() ? { url: webhookUrl.trim(), secret, minSeverity: webhookSeverity } : null,
      syslog: syslogHost.trim() ? { host: syslogHost.trim(), port: Number(syslogPort), transport, minSeverity: syslogSeverity } : null,
    };
    try {
      await client.alarms.setForwarding(config);
      setError(null);
      setSaved(true);
    } catch (cause) {
      setError(toUiError(cause));
      setSaved(false);
    }
  };
  const fieldError = (name: string) => error?.fields[name]?.message;
  const severitySelect = (id: string, value: AlarmSeverity, onChange: (value: AlarmSeverity) => void) => (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value as AlarmSeverity)}>
      {ALARM_SEVERITIES.map((severity) => (
        <option key={severity} value={severity}>
          {t('alarms.forwarding.atLeast', { severity: t(`alarms.severities.${severity}`) })}
        </option>
      ))}
    </select>
  );
  return (
    <Dialog title={t('alarms.forwarding.title')} onClose={onClose} wide>
      <form className="form-grid" onSubmit={(event) => void submit(event)}>
        <p className="muted">{t('alarms.forwarding.intro')}</p>
        <label className="chip">
          <input type="checkbox" checked={desktop} onChange={(event) => setDesktop(event.target.checked)} />
          {t('alarms.forwarding.desktop')}
        </label>
        <h3>{t('alarms.forwarding.webhook')}</h3>
        <Field id="webhook-url" label={t('alarms.forwarding.url')} hint={t('alarms.forwarding.urlHint')} error={fieldError('webhook.url')}>
          <input id="webhook-url" value={webhookUrl} placeholder="https://noc.example.com/edgecab" onChange={(event) => setWebhookUrl(event.target.value)} />
        </Field>
        <Field id="webhook-secret" label={t('alarms.forwarding.secret')} hint={t('alarms.forwarding.secretHint')} error={fieldError('webhook.secret')}>
          <input id="webhook-secret" type="password" value={secret} autoComplete="off" onChange={(event) => setSecret(event.target.value)} />
        </Field>
        <Field id="webhook-severity" label={t('alarms.forwarding.which')}>
          {severitySelect('webhook-severity', webhookSeverity, setWebhookSeverity)}
        </Field>
        <h3>{t('alarms.forwarding.syslog')}</h3>
        <Field id="syslog-host" label={t('alarms.forwarding.host')} error={fieldError('syslog.host')}>
          <input id="syslog-host" value={syslogHost} placeholder="10.0.0.5" onChange={(event) => setSyslogHost(event.target.value)} />
        </Field>
        <Field id="syslog-port" label={t('alarms.forwarding.port')} error={fieldError('syslog.port')}>
          <input id="syslog-port" inputMode="numeric" value={syslogPort} onChange={(event) => setSyslogPort(event.target.value)} />
        </Field>
        <Field id="syslog-transport" label={t('alarms.forwarding.transport')}>
          <select id="syslog-transport" value={transport} onChange={(event) => setTransport(event.target.value as 'udp' | 'tcp')}>
            <option value="udp">UDP</option>
            <option value="tcp">TCP</option>
          </select>
        </Field>
        <Field id="syslog-severity" label={t('alarms.forwarding.which')}>
          {severitySelect('syslog-severity', syslogSeverity, setSyslogSeverity)}
        </Field>
        <ErrorNotice message={error && Object.keys(error.fields).length === 0 ? error.message : null} />
        {saved ? (
          <p className="notice" role="status">
            {t('alarms.forwarding.saved')}
          </p>
        ) : null}
        <div className="page-actions">
          <button type="submit" className="primary">
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
