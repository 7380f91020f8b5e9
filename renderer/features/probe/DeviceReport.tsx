import { useTranslation } from 'react-i18next';
import { bypassVoltages, upsShownSource, type SnmpDevice, type SnmpInterface } from '../../../shared/domain/snmp.js';
import { formatDateTime } from '../../components/format.js';

const dash = (value: string | number | null | undefined, unit = '') => (value === null || value === undefined ? '—' : `${value}${unit}`);

function bytes(counter: string | null): string {
  if (counter === null) return '—';
  const value = Number(counter);
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function speed(mbps: number | null): string {
  if (mbps === null || mbps === 0) return '—';
  return mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`;
}

/** The bypass mains, when the UPS reports one: "230 V / 231 V · 50 Hz". */
function bypassRows(ups: NonNullable<SnmpDevice['ups']>, t: (key: string) => string): [string, string][] {
  // Only voltages that were read: "— / —" would say less than no row at all.
  const volts = bypassVoltages(ups).map((voltage) => `${voltage} V`);
  const frequency = ups.bypassFrequencyHz ?? null;
  if (volts.length === 0 && frequency === null) return [];
  return [[t('probe.bypass'), [volts.join(' / '), frequency === null ? '' : `${frequency} Hz`].filter(Boolean).join(' · ')]];
}

function Facts({ rows }: { rows: [string, string][] }) {
  return (
    <dl className="facts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function InterfacesTable({ interfaces }: { interfaces: SnmpInterface[] }) {
  const { t } = useTranslation();
  const up = interfaces.filter((entry) => entry.operStatus === 'up').length;
  return (
    <section className="card">
      <h2>
        {t('probe.interfaces')} <span className="muted small">{t('probe.portsUp', { up, total: interfaces.length })}</span>
      </h2>
      <div className="scroll-x">
        <table className="simple-table" data-testid="probe-interfaces">
          <thead>
            <tr>
              <th>{t('probe.ifName')}</th>
              <th>{t('probe.ifStatus')}</th>
              <th>{t('probe.ifSpeed')}</th>
              <th>{t('probe.ifIn')}</th>
              <th>{t('probe.ifOut')}</th>
              <th>{t('probe.ifErrors')}</th>
            </tr>
          </thead>
          <tbody>
            {interfaces.map((entry) => (
              <tr key={entry.index}>
                <td>
                  {entry.name ?? entry.descr ?? entry.index}
                  {entry.alias ? <span className="muted"> · {entry.alias}</span> : null}
                </td>
                <td>
                  <span className={entry.operStatus === 'up' ? 'badge badge-ok' : 'badge badge-error'}>{t(`probe.status.${entry.operStatus ?? 'unknown'}`)}</span>
                </td>
                <td>{speed(entry.speedMbps)}</td>
                <td>{bytes(entry.inOctets)}</td>
                <td>{bytes(entry.outOctets)}</td>
                <td>{Number(entry.inErrors ?? 0) + Number(entry.outErrors ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** What one SNMP read found, laid out for the kind of device it is. */
export function DeviceReport({ device }: { device: SnmpDevice }) {
  const { t, i18n } = useTranslation();
  const uptime = device.system.uptimeSeconds;
  const uptimeText =
    uptime === null
      ? '—'
      : uptime >= 86_400
        ? t('probe.days', { days: Math.floor(uptime / 86_400), hours: Math.floor((uptime % 86_400) / 3600) })
        : t('probe.hours', { hours: Math.floor(uptime / 3600), minutes: Math.floor((uptime % 3600) / 60) });
  const chassis = device.entities.find((entity) => entity.class === 'chassis');
  return (
    <div className="report" data-testid="probe-report">
      <section className="card">
        <h2>
          <span className={`kind-badge kind-${device.kind}`}>{t(`probe.kind.${device.kind}`)}</span> {device.system.name ?? device.target.host}
        </h2>
        <p className="muted">{device.system.descr?.split(/\r?\n/)[0]}</p>
        <Facts
          rows={[
            [t('probe.vendor'), dash(device.vendor)],
            [t('probe.location'), dash(device.system.location)],
            [t('probe.uptime'), uptimeText],
            [t('probe.model'), dash(device.identity?.model ?? chassis?.model ?? device.ups?.model)],
            [t('probe.serial'), dash(device.identity?.serial ?? chassis?.serial)],
            [t('probe.firmware'), dash(device.identity?.firmware)],
          ]}
        />
        <p className="muted small">{t('probe.readAt', { time: formatDateTime(device.observedAt, i18n.language) })}</p>
      </section>
      {device.ups ? (
        <section className="card" data-testid="probe-ups">
          <h2>{t('probe.battery')}</h2>
          <Facts
            rows={[
              [t('probe.battery'), t(`probe.batteryStatus.${device.ups.battery.status ?? 'unknown'}`)],
              [t('probe.charge'), dash(device.ups.battery.chargePercent, ' %')],
              [t('probe.runtime'), device.ups.battery.minutesRemaining === null ? '—' : t('probe.minutes', { count: device.ups.battery.minutesRemaining })],
              [t('probe.source'), t(`probe.sources.${upsShownSource(device.ups) ?? 'other'}`)],
              [t('probe.inputVoltage'), device.ups.inputLines.map((line) => dash(line.voltageV, ' V')).join(' / ') || '—'],
              ...bypassRows(device.ups, t),
              [t('probe.load'), dash(device.ups.outputLines[0]?.loadPercent, ' %')],
              [t('probe.temperature'), dash(device.ups.battery.temperatureC, ' °C')],
              [t('probe.alarms'), device.ups.alarms.length === 0 ? t('probe.noAlarms') : device.ups.alarms.map((alarm) => alarm.condition ?? alarm.descr).join(', ')],
            ]}
          />
        </section>
      ) : null}
      {device.pdu ? (
        <section className="card" data-testid="probe-pdu">
          <h2>{t('probe.outlets')}</h2>
          <Facts rows={[[t('probe.power'), dash(device.pdu.powerKw, ' kW')], [t('probe.current'), dash(device.pdu.phases[0]?.currentA, ' A')]]} />
          <table className="simple-table">
            <thead>
              <tr>
                <th>{t('probe.outlet')}</th>
                <th>{t('probe.ifStatus')}</th>
                <th>{t('probe.current')}</th>
                <th>{t('probe.power')}</th>
              </tr>
            </thead>
            <tbody>
              {device.pdu.outlets.map((outlet) => (
                <tr key={outlet.index}>
                  <td>
                    {outlet.index}. {outlet.name}
                  </td>
                  <td>
                    <span className={outlet.state === 'on' ? 'badge badge-ok' : 'badge badge-error'}>{t(`probe.outletState.${outlet.state}`)}</span>
                  </td>
                  <td>{dash(outlet.currentA, ' A')}</td>
                  <td>{dash(outlet.powerW, ' W')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {device.environment ? (
        <section className="card" data-testid="probe-environment">
          <h2>{t('probe.kind.environment')}</h2>
          <Facts
            rows={[
              [t('probe.temperature'), device.environment.temperatures.map((reading) => dash(reading.celsius, ' °C')).join(', ') || '—'],
              [t('probe.humidity'), device.environment.humidities.map((reading) => dash(reading.percent, ' %')).join(', ') || '—'],
              [t('probe.door'), t(`probe.contact.door.${device.environment.door}`)],
              [t('probe.smoke'), t(`probe.contact.smoke.${device.environment.smoke}`)],
              [t('probe.water'), t(`probe.contact.water.${device.environment.waterLeak}`)],
            ]}
          />
        </section>
      ) : null}
      {device.interfaces.length > 0 ? <InterfacesTable interfaces={device.interfaces} /> : null}
      {device.problems.length > 0 ? (
        <section className="card">
          <h2>{t('probe.problems')}</h2>
          <ul>
            {device.problems.map((problem) => (
              <li key={problem.section} className="mono">
                {problem.section}: {problem.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
