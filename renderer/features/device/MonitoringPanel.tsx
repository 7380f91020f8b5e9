import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DeviceMonitoring, MetricSeries } from '../../../shared/domain/monitoring.js';
import { ageText } from '../../components/age.js';
import { sensorName } from '../alarms/alarm-text.js';

function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'bit/s') {
    const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
    let scaled = value;
    let index = 0;
    while (scaled >= 1000 && index < units.length - 1) {
      scaled /= 1000;
      index += 1;
    }
    return `${scaled.toFixed(1)} ${units[index]}`;
  }
  return `${Math.round(value * 10) / 10} ${unit}`;
}

/** A small uPlot line of one metric series (uPlot draws thousands of points per frame cheaply). */
function MetricChart({ series }: { series: MetricSeries }) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current || series.points.length < 2) return;
    const data: uPlot.AlignedData = [series.points.map((point) => point[0]), series.points.map((point) => point[1])];
    const chart = new uPlot(
      {
        width: 240,
        height: 60,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { show: false }],
        series: [{}, { stroke: '#1565c0', width: 1.5, fill: 'rgba(21,101,192,0.08)' }],
      },
      data,
      host.current,
    );
    return () => chart.destroy();
  }, [series]);
  const last = series.points.at(-1)?.[1] ?? null;
  return (
    <figure className="metric-chart" data-testid="metric-chart">
      <figcaption>
        {sensorName(t, series)} <strong>{formatValue(last, series.unit)}</strong>
      </figcaption>
      <div ref={host} role="img" aria-label={sensorName(t, series)} />
    </figure>
  );
}

/** Every reading with its state, validity and age, and the device's metric sparklines. */
export function MonitoringPanel({ monitoring, now }: { monitoring: DeviceMonitoring; now: number }) {
  const { t } = useTranslation();
  return (
    <section className="card monitoring-panel" aria-labelledby="monitoring-title">
      <h2 id="monitoring-title">{t('monitor.sensors')}</h2>
      {monitoring.consecutiveFailures > 0 ? <p className="notice">{t('monitor.failures', { count: monitoring.consecutiveFailures })}</p> : null}
      {monitoring.series.some((series) => series.points.length >= 2) ? (
        <div className="metric-charts" aria-label={t('monitor.history')}>
          {monitoring.series.filter((series) => series.points.length >= 2).map((series) => (
            <MetricChart key={series.key} series={series} />
          ))}
        </div>
      ) : null}
      {monitoring.sensors.length === 0 ? (
        <p className="muted">{t('monitor.noSensors')}</p>
      ) : (
        <table className="simple-table" data-testid="sensor-table">
          <thead>
            <tr>
              <th>{t('monitor.sensor')}</th>
              <th>{t('monitor.value')}</th>
              <th>{t('alarms.state')}</th>
              <th>{t('monitor.age')}</th>
            </tr>
          </thead>
          <tbody>
            {monitoring.sensors.map((sensor) => (
              <tr key={sensor.key}>
                <td>{sensorName(t, sensor)}</td>
                <td className="nowrap">{formatValue(sensor.value, sensor.unit)}</td>
                <td>
                  <span className={`badge sensor-${sensor.state}`} title={sensor.invalidReason ?? ''}>
                    {sensor.state === 'invalid' ? t('monitor.invalid', { reason: sensor.invalidReason ?? '' }) : t(`monitor.states.${sensor.state}`)}
                  </span>
                </td>
                <td className="nowrap" title={sensor.observedAt}>
                  {ageText(t, sensor.observedAt, now)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
