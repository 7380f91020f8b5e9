import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CabinetDevice } from '../../../shared/domain/cabinet.js';
import type { EngineInventory } from '../../../shared/domain/engine.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Field } from '../../components/Field.js';
import { UntrustedCertificate } from '../../components/UntrustedCertificate.js';
import { engineFailureOf, EngineReport } from '../probe/EngineProbe.js';
import { ProbeFailure } from '../probe/ProbeParts.js';

/** A workload engine device: where it answers (administrators), and what it runs now, read on request. */
export function EngineSection({ device, canAdminister, onChanged }: { device: CabinetDevice; canAdminister: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [url, setUrl] = useState(device.endpoint ?? '');
  const [editing, setEditing] = useState(!device.endpoint);
  const [urlError, setUrlError] = useState<string | undefined>(undefined);
  const [inventory, setInventory] = useState<EngineInventory | null>(null);
  const [untrusted, setUntrusted] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ reason: string; detail: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const read = async () => {
    setBusy(true);
    setFailure(null);
    setUntrusted(null);
    try {
      setInventory(await client.devices.engine({ id: device.id }));
    } catch (error) {
      setInventory(null);
      const failed = engineFailureOf(error);
      if (failed && 'untrusted' in failed) setUntrusted(failed.untrusted);
      else setFailure(failed ?? { reason: 'other', detail: toUiError(error).message });
    } finally {
      setBusy(false);
      // The read is recorded as the device's state: the page shows it.
      onChanged();
    }
  };

  const save = async (fingerprint: string | null = null) => {
    setUrlError(undefined);
    try {
      await client.devices.connectEngine({ id: device.id, protocol: 'engine', url: url.trim(), fingerprint });
      setEditing(false);
      await read();
    } catch (error) {
      const uiError = toUiError(error);
      setUrlError(uiError.fields.url?.message ?? uiError.message);
    }
  };

  return (
    <section className="card" aria-labelledby="engine-title" data-testid="engine-section">
      <h2 id="engine-title">{t('engine.kind')}</h2>
      <p className="muted">{device.endpoint ? t('device.connected', { endpoint: device.endpoint }) : t('device.notConnected')}</p>
      {canAdminister && editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <Field id="engine-url" label={t('engine.url')} hint={t('engine.urlHint')} error={urlError}>
            <input id="engine-url" value={url} onChange={(event) => setUrl(event.target.value)} spellCheck={false} />
          </Field>
          <button type="submit" className="primary">
            {t('common.save')}
          </button>
        </form>
      ) : null}
      <div className="page-actions">
        {canAdminister && !editing ? (
          <button type="button" onClick={() => setEditing(true)}>
            {t('device.editConnection')}
          </button>
        ) : null}
        {device.endpoint ? (
          <button type="button" className="primary" disabled={busy} onClick={() => void read()}>
            {busy ? t('probe.checking') : t('device.readNow')}
          </button>
        ) : null}
      </div>
      {untrusted && canAdminister ? <UntrustedCertificate fingerprint={untrusted} onTrust={(fingerprint) => void save(fingerprint)} /> : null}
      {failure ? <ProbeFailure explanation={t(`engine.reason.${failure.reason}`)} detail={failure.detail} /> : null}
      {inventory ? <EngineReport inventory={inventory} /> : null}
    </section>
  );
}
