import { useCallback, useEffect, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { FirmwareView } from '../../../shared/domain/firmware.js';
import type { DeviceCompliance } from '../../../shared/domain/firmware-repository.js';
import { DeviceUpgrade } from './DeviceUpgrade.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';

/** A component's name in the UI language where EdgeCab named it (the UPS agent, the device, a software revision); the device's own names as it gave them. */
function componentName(t: TFunction, component: { componentId: string; name: string }): string {
  if (component.componentId === 'ups') return t('firmware.names.ups');
  if (component.componentId === 'device') return t('firmware.names.device');
  if (component.componentId.startsWith('entity:') && component.componentId.endsWith(':software')) return t('firmware.names.software', { name: component.name.replace(/ \(software\)$/, '') });
  return component.name;
}

/**
 * A device's firmware on its page: each component with the version it runs,
 * since when and where it was read from, and what each component ran when.
 * Read again when the page reads the device again (`readAt` of the page's
 * latest reading changes).
 */
export function FirmwareCard({ deviceId, deviceName, refreshKey }: { deviceId: string; deviceName: string; refreshKey: string | null }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const { client } = useApi();
  const [firmware, setFirmware] = useState<FirmwareView | null>(null);
  const [compliance, setCompliance] = useState<DeviceCompliance | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.firmware.device({ id: deviceId }).then(
      (answer) => {
        setFirmware(answer);
        setError(null);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
    client.firmware.deviceCompliance({ id: deviceId }).then(setCompliance, (cause: unknown) => setError(toUiError(cause).message));
  }, [client, deviceId]);
  useEffect(load, [load, refreshKey]);

  return (
    <section className="card" aria-labelledby="firmware-title" data-testid="firmware">
      <h2 id="firmware-title">{t('firmware.title')}</h2>
      <p className="muted small">{t('firmware.intro')}</p>
      <ErrorNotice message={error} />
      {firmware === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {compliance ? <BaselineBlock compliance={compliance} /> : null}
      {compliance ? <DeviceUpgrade deviceId={deviceId} deviceName={deviceName} model={compliance.model} onDone={load} /> : null}
      {firmware && firmware.history.length === 0 ? <p className="muted" data-testid="firmware-never">{t('firmware.never')}</p> : null}
      {firmware && firmware.history.length > 0 ? (
        <>
          {firmware.readAt ? (
            <p className="muted small" data-testid="firmware-read-at">
              {t('firmware.readAt', { time: formatDateTime(firmware.readAt, language) })}
            </p>
          ) : null}
          <div className="scroll-x">
            <table className="simple-table" data-testid="firmware-components">
              <thead>
                <tr>
                  <th>{t('firmware.component')}</th>
                  <th>{t('firmware.version')}</th>
                  <th>{t('firmware.since')}</th>
                  <th>{t('firmware.source')}</th>
                </tr>
              </thead>
              <tbody>
                {firmware.components.map((component) => (
                  <tr key={component.componentId} data-testid={`firmware-component-${component.componentId}`}>
                    <td>{componentName(t, component)}</td>
                    <td className="mono">{component.version}</td>
                    <td className="nowrap">{formatDateTime(component.since, language)}</td>
                    <td className="muted">{t(`firmware.sources.${component.source}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {firmware.history.length > firmware.components.length ? (
            <>
              <h3>{t('firmware.history.title')}</h3>
              <p className="muted small">{t('firmware.history.hint')}</p>
              <div className="scroll-x">
                <table className="simple-table" data-testid="firmware-history">
                  <thead>
                    <tr>
                      <th>{t('firmware.component')}</th>
                      <th>{t('firmware.version')}</th>
                      <th>{t('firmware.history.from')}</th>
                      <th>{t('firmware.history.to')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {firmware.history.map((span) => (
                      <tr key={`${span.componentId}-${span.from}`}>
                        <td>{componentName(t, span)}</td>
                        <td className="mono">{span.version}</td>
                        <td className="nowrap">{formatDateTime(span.from, language)}</td>
                        <td className="nowrap">{span.current ? t('firmware.history.now') : formatDateTime(span.to, language)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** What the device's baseline asks of it, per component, and where it stands. */
function BaselineBlock({ compliance }: { compliance: DeviceCompliance }) {
  const { t } = useTranslation();
  if (!compliance.baseline) return null;
  const name = t('firmwareRepo.compliance.byScope', { name: compliance.baseline.name, scope: t(`firmwareRepo.compliance.scopes.${compliance.baseline.scope}`) });
  return (
    <div data-testid="firmware-baseline">
      <p className="small">
        {t('firmwareRepo.compliance.baseline')}: <strong>{name}</strong>
        {compliance.state ? (
          <>
            {' — '}
            <span className={`firmware-state firmware-${compliance.state}`}>{t(`firmwareRepo.states.${compliance.state}`)}</span>
          </>
        ) : (
          <span className="muted"> — {t('firmwareRepo.compliance.notCovered')}</span>
        )}
      </p>
      {compliance.components.length > 0 ? (
        <div className="scroll-x">
          <table className="simple-table" data-testid="firmware-baseline-components">
            <thead>
              <tr>
                <th>{t('firmwareRepo.compliance.component')}</th>
                <th>{t('firmwareRepo.compliance.current')}</th>
                <th>{t('firmwareRepo.compliance.target')}</th>
                <th>{t('firmwareRepo.compliance.state')}</th>
              </tr>
            </thead>
            <tbody>
              {compliance.components.map((component) => (
                <tr key={component.packageId} data-testid={`firmware-baseline-${component.component}`}>
                  <td>{component.component}</td>
                  <td className="mono">{component.current ?? '—'}</td>
                  <td className="mono">{component.target}</td>
                  <td>
                    <span className={`firmware-state firmware-${component.state}`}>{t(`firmwareRepo.states.${component.state}`)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
