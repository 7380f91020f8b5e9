import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CabinetView } from '../../../shared/domain/cabinet.js';
import type { DeviceDetail } from '../../../shared/domain/readings.js';
import { upsShownSource } from '../../../shared/domain/snmp.js';
import { useApi } from '../../api/context.js';
import { ageText, useNow } from '../../components/age.js';
import { Sparkline } from '../../components/Sparkline.js';

/** Temperature and humidity trend, UPS state, door and power draw, from the cabinet's own sensors. */
export function EnvironmentPanel({ cabinet }: { cabinet: CabinetView }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const now = useNow();
  const [details, setDetails] = useState<Record<string, DeviceDetail>>({});
  const env = cabinet.devices.find((device) => device.kind === 'environment');
  const ups = cabinet.devices.find((device) => device.kind === 'ups');
  const pdus = cabinet.devices.filter((device) => device.kind === 'pdu');
  const watched = [env, ups, ...pdus].filter((device) => device !== undefined);
  const stamp = watched.map((device) => `${device.id}@${device.observedAt ?? ''}`).join(',');
  useEffect(() => {
    let live = true;
    Promise.all(watched.filter((device) => device.observedAt).map((device) => client.devices.get({ id: device.id }))).then(
      (loaded) => live && setDetails(Object.fromEntries(loaded.map((detail) => [detail.device.id, detail]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, stamp]);
  const envDetail = env ? details[env.id] : undefined;
  const upsDetail = ups ? details[ups.id] : undefined;
  const environment = envDetail?.latest?.snmp?.environment;
  const upsStatus = upsDetail?.latest?.snmp?.ups;
  const power = pdus.map((pdu) => details[pdu.id]?.latest?.snmp?.pdu?.powerKw ?? null).filter((value): value is number => value !== null);
  const cell = (label: string, value: string, testId: string, age: string | null, trend?: (number | null)[]) => (
    <div data-testid={testId}>
      <div className="muted small">{label}</div>
      <div className="value">{value}</div>
      {trend ? <Sparkline values={trend} label={label} width={130} height={28} /> : null}
      <div className="muted small">{age ?? t('site.noReading')}</div>
    </div>
  );
  return (
    <section className="card" aria-labelledby="env-title">
      <h2 id="env-title">{t('site.environment')}</h2>
      <div className="env-grid">
        {cell(
          t('site.temperature'),
          environment?.temperatures[0]?.celsius != null ? `${environment.temperatures[0].celsius} °C` : '—',
          'env-temperature',
          envDetail?.latest ? ageText(t, envDetail.latest.observedAt, now) : null,
          envDetail?.history.map((point) => point.temperatureC),
        )}
        {cell(
          t('site.humidity'),
          environment?.humidities[0]?.percent != null ? `${environment.humidities[0].percent} %` : '—',
          'env-humidity',
          envDetail?.latest ? ageText(t, envDetail.latest.observedAt, now) : null,
          envDetail?.history.map((point) => point.humidityPercent),
        )}
        {cell(
          t('site.upsState'),
          upsStatus ? `${t(`probe.sources.${upsShownSource(upsStatus) ?? 'other'}`)} · ${upsStatus.battery.chargePercent ?? '—'} %` : '—',
          'env-ups',
          upsDetail?.latest ? ageText(t, upsDetail.latest.observedAt, now) : null,
        )}
        {cell(
          t('site.door'),
          environment ? t(`probe.contact.door.${environment.door}`) : '—',
          'env-door',
          envDetail?.latest ? ageText(t, envDetail.latest.observedAt, now) : null,
        )}
        {cell(
          t('site.powerDraw'),
          power.length ? `${power.reduce((sum, value) => sum + value, 0).toFixed(2)} kW` : '—',
          'env-power',
          pdus[0] && details[pdus[0].id]?.latest ? ageText(t, details[pdus[0].id]!.latest!.observedAt, now) : null,
        )}
      </div>
    </section>
  );
}
