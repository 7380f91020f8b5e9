import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { LAB_FAULTS, type LabFault, type LabStatus } from '../../../shared/domain/monitoring.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useCan } from '../auth/access.js';

function useLab() {
  const { client } = useApi();
  const [status, setStatus] = useState<LabStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    client.lab.status().then(setStatus, (cause: unknown) => setError(toUiError(cause).message));
  }, [client]);
  useEffect(load, [load]);
  return { status, setStatus, error, setError, client };
}

/** Starts a lab of `sites` simulated cabinets; shared by the first-run offer and the lab page. */
function StartLab({ onStarted }: { onStarted: (status: LabStatus) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [sites, setSites] = useState(3);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      onStarted(await client.lab.start({ sites, seed: 1, templateId: 'edge-24u', language: i18n.language === 'zh-CN' ? 'zh-CN' : 'en' }));
    } catch (cause) {
      setError(toUiError(cause).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="toolbar">
      <label>
        {t('lab.sitesLabel')}{' '}
        <input type="number" min={1} max={50} value={sites} onChange={(event) => setSites(Math.max(1, Math.min(50, Number(event.target.value) || 1)))} style={{ width: 70 }} />
      </label>
      <button type="button" className="primary" disabled={busy} onClick={() => void start()}>
        {busy ? t('lab.starting') : t('lab.start')}
      </button>
      <ErrorNotice message={error} />
    </div>
  );
}

/** Shown on first run (no sites yet) when this host offers a lab. */
export function LabOffer() {
  const { t } = useTranslation();
  const { status } = useLab();
  const navigate = useNavigate();
  // Starting a lab adds sites in no region: only an administrator of every region may.
  const canStart = useCan('administrator', 'everywhere');
  if (!canStart || !status?.available || status.running) return null;
  return (
    <section className="card lab-offer" aria-labelledby="lab-offer-title" data-testid="lab-offer">
      <h2 id="lab-offer-title">{t('lab.offerTitle')}</h2>
      <p>{t('lab.offerBody')}</p>
      <StartLab onStarted={() => navigate('/lab')} />
    </section>
  );
}

export function LabPage() {
  const { t } = useTranslation();
  const { status, setStatus, error, setError, client } = useLab();
  const toggle = async (siteId: string, fault: LabFault, active: boolean) => {
    try {
      setStatus(await client.lab.fault({ siteId, fault, active }));
      await client.monitor.pollSite({ siteId });
    } catch (cause) {
      setError(toUiError(cause).message);
    }
  };
  return (
    <section className="page" aria-labelledby="lab-title">
      <header className="page-header">
        <div>
          <h1 id="lab-title">{t('lab.title')}</h1>
          <p className="muted">{t('lab.intro')}</p>
        </div>
      </header>
      <ErrorNotice message={error} />
      {status && !status.available ? <p className="muted">{t('lab.unavailable')}</p> : null}
      {status?.available && !status.running ? (
        <div className="card">
          <p className="muted">{t('lab.notRunning')}</p>
          <StartLab onStarted={setStatus} />
        </div>
      ) : null}
      {status?.running ? (
        <div className="card scroll-x">
          <p>{t('lab.running', { count: status.sites.length })}</p>
          <table className="simple-table" data-testid="lab-table">
            <tbody>
              {status.sites.map((site) => (
                <tr key={site.siteId}>
                  <th>
                    <Link to={`/sites/${site.siteId}`}>{site.code}</Link>
                  </th>
                  {LAB_FAULTS.map((fault) => {
                    const active = site.faults.includes(fault);
                    return (
                      <td key={fault}>
                        <button type="button" className={active ? 'fault-on' : ''} aria-pressed={active} onClick={() => void toggle(site.siteId, fault, !active)}>
                          {active ? '■ ' : ''}
                          {t(`lab.faults.${fault}`)}
                        </button>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
