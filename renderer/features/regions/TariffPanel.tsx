import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ORPCError } from '@orpc/client';
import { bandHours, TARIFF_BANDS, type Tariff, type TariffBand, type TariffPeriod } from '../../../shared/domain/energy.js';
import type { Region } from '../../../shared/domain/region.js';
import type { FieldIssue } from '../../../shared/domain/validation.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { hourText, tariffIssueText } from './tariff-text.js';
import '../energy/energy.css';

interface PeriodDraft {
  band: TariffBand;
  from: number;
  to: number;
  /** As typed: checked when saving. */
  price: string;
}

interface Draft {
  currency: string;
  timeZone: string;
  periods: PeriodDraft[];
}

const HOURS = Array.from({ length: 25 }, (_, hour) => hour);
const ZONES = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei', 'UTC'];
/** A common day in China: valley overnight, peaks in the morning and evening. */
const TYPICAL: readonly Omit<PeriodDraft, 'price'>[] = [
  { band: 'valley', from: 23, to: 7 },
  { band: 'flat', from: 7, to: 8 },
  { band: 'peak', from: 8, to: 11 },
  { band: 'flat', from: 11, to: 18 },
  { band: 'peak', from: 18, to: 23 },
];

/** 24 ends the day as 0 does; a period that starts at 24 starts at 0. The hour pickers offer 0–23 and 1–24. */
function draftOf(tariff: Tariff | null): Draft {
  if (!tariff) return { currency: 'CNY', timeZone: 'Asia/Shanghai', periods: [{ band: 'flat', from: 0, to: 24, price: '' }] };
  return {
    currency: tariff.currency,
    timeZone: tariff.timeZone,
    periods: tariff.periods.map((period) => ({ band: period.band, from: period.from % 24, to: period.to === 0 ? 24 : period.to, price: String(period.price) })),
  };
}

/** Which periods each hour of the day falls in, as the core will count it (overlaps included). */
function coverage(periods: readonly PeriodDraft[]): { bands: (TariffBand | null)[]; count: number[] } {
  const bands: (TariffBand | null)[] = Array.from({ length: 24 }, () => null);
  const count = Array.from({ length: 24 }, () => 0);
  for (const period of periods) {
    const { hours } = bandHours([{ band: period.band, from: period.from, to: period.to, price: 0 }]);
    hours.forEach((index, hour) => {
      if (index === null) return;
      count[hour] = (count[hour] ?? 0) + 1;
      bands[hour] ??= period.band;
    });
  }
  return { bands, count };
}

/** Every issue the core named (toUiError keeps one per field; a tariff can have many). */
function issuesOf(cause: unknown): FieldIssue[] {
  if (!(cause instanceof ORPCError)) return [];
  const data = cause.data as { issues?: FieldIssue[] } | undefined;
  return Array.isArray(data?.issues) ? data.issues : [];
}

/**
 * A region's own tariff on the Regions page: the time-of-day periods
 * (band, from, to, price), currency and time zone. Administrators of the
 * region edit, save and remove it; others read it.
 */
