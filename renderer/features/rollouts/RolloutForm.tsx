import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { decimalSize } from '../../../shared/domain/engine.js';
import type { RolloutInput, RolloutPlan } from '../../../shared/domain/rollouts.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Field } from '../../components/Field.js';
import { ParameterInput } from '../apps/SiteAppsCard.js';
import { useReleaseChoice } from '../apps/useReleaseChoice.js';
import { RegionOptions } from '../regions/RegionOptions.js';
import { useRegions } from '../regions/useRegions.js';
import { joinParts, rolloutMessagesText } from './rollout-text.js';

/** A rollout set up: release, targets, parameters, waves, caps, failure policy, window; a dry run before it may start. */
export function RolloutForm({ onStarted }: { onStarted: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const { regions } = useRegions();
  const language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const { apps, appId, setAppId, releases, version, setVersion, release, values, setValues } = useReleaseChoice((list) => list.find((each) => each.signerTrusted)?.version ?? '');
  const [regionId, setRegionId] = useState('');
  const [q, setQ] = useState('');
  const [canary, setCanary] = useState('1');
  const [batch, setBatch] = useState('10');
  const [unit, setUnit] = useState<'sites' | 'percent'>('sites');
  const [transfers, setTransfers] = useState('4');
  const [bandwidth, setBandwidth] = useState('');
  const [stable, setStable] = useState('30');
  const [onFailure, setOnFailure] = useState<'rollback' | 'pause' | 'continue'>('rollback');
  const [threshold, setThreshold] = useState('1');
  const [useWindow, setUseWindow] = useState(false);
  const [windowStart, setWindowStart] = useState('01:00');
  const [windowEnd, setWindowEnd] = useState('05:00');
  const [timeZone, setTimeZone] = useState('Asia/Shanghai');
  const [plan, setPlan] = useState<RolloutPlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Any change makes the last dry run stale: it must be run again before starting.
  useEffect(() => setPlan(null), [appId, version, values, regionId, q, canary, batch, unit, stable, onFailure, threshold, useWindow, windowStart, windowEnd, timeZone, transfers, bandwidth]);

  const input = (): RolloutInput | null => {
    const targets = { ...(regionId ? { regionId: Number(regionId) } : {}), ...(q.trim() ? { q: q.trim() } : {}) };
    if (Object.keys(targets).length === 0) {
      setError(t('rollouts.form.pickTargets'));
      return null;
    }
    const number = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : (text as unknown as number));
    return {
      appId,
      version,
      targets,
      parameters: values,
      canaryCount: number(canary),
      batchSize: number(batch),
      batchUnit: unit,
      maxConcurrentTransfers: number(transfers),
      bandwidthKBps: bandwidth.trim() ? number(bandwidth) : null,
      stableSeconds: number(stable),
      onFailure,
      failureThreshold: number(threshold),
      window: useWindow ? { start: windowStart, end: windowEnd, timeZone } : null,
    };
  };
  const run = async (work: (rollout: RolloutInput) => Promise<void>) => {
    setError(null);
    const rollout = input();
    if (!rollout) return;
    setBusy(true);
    try {
      await work(rollout);
    } catch (cause) {
      const uiError = toUiError(cause);
      const field = Object.entries(uiError.fields)[0];
      setError(field ? `${field[0]}: ${field[1].message}` : uiError.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="rollout-form-title">
      <h2 id="rollout-form-title">{t('rollouts.form.title')}</h2>
      <form
        className="rollout-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async (rollout) => setPlan(await client.rollouts.plan(rollout)));
        }}
      >
        <div className="form-grid probe-grid">
          <Field id="rollout-app" label={t('rollouts.form.app')}>
            <select id="rollout-app" value={appId} onChange={(event) => setAppId(event.target.value)}>
              <option value="">—</option>
              {apps.map((app) => (
                <option key={app.appId} value={app.appId}>
                  {app.name[language]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="rollout-version" label={t('rollouts.form.version')}>
            <select id="rollout-version" value={version} onChange={(event) => setVersion(event.target.value)} disabled={releases.length === 0}>
              {releases.map((each) => (
                <option key={each.version} value={each.version} disabled={!each.signerTrusted}>
                  {each.version}
                </option>
              ))}
            </select>
          </Field>
          <Field id="rollout-region" label={t('rollouts.form.region')}>
            <select id="rollout-region" value={regionId} onChange={(event) => setRegionId(event.target.value)}>
              <option value="">{t('rollouts.form.anyRegion')}</option>
              <RegionOptions regions={regions} />
            </select>
          </Field>
          <Field id="rollout-search" label={t('rollouts.form.search')} hint={t('rollouts.form.searchHint')}>
            <input id="rollout-search" value={q} onChange={(event) => setQ(event.target.value)} />
          </Field>
          {release?.manifest.parameters.map((parameter) => (
            <ParameterInput key={parameter.key} parameter={parameter} value={values[parameter.key] ?? parameter.default} language={language} onChange={(value) => setValues((current) => ({ ...current, [parameter.key]: value }))} />
          ))}
          <Field id="rollout-canary" label={t('rollouts.form.canary')}>
            <input id="rollout-canary" inputMode="numeric" value={canary} onChange={(event) => setCanary(event.target.value)} />
          </Field>
          <Field id="rollout-batch" label={t('rollouts.form.batch')}>
            <span className="inline-pair">
              <input id="rollout-batch" inputMode="numeric" value={batch} onChange={(event) => setBatch(event.target.value)} />
              <select aria-label={t('rollouts.form.batch')} value={unit} onChange={(event) => setUnit(event.target.value as 'sites' | 'percent')}>
                <option value="sites">{t('rollouts.form.unitSites')}</option>
                <option value="percent">{t('rollouts.form.unitPercent')}</option>
              </select>
            </span>
          </Field>
          <Field id="rollout-transfers" label={t('rollouts.form.transfers')}>
            <input id="rollout-transfers" inputMode="numeric" value={transfers} onChange={(event) => setTransfers(event.target.value)} />
          </Field>
          <Field id="rollout-bandwidth" label={t('rollouts.form.bandwidth')} hint={t('rollouts.form.bandwidthHint')}>
            <input id="rollout-bandwidth" inputMode="numeric" value={bandwidth} onChange={(event) => setBandwidth(event.target.value)} />
          </Field>
          <Field id="rollout-stable" label={t('rollouts.form.stable')}>
            <input id="rollout-stable" inputMode="numeric" value={stable} onChange={(event) => setStable(event.target.value)} />
          </Field>
          <Field id="rollout-failure" label={t('rollouts.form.onFailure')}>
            <select id="rollout-failure" value={onFailure} onChange={(event) => setOnFailure(event.target.value as 'rollback' | 'pause' | 'continue')}>
              {(['rollback', 'pause', 'continue'] as const).map((policy) => (
                <option key={policy} value={policy}>
                  {t(`rollouts.form.policies.${policy}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="rollout-threshold" label={t('rollouts.form.threshold')}>
            <input id="rollout-threshold" inputMode="numeric" value={threshold} onChange={(event) => setThreshold(event.target.value)} />
          </Field>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={useWindow} onChange={(event) => setUseWindow(event.target.checked)} /> {t('rollouts.form.window')}
        </label>
        {useWindow ? (
          <div className="form-grid probe-grid">
            <Field id="rollout-window-start" label={t('rollouts.form.windowStart')}>
              <input id="rollout-window-start" type="time" value={windowStart} onChange={(event) => setWindowStart(event.target.value)} />
            </Field>
            <Field id="rollout-window-end" label={t('rollouts.form.windowEnd')}>
              <input id="rollout-window-end" type="time" value={windowEnd} onChange={(event) => setWindowEnd(event.target.value)} />
            </Field>
            <Field id="rollout-timezone" label={t('rollouts.form.timeZone')}>
              <input id="rollout-timezone" value={timeZone} onChange={(event) => setTimeZone(event.target.value)} />
            </Field>
          </div>
        ) : null}
        {error ? (
          <p className="error" role="alert" data-testid="rollout-error">
            {error}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={!release || busy}>
            {t('rollouts.form.dryRun')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={!plan || busy}
            onClick={() =>
              void run(async (rollout) => {
                const created = await client.rollouts.create(rollout);
                setPlan(null);
                onStarted(created.id);
              })
            }
          >
            {t('rollouts.form.start')}
          </button>
        </div>
      </form>
      {plan ? <PlanTable plan={plan} /> : null}
    </section>
  );
}

/** A site's conflicts in the UI language, each from its message (or its English when the catalog lacks it). */
function conflictsText(t: TFunction, language: string, site: RolloutPlan['sites'][number]): string {
  return joinParts(
    site.conflicts.map((conflict, index) => {
      const message = site.conflictMessages[index];
      return message ? rolloutMessagesText(t, language, [message], conflict) : conflict;
    }),
    t('rollouts.detail.separator'),
  );
}

function PlanTable({ plan }: { plan: RolloutPlan }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="rollout-plan" data-testid="rollout-plan">
      <h3>{t('rollouts.plan.title')}</h3>
      <p data-testid="rollout-plan-summary">{t('rollouts.plan.summary', { ...plan.totals, size: decimalSize(plan.totals.bytesToTransfer) })}</p>
      <div className="scroll-x">
        <table className="simple-table">
          <thead>
            <tr>
              <th>{t('rollouts.plan.site')}</th>
              <th>{t('rollouts.plan.wave')}</th>
              <th>{t('rollouts.plan.action')}</th>
              <th>{t('rollouts.plan.current')}</th>
              <th>{t('rollouts.plan.bytes')}</th>
              <th>{t('rollouts.plan.problems')}</th>
            </tr>
          </thead>
          <tbody>
            {plan.sites.map((site) => (
              <tr key={site.siteId} data-testid={`plan-${site.code}`} className={site.conflicts.length > 0 ? 'row-problem' : undefined}>
                <td>
                  {site.name} <span className="muted">{site.code}</span>
                </td>
                <td>{site.wave < 0 ? t('rollouts.plan.noWave') : site.wave === 0 ? `${site.wave} (${t('rollouts.plan.canaryWave')})` : site.wave}</td>
                <td>{t(`rollouts.plan.actions.${site.action}`)}</td>
                <td>{site.currentVersion ?? '—'}</td>
                <td>
                  {decimalSize(site.bytesToTransfer)}
                  {site.engineSeenAt === null && site.action !== 'nothing' ? <div className="muted">{t('rollouts.plan.neverRead')}</div> : null}
                </td>
                <td className="error-text" data-testid="plan-problems">
                  {conflictsText(t, i18n.language, site)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
