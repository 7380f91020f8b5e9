import { Fragment, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanDetail, PlanDevice, PlanInput, PlanPreview, PlanSummary } from '../../../shared/domain/firmware-plans.js';
import type { Baseline, FirmwarePackage } from '../../../shared/domain/firmware-repository.js';
import { decimalSize } from '../../../shared/domain/engine.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';

/** A running plan is read again this often. */
const REFRESH_MS = 2000;

/** Upgrade plans: the form with its dry run, and every plan with its progress per wave, site and device. */
export function PlansPanel({ packages, baselines, sites, regions, canManage }: { packages: FirmwarePackage[]; baselines: Baseline[]; sites: { id: string; name: string }[]; regions: { id: string; name: string }[]; canManage: boolean }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [plans, setPlans] = useState<PlanSummary[] | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [started, setStarted] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => client.firmware.plans().then(setPlans, (cause: unknown) => setError(toUiError(cause).message)), [client]);
  useEffect(() => void load(), [load]);
  // Plans move on their own: read again while any runs.
  useEffect(() => {
    if (!plans?.some((plan) => plan.state === 'running')) return;
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [plans, load]);

  return (
    <div className="firmware-panel" data-testid="firmware-plans">
      <section className="card scroll-x">
        <div className="firmware-section-head">
          <h2>{t('firmwareRepo.plans.title')}</h2>
          {canManage && !creating ? (
            <button type="button" onClick={() => setCreating(true)}>
              {t('firmwareRepo.plans.newTitle')}
            </button>
          ) : null}
        </div>
        <p className="muted small">{t('firmwareRepo.plans.hint')}</p>
        <ErrorNotice message={error} />
        {started ? (
          <p className="notice" role="status">
            {t('firmwareRepo.plans.started', { name: started })}
          </p>
        ) : null}
        {plans && plans.length === 0 ? <p className="empty">{t('firmwareRepo.plans.empty')}</p> : null}
        {plans && plans.length > 0 ? <PlanList plans={plans} open={open} onOpen={setOpen} canManage={canManage} onChanged={() => void load()} /> : null}
      </section>
      {creating ? (
        <PlanForm
          packages={packages}
          baselines={baselines}
          sites={sites}
          regions={regions}
          onCancel={() => setCreating(false)}
          onStarted={(plan) => {
            setCreating(false);
            setStarted(plan.name);
            setOpen(plan.id);
            void load();
          }}
        />
      ) : null}
    </div>
  );
}

function useWindowText(): (plan: PlanSummary) => string {
  const { t, i18n } = useTranslation();
  return (plan) => {
    if (!plan.window) return t('firmwareRepo.plans.noWindow');
    const text = t('firmwareRepo.plans.windowText', { start: plan.window.start, minutes: plan.window.minutes, zone: plan.window.timeZone });
    if (plan.state !== 'running') return text;
    return `${text} · ${plan.windowOpen ? t('firmwareRepo.plans.windowOpen') : t('firmwareRepo.plans.nextWindow', { time: formatDateTime(plan.nextWindow!, i18n.language) })}`;
  };
}

