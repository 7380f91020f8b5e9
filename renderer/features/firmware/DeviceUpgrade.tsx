import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DevicePlanStep, PlanPreview } from '../../../shared/domain/firmware-plans.js';
import { modelKey, type FirmwarePackage } from '../../../shared/domain/firmware-repository.js';
import { decimalSize } from '../../../shared/domain/engine.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useCan } from '../auth/access.js';

const REFRESH_MS = 2000;

/**
 * On the device page: its steps in upgrade plans (images staged and waiting
 * for their window among them), and an upgrade by hand — pick a package,
 * see what will happen, run it now.
 */
export function DeviceUpgrade({ deviceId, deviceName, model, onDone }: { deviceId: string; deviceName: string; model: string | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const canUpgrade = useCan('administrator', 'everywhere');
  const [steps, setSteps] = useState<DevicePlanStep[]>([]);
  const [packages, setPackages] = useState<FirmwarePackage[]>([]);
  const [chosen, setChosen] = useState('');
  const [preview, setPreview] = useState<PlanPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const readSteps = useCallback(() => client.firmware.devicePlans({ id: deviceId }).then(setSteps, (cause: unknown) => setError(toUiError(cause).message)), [client, deviceId]);
  useEffect(() => void readSteps(), [readSteps]);
  useEffect(() => {
    if (canUpgrade) client.firmware.packages().then(setPackages, (cause: unknown) => setError(toUiError(cause).message));
  }, [client, canUpgrade]);
  const running = steps.some((step) => step.planState === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      void readSteps().then(onDone);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, readSteps, onDone]);

  const applicable = packages.filter((item) => item.imageStored && model !== null && item.description.appliesTo.models.some((listed) => modelKey(listed) === modelKey(model)));
  useEffect(() => setChosen((current) => (applicable.some((item) => item.id === current) ? current : (applicable[0]?.id ?? ''))), [applicable.map((item) => item.id).join()]);
  useEffect(() => setPreview(null), [chosen]);
  const pkg = applicable.find((item) => item.id === chosen);
  const input = () => ({
    name: t('firmwareRepo.device.nameByHand', { device: deviceName, component: pkg?.description.component ?? '', version: pkg?.description.version ?? '' }).slice(0, 80),
    packageIds: [chosen],
    targets: { deviceIds: [deviceId] },
    waveSize: 1,
    failureThreshold: 1,
    window: null,
  });
  const fail = (cause: unknown) => setError(toUiError(cause).message);
  // A device no plan touched and no package applies to (a fan tray, a sensor) shows nothing here.
  if (steps.length === 0 && applicable.length === 0 && !error) return null;

  return (
    <div data-testid="firmware-device-upgrade">
      <h3>{t('firmwareRepo.device.updates')}</h3>
      <ErrorNotice message={error} />
      {steps.length === 0 ? <p className="muted small">{t('firmwareRepo.device.noUpdates')}</p> : null}
      {steps.length > 0 ? (
        <div className="scroll-x">
          <table className="simple-table" data-testid="firmware-device-steps">
            <thead>
              <tr>
                <th>{t('firmwareRepo.device.plan')}</th>
                <th>{t('firmwareRepo.plans.component')}</th>
                <th>{t('firmwareRepo.plans.versions')}</th>
                <th>{t('firmwareRepo.plans.phase')}</th>
                <th>{t('firmwareRepo.plans.message')}</th>
              </tr>
            </thead>
            <tbody>
              {steps.map((step) => (
                <tr key={`${step.planId}-${step.packageId}`} data-phase={step.phase}>
                  <td>
                    {step.planName} <span className="muted small">({t(`firmwareRepo.plans.states.${step.planState}`)})</span>
                  </td>
                  <td>{step.component}</td>
                  <td className="mono">
                    {step.current ?? '—'} → {step.target}
                  </td>
                  <td>
                    <span className={`firmware-phase firmware-phase-${step.phase}`}>{t(`firmwareRepo.plans.phases.${step.phase}`)}</span>
                  </td>
                  <td className="small">
                    {step.message ?? ''}
                    {step.messageId ? <code className="muted"> {step.messageId}</code> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {canUpgrade ? (
        <>
          <h3>{t('firmwareRepo.device.byHand')}</h3>
          {applicable.length === 0 ? null : (
            <div className="firmware-target-row">
              <label>
                {t('firmwareRepo.device.choose')}{' '}
                <select value={chosen} onChange={(event) => setChosen(event.target.value)}>
                  {applicable.map((item) => (
                    <option key={item.id} value={item.id}>
                      {item.description.vendor} {item.description.component} {item.description.version}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="secondary" onClick={() => client.firmware.previewPlan(input()).then(setPreview, fail)}>
                {t('firmwareRepo.device.see')}
              </button>
              <button
                type="button"
                disabled={!preview || preview.devices.length === 0 || running}
                onClick={() =>
                  client.firmware.createPlan(input()).then(() => {
                    setPreview(null);
                    void readSteps();
                  }, fail)
                }
              >
                {t('firmwareRepo.device.run')}
              </button>
            </div>
          )}
          {preview ? (
            <div className="notice small" data-testid="firmware-device-preview">
              {preview.devices.map((row) => (
                <p key={row.packageId}>
                  {t('firmwareRepo.device.willHappen', {
                    component: row.component,
                    current: row.current ?? '—',
                    target: row.target,
                    how: row.applyTime ? t(`firmwareRepo.plans.applyTimes.${row.applyTime}`) : t('firmwareRepo.plans.notAsked'),
                    bytes: decimalSize(row.bytes),
                  })}
                </p>
              ))}
              {preview.excluded.map((item) => (
                <p key={item.reason}>{t('firmwareRepo.device.leftOut', { reason: item.reason })}</p>
              ))}
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
