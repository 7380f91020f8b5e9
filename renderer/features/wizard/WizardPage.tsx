import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import type { WizardState } from '../../../shared/domain/wizard.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError, type UiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { formatDateTime } from '../../components/format.js';
import { RegionOptions } from '../regions/RegionOptions.js';
import { useRegions } from '../regions/useRegions.js';
import { BudgetBar, Findings, ItemList, LocationPicker } from './WizardParts.js';

type Run = (work: () => Promise<WizardState>) => Promise<void>;

const numbers = (text: string) =>
  text
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((value) => Number.isInteger(value) && value > 0);
const list = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** Start a new wizard run or resume one. */
export function WizardStart() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const navigate = useNavigate();
  const [runs, setRuns] = useState<Awaited<ReturnType<typeof client.wizard.list>>>([]);
  useEffect(() => {
    client.wizard.list().then(setRuns, () => setRuns([]));
  }, [client]);
  return (
    <section className="page" aria-labelledby="wizard-title">
      <header className="page-header">
        <div>
          <h1 id="wizard-title">{t('wizard.title')}</h1>
          <p className="muted">{t('wizard.intro')}</p>
        </div>
        <div className="page-actions">
          <button type="button" className="primary" onClick={() => void client.wizard.start().then((run) => navigate(`/wizard/${run.id}`))}>
            {t('wizard.start')}
          </button>
        </div>
      </header>
      {runs.length > 0 ? (
        <div className="card">
          <h2>{t('wizard.runs')}</h2>
          <ul className="wizard-runs">
            {runs.map((run) => (
              <li key={run.id}>
                <Link to={`/wizard/${run.id}`}>{run.siteName ?? t('wizard.unnamed')}</Link> · {formatDateTime(run.startedAt, i18n.language)} ·{' '}
                {run.status === 'done' ? t('wizard.finished') : t('wizard.atStep', { step: run.step })}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

export function WizardPage() {
  const { t } = useTranslation();
  const { client } = useApi();
  const { runId = '' } = useParams();
  const [state, setState] = useState<WizardState | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [, setTick] = useState(0);

  const load = useCallback(() => {
    client.wizard.get({ runId }).then(setState, (cause: unknown) => setError(toUiError(cause)));
  }, [client, runId]);
  useEffect(load, [load]);
  useLiveEvents((event) => {
    if (event.type === 'wizard.changed' && event.runId === runId) load();
  });
  // The clock against the budget moves even when nothing else does.
  useEffect(() => {
    const timer = setInterval(() => {
      setTick((tick) => tick + 1);
      load();
    }, 15_000);
    return () => clearInterval(timer);
  }, [load]);

  const run: Run = async (work) => {
    setBusy(true);
    setError(null);
    try {
      setState(await work());
    } catch (cause) {
      setError(toUiError(cause));
      load();
    } finally {
      setBusy(false);
    }
  };
  if (!state) return <section className="page">{error ? <ErrorNotice message={error.message} /> : <p className="muted">{t('common.loading')}</p>}</section>;
  const step = state.step;
  return (
    <section className="page wizard" aria-labelledby="wizard-step-title">
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/wizard">{t('wizard.title')}</Link>
            {state.site ? ` · ${state.site.name}` : ''}
          </p>
          <h1 id="wizard-step-title">{t('wizard.stepTitle', { step, name: t(`wizard.steps.${step}`) })}</h1>
        </div>
      </header>
      <BudgetBar state={state} />
      <nav className="wizard-tabs" aria-label={t('wizard.stepsLabel')}>
        {[1, 2, 3, 4, 5].map((each) => (
          <button
            key={each}
            type="button"
            className={each === step ? 'active' : ''}
            aria-current={each === step ? 'step' : undefined}
            disabled={each > state.reachable || busy}
            onClick={() => void run(() => client.wizard.goto({ runId, step: each }))}
          >
            {each}. {t(`wizard.steps.${each}`)}
          </button>
        ))}
      </nav>
      {error && Object.keys(error.fields).length === 0 ? <ErrorNotice message={error.message} /> : null}
      {step === 1 ? <SiteStep state={state} run={run} busy={busy} error={error} /> : null}
      {step === 2 ? <DiscoverStep state={state} run={run} busy={busy} error={error} /> : null}
      {step === 3 ? <SecureStep state={state} run={run} busy={busy} error={error} /> : null}
      {step === 4 ? <ConfigureStep state={state} run={run} busy={busy} error={error} /> : null}
      {step === 5 ? <VerifyStep state={state} run={run} busy={busy} /> : null}
    </section>
  );
}

interface StepProps {
  state: WizardState;
  run: Run;
  busy: boolean;
  error?: UiError | null;
}

function SiteStep({ state, run, busy, error }: StepProps) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const { regions } = useRegions();
  const [templates, setTemplates] = useState<{ id: string; name: Record<string, string> }[]>([]);
  const site = state.site;
  const [name, setName] = useState(site?.name ?? '');
  const [code, setCode] = useState(site?.code ?? '');
  const [regionId, setRegionId] = useState<number | null>(site?.regionId ?? null);
  const [address, setAddress] = useState(site?.address ?? '');
  const [contact, setContact] = useState(site?.contact ?? '');
  const [latitude, setLatitude] = useState<number | null>(site?.latitude ?? null);
  const [longitude, setLongitude] = useState<number | null>(site?.longitude ?? null);
  const [templateId, setTemplateId] = useState(site?.templateId ?? 'edge-24u');
  const [subnet, setSubnet] = useState(site?.managementSubnet ?? '');
  useEffect(() => {
    client.cabinets.templates().then(setTemplates, () => setTemplates([]));
  }, [client]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(() =>
      client.wizard.site({
        runId: state.id,
        name,
        code,
        regionId,
        address: address || null,
        contact: contact || null,
        latitude: latitude ?? Number.NaN,
        longitude: longitude ?? Number.NaN,
        templateId,
        managementSubnet: subnet,
        language: i18n.language === 'zh-CN' ? 'zh-CN' : 'en',
      }),
    );
  };
  const fieldError = (field: string) => error?.fields[field]?.message;
  return (
    <form className="card form-grid" onSubmit={submit}>
      <p className="muted">{t('wizard.site.intro')}</p>
      <Field id="wizard-name" label={t('sites.field.name')} error={fieldError('name')}>
        <input id="wizard-name" value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <Field id="wizard-code" label={t('sites.field.code')} error={fieldError('code')}>
        <input id="wizard-code" value={code} onChange={(event) => setCode(event.target.value)} />
      </Field>
      <Field id="wizard-region" label={t('sites.field.region')}>
        <select id="wizard-region" value={regionId ?? ''} onChange={(event) => setRegionId(event.target.value ? Number(event.target.value) : null)}>
          <option value="">{t('common.none')}</option>
          <RegionOptions regions={regions} />
        </select>
      </Field>
      <Field id="wizard-template" label={t('wizard.site.cabinet')} error={fieldError('templateId')}>
        <select id="wizard-template" value={templateId} onChange={(event) => setTemplateId(event.target.value)}>
          {templates.map((template) => (
            <option key={template.id} value={template.id}>
              {template.name[i18n.language] ?? template.name.en}
            </option>
          ))}
        </select>
      </Field>
      <Field id="wizard-address" label={t('sites.field.address')}>
        <input id="wizard-address" value={address} onChange={(event) => setAddress(event.target.value)} />
      </Field>
      <Field id="wizard-contact" label={t('sites.field.contact')}>
        <input id="wizard-contact" value={contact} onChange={(event) => setContact(event.target.value)} />
      </Field>
      <div className="wide">
        <LocationPicker latitude={latitude} longitude={longitude} onPick={(lat, lng) => {
          setLatitude(lat);
          setLongitude(lng);
        }} />
      </div>
      <Field id="wizard-latitude" label={t('sites.field.latitude')} hint={t('wizard.site.pickOnMap')} error={fieldError('latitude')}>
        <input id="wizard-latitude" inputMode="decimal" value={latitude ?? ''} onChange={(event) => setLatitude(event.target.value === '' ? null : Number(event.target.value))} />
      </Field>
      <Field id="wizard-longitude" label={t('sites.field.longitude')} error={fieldError('longitude')}>
        <input id="wizard-longitude" inputMode="decimal" value={longitude ?? ''} onChange={(event) => setLongitude(event.target.value === '' ? null : Number(event.target.value))} />
      </Field>
      <Field id="wizard-subnet" label={t('wizard.site.subnet')} hint={t('wizard.site.subnetHint')} error={fieldError('managementSubnet')}>
        <input id="wizard-subnet" value={subnet} placeholder="10.20.0.0/24" onChange={(event) => setSubnet(event.target.value)} />
      </Field>
      {state.preflight.length > 0 ? (
        <ul className="preflight wide" data-testid="preflight">
          {state.preflight.map((check) => (
            <li key={check.id} className={check.ok === true ? 'ok' : check.ok === false ? 'bad' : 'unknown'}>
              <strong>{t(`wizard.preflight.${check.id}`)}</strong>: {check.detail}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="page-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('wizard.working') : t('wizard.site.save')}
        </button>
      </div>
    </form>
  );
}

function DiscoverStep({ state, run, busy, error }: StepProps) {
  const { t } = useTranslation();
  const { client } = useApi();
  // Going back to this step shows what it was run with.
  const [ranges, setRanges] = useState(state.inputs.discover?.ranges ?? state.site?.managementSubnet ?? '');
  const [redfishPorts, setRedfishPorts] = useState((state.inputs.discover?.redfishPorts ?? [443]).join(', '));
  const [snmpPorts, setSnmpPorts] = useState((state.inputs.discover?.snmpPorts ?? [161]).join(', '));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [trusted, setTrusted] = useState<Record<string, string>>({});
  const discovery = state.discovery;
  const search = (event: FormEvent) => {
    event.preventDefault();
    void run(() =>
      client.wizard.discover({
        runId: state.id,
        ranges,
        redfishPorts: numbers(redfishPorts),
        snmpPorts: numbers(snmpPorts),
        extraCredentials: username && password ? [{ username, password }] : [],
        extraCommunities: [],
        trusted: Object.fromEntries(Object.entries(trusted).filter(([, fingerprint]) => fingerprint)),
        wait: false,
      }),
    );
  };
  const endpointOf = (slotId: string, fallback: string | null) => (slotId in choices ? choices[slotId] || null : fallback);
  const confirm = () =>
    void run(() => client.wizard.confirm({ runId: state.id, matches: state.matches.map((match) => ({ slotId: match.slotId, endpoint: endpointOf(match.slotId, match.endpoint) })), trusted }));
  const certificates = discovery.devices.filter((device) => device.fingerprint && state.matches.some((match) => endpointOf(match.slotId, match.endpoint) === `${device.address}:${device.port}`));
  // BMCs no factory credential opened: the user's own is tried only once their certificate is trusted here.
  const untrusted = discovery.running ? [] : discovery.devices.filter((device) => device.note === 'untrusted' && device.fingerprint);
  return (
    <>
      <form className="card form-grid" onSubmit={search}>
        <p className="muted">{t('wizard.discover.intro')}</p>
        <Field id="wizard-ranges" label={t('wizard.discover.ranges')} hint={t('wizard.discover.rangesHint')} error={error?.fields.ranges?.message}>
          <input id="wizard-ranges" value={ranges} onChange={(event) => setRanges(event.target.value)} />
        </Field>
        <Field id="wizard-redfish-ports" label={t('wizard.discover.redfishPorts')}>
          <input id="wizard-redfish-ports" value={redfishPorts} onChange={(event) => setRedfishPorts(event.target.value)} />
        </Field>
        <Field id="wizard-snmp-ports" label={t('wizard.discover.snmpPorts')}>
          <input id="wizard-snmp-ports" value={snmpPorts} onChange={(event) => setSnmpPorts(event.target.value)} />
        </Field>
        <Field id="wizard-extra-user" label={t('wizard.discover.extraUser')} hint={t('wizard.discover.extraHint')}>
          <input id="wizard-extra-user" value={username} autoComplete="off" onChange={(event) => setUsername(event.target.value)} />
        </Field>
        <Field id="wizard-extra-password" label={t('wizard.discover.extraPassword')}>
          <input id="wizard-extra-password" type="password" value={password} autoComplete="off" onChange={(event) => setPassword(event.target.value)} />
        </Field>
        <div className="page-actions">
          <button type="submit" className="primary" disabled={busy || discovery.running}>
            {t('wizard.discover.search')}
          </button>
        </div>
      </form>
      {untrusted.length > 0 ? (
        <div className="card" data-testid="untrusted-bmcs">
          <p>{t('wizardField.discover.untrustedIntro')}</p>
          <ul className="certificates">
            {untrusted.map((device) => {
              const endpoint = `${device.address}:${device.port}`;
              return (
                <li key={endpoint}>
                  <label>
                    <input type="checkbox" checked={trusted[endpoint] === device.fingerprint} onChange={(event) => setTrusted({ ...trusted, [endpoint]: event.target.checked ? device.fingerprint! : '' })} />{' '}
                    {t('wizardField.discover.trustToTry', { endpoint })} <code className="mono">{device.fingerprint}</code>
                  </label>
                </li>
              );
            })}
          </ul>
          <button type="button" disabled={busy || !username || !password} onClick={() => search({ preventDefault: () => undefined } as FormEvent)}>
            {t('wizardField.discover.tryAgain')}
          </button>
        </div>
      ) : null}
      {discovery.total > 0 ? (
        <div className="card">
          <p>{t('wizard.discover.progress', { done: discovery.done, total: discovery.total, found: discovery.devices.length })}</p>
          <progress className="wide-progress" max={discovery.total} value={discovery.done} data-testid="discovery-progress" />
          <ItemList items={state.items.filter((item) => item.key.startsWith('discover:'))} step={2} />
        </div>
      ) : null}
      {!discovery.running && state.matches.length > 0 ? (
        <div className="card">
          <h2>{t('wizard.discover.matches')}</h2>
          <p className="muted">{t('wizard.discover.matchesIntro')}</p>
          <table className="simple-table" data-testid="slot-matches">
            <tbody>
              {state.matches.map((match) => (
                <tr key={match.slotId}>
                  <th>{match.name}</th>
                  <td>
                    <select aria-label={t('wizard.discover.deviceFor', { slot: match.name })} value={endpointOf(match.slotId, match.endpoint) ?? ''} onChange={(event) => setChoices({ ...choices, [match.slotId]: event.target.value })}>
                      <option value="">{t('wizard.discover.noDevice')}</option>
                      {discovery.devices
                        .filter((device) => device.protocol === match.protocol)
                        .map((device) => (
                          <option key={`${device.address}:${device.port}`} value={`${device.address}:${device.port}`}>
                            {device.address}:{device.port} · {device.kind} {device.model ?? ''} {device.serial ? `· ${device.serial}` : ''}
                          </option>
                        ))}
                    </select>
                  </td>
                  <td className="field-error">{error?.fields[match.slotId]?.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {certificates.length > 0 ? (
            <>
              <h3>{t('wizard.discover.certificates')}</h3>
              <ul className="certificates">
                {certificates.map((device) => {
                  const endpoint = `${device.address}:${device.port}`;
                  return (
                    <li key={endpoint}>
                      <label>
                        <input type="checkbox" checked={trusted[endpoint] === device.fingerprint} onChange={(event) => setTrusted({ ...trusted, [endpoint]: event.target.checked ? device.fingerprint! : '' })} />{' '}
                        {t('wizard.discover.trust', { endpoint })} <code className="mono">{device.fingerprint}</code>
                      </label>
                    </li>
                  );
                })}
              </ul>
            </>
          ) : null}
          <ItemList items={state.items.filter((item) => item.key.startsWith('connect:'))} step={2} />
          <button type="button" className="primary" disabled={busy} onClick={confirm}>
            {t('wizard.discover.confirm')}
          </button>
        </div>
      ) : null}
    </>
  );
}

function SecureStep({ state, run, busy, error }: StepProps) {
  const { t } = useTranslation();
  const { client } = useApi();
  const kept = state.inputs.secure?.snmpUser ?? null;
  const [own, setOwn] = useState(false);
  const [user, setUser] = useState('');
  const [authProtocol, setAuthProtocol] = useState<'sha' | 'sha256' | 'sha512'>('sha256');
  const [authKey, setAuthKey] = useState('');
  const [privProtocol, setPrivProtocol] = useState<'aes' | 'aes256'>('aes');
  const [privKey, setPrivKey] = useState('');
  const secure = (only: string[] = []) =>
    void run(() => client.wizard.secure({ runId: state.id, snmpV3: own && user ? { user, authProtocol, authKey, privProtocol, privKey } : null, only }));
  return (
    <div className="card form-grid">
      <p className="muted">{t('wizard.secure.intro')}</p>
      <h3>{t('wizard.secure.snmpV3')}</h3>
      <p className="wide">{t('wizardField.secure.generated')}</p>
      {kept ? <p className="wide muted" data-testid="kept-site-user">{t('wizardField.secure.kept', { user: kept })}</p> : null}
      <label className="wide">
        <input type="checkbox" checked={own} onChange={(event) => setOwn(event.target.checked)} /> {t('wizardField.secure.useOwn')}
      </label>
      {own ? (
      <>
      <Field id="wizard-v3-user" label={t('wizard.secure.user')} hint={t('wizard.secure.userHint')}>
        <input id="wizard-v3-user" value={user} onChange={(event) => setUser(event.target.value)} />
      </Field>
      <Field id="wizard-v3-auth" label={t('wizard.secure.authProtocol')}>
        <select id="wizard-v3-auth" value={authProtocol} onChange={(event) => setAuthProtocol(event.target.value as typeof authProtocol)}>
          <option value="sha">SHA-1</option>
          <option value="sha256">SHA-256</option>
          <option value="sha512">SHA-512</option>
        </select>
      </Field>
      <Field id="wizard-v3-auth-key" label={t('wizard.secure.authKey')} error={error?.fields['snmpV3.authKey']?.message}>
        <input id="wizard-v3-auth-key" type="password" value={authKey} autoComplete="off" onChange={(event) => setAuthKey(event.target.value)} />
      </Field>
      <Field id="wizard-v3-priv" label={t('wizard.secure.privProtocol')}>
        <select id="wizard-v3-priv" value={privProtocol} onChange={(event) => setPrivProtocol(event.target.value as typeof privProtocol)}>
          <option value="aes">AES-128</option>
          <option value="aes256">AES-256</option>
        </select>
      </Field>
      <Field id="wizard-v3-priv-key" label={t('wizard.secure.privKey')} error={error?.fields['snmpV3.privKey']?.message}>
        <input id="wizard-v3-priv-key" type="password" value={privKey} autoComplete="off" onChange={(event) => setPrivKey(event.target.value)} />
      </Field>
      </>
      ) : null}
      <div className="page-actions">
        <button type="button" className="primary" disabled={busy} onClick={() => secure()}>
          {busy ? t('wizard.working') : t('wizard.secure.run')}
        </button>
      </div>
      <div className="wide">
        <ItemList items={state.items} step={3} busy={busy} onRetry={(keys) => secure(keys)} />
        <Findings findings={state.findings} />
      </div>
    </div>
  );
}

function ConfigureStep({ state, run, busy, error }: StepProps) {
  const { t } = useTranslation();
  const { client } = useApi();
  const previous = state.inputs.configure;
  const [ntp, setNtp] = useState((previous?.ntpServers ?? []).join(', '));
  const [dns, setDns] = useState((previous?.dnsServers ?? []).join(', '));
  const [events, setEvents] = useState(previous?.eventDestination ?? '');
  const configure = (only: string[] = []) =>
    void run(() => client.wizard.configure({ runId: state.id, ntpServers: list(ntp), dnsServers: list(dns), ...(events.trim() ? { eventDestination: events.trim() } : {}), only }));
  return (
    <div className="card form-grid">
      <p className="muted">{t('wizard.configure.intro')}</p>
      <Field id="wizard-ntp" label={t('wizard.configure.ntp')} hint={t('wizard.configure.listHint')} error={error?.fields.ntpServers?.message}>
        <input id="wizard-ntp" value={ntp} onChange={(event) => setNtp(event.target.value)} />
      </Field>
      <Field id="wizard-dns" label={t('wizard.configure.dns')} hint={t('wizard.configure.listHint')} error={error?.fields.dnsServers?.message}>
        <input id="wizard-dns" value={dns} onChange={(event) => setDns(event.target.value)} />
      </Field>
      <p className="wide">{t('wizardField.configure.eventsAuto')}</p>
      <Field id="wizard-events" label={t('wizardField.configure.eventsOverride')} hint={t('wizardField.configure.eventsOverrideHint')} error={error?.fields.eventDestination?.message}>
        <input id="wizard-events" value={events} placeholder="https://10.20.0.5:4781" onChange={(event) => setEvents(event.target.value)} />
      </Field>
      <div className="page-actions">
        <button type="button" className="primary" disabled={busy} onClick={() => configure()}>
          {busy ? t('wizard.working') : t('wizard.configure.run')}
        </button>
      </div>
      <div className="wide">
        <ItemList items={state.items} step={4} busy={busy} onRetry={(keys) => configure(keys)} />
        <Findings findings={state.findings} />
      </div>
    </div>
  );
}

function download(name: string, type: string, data: BlobPart) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function VerifyStep({ state, run, busy }: StepProps) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [reportError, setReportError] = useState<string | null>(null);
  const getReport = async (kind: 'html' | 'pdf') => {
    try {
      const report = await client.wizard.report({ runId: state.id });
      if (kind === 'html') download(`${report.fileName}.html`, 'text/html', report.html);
      else download(`${report.fileName}.pdf`, 'application/pdf', Uint8Array.from(atob(report.pdfBase64), (char) => char.charCodeAt(0)));
    } catch (cause) {
      setReportError(toUiError(cause).message);
    }
  };
  return (
    <div className="card">
      <p className="muted">{t('wizard.verify.intro')}</p>
      <div className="page-actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void run(() => client.wizard.verify({ runId: state.id }))}>
          {busy ? t('wizard.working') : t('wizard.verify.run')}
        </button>
        {state.reportReady ? (
          <>
            <button type="button" onClick={() => void getReport('html')}>
              {t('wizard.verify.html')}
            </button>
            <button type="button" onClick={() => void getReport('pdf')}>
              {t('wizard.verify.pdf')}
            </button>
          </>
        ) : null}
      </div>
      <ErrorNotice message={reportError} />
      <ItemList items={state.items} step={5} />
      <Findings findings={state.findings} />
      {state.status === 'done' && state.siteId ? (
        <p className="notice-block" role="status" data-testid="wizard-done">
          {t('wizard.verify.done')} <Link to={`/sites/${state.siteId}`}>{t('wizard.verify.openSite')}</Link> · <Link to="/map">{t('wizard.verify.openMap')}</Link>
        </p>
      ) : null}
    </div>
  );
}