function PlanList({ plans, open, onOpen, canManage, onChanged }: { plans: PlanSummary[]; open: number | null; onOpen: (id: number | null) => void; canManage: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const windowText = useWindowText();
  return (
    <table className="simple-table" data-testid="firmware-plan-list">
      <thead>
        <tr>
          <th>{t('firmwareRepo.plans.name')}</th>
          <th>{t('firmwareRepo.plans.state')}</th>
          <th>{t('firmwareRepo.plans.window')}</th>
          <th>{t('firmwareRepo.plans.progress')}</th>
        </tr>
      </thead>
      <tbody>
        {plans.map((plan) => (
          <Fragment key={plan.id}>
            <tr data-testid={`firmware-plan-${plan.id}`}>
              <td>
                <button type="button" className="link-button" aria-expanded={open === plan.id} onClick={() => onOpen(open === plan.id ? null : plan.id)}>
                  {plan.name}
                </button>
              </td>
              <td>
                <strong>{t(`firmwareRepo.plans.states.${plan.state}`)}</strong>
                {plan.reason ? <div className="muted small">{plan.reason}</div> : null}
              </td>
              <td>{windowText(plan)}</td>
              <td>
                {Object.entries(plan.phases)
                  .map(([phase, count]) => `${t(`firmwareRepo.plans.phases.${phase}`)} ${count}`)
                  .join(' · ')}
              </td>
            </tr>
            {open === plan.id ? (
              <tr>
                <td colSpan={4}>
                  <PlanProgress id={plan.id} state={plan.state} canManage={canManage} onChanged={onChanged} />
                </td>
              </tr>
            ) : null}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

/** One plan's devices, read again while it runs. */
function PlanProgress({ id, state, canManage, onChanged }: { id: number; state: PlanSummary['state']; canManage: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [detail, setDetail] = useState<PlanDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const read = () => client.firmware.plan({ id }).then(setDetail, (cause: unknown) => setError(toUiError(cause).message));
    void read();
    if (state !== 'running') return;
    const timer = setInterval(() => void read(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [client, id, state]);
  const cancel = () => client.firmware.cancelPlan({ id }).then(onChanged, (cause: unknown) => setError(toUiError(cause).message));
  return (
    <div data-testid="firmware-plan-progress">
      <ErrorNotice message={error} />
      {detail ? <DeviceTable rows={detail.list} showPhase /> : <p className="muted">{t('common.loading')}</p>}
      {canManage && state === 'running' ? (
        <button type="button" className="secondary" onClick={() => void cancel()}>
          {t('firmwareRepo.plans.cancel')}
        </button>
      ) : null}
    </div>
  );
}

function DeviceTable({ rows, showPhase }: { rows: PlanDevice[]; showPhase: boolean }) {
  const { t } = useTranslation();
  return (
    <table className="simple-table" data-testid="firmware-plan-devices">
      <thead>
        <tr>
          <th>{t('firmwareRepo.plans.wave')}</th>
          <th>{t('firmwareRepo.plans.site')}</th>
          <th>{t('firmwareRepo.plans.device')}</th>
          <th>{t('firmwareRepo.plans.component')}</th>
          <th>{t('firmwareRepo.plans.versions')}</th>
          <th>{t('firmwareRepo.plans.bytes')}</th>
          <th>{t('firmwareRepo.plans.applyTime')}</th>
          {showPhase ? <th>{t('firmwareRepo.plans.phase')}</th> : null}
          <th>{t('firmwareRepo.plans.message')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.deviceId}-${row.packageId}`} data-testid={`firmware-plan-row-${row.deviceId}`} data-phase={row.phase}>
            <td className="num">{row.wave + 1}</td>
            <td>{row.siteName}</td>
            <td>{row.name}</td>
            <td>{row.component}</td>
            <td className="mono">
              {row.current ?? '—'} → {row.target}
            </td>
            <td className="num">{decimalSize(row.bytes)}</td>
            <td title={row.applyTimeSource ?? undefined}>{row.applyTime ? t(`firmwareRepo.plans.applyTimes.${row.applyTime}`) : <span className="muted">{t('firmwareRepo.plans.notAsked')}</span>}</td>
            {showPhase ? (
              <td>
                <span className={`firmware-phase firmware-phase-${row.phase}`}>{t(`firmwareRepo.plans.phases.${row.phase}`)}</span>
              </td>
            ) : null}
            <td className="small">
              {row.message ?? ''}
              {row.messageId ? <code className="muted"> {row.messageId}</code> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PlanForm({ packages, baselines, sites, regions, onCancel, onStarted }: { packages: FirmwarePackage[]; baselines: Baseline[]; sites: { id: string; name: string }[]; regions: { id: string; name: string }[]; onCancel: () => void; onStarted: (plan: PlanDetail) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [name, setName] = useState('');
  const [packageIds, setPackageIds] = useState<string[]>([]);
  const [baselineId, setBaselineId] = useState<number | null>(null);
  const [siteIds, setSiteIds] = useState<string[]>([]);
  const [regionIds, setRegionIds] = useState<string[]>([]);
  const [models, setModels] = useState('');
  const [waveSize, setWaveSize] = useState(10);
  const [failureThreshold, setFailureThreshold] = useState(1);
  const [runNow, setRunNow] = useState(false);
  const [start, setStart] = useState('02:00');
  const [minutes, setMinutes] = useState(120);
  const [timeZone, setTimeZone] = useState('Asia/Shanghai');
  const [preview, setPreview] = useState<PlanPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const modelList = models
    .split(',')
    .map((model) => model.trim())
    .filter((model) => model !== '');
  const input = (): PlanInput => ({ name, packageIds, baselineId, targets: { siteIds, regionIds: regionIds.map(Number), models: modelList }, waveSize, failureThreshold, window: runNow ? null : { start, minutes, timeZone } });
  const toggle = (list: string[], id: string) => (list.includes(id) ? list.filter((item) => item !== id) : [...list, id]);
  // Anything changed after a dry run needs a new one before the plan can start.
  useEffect(() => setPreview(null), [name, packageIds, baselineId, siteIds, regionIds, models, waveSize, failureThreshold, runNow, start, minutes, timeZone]);
  const act = (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    work()
      .catch((cause: unknown) => setError(toUiError(cause).message))
      .finally(() => setBusy(false));
  };
  const stored = packages.filter((item) => item.imageStored);
  return (
    <section className="card" data-testid="firmware-plan-form">
      <h2>{t('firmwareRepo.plans.newTitle')}</h2>
      <div className="firmware-form">
        <label htmlFor="plan-name">{t('firmwareRepo.plans.name')}</label>
        <input id="plan-name" value={name} maxLength={80} onChange={(event) => setName(event.target.value)} />
        <label htmlFor="plan-baseline">{t('firmwareRepo.plans.baseline')}</label>
        <select id="plan-baseline" value={baselineId ?? ''} onChange={(event) => setBaselineId(event.target.value ? Number(event.target.value) : null)}>
          <option value="">{t('firmwareRepo.plans.noBaseline')}</option>
          {baselines.map((baseline) => (
            <option key={baseline.id} value={baseline.id}>
              {baseline.name}
            </option>
          ))}
        </select>
        <label htmlFor="plan-wave">{t('firmwareRepo.plans.waveSize')}</label>
        <input id="plan-wave" type="number" min={1} max={50} value={waveSize} onChange={(event) => setWaveSize(Number(event.target.value))} />
        <label htmlFor="plan-threshold">{t('firmwareRepo.plans.failureThreshold')}</label>
        <input id="plan-threshold" type="number" min={1} value={failureThreshold} onChange={(event) => setFailureThreshold(Number(event.target.value))} />
      </div>
      <fieldset className="firmware-fieldset">
        <legend>{t('firmwareRepo.plans.packages')}</legend>
        {stored.map((item) => (
          <label key={item.id} className="checkbox">
            <input type="checkbox" checked={packageIds.includes(item.id)} onChange={() => setPackageIds(toggle(packageIds, item.id))} />
            {item.description.vendor} {item.description.component} <span className="mono">{item.description.version}</span> <span className="muted">({item.description.appliesTo.models.join(', ')})</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="firmware-fieldset">
        <legend>{t('firmwareRepo.plans.sites')}</legend>
        {sites.map((site) => (
          <label key={site.id} className="checkbox">
            <input type="checkbox" checked={siteIds.includes(site.id)} onChange={() => setSiteIds(toggle(siteIds, site.id))} />
            {site.name}
          </label>
        ))}
      </fieldset>
      {regions.length > 0 ? (
        <fieldset className="firmware-fieldset">
          <legend>{t('firmwareRepo.plans.regions')}</legend>
          {regions.map((region) => (
            <label key={region.id} className="checkbox">
              <input type="checkbox" checked={regionIds.includes(region.id)} onChange={() => setRegionIds(toggle(regionIds, region.id))} />
              {region.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="firmware-form">
        <label htmlFor="plan-models">{t('firmwareRepo.plans.models')}</label>
        <input id="plan-models" value={models} placeholder={t('firmwareRepo.plans.modelsHint')} onChange={(event) => setModels(event.target.value)} />
      </div>
      <fieldset className="firmware-fieldset">
        <legend>{t('firmwareRepo.plans.window')}</legend>
        <label className="checkbox">
          <input type="checkbox" checked={runNow} onChange={(event) => setRunNow(event.target.checked)} />
          {t('firmwareRepo.plans.runNow')}
        </label>
        {!runNow ? (
          <div className="firmware-target-row">
            <label>
              {t('firmwareRepo.plans.windowStart')} <input type="time" value={start} onChange={(event) => setStart(event.target.value)} />
            </label>
            <label>
              {t('firmwareRepo.plans.windowMinutes')} <input type="number" min={15} max={1440} value={minutes} onChange={(event) => setMinutes(Number(event.target.value))} />
            </label>
            <label>
              {t('firmwareRepo.plans.timeZone')} <input value={timeZone} onChange={(event) => setTimeZone(event.target.value)} />
            </label>
          </div>
        ) : null}
      </fieldset>
      <ErrorNotice message={error} />
      {preview ? (
        <div data-testid="firmware-plan-preview">
          <p className="notice">{t('firmwareRepo.plans.preview', { devices: new Set(preview.devices.map((row) => row.deviceId)).size, waves: preview.waves, bytes: decimalSize(preview.bytes) })}</p>
          <DeviceTable rows={preview.devices} showPhase={false} />
          {preview.excluded.length > 0 ? (
            <>
              <h3>{t('firmwareRepo.plans.excluded')}</h3>
              <ul className="small">
                {preview.excluded.map((item) => (
                  <li key={`${item.deviceId}-${item.reason}`}>
                    {item.name}: {item.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      <div className="firmware-actions">
        <button type="button" className="secondary" disabled={busy} onClick={() => act(async () => setPreview(await client.firmware.previewPlan(input())))}>
          {t('firmwareRepo.plans.dryRun')}
        </button>
        <button type="button" disabled={busy || !preview || preview.devices.length === 0} onClick={() => act(async () => onStarted(await client.firmware.createPlan(input())))}>
          {t('firmwareRepo.plans.start')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('firmwareRepo.baselines.cancel')}
        </button>
      </div>
    </section>
  );
}
