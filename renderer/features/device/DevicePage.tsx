import { ORPCError } from '@orpc/client';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { counterRate } from '../../../shared/domain/snmp.js';
import type { DeviceDetail, ReadingPoint } from '../../../shared/domain/readings.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { STATUS_COLORS } from '../../components/RackElevation.js';
import { Sparkline } from '../../components/Sparkline.js';
import { DeviceReport } from '../probe/DeviceReport.js';
import { ServerReport } from '../probe/ServerReport.js';
import { ConnectionForm } from './ConnectionForm.js';
import { EngineSection } from './EngineSection.js';
import { PowerControls } from './PowerControls.js';
import { PowerLimitCard } from '../energy/PowerLimitCard.js';
import { FirmwareCard } from '../firmware/FirmwareCard.js';
import { MonitoringPanel } from './MonitoringPanel.js';
import type { Alarm, DeviceMonitoring } from '../../../shared/domain/monitoring.js';
import { alarmText } from '../alarms/alarm-text.js';
import { UntrustedCertificate } from '../../components/UntrustedCertificate.js';
import { useCanOnSite } from '../auth/site-access.js';

/** Bits per second between consecutive readings, from the summed octet counters. */
function throughput(history: readonly ReadingPoint[]): (number | null)[] {
  return history.map((point, index) => {
    const previous = history[index - 1];
    if (!previous?.inOctets || !point.inOctets) return null;
    const seconds = (Date.parse(point.observedAt) - Date.parse(previous.observedAt)) / 1000;
    const rate = counterRate(previous.inOctets, point.inOctets, seconds, 64);
    return rate === null ? null : rate * 8;
  });
}

