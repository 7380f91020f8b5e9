import { ORPCError } from '@orpc/client';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { decimalSize, type EngineInventory } from '../../../shared/domain/engine.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Field, TextInput } from '../../components/Field.js';
import { formatDateTime } from '../../components/format.js';
import { UntrustedCertificate } from '../../components/UntrustedCertificate.js';
import { issueText } from '../../i18n/index.js';
import { ProbeActions, ProbeFailure } from './ProbeParts.js';

const ENGINE_FAILURE_REASONS = new Set(['connection', 'timeout', 'tls_changed', 'http', 'not_json', 'malformed', 'too_large']);

/**
 * What an engine read that did not answer as expected comes to: a
 * certificate to trust, or a reason the catalog explains (and the
 * engine's own words); null for any other error.
 */
export function engineFailureOf(error: unknown): { untrusted: string } | { reason: string; detail: string } | null {
  if (!(error instanceof ORPCError) || error.code !== 'DEVICE_UNREACHABLE') return null;
  const data = (error.data ?? {}) as { reason?: string; fingerprint?: string | null };
  if (data.reason === 'tls_untrusted' && data.fingerprint) return { untrusted: data.fingerprint };
  return { reason: ENGINE_FAILURE_REASONS.has(data.reason ?? '') ? data.reason! : 'other', detail: error.message };
}


