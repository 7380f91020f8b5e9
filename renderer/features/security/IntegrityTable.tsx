import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceIntegrity, SiteIntegrity } from '../../../shared/domain/integrity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { checkedKinds, ChecksTable, Difference } from './IntegrityChecks.js';

/** Per device: what was checked and when, what differs from the recorded state, "accept" for administrators, every check on request. */
export function IntegrityTable({ report, canAdminister, onChanged }: { report: SiteIntegrity; canAdminister: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const now = useNow();
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const accept = async (device: DeviceIntegrity) => {
    if (!window.confirm(t('security.integrity.acceptConfirm', { device: device.deviceName }))) return;
    try {
      await client.integrity.accept({ id: device.deviceId });
      setError(null);
      setNotice(t('security.integrity.accepted', { device: device.deviceName }));
      onChanged();
    } catch (cause) {
      setError(toUiError(cause).message);
    }
  };
  if (report.devices.length === 0) return <p className="muted">{t('security.integrity.noDevices')}</p>;
  return (
    <>
      {notice ? (
        <div className="notice" role="status">
          {notice}
        </div>
      ) : null}
      <ErrorNotice message={error} />
      <table className="simple-table security-integrity" data-testid="integrity-table">
        <thead>
          <tr>
            <th>{t('security.integrity.device')}</th>
            <th>{t('security.integrity.checked')}</th>
            <th>{t('security.integrity.what')}</th>
            <th>{t('security.integrity.differences')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {report.devices.map((device) => {
            const differing = device.checks.filter((check) => check.ok === false);
            const row = device.slotId ?? device.deviceId;
            return (
              <Fragment key={device.deviceId}>
                <tr data-testid={`integrity-row-${row}`} className={differing.length ? 'security-differs' : undefined}>
                  <td>{device.deviceName}</td>
                  <td className="nowrap" title={device.checkedAt ? formatDateTime(device.checkedAt, i18n.language) : undefined}>
                    {device.checkedAt ? ageText(t, device.checkedAt, now) : t('security.integrity.never')}
                  </td>
                  <td className="small">
                    {checkedKinds(t, device.checks) || '—'}
                    {device.recorded ? (
                      <div className="muted">
                        {t(`security.integrity.recorded.${device.recorded.source}`, { by: device.recorded.by ?? '—', time: formatDateTime(device.recorded.at, i18n.language) })}
                      </div>
                    ) : null}
                    {device.baselineAt ? <div className="muted">{t('security.integrity.baseline', { time: formatDateTime(device.baselineAt, i18n.language) })}</div> : null}
                  </td>
                  <td>
                    {device.error ? <div className="security-failed small">{t('security.integrity.failed', { time: ageText(t, device.attemptedAt, now), error: device.error })}</div> : null}
                    {differing.length ? (
                      <>
                        <span className="badge badge-error">{t('security.integrity.differs', { count: differing.length })}</span>
                        <ul className="security-diff-list">
                          {differing.map((check) => (
                            <Difference key={check.key} check={check} />
                          ))}
                        </ul>
                      </>
                    ) : device.checkedAt ? (
                      <span className="badge badge-ok">{t('security.integrity.matches')}</span>
                    ) : null}
                  </td>
                  <td className="nowrap cell-actions">
                    {device.checks.length ? (
                      <button type="button" className="link-button" aria-expanded={open === device.deviceId} onClick={() => setOpen(open === device.deviceId ? null : device.deviceId)}>
                        {open === device.deviceId ? t('security.integrity.hideDetails') : t('security.integrity.details')}
                      </button>
                    ) : null}
                    {canAdminister && differing.length ? (
                      <button type="button" className="link-button" onClick={() => void accept(device)}>
                        {t('security.integrity.accept')}
                      </button>
                    ) : null}
                  </td>
                </tr>
                {open === device.deviceId ? (
                  <tr>
                    <td colSpan={5}>
                      <ChecksTable checks={device.checks} testId={`integrity-checks-${device.slotId ?? device.deviceId}`} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
