import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { WizardItem, WizardState } from '../../../shared/domain/wizard.js';
import { WorldBasemap } from '../map/basemap.js';
import { catalogText } from '../../components/catalog-text.js';

/** A core message in the UI language (the core's English text when the catalog lacks the key). */
export function wizardText(t: TFunction, message: { text: string | null; key: string | null; params: Record<string, string | number> }): string {
  if (!message.key) return message.text ?? '';
  // A device state inside a message is a code ("ok", "unreachable"): say it in the UI language too.
  const params = typeof message.params.status === 'string' ? { ...message.params, status: t(`site.status.${message.params.status}`) } : message.params;
  return catalogText(t, `wizardMessages.${message.key}`, params, message.text ?? '');
}

export function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

/** Elapsed time against the two-hour budget, and each step's plan or actual time. */
export function BudgetBar({ state }: { state: WizardState }) {
  const { t } = useTranslation();
  const used = Math.min(100, (state.elapsedSeconds / state.budgetSeconds) * 100);
  const projected = Math.min(100, (state.projectedSeconds / state.budgetSeconds) * 100);
  const over = state.projectedSeconds > state.budgetSeconds;
  return (
    <section className="card budget" aria-label={t('wizard.budget.title')} data-testid="wizard-budget">
      <div className="budget-line">
        <strong>{t('wizard.budget.elapsed', { elapsed: clock(state.elapsedSeconds), budget: clock(state.budgetSeconds) })}</strong>
        <span className={over ? 'budget-over' : 'muted'}>{t(over ? 'wizard.budget.over' : 'wizard.budget.projected', { projected: clock(state.projectedSeconds) })}</span>
      </div>
      <div className="budget-track" role="progressbar" aria-valuemin={0} aria-valuemax={state.budgetSeconds} aria-valuenow={Math.round(state.elapsedSeconds)}>
        <div className="budget-projected" style={{ width: `${projected}%` }} />
        <div className="budget-used" style={{ width: `${used}%` }} />
      </div>
      <ul className="budget-steps">
        {state.steps.map((step) => (
          <li key={step.step} className={step.finishedAt ? 'done' : step.startedAt ? 'running' : ''}>
            {step.step}. {t(`wizard.steps.${step.step}`)}:{' '}
            {step.finishedAt ? t('wizard.budget.took', { time: clock(step.seconds) }) : step.startedAt ? t('wizard.budget.running', { time: clock(step.seconds), plan: clock(step.estimateSeconds) }) : t('wizard.budget.plan', { plan: clock(step.estimateSeconds) })}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A step's work items: what was done per address or device, what failed and why, with a retry for the failures. */
export function ItemList({ items, step, onRetry, busy }: { items: readonly WizardItem[]; step: number; onRetry?: (keys: string[]) => void; busy?: boolean }) {
  const { t } = useTranslation();
  const mine = items.filter((item) => item.step === step);
  if (mine.length === 0) return null;
  const failed = mine.filter((item) => item.state === 'failed');
  return (
    <div className="wizard-items">
      <table className="simple-table" data-testid={`wizard-items-${step}`}>
        <tbody>
          {mine.map((item) => (
            <tr key={item.key} data-state={item.state}>
              <td className="nowrap">
                <span className={`badge item-${item.state}`}>{t(`wizard.itemStates.${item.state}`)}</span>
              </td>
              <td className="nowrap">{item.label}</td>
              <td className="detail">{wizardText(t, { text: item.detail, key: item.detailKey, params: item.params })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {failed.length > 0 && onRetry ? (
        <button type="button" disabled={busy} onClick={() => onRetry(failed.map((item) => item.key))}>
          {t('wizard.retryFailed', { count: failed.length })}
        </button>
      ) : null}
    </div>
  );
}

export function Findings({ findings }: { findings: WizardState['findings'] }) {
  const { t } = useTranslation();
  if (findings.length === 0) return null;
  return (
    <section className="notice-block notice-warn" aria-label={t('wizard.findings')} data-testid="wizard-findings">
      <strong>{t('wizard.findings')}</strong>
      <ul>
        {findings.map((finding) => (
          <li key={finding.text}>{wizardText(t, finding)}</li>
        ))}
      </ul>
    </section>
  );
}

/** A small offline map: click to put the site there. */
export function LocationPicker({ latitude, longitude, onPick }: { latitude: number | null; longitude: number | null; onPick: (latitude: number, longitude: number) => void }) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const map = useRef<L.Map | null>(null);
  useEffect(() => {
    if (!host.current) return;
    const created = L.map(host.current, { preferCanvas: true, minZoom: 2, maxZoom: 12 }).setView([33, 108], 3);
    new WorldBasemap().addTo(created);
    created.on('click', (event: L.LeafletMouseEvent) => pick.current(Math.round(event.latlng.lat * 1e5) / 1e5, Math.round(L.Util.wrapNum(event.latlng.lng, [-180, 180], true) * 1e5) / 1e5));
    map.current = created;
    return () => {
      created.remove();
      map.current = null;
    };
  }, []);
  useEffect(() => {
    if (!map.current || latitude === null || longitude === null) return;
    marker.current?.remove();
    marker.current = L.circleMarker([latitude, longitude], { radius: 7, color: '#1565c0', fillOpacity: 0.8 }).addTo(map.current);
  }, [latitude, longitude]);
  return <div ref={host} className="location-picker" role="application" aria-label={t('wizard.site.pickOnMap')} data-testid="location-picker" />;
}
