import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import type { EnergyFleet } from '../../../shared/domain/energy.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { BarChart } from './BarChart.js';
import { downloadText } from './download.js';
import { axisNumber, BIG_CHANGE, change, dayLabel, daysBetween, kwhNumber, money, percent, ratio, type Span } from './energy-format.js';
import { SpanChoice } from './SpanChoice.js';
import './energy.css';

type FleetSite = EnergyFleet['sites'][number];

/** Rows shown before "Show all": a fleet can have thousands of sites. */
const FIRST_ROWS = 50;
/** The core rolls closed hours every 5 minutes; the screen looks again as often. */
const REFRESH_MS = 5 * 60_000;

function ChangeCell({ value, language, t }: { value: number | null; language: string; t: TFunction }) {
  if (value === null) return <span className="muted">{t('energy.none')}</span>;
  const big = Math.abs(value) >= BIG_CHANGE;
  // Under half a percent either way reads "0%", with no arrow.
  const rounded = Math.round(value * 100);
  const direction = rounded > 0 ? 'up' : rounded < 0 ? 'down' : null;
  return (
    <span className={big ? `energy-change big ${direction ?? ''}` : 'energy-change'} data-testid="energy-change">
      {direction ? <span aria-hidden="true">{direction === 'up' ? '▲ ' : '▼ '}</span> : null}
      {direction ? change(value, language) : change(0, language)}
      {direction ? <span className="visually-hidden"> {t(`energy.sites.${direction}`)}</span> : null}
    </span>
  );
}

function SiteRow({ site, language, t }: { site: FleetSite; language: string; t: TFunction }) {
  const big = site.change !== null && Math.abs(site.change) >= BIG_CHANGE;
  const classes = [site.missing ? 'energy-row-missing' : '', big ? 'energy-row-change' : ''].filter(Boolean).join(' ');
  return (
    <tr data-testid={`energy-site-${site.code}`} className={classes || undefined}>
      <td>
        <Link to={`/sites/${site.siteId}`}>{site.name}</Link> <span className="muted small">{site.code}</span>
      </td>
      <td className="num">{t('energy.kwh', { value: kwhNumber(site.kwh, language) })}</td>
      <td className="num">{site.cost !== null && site.currency ? money(site.cost, site.currency, language) : <span className="muted">{t('energy.none')}</span>}</td>
      <td className="num">{site.efficiency !== null ? ratio(site.efficiency, language) : <span className="muted">{t('energy.none')}</span>}</td>
      <td className="num">
        <ChangeCell value={site.change} language={language} t={t} />
      </td>
      <td className="num">{t('energy.kwh', { value: kwhNumber(site.lastDayKwh, language) })}</td>
      <td>
        {site.missing ? (
          <span className="badge badge-warn" title={t('energy.sites.missingTitle')} data-testid="energy-missing">
            {t('energy.sites.missing')}
          </span>
        ) : (
          <span className="badge badge-ok">{t('energy.sites.recording')}</span>
        )}
      </td>
    </tr>
  );
}

