import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { decimalSize } from '../../../shared/domain/engine.js';
import type { RolloutDetail, RolloutSite, RolloutSiteState, RolloutState, RolloutSummary } from '../../../shared/domain/rollouts.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { useCan } from '../auth/access.js';
import { mapPathColouredBy } from '../map/rollout-colours.js';
import { RolloutForm } from './RolloutForm.js';
import { rolloutMessagesText, siteDetailText, siteStateLabel } from './rollout-text.js';
import './rollouts.css';

const STATE_BADGE: Record<RolloutState, string> = { running: 'badge-warn', paused: 'badge-muted', stopped: 'badge-error', completed: 'badge-ok', cancelled: 'badge-muted', rolling_back: 'badge-warn', rolled_back: 'badge-muted' };
const SITE_BADGE: Record<RolloutSiteState, string> = {
  pending: 'badge-muted',
  waiting: 'badge-muted',
  queued: 'badge-muted',
  transferring: 'badge-warn',
  starting: 'badge-warn',
  healthy: 'badge-ok',
  unhealthy: 'badge-error',
  failed: 'badge-error',
  rolled_back: 'badge-warn',
  skipped: 'badge-muted',
  cancelled: 'badge-muted',
  reverting: 'badge-warn',
  reverted: 'badge-ok',
};
const LIVE = new Set<RolloutState>(['running', 'rolling_back', 'paused']);