export function EngineReport({ inventory }: { inventory: EngineInventory }) {
  const { t, i18n } = useTranslation();
  const { engine, host, disk } = inventory;
  const running = inventory.containers.filter((container) => container.state === 'running').length;
  return (
    <div className="report" data-testid="engine-report">
      <section className="card">
        <h2>
          <span className="kind-badge">{t('engine.kind')}</span> {t('engine.summary', { product: engine.product, version: engine.version, api: engine.apiVersion })}
        </h2>
        <dl className="facts">
          <div>
            <dt>{t('engine.host')}</dt>
            <dd data-testid="engine-host">{t('engine.hostValue', { name: host.name ?? '—', os: engine.os ?? '—', arch: engine.arch ?? '', cpus: host.cpus ?? '—', memory: decimalSize(host.memoryBytes, '—') })}</dd>
          </div>
          <div>
            <dt>{t('engine.disk')}</dt>
            <dd data-testid="engine-disk">{disk.freeBytes !== null ? t('engine.diskFree', { free: decimalSize(disk.freeBytes, '—'), total: decimalSize(disk.totalBytes, '—') }) : t('engine.diskUnknown')}</dd>
          </div>
        </dl>
        <p className="muted small">{t('probe.readAt', { time: formatDateTime(inventory.observedAt, i18n.language) })}</p>
      </section>
      <section className="card" data-testid="engine-containers">
        <h2>{t('engine.containers', { count: inventory.containers.length, running })}</h2>
        {inventory.containers.length === 0 ? (
          <p className="muted">{t('engine.none')}</p>
        ) : (
          <table className="simple-table">
            <thead>
              <tr>
                <th>{t('engine.columns.name')}</th>
                <th>{t('engine.columns.image')}</th>
                <th>{t('engine.columns.state')}</th>
                <th>{t('engine.columns.status')}</th>
              </tr>
            </thead>
            <tbody>
              {inventory.containers.map((container) => (
                <tr key={container.id}>
                  <td className="mono">{container.name}</td>
                  <td className="mono">{container.image}</td>
                  <td>
                    <span className={`badge ${container.state === 'running' ? 'badge-ok' : container.state === 'exited' || container.state === 'dead' ? 'badge-error' : 'badge-muted'}`}>{container.state}</span>
                  </td>
                  <td className="muted">{container.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" data-testid="engine-images">
        <h2>{t('engine.images', { count: inventory.images.length })}</h2>
        {inventory.images.length === 0 ? (
          <p className="muted">{t('engine.none')}</p>
        ) : (
          <table className="simple-table">
            <thead>
              <tr>
                <th>{t('engine.columns.tags')}</th>
                <th>{t('engine.columns.size')}</th>
                <th>{t('engine.columns.created')}</th>
              </tr>
            </thead>
            <tbody>
              {inventory.images.map((image) => (
                <tr key={image.id}>
                  <td className="mono">{image.tags.join(', ') || `${t('engine.untagged')} · ${image.id.replace(/^sha256:/, '').slice(0, 12)}`}</td>
                  <td>{decimalSize(image.sizeBytes, '—')}</td>
                  <td>{image.created ? formatDateTime(image.created, i18n.language) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" data-testid="engine-volumes">
        <h2>{t('engine.volumes', { count: inventory.volumes.length })}</h2>
        {inventory.volumes.length === 0 ? (
          <p className="muted">{t('engine.none')}</p>
        ) : (
          <table className="simple-table">
            <tbody>
              {inventory.volumes.map((volume) => (
                <tr key={volume.name}>
                  <td className="mono">{volume.name}</td>
                  <td>{volume.driver}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** Reads a site's workload engine; over TCP its certificate is shown and trusted only on request, as a BMC's is. */
export function EngineProbe() {
  const { t } = useTranslation();
  const { client } = useApi();
  const [url, setUrl] = useState('');
  const [trusted, setTrusted] = useState<string | null>(null);
  const [untrusted, setUntrusted] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<EngineInventory | null>(null);
  const [failure, setFailure] = useState<{ reason: string; detail: string } | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);

  const read = async (fingerprint: string | null) => {
    setBusy(true);
    setFailure(null);
    setFieldError(undefined);
    setResult(null);
    setUntrusted(null);
    try {
      const answer = await client.devices.probeEngine({ url, fingerprint, trustOnFirstUse: false });
      setTrusted(answer.certificateFingerprint);
      setResult(answer);
    } catch (error) {
      const failed = engineFailureOf(error);
      if (failed && 'untrusted' in failed) setUntrusted(failed.untrusted);
      else if (failed) setFailure(failed);
      else {
        const uiError = toUiError(error);
        const issue = uiError.fields.url;
        if (issue) setFieldError(issueText(t, issue));
        else setFailure({ reason: 'other', detail: uiError.message });
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void read(trusted);
  };

  // The engine trusts EdgeCab by this CA (dockerd --tlscacert): handed over as a file, over whichever transport the app uses.
  const downloadAuthority = async () => {
    const file = await client.pki.authority();
    const link = document.createElement('a');
    link.href = URL.createObjectURL(file);
    link.download = 'edgecab-ca.pem';
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <>
      <form className="card form" onSubmit={submit} noValidate>
        <p className="muted">
          {t('engine.intro')}{' '}
          <button type="button" className="link-button" onClick={() => void downloadAuthority()}>
            {t('engine.downloadAuthority')}
          </button>
        </p>
        <div className="form-grid probe-grid">
          <Field id="engine-url" label={t('engine.url')} hint={t('engine.urlHint')} error={fieldError}>
            <TextInput
              id="engine-url"
              autoComplete="off"
              value={url}
              hint={t('engine.urlHint')}
              error={fieldError}
              onChange={(event) => {
                setUrl(event.target.value);
                setTrusted(null);
              }}
            />
          </Field>
        </div>
        {trusted ? (
          <p className="muted small mono break-all" data-testid="engine-trusted">
            {t('engine.trusted')}: {trusted}
          </p>
        ) : null}
        <ProbeActions busy={busy} />
      </form>
      {untrusted ? <UntrustedCertificate fingerprint={untrusted} onTrust={(fingerprint) => void read(fingerprint)} /> : null}
      {failure ? <ProbeFailure explanation={t(`engine.reason.${failure.reason}`)} detail={failure.detail} /> : null}
      {result ? <EngineReport inventory={result} /> : null}
    </>
  );
}
