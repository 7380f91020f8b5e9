import { useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { desktopCore } from '../api/client.js';
import type { DesktopCoreStatus } from '../api/desktop-link.js';
import './CoreRestartBanner.css';

const NOT_DESKTOP: DesktopCoreStatus = { restarts: 0, state: 'running' };
const noSubscription = () => () => undefined;

/** The core's state as the desktop link knows it; constant in server mode. */
function useDesktopCoreStatus(): DesktopCoreStatus {
  const core = desktopCore();
  return useSyncExternalStore(core ? core.onStatus : noSubscription, core ? core.getStatus : () => NOT_DESKTOP);
}

/**
 * Desktop only: says that the core process stopped while it is being
 * restarted, and that it was restarted (how many times), so that a user who
 * saw an action fail knows why and checks it. Dismissed, it comes back at the
 * next restart.
 */
export function CoreRestartBanner() {
  const { t } = useTranslation();
  const status = useDesktopCoreStatus();
  const [dismissedAt, setDismissedAt] = useState(0);
  const stopped = status.state === 'stopped';
  if (!stopped && (status.restarts === 0 || status.restarts <= dismissedAt)) return null;
  return (
    <div className="core-restart-banner" role="status" data-testid="core-restart-banner" data-state={stopped ? 'stopped' : 'restarted'}>
      <div className="core-restart-banner-text">
        <span className="core-restart-banner-title">
          {stopped ? t('desktop.coreStopped') : status.restarts === 1 ? t('desktop.coreRestartedOnce') : t('desktop.coreRestarted', { count: status.restarts })}
        </span>
        <span className="core-restart-banner-hint">{t('desktop.coreRestartedHint')}</span>
      </div>
      {!stopped && (
        <button type="button" onClick={() => setDismissedAt(status.restarts)}>
          {t('desktop.dismiss')}
        </button>
      )}
    </div>
  );
}