/** Rollouts: a new one (with its dry run), the list, and one followed live, wave by wave and site by site. */
export function RolloutsPage() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const canOperate = useCan('operator', 'anywhere');
  // A new rollout is a plan: administrators make it; operators act on the ones that exist.
  const canPlan = useCan('administrator', 'anywhere');
  const [rollouts, setRollouts] = useState<RolloutSummary[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [detail, setDetail] = useState<RolloutDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.rollouts.list().then(setRollouts, (cause: unknown) => setError(toUiError(cause).message));
    if (open) client.rollouts.get({ id: open }).then(setDetail, (cause: unknown) => setError(toUiError(cause).message));
  }, [client, open]);
  useEffect(load, [load]);
  const live = (detail && LIVE.has(detail.state)) || (rollouts ?? []).some((rollout) => rollout.state === 'running' || rollout.state === 'rolling_back');
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(load, 1000);
    return () => clearInterval(timer);
  }, [live, load]);

  const act = async (action: 'pause' | 'resume' | 'cancel' | 'rollback') => {
    if (!detail) return;
    if (action === 'rollback' && !window.confirm(t('rollouts.detail.confirmRollback'))) return;
    if (action === 'cancel' && !window.confirm(t('rollouts.detail.confirmCancel'))) return;
    setError(null);
    try {
      setDetail(await client.rollouts.act({ id: detail.id, action }));
      load();
    } catch (cause) {
      setError(toUiError(cause).message);
    }
  };

  return (
    <section className="page rollouts-page" aria-labelledby="rollouts-title">
      <header className="page-header">
        <div>
          <h1 id="rollouts-title">{t('rollouts.title')}</h1>
          <p className="muted">{t('rollouts.intro')}</p>
        </div>
      </header>
      <ErrorNotice message={error} />
      {canPlan ? <RolloutForm onStarted={(id) => { setOpen(id); load(); }} /> : null}
      <section className="card scroll-x" aria-labelledby="rollout-list-title">
        <h2 id="rollout-list-title">{t('rollouts.list.title')}</h2>
        {rollouts && rollouts.length === 0 ? <p className="empty">{t('rollouts.list.empty')}</p> : null}
        {rollouts && rollouts.length > 0 ? (
          <table className="simple-table" data-testid="rollouts-table">
            <thead>
              <tr>
                <th>{t('rollouts.list.name')}</th>
                <th>{t('rollouts.list.state')}</th>
                <th>{t('rollouts.list.wave')}</th>
                <th>{t('rollouts.list.sites')}</th>
                <th>{t('rollouts.list.created')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rollouts.map((rollout) => (
                <tr key={rollout.id} data-testid={`rollout-${rollout.id}`} className={rollout.id === open ? 'selected' : undefined}>
                  <td>{rollout.name}</td>
                  <td>
                    <span className={`badge ${STATE_BADGE[rollout.state]}`}>{t(`rollouts.states.${rollout.state}`)}</span>
                  </td>
                  <td>
                    {Math.min(rollout.currentWave + 1, rollout.waves)} / {rollout.waves}
                  </td>
                  <td>
                    {Object.entries(rollout.counts)
                      // Reverted sites counted together may have gone back to a previous version or lost an app they did not have before.
                      .map(([state, count]) => `${state === 'reverted' ? t('rollouts.list.reverted') : t(`rollouts.siteStates.${state}`)} ${count}`)
                      .join(' · ')}
                  </td>
                  <td>{formatDateTime(rollout.createdAt, i18n.language)}</td>
                  <td>
                    <button type="button" onClick={() => setOpen(rollout.id)}>
                      {t('rollouts.list.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {detail && detail.id === open ? <RolloutProgress detail={detail} canOperate={canOperate} onAct={(action) => void act(action)} /> : null}
    </section>
  );
}

function RolloutProgress({ detail, canOperate, onAct }: { detail: RolloutDetail; canOperate: boolean; onAct: (action: 'pause' | 'resume' | 'cancel' | 'rollback') => void }) {
  const { t, i18n } = useTranslation();
  const waves = [...new Set(detail.sites.map((site) => site.wave))].sort((a, b) => a - b);
  return (
    <section className="card" aria-labelledby="rollout-detail-title" data-testid="rollout-detail">
      <h2 id="rollout-detail-title">
        {detail.name} <span className={`badge ${STATE_BADGE[detail.state]}`} data-testid="rollout-state">{t(`rollouts.states.${detail.state}`)}</span>
      </h2>
      {detail.detail ? <p data-testid="rollout-detail-text">{rolloutMessagesText(t, i18n.language, detail.detailMessages, detail.detail)}</p> : null}
      <div className="actions rollout-actions">
        {/* For every viewer, whatever the rollout's state: an ended rollout shows its last states on the map. */}
        <Link className="button" to={mapPathColouredBy(detail.id)}>
          {t('rollouts.detail.showOnMap')}
        </Link>
        {canOperate ? (
          <>
            {detail.state === 'running' ? <button type="button" onClick={() => onAct('pause')}>{t('rollouts.detail.pause')}</button> : null}
            {detail.state === 'paused' || detail.state === 'stopped' ? <button type="button" onClick={() => onAct('resume')}>{t('rollouts.detail.resume')}</button> : null}
            {['running', 'paused', 'stopped', 'rolling_back'].includes(detail.state) ? <button type="button" onClick={() => onAct('cancel')}>{t('rollouts.detail.cancel')}</button> : null}
            {!['rolling_back', 'rolled_back'].includes(detail.state) ? (
              <button type="button" className="danger" onClick={() => onAct('rollback')}>
                {t('rollouts.detail.rollback')}
              </button>
            ) : null}
          </>
        ) : null}
      </div>
      {waves.map((wave) => (
        <div key={wave} className="rollout-wave" data-testid={`wave-${wave}`}>
          <h3>{wave < 0 ? t('rollouts.siteStates.skipped') : wave === 0 ? t('rollouts.detail.canaryTitle', { wave: wave + 1 }) : t('rollouts.detail.waveTitle', { wave: wave + 1 })}</h3>
          <table className="simple-table">
            <tbody>
              {detail.sites.filter((site) => site.wave === wave).map((site) => (
                <SiteRow key={site.siteId} site={site} />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

function SiteRow({ site }: { site: RolloutSite }) {
  const { t, i18n } = useTranslation();
  return (
    <tr data-testid={`rollout-site-${site.code}`}>
      <td>
        {site.name} <span className="muted">{site.code}</span>
        {site.fromVersion ? <div className="muted">{t('rollouts.detail.from', { version: site.fromVersion })}</div> : null}
      </td>
      <td>
        <span className={`badge ${SITE_BADGE[site.state]}`} data-testid="rollout-site-state">{siteStateLabel(t, site)}</span>
        {site.state === 'transferring' && site.bytesTotal ? (
          <>
            <progress className="wide-progress" max={site.bytesTotal} value={site.bytesSent ?? 0} aria-label={t('rollouts.siteStates.transferring')} />
            <div className="muted">{t('rollouts.detail.sent', { sent: decimalSize(site.bytesSent ?? 0), total: decimalSize(site.bytesTotal) })}</div>
          </>
        ) : null}
      </td>
      <td className={site.state === 'failed' || site.state === 'rolled_back' ? 'error-text' : undefined} data-testid="rollout-site-detail">
        {siteDetailText(t, i18n.language, site)}
      </td>
    </tr>
  );
}
