import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { MonitorStatus } from '../../../shared/domain/monitoring.js';
import { useApi, useLiveEvents } from '../../api/context.js';

const POLL_MS = 20_000;

function clock(iso: string | null, language: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/**
 * "Offline — showing data as of HH:MM": when the core reaches none of the
 * sites, or when the UI cannot reach the core at all (then the time is that
 * of the last data the UI received).
 */
export function OfflineBanner() {
  const { t, i18n } = useTranslation();
  const { client, connection } = useApi();
  const [status, setStatus] = useState<MonitorStatus | null>(null);
  const lastData = useRef<string | null>(null);
  const state = useSyncExternalStore(connection.onState, connection.getState);
  useEffect(() => {
    const load = () =>
      client.monitor.status().then(
        (loaded) => {
          setStatus(loaded);
          lastData.current = new Date().toISOString();
        },
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [client]);
  useLiveEvents((event) => {
    if (event.type !== 'connection.restored') lastData.current = new Date().toISOString();
  });
  if (state === 'offline') {
    return (
      <div className="offline-banner" role="status" data-testid="offline-banner">
        {t('monitor.offlineCore', { time: clock(lastData.current, i18n.language) })}
      </div>
    );
  }
  if (!status?.offline) return null;
  return (
    <div className="offline-banner" role="status" data-testid="offline-banner">
      {t('monitor.offline', { time: clock(status.dataAsOf, i18n.language) })}
    </div>
  );
}