/** The fleet's energy: totals and cost per currency over a span, the trend per day, the sites by kWh with efficiency, change and missing data, and the CSV export. */
export function EnergyPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const { client } = useApi();
  const [days, setDays] = useState<Span>(30);
  const [fleet, setFleet] = useState<EnergyFleet | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const [onlyMissing, setOnlyMissing] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    client.energy.fleet({ days }).then(
      (answer) => {
        if (!live) return;
        setFleet(answer);
        setError(null);
      },
      (cause: unknown) => {
        if (live) setError(toUiError(cause).message);
      },
    );
    return () => {
      live = false;
    };
  }, [client, days, attempt]);
  useEffect(() => {
    const timer = setInterval(() => setAttempt((count) => count + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored') setAttempt((count) => count + 1);
  });

  const exportCsv = async () => {
    setExporting(true);
    setExported(null);
    try {
      const file = await client.energy.export({ days });
      downloadText(file.filename, file.csv, 'text/csv;charset=utf-8');
      setExported(file.filename);
    } catch (cause) {
      setError(toUiError(cause).message);
    } finally {
      setExporting(false);
    }
  };

  const trend = useMemo(() => {
    if (!fleet) return null;
    const byDay = new Map(fleet.days.map((day) => [day.day, day.kwh]));
    return daysBetween(fleet.from, fleet.to).map((day) => {
      const kwh = byDay.get(day) ?? null;
      const label = dayLabel(day, language, true);
      return {
        key: day,
        axisLabel: dayLabel(day, language),
        title: kwh === null ? t('energy.trend.noData', { day: label }) : t('energy.trend.bar', { day: label, value: kwhNumber(kwh, language) }),
        values: [kwh],
      };
    });
  }, [fleet, language, t]);

  const missing = fleet?.sites.filter((site) => site.missing).length ?? 0;
  const listed = fleet ? (onlyMissing ? fleet.sites.filter((site) => site.missing) : fleet.sites) : [];
  const shown = showAll ? listed : listed.slice(0, FIRST_ROWS);
  const maxDay = fleet?.days.reduce((max, day) => Math.max(max, day.kwh), 0) ?? 0;

  return (
    <section className="page energy-page" aria-labelledby="energy-title">
      <header className="page-header">
        <div>
          <h1 id="energy-title">{t('energy.title')}</h1>
          <p className="muted">{t('energy.intro')}</p>
        </div>
        <div className="page-actions">
          <SpanChoice value={days} onChange={setDays} name="energy-span" />
          <button type="button" disabled={exporting} onClick={() => void exportCsv()}>
            {exporting ? t('energy.exporting') : t('energy.export')}
          </button>
        </div>
      </header>
      <ErrorNotice message={error} />
      {exported ? (
        <div className="notice" role="status">
          {t('energy.exported', { filename: exported })}
        </div>
      ) : null}
      {fleet === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {fleet ? (
        <>
          <div className="energy-summary">
            <section className="card" data-testid="energy-total">
              <h2>{t('energy.summary.energy')}</h2>
              <p className="energy-figure">{t('energy.kwh', { value: kwhNumber(fleet.totalKwh, language) })}</p>
              <p className="muted small">
                {t('energy.summary.energyHint')} · {t('energy.range', { from: dayLabel(fleet.from, language), to: dayLabel(fleet.to, language) })}
              </p>
            </section>
            <section className="card" data-testid="energy-cost">
              <h2>{t('energy.summary.cost')}</h2>
              {fleet.costs.length ? (
                <>
                  {fleet.costs.map((cost) => (
                    <p key={cost.currency} className="energy-figure">
                      {money(cost.cost, cost.currency, language)} <span className="muted small">{cost.currency}</span>
                    </p>
                  ))}
                  <p className="muted small">{t('energy.summary.costHint')}</p>
                </>
              ) : (
                <>
                  <p className="energy-figure muted">{t('energy.summary.noCost')}</p>
                  <p className="muted small">
                    <Link to="/regions">{t('energy.summary.noCostHint')}</Link>
                  </p>
                </>
              )}
            </section>
            <section className={missing ? 'card energy-missing-card' : 'card'} data-testid="energy-missing-count">
              <h2>{t('energy.summary.missing')}</h2>
              <p className="energy-figure">{missing}</p>
              <p className="muted small">{t('energy.summary.missingHint')}</p>
            </section>
          </div>
          <section className="card" aria-labelledby="energy-trend-title">
            <h2 id="energy-trend-title">{t('energy.trend.title')}</h2>
            {fleet.days.length && trend ? (
              <BarChart
                testId="energy-trend"
                groups={trend}
                series={[{ label: t('energy.summary.energy'), className: 'energy-bar-input' }]}
                format={(value) => axisNumber(value, language)}
                label={t('energy.trend.label', { from: dayLabel(fleet.from, language), to: dayLabel(fleet.to, language), total: kwhNumber(fleet.totalKwh, language), max: kwhNumber(maxDay, language) })}
              />
            ) : (
              <p className="muted" data-testid="energy-trend-empty">
                {t('energy.trend.empty')}
              </p>
            )}
          </section>
          <section className="card" aria-labelledby="energy-sites-title">
            <header className="page-header">
              <div>
                <h2 id="energy-sites-title">{t('energy.sites.title')}</h2>
                <p className="muted small">
                  {t('energy.sites.hint', { percent: percent(BIG_CHANGE, language) })} {t('energy.sites.efficiencyHint')}
                </p>
              </div>
              <label className="checkbox">
                <input type="checkbox" checked={onlyMissing} onChange={(event) => setOnlyMissing(event.target.checked)} />
                {t('energy.sites.onlyMissing')}
              </label>
            </header>
            {fleet.sites.length === 0 ? <p className="muted">{t('energy.sites.empty')}</p> : null}
            {onlyMissing && listed.length === 0 && fleet.sites.length ? <p className="muted">{t('energy.sites.noneMissing')}</p> : null}
            {shown.length ? (
              <div className="scroll-x">
                <table className="simple-table energy-table" data-testid="energy-sites">
                  <thead>
                    <tr>
                      <th>{t('energy.sites.site')}</th>
                      <th className="num">{t('energy.sites.kwh')}</th>
                      <th className="num">{t('energy.sites.cost')}</th>
                      <th className="num" title={t('energy.sites.efficiencyHint')}>
                        {t('energy.sites.efficiency')}
                      </th>
                      <th className="num" title={t('energy.sites.changeHint')}>
                        {t('energy.sites.change')}
                      </th>
                      <th className="num">{t('energy.sites.yesterday')}</th>
                      <th>{t('energy.sites.data')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((site) => (
                      <SiteRow key={site.siteId} site={site} language={language} t={t} />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {!showAll && listed.length > FIRST_ROWS ? (
              <div className="pager">
                <button type="button" onClick={() => setShowAll(true)}>
                  {t('energy.sites.showAll', { count: listed.length })}
                </button>
              </div>
            ) : null}
          </section>
        </>
      ) : null}
    </section>
  );
}
