import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SiteEnergy } from '../../../shared/domain/energy.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { useRegions } from '../regions/useRegions.js';
import { BarChart } from './BarChart.js';
import { EmergencyPolicyBlock } from './EmergencyPolicyBlock.js';
import { StandingCapBlock } from './StandingCapBlock.js';
import { axisNumber, dayLabel, kwhNumber, money, monthLabel, percent, ratio, type Span } from './energy-format.js';
import { SpanChoice } from './SpanChoice.js';
import './energy.css';

const REFRESH_MS = 5 * 60_000;

/**
 * The site page's energy panel: per day the IT load against the cabinet
 * input, losses, efficiency, kWh per tariff band and cost; each device's
 * share and how its kWh were measured; devices with no energy in the last
 * 24 hours; the counter problems the core found; and the site's emergency
 * power policy.
 */
export function SiteEnergyCard({ siteId, devices }: { siteId: string; devices: readonly { id: string; name: string }[] }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const { client } = useApi();
  const { regions } = useRegions();
  const [days, setDays] = useState<Span>(7);
  const [energy, setEnergy] = useState<SiteEnergy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    client.energy.site({ siteId, days }).then(
      (answer) => {
        if (!live) return;
        setEnergy(answer);
        setError(null);
      },
      (cause: unknown) => {
        if (live) setError(toUiError(cause).message);
      },
    );
    return () => {
      live = false;
    };
  }, [client, siteId, days, attempt]);
  useEffect(() => {
    const timer = setInterval(() => setAttempt((count) => count + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored') setAttempt((count) => count + 1);
  });

  const kwh = (value: number | null) => (value === null ? t('energy.none') : t('energy.kwh', { value: kwhNumber(value, language) }));
  const cost = (value: number | null) => (value === null || !energy?.tariff ? t('energy.none') : money(value, energy.tariff.currency, language));
  const efficiency = (value: number | null) => (value === null ? t('energy.none') : ratio(value, language));
  const names = useMemo(() => new Map(devices.map((device) => [device.id, device.name])), [devices]);
  const dayRows = useMemo(() => [...(energy?.days ?? [])].sort((a, b) => b.day.localeCompare(a.day)), [energy]);
  const chart = [...dayRows].reverse().map((day) => ({
    key: day.day,
    axisLabel: dayLabel(day.day, language),
    title: `${dayLabel(day.day, language, true)}: ${t('energy.site.days.it')} ${kwh(day.itKwh)}, ${t('energy.site.days.input')} ${kwh(day.inputKwh)}`,
    values: [day.itKwh, day.inputKwh],
  }));
  const tariffRegion = energy?.tariff ? (regions.find((region) => region.id === energy.tariff?.regionId)?.path ?? t('energy.site.tariffRegion', { id: energy.tariff.regionId })) : null;
  const totals = energy?.totals;

  return (
    <section className="card energy-site" aria-labelledby="site-energy-title" data-testid="site-energy">
      <header className="page-header">
        <div>
          <h2 id="site-energy-title">{t('energy.site.title')}</h2>
          <p className="muted small">{t('energy.site.intro')}</p>
        </div>
        <SpanChoice value={days} onChange={setDays} name="site-energy-span" />
      </header>
      <ErrorNotice message={error} />
      {energy === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {energy ? (
        <>
          <p className="small" data-testid="site-energy-tariff">
            {energy.tariff ? (
              t('energy.site.tariff', { region: tariffRegion, currency: energy.tariff.currency, timeZone: energy.tariff.timeZone })
            ) : (
              <>
                {t('energy.site.noTariff')} <Link to="/regions">{t('energy.site.regionsLink')}</Link>
              </>
            )}
          </p>
          {energy.days.length === 0 || !totals ? (
            <p className="empty energy-empty" data-testid="site-energy-empty">
              {t('energy.site.empty')}
            </p>
          ) : (
            <>
              <dl className="facts energy-facts" data-testid="site-energy-totals">
                <div>
                  <dt>{t('energy.site.totals.it')}</dt>
                  <dd>{kwh(totals.itKwh)}</dd>
                </div>
                <div>
                  <dt>{t('energy.site.totals.input')}</dt>
                  <dd>{kwh(totals.inputKwh)}</dd>
                </div>
                <div>
                  <dt>{t('energy.site.totals.losses')}</dt>
                  <dd>{kwh(totals.lossKwh)}</dd>
                </div>
                <div>
                  <dt title={t('energy.sites.efficiencyHint')}>{t('energy.site.totals.efficiency')}</dt>
                  <dd data-testid="site-energy-efficiency">{efficiency(totals.efficiency)}</dd>
                  {totals.hours > 0 && totals.comparedHours < totals.hours ? (
                    <dd data-testid="site-energy-compared">
                      <span className="muted small">{t('energy.site.compared', { compared: totals.comparedHours, hours: totals.hours })}</span>
                    </dd>
                  ) : null}
                </div>
                {totals.coolingKwh !== null ? (
                  <div>
                    <dt>{t('energy.site.totals.cooling')}</dt>
                    <dd>{kwh(totals.coolingKwh)}</dd>
                  </div>
                ) : null}
                <div>
                  <dt>{t('energy.site.totals.cost')}</dt>
                  <dd data-testid="site-energy-cost">{cost(totals.cost)}</dd>
                </div>
                <div className="energy-bands">
                  <dt>{t('energy.site.totals.bands')}</dt>
                  <dd>
                    <span className="energy-band peak">{t('energy.tariff.bands.peak')}</span> {kwh(totals.peakKwh)} · <span className="energy-band flat">{t('energy.tariff.bands.flat')}</span> {kwh(totals.flatKwh)} ·{' '}
                    <span className="energy-band valley">{t('energy.tariff.bands.valley')}</span> {kwh(totals.valleyKwh)}
                  </dd>
                </div>
              </dl>
              <BarChart
                testId="site-energy-chart"
                groups={chart}
                height={150}
                series={[
                  { label: t('energy.site.totals.it'), className: 'energy-bar-it' },
                  { label: t('energy.site.totals.input'), className: 'energy-bar-input' },
                ]}
                format={(value) => axisNumber(value, language)}
                label={t('energy.site.chart')}
              />
              <h3>{t('energy.site.days.title')}</h3>
              <div className="scroll-x">
                <table className="simple-table energy-table" data-testid="site-energy-days">
                  <thead>
                    <tr>
                      <th>{t('energy.site.days.day')}</th>
                      <th className="num">{t('energy.site.days.it')}</th>
                      <th className="num">{t('energy.site.days.input')}</th>
                      <th className="num">{t('energy.site.days.losses')}</th>
                      <th className="num">{t('energy.site.days.efficiency')}</th>
                      <th className="num">{t('energy.site.days.peak')}</th>
                      <th className="num">{t('energy.site.days.flat')}</th>
                      <th className="num">{t('energy.site.days.valley')}</th>
                      <th className="num">{t('energy.site.days.cost')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {dayRows.map((day) => (
                      <tr key={day.day} data-testid={`site-energy-day-${day.day}`}>
                        <td className="nowrap">{dayLabel(day.day, language, true)}</td>
                        <td className="num">{kwh(day.itKwh)}</td>
                        <td className="num">{kwh(day.inputKwh)}</td>
                        <td className="num">{kwh(day.lossKwh)}</td>
                        <td className="num" title={day.hours > 0 && day.comparedHours < day.hours ? t('energy.site.compared', { compared: day.comparedHours, hours: day.hours }) : undefined}>
                          {efficiency(day.efficiency)}
                          {day.efficiency !== null && day.comparedHours < day.hours ? <sup aria-hidden="true">*</sup> : null}
                        </td>
                        <td className="num">{kwh(day.peakKwh)}</td>
                        <td className="num">{kwh(day.flatKwh)}</td>
                        <td className="num">{kwh(day.valleyKwh)}</td>
                        <td className="num">{cost(day.cost)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {energy.months.length > 0 ? (
                <>
                  <h3>{t('energy.site.months.title')}</h3>
                  <div className="scroll-x">
                    <table className="simple-table energy-table" data-testid="site-energy-months">
                      <thead>
                        <tr>
                          <th>{t('energy.site.months.month')}</th>
                          <th className="num">{t('energy.site.days.input')}</th>
                          <th className="num">{t('energy.site.days.peak')}</th>
                          <th className="num">{t('energy.site.days.flat')}</th>
                          <th className="num">{t('energy.site.days.valley')}</th>
                          <th className="num">{t('energy.site.days.cost')}</th>
                          <th className="num">{t('energy.site.months.days')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {[...energy.months].reverse().map((month) => (
                          <tr key={month.month} data-testid={`site-energy-month-${month.month}`}>
                            <td className="nowrap">{monthLabel(month.month, language)}</td>
                            <td className="num">{kwh(month.inputKwh)}</td>
                            <td className="num">{kwh(month.peakKwh)}</td>
                            <td className="num">{kwh(month.flatKwh)}</td>
                            <td className="num">{kwh(month.valleyKwh)}</td>
                            <td className="num">{cost(month.cost)}</td>
                            <td className="num">{month.days}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </>
              ) : null}
            </>
          )}
          <div className="energy-site-grid">
            <section aria-labelledby="site-energy-devices-title">
              <h3 id="site-energy-devices-title">{t('energy.site.devices.title')}</h3>
              {energy.devices.length === 0 ? (
                <p className="muted small">{t('energy.site.devices.empty')}</p>
              ) : (
                <table className="simple-table energy-table" data-testid="site-energy-devices">
                  <thead>
                    <tr>
                      <th>{t('energy.site.devices.device')}</th>
                      <th>{t('energy.site.devices.role')}</th>
                      <th className="num">{t('energy.site.devices.kwh')}</th>
                      <th className="num">{t('energy.site.devices.share')}</th>
                      <th>{t('energy.site.devices.source')}</th>
                      <th className="num">{t('energy.site.devices.lastHour')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {energy.devices.map((device) => (
                      <tr key={`${device.deviceId}-${device.role}`} data-testid={`site-energy-device-${device.role}`}>
                        <td>
                          <Link to={`/devices/${device.deviceId}`}>{device.name}</Link>
                        </td>
                        <td>{t(`energy.site.roles.${device.role}`)}</td>
                        <td className="num">{kwh(device.kwh)}</td>
                        <td className="num">{device.share === null ? t('energy.none') : percent(device.share, language)}</td>
                        <td className="small">{t(`energy.site.sources.${device.source}`)}</td>
                        <td className="num">{device.lastHourKw === null ? t('energy.none') : t('energy.kw', { value: kwhNumber(device.lastHourKw, language) })}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby="site-energy-missing-title" data-testid="site-energy-missing" className={energy.missing.length ? 'energy-missing' : undefined}>
              <h3 id="site-energy-missing-title">{t('energy.site.missing.title')}</h3>
              {energy.metered === 0 ? (
                <p className="muted small">{t('energy.site.missing.noneMetered')}</p>
              ) : energy.missing.length === 0 ? (
                <p className="small">
                  <span className="badge badge-ok">{t('energy.sites.recording')}</span> {t('energy.site.missing.none', { metered: energy.metered })}
                </p>
              ) : (
                <>
                  <p className="small">
                    <span className="badge badge-warn">{t('energy.sites.missing')}</span> {t('energy.site.missing.some', { count: energy.missing.length, metered: energy.metered })}
                  </p>
                  <ul className="energy-missing-list">
                    {energy.missing.map((deviceId) => (
                      <li key={deviceId}>
                        <Link to={`/devices/${deviceId}`}>{names.get(deviceId) ?? t('energy.site.missing.unknownDevice', { id: deviceId })}</Link>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          </div>
          {energy.problems.length ? (
            <section aria-labelledby="site-energy-problems-title" data-testid="site-energy-problems">
              <h3 id="site-energy-problems-title">{t('energy.site.problems.title')}</h3>
              <p className="muted small">{t('energy.site.problems.intro')}</p>
              <table className="simple-table energy-table">
                <thead>
                  <tr>
                    <th>{t('energy.site.problems.at')}</th>
                    <th>{t('energy.site.problems.device')}</th>
                    <th>{t('energy.site.problems.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {energy.problems.map((problem) => (
                    <tr key={`${problem.deviceId}-${problem.at}-${problem.reason}`}>
                      <td className="nowrap">{formatDateTime(problem.at, language)}</td>
                      <td>{problem.name}</td>
                      <td lang="en">{problem.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
        </>
      ) : null}
      <StandingCapBlock siteId={siteId} />
      <EmergencyPolicyBlock siteId={siteId} />
    </section>
  );
}
