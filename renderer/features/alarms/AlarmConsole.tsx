import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ALARM_SEVERITIES, ALARM_SORTS, type Alarm, type AlarmPage, type AlarmSeverity, type MonitorStatus } from '../../../shared/domain/monitoring.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { AlarmDetails } from './AlarmDetails.js';
import { alarmText } from './alarm-text.js';
import { NotificationToggle } from './notifications.js';
import { ForwardingDialog } from './ForwardingDialog.js';
import { MaintenanceDialog } from './MaintenanceDialog.js';
import { useCan, useCanAt } from '../auth/access.js';
import { CoreProblems } from './CoreProblems.js';

type StateFilter = 'active' | 'cleared' | 'all';
type Sort = (typeof ALARM_SORTS)[number];

function SeverityBadge({ severity }: { severity: AlarmSeverity }) {
  const { t } = useTranslation();
  return <span className={`badge severity-${severity}`}>{t(`alarms.severities.${severity}`)}</span>;
}

/** The alarm console: roots with their symptoms underneath, filtered, sorted, grouped, acknowledged in bulk. */
export function AlarmConsole() {
  const { t } = useTranslation();
  const { client } = useApi();
  const now = useNow(15_000);
  const [severities, setSeverities] = useState<AlarmSeverity[]>([]);
  const [siteId, setSiteId] = useState('');
  const [state, setState] = useState<StateFilter>('active');
  const [sort, setSort] = useState<Sort>('severity');
  const [grouped, setGrouped] = useState(false);
  const [page, setPage] = useState<AlarmPage | null>(null);
  const [sites, setSites] = useState<{ id: string; name: string; regionId: number | null }[]>([]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [expanded, setExpanded] = useState<Map<number, Alarm[]>>(new Map());
  const [openId, setOpenId] = useState<number | null>(null);
  const [dialog, setDialog] = useState<'forwarding' | 'maintenance' | null>(null);
  const [monitor, setMonitor] = useState<MonitorStatus | null>(null);
  useEffect(() => {
    const read = () => client.monitor.status().then(setMonitor, () => undefined);
    void read();
    const timer = setInterval(() => void read(), 15_000);
    return () => clearInterval(timer);
  }, [client]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.alarms
      .list({ state, sort, ...(severities.length ? { severity: severities } : {}), ...(siteId ? { siteId } : {}) })
      .then((result) => {
        setPage(result);
        setError(null);
      })
      .catch((cause: unknown) => setError(toUiError(cause).message));
  }, [client, state, sort, severities, siteId]);
  useEffect(load, [load]);
  useEffect(() => {
    client.sites.list({ limit: 500, sort: 'name' }).then((result) => setSites(result.items.map((site) => ({ id: site.id, name: site.name, regionId: site.regionId }))), () => undefined);
  }, [client]);
  // Acknowledging and maintenance need operator on the alarm's site's region; forwarding is a global setting.
  const canOperate = useCan('operator', 'anywhere');
  const canForward = useCan('administrator', 'everywhere');
  const canAt = useCanAt();
  const siteRegions = useMemo(() => new Map(sites.map((site) => [site.id, site.regionId])), [sites]);
  const canOperateOn = (alarm: Alarm) => canAt('operator', siteRegions.get(alarm.siteId));
  useLiveEvents((event) => {
    if (event.type === 'alarm.changed' || event.type === 'connection.restored') load();
  });

  const toggleSymptoms = async (alarm: Alarm) => {
    const next = new Map(expanded);
    if (next.has(alarm.id)) next.delete(alarm.id);
    else next.set(alarm.id, (await client.alarms.get({ id: alarm.id })).symptoms);
    setExpanded(next);
  };
  const acknowledge = async (ids: number[]) => {
    try {
      await client.alarms.acknowledge({ ids });
      setSelected(new Set());
      load();
    } catch (cause) {
      setError(toUiError(cause).message);
    }
  };
  const groups = useMemo(() => {
    const alarms = page?.alarms ?? [];
    if (!grouped) return [{ key: '', title: '', alarms }];
    const bySite = new Map<string, Alarm[]>();
    for (const alarm of alarms) bySite.set(alarm.siteName, [...(bySite.get(alarm.siteName) ?? []), alarm]);
    return [...bySite].sort(([a], [b]) => a.localeCompare(b)).map(([title, list]) => ({ key: title, title, alarms: list }));
  }, [page, grouped]);

  const row = (alarm: Alarm, symptom: boolean) => (
    <tr key={`${symptom ? 's' : 'r'}${alarm.id}`} className={symptom ? 'alarm-symptom' : alarm.state === 'cleared' ? 'alarm-cleared' : ''} data-testid={symptom ? 'alarm-symptom' : 'alarm-row'}>
      <td>
        {!symptom && canOperateOn(alarm) ? (
          <input
            type="checkbox"
            aria-label={t('alarms.select', { id: alarm.id })}
            checked={selected.has(alarm.id)}
            onChange={(event) => {
              const next = new Set(selected);
              if (event.target.checked) next.add(alarm.id);
              else next.delete(alarm.id);
              setSelected(next);
            }}
          />
        ) : null}
      </td>
      <td>
        <SeverityBadge severity={alarm.severity} />
      </td>
      <td>
        <Link to={`/sites/${alarm.siteId}`}>{alarm.siteName}</Link>
      </td>
      <td>{alarm.deviceId ? <Link to={`/devices/${alarm.deviceId}`}>{alarm.deviceName}</Link> : t('common.none')}</td>
      <td className="alarm-message">
        {symptom ? <span className="symptom-mark" aria-hidden="true">↳ </span> : null}
        <button type="button" className="link-button" onClick={() => setOpenId(alarm.id)}>
          {alarmText(t, alarm)}
        </button>
        {alarm.flapping ? <span className="badge badge-warn">{t('alarms.flapping')}</span> : null}
        {alarm.muted ? <span className="badge badge-muted">{t('alarms.muted')}</span> : null}
        {!symptom && alarm.symptomCount > 0 ? (
          <button type="button" className="link-button symptom-toggle" aria-expanded={expanded.has(alarm.id)} onClick={() => void toggleSymptoms(alarm)}>
            {expanded.has(alarm.id) ? t('alarms.hideSymptoms') : t('alarms.symptoms', { count: alarm.symptomCount })}
          </button>
        ) : null}
      </td>
      <td className="nowrap">{t('alarms.times', { count: alarm.count })}</td>
      <td className="nowrap" title={alarm.lastSeen}>
        {ageText(t, alarm.lastSeen, now)}
      </td>
      <td className="nowrap">
        {alarm.acknowledgedAt ? (
          <span className="badge badge-ok">{t('alarms.acknowledged', { who: alarm.acknowledgedBy ?? '' })}</span>
        ) : alarm.state === 'active' && !symptom && canOperateOn(alarm) ? (
          <button type="button" onClick={() => void acknowledge([alarm.id])}>
            {t('alarms.acknowledge')}
          </button>
        ) : (
          <span className="muted">{t(`alarms.states.${alarm.state}`)}</span>
        )}
      </td>
    </tr>
  );

  return (
    <section className="page" aria-labelledby="alarms-title">
      <header className="page-header">
        <div>
          <h1 id="alarms-title">{t('alarms.title')}</h1>
          <p className="muted">{t('alarms.intro')}</p>
        </div>
        <div className="page-actions">
          <NotificationToggle />
          {canOperate ? (
            <button type="button" onClick={() => setDialog('maintenance')}>
              {t('alarms.maintenance.open')}
            </button>
          ) : null}
          {canForward ? (
            <button type="button" onClick={() => setDialog('forwarding')}>
              {t('alarms.forwarding.open')}
            </button>
          ) : null}
        </div>
      </header>
      <CoreProblems />
      {monitor?.running ? (
        <p className="convergence" data-testid="monitor-status">
          {t('alarms.monitoring', { devices: monitor.devices, lag: monitor.pollLagP99Ms === null ? '—' : Math.round(monitor.pollLagP99Ms), polls: monitor.polls, failures: monitor.failures })}
          {monitor.traps ? ` · ${t('alarms.monitoringTraps', { received: monitor.traps.received, port: monitor.traps.port, refused: monitor.traps.refused + monitor.traps.malformed + monitor.traps.dropped })}` : ''}
          {monitor.events.streamsCapped > 0
            ? ` · ${t('alarms.monitoringStreams', { open: monitor.events.streams, capped: monitor.events.streamsCapped, cap: monitor.events.streamCap ?? '—', seconds: monitor.events.cappedHealthSeconds })}`
            : ''}
        </p>
      ) : null}
      {page ? (
        <p className="convergence" data-testid="convergence">
          {t('alarms.convergence', { raw: page.rawEvents, shown: page.shown, ratio: page.convergenceRatio ?? '—' })}
        </p>
      ) : null}
      <div className="toolbar alarm-filters">
        <fieldset className="severity-filter">
          <legend className="visually-hidden">{t('alarms.severity')}</legend>
          {ALARM_SEVERITIES.map((severity) => (
            <label key={severity} className="chip">
              <input
                type="checkbox"
                checked={severities.includes(severity)}
                onChange={(event) => setSeverities(event.target.checked ? [...severities, severity] : severities.filter((each) => each !== severity))}
              />
              {t(`alarms.severities.${severity}`)}
            </label>
          ))}
        </fieldset>
        <label>
          <span className="visually-hidden">{t('alarms.site')}</span>
          <select value={siteId} onChange={(event) => setSiteId(event.target.value)} aria-label={t('alarms.site')}>
            <option value="">{t('alarms.anySite')}</option>
            {sites.map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        </label>
        <select value={state} onChange={(event) => setState(event.target.value as StateFilter)} aria-label={t('alarms.state')}>
          {(['active', 'cleared', 'all'] as const).map((each) => (
            <option key={each} value={each}>
              {t(`alarms.states.${each}`)}
            </option>
          ))}
        </select>
        <select value={sort} onChange={(event) => setSort(event.target.value as Sort)} aria-label={t('alarms.sort')}>
          {ALARM_SORTS.map((each) => (
            <option key={each} value={each}>
              {t('alarms.sort')}: {t(`alarms.sorts.${each}`)}
            </option>
          ))}
        </select>
        <label className="chip">
          <input type="checkbox" checked={grouped} onChange={(event) => setGrouped(event.target.checked)} />
          {t('alarms.groupBySite')}
        </label>
        {canOperate ? (
          <button type="button" className="primary" disabled={selected.size === 0} onClick={() => void acknowledge([...selected])}>
            {t('alarms.acknowledgeSelected', { count: selected.size })}
          </button>
        ) : null}
      </div>
      <ErrorNotice message={error} />
      {page && page.alarms.length === 0 ? <p className="empty">{t('alarms.empty')}</p> : null}
      {page && page.alarms.length > 0 ? (
        <div className="card scroll-x">
          <table className="simple-table alarm-table" data-testid="alarm-table">
            <thead>
              <tr>
                <th>
                  {canOperate ? (
                    <input
                      type="checkbox"
                      aria-label={t('alarms.selectAll')}
                      checked={selected.size > 0 && selected.size === page.alarms.filter((alarm) => alarm.state === 'active' && canOperateOn(alarm)).length}
                      onChange={(event) => setSelected(event.target.checked ? new Set(page.alarms.filter((alarm) => alarm.state === 'active' && canOperateOn(alarm)).map((alarm) => alarm.id)) : new Set())}
                    />
                  ) : null}
                </th>
                <th>{t('alarms.severity')}</th>
                <th>{t('alarms.site')}</th>
                <th>{t('alarms.device')}</th>
                <th>{t('alarms.message')}</th>
                <th>{t('alarms.count')}</th>
                <th>{t('alarms.lastSeen')}</th>
                <th>{t('alarms.state')}</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <Fragment key={group.key}>
                  {group.title ? (
                    <tr className="group-row">
                      <th colSpan={8}>{group.title}</th>
                    </tr>
                  ) : null}
                  {group.alarms.map((alarm) => (
                    <Fragment key={alarm.id}>
                      {row(alarm, false)}
                      {(expanded.get(alarm.id) ?? []).map((symptom) => row(symptom, true))}
                    </Fragment>
                  ))}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {dialog === 'forwarding' ? <ForwardingDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'maintenance' ? <MaintenanceDialog sites={sites} onClose={() => setDialog(null)} onChanged={load} /> : null}
      {openId !== null ? <AlarmDetails id={openId} onClose={() => setOpenId(null)} onChanged={load} /> : null}
    </section>
  );
}