export function DevicePage() {
  const { t } = useTranslation();
  const { client } = useApi();
  const now = useNow();
  const { deviceId = '' } = useParams();
  const [detail, setDetail] = useState<DeviceDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [untrusted, setUntrusted] = useState<string | null>(null);
  const [monitoring, setMonitoring] = useState<DeviceMonitoring | null>(null);
  const [deviceAlarms, setDeviceAlarms] = useState<Alarm[]>([]);
  // Reads and power need operator on the device's site's region; connection and certificate trust administrator.
  const canOperate = useCanOnSite('operator', detail?.site.id);
  const canAdminister = useCanOnSite('administrator', detail?.site.id);

  const load = useCallback(() => {
    client.devices.get({ id: deviceId }).then(
      (loaded) => {
        setDetail(loaded);
        setError(null);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
    client.monitor.device({ deviceId, hours: 1 }).then(setMonitoring, () => setMonitoring(null));
    client.alarms.list({ deviceId, rootsOnly: false }).then((page) => setDeviceAlarms(page.alarms), () => setDeviceAlarms([]));
  }, [client, deviceId]);
  useEffect(load, [load]);
  // Readings move without the device changing state (which is all the live events say): refresh them now and then.
  useEffect(() => {
    const timer = setInterval(load, 30_000);
    return () => clearInterval(timer);
  }, [load]);
  useLiveEvents((event) => {
    if ((event.type === 'site.changed' || event.type === 'alarm.changed') && event.siteId === detail?.site.id) load();
  });

  const readNow = async () => {
    setBusy(true);
    setError(null);
    setUntrusted(null);
    try {
      await client.devices.refresh({ id: deviceId });
    } catch (cause) {
      const data = cause instanceof ORPCError ? (cause.data as { reason?: string; fingerprint?: string | null } | undefined) : undefined;
      if (data?.reason === 'tls_untrusted' && data.fingerprint) setUntrusted(data.fingerprint);
      else setError(toUiError(cause).message);
    } finally {
      setBusy(false);
      load();
    }
  };
  const trust = async (fingerprint: string) => {
    await client.devices.trustCertificate({ id: deviceId, fingerprint });
    await readNow();
  };

  if (!detail) {
    return (
      <section className="page">
        <ErrorNotice message={error} />
        {!error ? <p className="muted">{t('common.loading')}</p> : null}
      </section>
    );
  }
  const { device, latest, history, site } = detail;
  const connected = Boolean(device.endpoint && device.hasCredential);
  // A workload engine has no credential (EdgeCab presents its certificate): its own section.
  const managed = device.protocol !== 'none' && device.protocol !== 'engine';
  const system = latest?.redfish?.systems[0];
  return (
    <section className="page" aria-labelledby="device-title">
      <Link to={`/sites/${site.id}`} className="muted">
        ← {site.name} ({site.code})
      </Link>
      <header className="page-header">
        <div>
          <h1 id="device-title">
            <span className="status-dot" style={{ background: STATUS_COLORS[device.status] }} />
            {device.name}
          </h1>
          <p className="muted">
            {t(`site.kinds.${device.kind}`)} · {t('device.position', { face: t(`site.${device.face}`), from: device.u, to: device.u + device.heightU - 1 })} ·{' '}
            <span data-testid="device-status">{t(`site.status.${device.status}`)}</span> ·{' '}
            <span data-testid="device-age">{t('device.readAt', { age: ageText(t, device.observedAt, now) })}</span>
          </p>
        </div>
        {connected && managed && (canOperate || canAdminister) ? (
          <div className="page-actions">
            {canAdminister ? (
              <button type="button" onClick={() => setEditing(!editing)}>
                {t('device.editConnection')}
              </button>
            ) : null}
            {canOperate ? (
              <button type="button" className="primary" disabled={busy} onClick={() => void readNow()}>
                {busy ? t('probe.checking') : t('device.readNow')}
              </button>
            ) : null}
          </div>
        ) : null}
      </header>
      <ErrorNotice message={error} />
      {notice ? (
        <div className="notice" role="status">
          {notice}
        </div>
      ) : null}
      {latest?.error ? <div className="notice notice-error">{t('device.unreachable', { message: latest.error })}</div> : null}
      {managed && !connected && !canAdminister ? <p className="muted">{t('auth.limited.notConnected')}</p> : null}
      {device.protocol === 'engine' ? <EngineSection device={device} canAdminister={canAdminister} onChanged={() => void load()} /> : null}
      {managed && (!connected || editing) && canAdminister ? (
        <section className="card" aria-labelledby="connection-title">
          <h2 id="connection-title">{t('device.connection')}</h2>
          {!connected ? <p className="muted">{t('device.notConnected')}</p> : <p className="muted">{t('device.connected', { endpoint: device.endpoint })}</p>}
          <ConnectionForm
            device={device}
            onSaved={() => {
              setEditing(false);
              void readNow();
            }}
          />
        </section>
      ) : null}
      {untrusted && canAdminister ? <UntrustedCertificate fingerprint={untrusted} onTrust={(fingerprint) => void trust(fingerprint)} /> : null}
      {device.protocol === 'redfish' && system && canOperate ? (
        <PowerControls device={device} allowed={system.allowedResets} onDone={(message) => setNotice(message)} />
      ) : null}
      {device.protocol === 'redfish' && connected && canOperate ? <PowerLimitCard deviceId={device.id} /> : null}
      {deviceAlarms.length > 0 ? (
        <section className="card" aria-labelledby="device-alarms-title" data-testid="device-alarms">
          <h2 id="device-alarms-title">{t('alarms.title')}</h2>
          <ul className="device-alarms">
            {deviceAlarms.map((alarm) => (
              <li key={alarm.id}>
                <span className={`badge severity-${alarm.severity}`}>{t(`alarms.severities.${alarm.severity}`)}</span> {alarmText(t, alarm)}
                {alarm.rootId !== null ? <span className="muted"> · {t('alarms.symptomOf', { id: alarm.rootId })}</span> : null}
                <span className="muted"> · {ageText(t, alarm.lastSeen, now)}</span>
              </li>
            ))}
          </ul>
          <Link to="/alarms">{t('alarms.openConsole')}</Link>
        </section>
      ) : null}
      {monitoring && connected ? <MonitoringPanel monitoring={monitoring} now={now} /> : null}
      {history.length > 1 && !monitoring?.series.some((series) => series.points.length > 1) ? (
        <section className="card" aria-labelledby="trend-title">
          <h2 id="trend-title">{t('device.trend')}</h2>
          <div className="env-grid">
            {history.some((point) => point.temperatureC !== null) ? (
              <div>
                <div className="muted small">{t('site.temperature')}</div>
                <Sparkline values={history.map((point) => point.temperatureC)} label={t('site.temperature')} />
              </div>
            ) : null}
            {history.some((point) => point.humidityPercent !== null) ? (
              <div>
                <div className="muted small">{t('site.humidity')}</div>
                <Sparkline values={history.map((point) => point.humidityPercent)} label={t('site.humidity')} />
              </div>
            ) : null}
            {history.some((point) => point.loadPercent !== null) ? (
              <div>
                <div className="muted small">{t('device.load')}</div>
                <Sparkline values={history.map((point) => point.loadPercent)} label={t('device.load')} />
              </div>
            ) : null}
            {history.some((point) => point.powerW !== null) ? (
              <div>
                <div className="muted small">{t('site.powerDraw')}</div>
                <Sparkline values={history.map((point) => point.powerW)} label={t('site.powerDraw')} />
              </div>
            ) : null}
            {history.some((point) => point.inOctets !== null) ? (
              <div>
                <div className="muted small">{t('device.throughput')}</div>
                <Sparkline values={throughput(history)} label={t('device.throughput')} />
              </div>
            ) : null}
          </div>
        </section>
      ) : null}
      {latest?.redfish ? <ServerReport inventory={{ ...latest.redfish, certificateFingerprint: device.fingerprint }} /> : null}
      {latest?.snmp ? <DeviceReport device={latest.snmp} /> : null}
      {connected && (device.protocol === 'redfish' || device.protocol === 'snmp') ? <FirmwareCard deviceId={device.id} deviceName={device.name} refreshKey={latest?.observedAt ?? null} /> : null}
    </section>
  );
}