export function TariffPanel({ region, canAdminister }: { region: Region; canAdminister: boolean }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const [saved, setSaved] = useState<Tariff | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftOf(null));
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [priceErrors, setPriceErrors] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<'saved' | 'removed' | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    client.energy.tariff({ regionId: region.id }).then(
      (view) => {
        if (!live) return;
        setSaved(view.tariff);
        setUpdatedAt(view.updatedAt);
        setDraft(draftOf(view.tariff));
        setLoaded(true);
      },
      (cause: unknown) => {
        if (live) setError(toUiError(cause).message);
      },
    );
    return () => {
      live = false;
    };
  }, [client, region.id]);

  const setPeriod = (index: number, change: Partial<PeriodDraft>) => setDraft((current) => ({ ...current, periods: current.periods.map((period, position) => (position === index ? { ...period, ...change } : period)) }));

  const answer = async (tariff: Tariff | null, done: 'saved' | 'removed') => {
    setBusy(true);
    setError(null);
    setIssues([]);
    setNotice(null);
    try {
      const view = await client.energy.setTariff({ regionId: region.id, tariff });
      setSaved(view.tariff);
      setUpdatedAt(view.updatedAt);
      setDraft(draftOf(view.tariff));
      setNotice(done);
    } catch (cause) {
      const found = issuesOf(cause);
      if (found.length) setIssues(found);
      else setError(toUiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  const issueLine = (issue: FieldIssue): string => {
    const text = tariffIssueText(t, issue.message);
    const period = /^tariff\.periods\.(\d+)/.exec(issue.field);
    if (period) return `${t('energy.tariff.periodNumber', { index: Number(period[1]) + 1 })}: ${text}`;
    if (issue.field === 'tariff.currency') return `${t('energy.tariff.currency')}: ${text}`;
    if (issue.field === 'tariff.timeZone') return `${t('energy.tariff.timeZone')}: ${text}`;
    return text;
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    const errors: number[] = [];
    const periods: TariffPeriod[] = draft.periods.map((period, index) => {
      const price = Number(period.price.trim().replace(',', '.'));
      if (!period.price.trim() || !Number.isFinite(price)) errors.push(index);
      return { band: period.band, from: period.from, to: period.to, price };
    });
    setPriceErrors(errors);
    if (errors.length) return;
    void answer({ currency: draft.currency.trim(), timeZone: draft.timeZone.trim(), periods }, 'saved');
  };

  const remove = () => {
    if (!window.confirm(t('energy.tariff.removeConfirm', { region: region.path }))) return;
    void answer(null, 'removed');
  };

  const typical = () => {
    const priceOf = (band: TariffBand) => draft.periods.find((period) => period.band === band)?.price ?? '';
    setDraft((current) => ({ ...current, periods: TYPICAL.map((period) => ({ ...period, price: priceOf(period.band) })) }));
  };

  const { bands, count } = coverage(draft.periods);
  const preview = (
    <>
      <div className="tariff-day" role="img" aria-label={t('energy.tariff.preview')} data-testid="tariff-day">
        {bands.map((band, hour) => {
          const label = `${hourText(hour)}–${hourText(hour + 1)}: ${count[hour] === 0 ? t('energy.tariff.previewGap') : (count[hour] ?? 0) > 1 ? t('energy.tariff.previewOverlap') : t(`energy.tariff.bands.${band ?? 'flat'}`)}`;
          return <span key={hour} className={`tariff-hour ${(count[hour] ?? 0) > 1 ? 'overlap' : (band ?? '')}`} title={label} />;
        })}
      </div>
      <div className="tariff-day-scale" aria-hidden="true">
        {[0, 6, 12, 18, 24].map((hour) => (
          <span key={hour}>{hourText(hour)}</span>
        ))}
      </div>
      <div className="tariff-day-legend" aria-hidden="true">
        {TARIFF_BANDS.map((band) => (
          <span key={band}>
            <span className={`tariff-hour ${band}`} />
            {t(`energy.tariff.bands.${band}`)}
          </span>
        ))}
        {count.includes(0) ? (
          <span>
            <span className="tariff-hour" />
            {t('energy.tariff.previewLegendGap')}
          </span>
        ) : null}
        {count.some((each) => each > 1) ? (
          <span>
            <span className="tariff-hour overlap" />
            {t('energy.tariff.previewLegendOverlap')}
          </span>
        ) : null}
      </div>
    </>
  );

  return (
    <section className="tariff-panel" aria-labelledby={`tariff-title-${region.id}`} data-testid="tariff-panel">
      <h3 id={`tariff-title-${region.id}`}>{t('energy.tariff.title', { region: region.path })}</h3>
      <p className="muted small">{t('energy.tariff.intro')}</p>
      <ErrorNotice message={error} />
      {!loaded && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {loaded && !saved ? <p className="small" data-testid="tariff-none">{region.parentId === null ? t('energy.tariff.none') : t('energy.tariff.inherited')}</p> : null}
      {loaded && saved && updatedAt ? <p className="muted small">{t('energy.tariff.updated', { time: formatDateTime(updatedAt, i18n.language) })}</p> : null}
      {loaded && !canAdminister ? (
        <>
          {saved ? (
            <>
              <table className="simple-table tariff-periods" data-testid="tariff-readonly">
                <thead>
                  <tr>
                    <th>{t('energy.tariff.band')}</th>
                    <th>{t('energy.tariff.from')}</th>
                    <th>{t('energy.tariff.to')}</th>
                    <th>{t('energy.tariff.price')}</th>
                  </tr>
                </thead>
                <tbody>
                  {saved.periods.map((period, index) => (
                    <tr key={index}>
                      <td>
                        <span className={`energy-band ${period.band}`}>{t(`energy.tariff.bands.${period.band}`)}</span>
                      </td>
                      <td>{hourText(period.from)}</td>
                      <td>{hourText(period.to)}</td>
                      <td>
                        {period.price} {saved.currency}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small">
                {t('energy.tariff.timeZone')}: {saved.timeZone}
              </p>
              {preview}
            </>
          ) : null}
          <p className="muted small">{t('energy.tariff.readOnly')}</p>
        </>
      ) : null}
      {loaded && canAdminister ? (
        <form onSubmit={save} noValidate aria-label={t('energy.tariff.title', { region: region.path })}>
          <table className="simple-table tariff-periods" data-testid="tariff-periods">
            <thead>
              <tr>
                <th>{t('energy.tariff.band')}</th>
                <th>{t('energy.tariff.from')}</th>
                <th>{t('energy.tariff.to')}</th>
                <th>
                  {t('energy.tariff.price')} ({draft.currency || '—'})
                </th>
                <th />
              </tr>
            </thead>
            <tbody>
              {draft.periods.map((period, index) => {
                const name = t('energy.tariff.periodNumber', { index: index + 1 });
                return (
                  <tr key={index} data-testid={`tariff-period-${index + 1}`}>
                    <td>
                      <select aria-label={`${name}: ${t('energy.tariff.band')}`} value={period.band} onChange={(event) => setPeriod(index, { band: event.target.value as TariffBand })}>
                        {TARIFF_BANDS.map((band) => (
                          <option key={band} value={band}>
                            {t(`energy.tariff.bands.${band}`)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <select aria-label={`${name}: ${t('energy.tariff.from')}`} value={period.from} onChange={(event) => setPeriod(index, { from: Number(event.target.value) })}>
                        {HOURS.slice(0, 24).map((hour) => (
                          <option key={hour} value={hour}>
                            {hourText(hour)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <select aria-label={`${name}: ${t('energy.tariff.to')}`} value={period.to} onChange={(event) => setPeriod(index, { to: Number(event.target.value) })}>
                        {HOURS.slice(1).map((hour) => (
                          <option key={hour} value={hour}>
                            {hourText(hour)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input
                        className="tariff-price"
                        inputMode="decimal"
                        aria-label={`${name}: ${t('energy.tariff.price')}`}
                        aria-invalid={priceErrors.includes(index) ? true : undefined}
                        value={period.price}
                        onChange={(event) => setPeriod(index, { price: event.target.value })}
                      />
                      {priceErrors.includes(index) ? (
                        <div className="field-error" role="alert">
                          {t('energy.tariff.priceRequired')}
                        </div>
                      ) : null}
                    </td>
                    <td>
                      {draft.periods.length > 1 ? (
                        <button type="button" className="link-button danger" aria-label={`${name}: ${t('energy.tariff.removePeriod')}`} onClick={() => setDraft((current) => ({ ...current, periods: current.periods.filter((_, position) => position !== index) }))}>
                          {t('energy.tariff.removePeriod')}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="tariff-actions">
            <button type="button" disabled={draft.periods.length >= 24} onClick={() => setDraft((current) => ({ ...current, periods: [...current.periods, { band: 'flat', from: 0, to: 24, price: '' }] }))}>
              {t('energy.tariff.addPeriod')}
            </button>
            <button type="button" className="link-button" onClick={typical}>
              {t('energy.tariff.typical')}
            </button>
          </div>
          {preview}
          <div className="tariff-settings">
            <div className="field">
              <label htmlFor={`tariff-currency-${region.id}`}>{t('energy.tariff.currency')}</label>
              <input id={`tariff-currency-${region.id}`} className="tariff-currency" value={draft.currency} onChange={(event) => setDraft((current) => ({ ...current, currency: event.target.value }))} />
            </div>
            <div className="field">
              <label htmlFor={`tariff-zone-${region.id}`}>{t('energy.tariff.timeZone')}</label>
              <input id={`tariff-zone-${region.id}`} className="tariff-zone" list={`tariff-zones-${region.id}`} value={draft.timeZone} onChange={(event) => setDraft((current) => ({ ...current, timeZone: event.target.value }))} />
              <datalist id={`tariff-zones-${region.id}`}>
                {ZONES.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
              <div className="field-hint">{t('energy.tariff.timeZoneHint')}</div>
            </div>
          </div>
          {issues.length ? (
            <div className="notice notice-error tariff-issues" role="alert" data-testid="tariff-issues">
              <div>
                {t('energy.tariff.refused')}
                <ul>
                  {issues.map((issue, index) => (
                    <li key={index}>{issueLine(issue)}</li>
                  ))}
                </ul>
              </div>
            </div>
          ) : null}
          {notice ? (
            <div className="notice tariff-issues" role="status">
              {t(`energy.tariff.${notice}`)}
            </div>
          ) : null}
          <p className="muted small">{t('energy.tariff.appliesFrom')}</p>
          <div className="tariff-actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t('common.saving') : t('energy.tariff.save')}
            </button>
            {saved ? (
              <button type="button" className="danger-button" disabled={busy} onClick={remove}>
                {t('energy.tariff.remove')}
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}
