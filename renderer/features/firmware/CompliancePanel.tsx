import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ComplianceCounts, ComplianceOverview, SiteCompliance } from '../../../shared/domain/firmware-repository.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';

const COUNT_KEYS = ['behind', 'ahead', 'unknown', 'compliant', 'noBaseline'] as const;

export const notCompliant = (counts: ComplianceCounts): boolean => counts.behind + counts.ahead + counts.unknown > 0;

/** The counts of one scope as small figures, worst first. */
function Counts({ counts, testId }: { counts: ComplianceCounts; testId?: string }) {
  const { t } = useTranslation();
  return (
    <div className="firmware-counts" data-testid={testId}>
      {COUNT_KEYS.map((key) => (
        <span key={key} className={`firmware-count firmware-${key}`} data-state={key}>
          <strong>{counts[key]}</strong> {t(`firmwareRepo.states.${key}`)}
        </span>
      ))}
    </div>
  );
}

/**
 * Compliance at a glance: the fleet's counts, each region's (its subtree),
 * each site's with a "not compliant" filter, and a site's devices per
 * component. Always from the last inventory reads: nothing to refresh.
 */
export function CompliancePanel({ reloadKey }: { reloadKey: number }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [overview, setOverview] = useState<ComplianceOverview | null>(null);
  const [onlyNotCompliant, setOnlyNotCompliant] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [site, setSite] = useState<SiteCompliance | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    client.firmware.compliance().then(setOverview, (cause: unknown) => setError(toUiError(cause).message));
  }, [client, reloadKey]);
  useEffect(() => {
    if (!open) return setSite(null);
    client.firmware.siteCompliance({ siteId: open }).then(setSite, (cause: unknown) => setError(toUiError(cause).message));
  }, [client, open, reloadKey]);

  const sites = useMemo(() => (overview?.sites ?? []).filter((item) => !onlyNotCompliant || notCompliant(item.counts)), [overview, onlyNotCompliant]);
  const regionName = useMemo(() => new Map((overview?.regions ?? []).map((region) => [region.regionId, region.name])), [overview]);
  if (!overview) return error ? <ErrorNotice message={error} /> : <p className="muted">{t('common.loading')}</p>;
  const covered = overview.fleet.devices - overview.fleet.noBaseline;
  const openName = overview.sites.find((item) => item.siteId === open)?.name ?? '';
  return (
    <div className="firmware-panel" data-testid="firmware-compliance">
      <ErrorNotice message={error} />
      <section className="card">
        <h2>{t('firmwareRepo.compliance.fleet')}</h2>
        <Counts counts={overview.fleet} testId="firmware-fleet-counts" />
        <p className="muted small">{t('firmwareRepo.compliance.computedAt', { time: formatDateTime(overview.computedAt, i18n.language) })}</p>
        {covered === 0 ? <p className="notice">{t('firmwareRepo.compliance.noBaselines')}</p> : null}
      </section>
      {overview.regions.length > 0 ? (
        <section className="card scroll-x">
          <h2>{t('firmwareRepo.compliance.regions')}</h2>
          <table className="simple-table" data-testid="firmware-regions">
            <thead>
              <tr>
                <th>{t('firmwareRepo.compliance.region')}</th>
                <th>{t('firmwareRepo.compliance.devices')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {overview.regions.map((region) => (
                <tr key={region.regionId} data-testid={`firmware-region-${region.regionId}`}>
                  <td>{region.parentId !== null && regionName.has(region.parentId) ? `${regionName.get(region.parentId)} / ${region.name}` : region.name}</td>
                  <td className="num">{region.counts.devices}</td>
                  <td>
                    <Counts counts={region.counts} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section className="card scroll-x">
        <div className="firmware-section-head">
          <h2>{t('firmwareRepo.compliance.sites')}</h2>
          <label className="checkbox">
            <input type="checkbox" checked={onlyNotCompliant} onChange={(event) => setOnlyNotCompliant(event.target.checked)} />
            {t('firmwareRepo.compliance.notCompliantOnly')}
          </label>
        </div>
        {sites.length === 0 ? <p className="muted">{t('firmwareRepo.compliance.noSites')}</p> : null}
        {sites.length > 0 ? (
          <table className="simple-table" data-testid="firmware-sites">
            <thead>
              <tr>
                <th>{t('firmwareRepo.compliance.site')}</th>
                <th>{t('firmwareRepo.compliance.devices')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sites.map((item) => (
                <tr key={item.siteId} data-testid={`firmware-site-${item.siteId}`}>
                  <td>
                    <button type="button" className="link-button" aria-expanded={open === item.siteId} onClick={() => setOpen(open === item.siteId ? null : item.siteId)}>
                      {item.name}
                    </button>{' '}
                    <code className="muted">{item.code}</code>
                  </td>
                  <td className="num">{item.counts.devices}</td>
                  <td>
                    <Counts counts={item.counts} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {site && open ? <SiteDevices site={site} name={openName} /> : null}
    </div>
  );
}

/** A site's devices, one row per component a baseline asks of them. */
function SiteDevices({ site, name }: { site: SiteCompliance; name: string }) {
  const { t, i18n } = useTranslation();
  // Devices whose model no package of their baseline lists (a fan tray, a sensor) are counted, not listed row by row.
  const covered = site.devices.filter((device) => device.components.length > 0);
  const others = site.devices.length - covered.length;
  return (
    <section className="card scroll-x" data-testid="firmware-site-devices">
      <h2>{t('firmwareRepo.compliance.showDevices', { site: name })}</h2>
      {others > 0 ? <p className="muted small">{t('firmwareRepo.compliance.othersNotCovered', { count: others })}</p> : null}
      <table className="simple-table">
        <thead>
          <tr>
            <th>{t('firmwareRepo.compliance.device')}</th>
            <th>{t('firmwareRepo.compliance.model')}</th>
            <th>{t('firmwareRepo.compliance.baseline')}</th>
            <th>{t('firmwareRepo.compliance.component')}</th>
            <th>{t('firmwareRepo.compliance.current')}</th>
            <th>{t('firmwareRepo.compliance.target')}</th>
            <th>{t('firmwareRepo.compliance.state')}</th>
          </tr>
        </thead>
        <tbody>
          {covered.flatMap((device) => {
            const baseline = device.baseline
              ? t('firmwareRepo.compliance.byScope', { name: device.baseline.name, scope: t(`firmwareRepo.compliance.scopes.${device.baseline.scope}`) })
              : t('firmwareRepo.compliance.covered');
            const head = (
              <>
                <td>
                  <Link to={`/devices/${device.deviceId}`}>{device.name}</Link>
                </td>
                <td>{device.model ?? '—'}</td>
                <td>{baseline}</td>
              </>
            );
            return device.components.map((component, index) => (
              <tr key={`${device.deviceId}-${component.packageId}`} data-testid={`firmware-device-${device.deviceId}-${component.component}`}>
                {index === 0 ? head : <td colSpan={3} />}
                <td>{component.component}</td>
                <td className="mono" title={component.readAt ? formatDateTime(component.readAt, i18n.language) : undefined}>
                  {component.current ?? '—'}
                </td>
                <td className="mono">{component.target}</td>
                <td>
                  <span className={`firmware-state firmware-${component.state}`}>{t(`firmwareRepo.states.${component.state}`)}</span>
                </td>
              </tr>
            ));
          })}
        </tbody>
      </table>
    </section>
  );
}
