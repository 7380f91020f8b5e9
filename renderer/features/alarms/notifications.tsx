import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useLiveEvents } from '../../api/context.js';
import { alarmText } from './alarm-text.js';

const supported = () => typeof Notification !== 'undefined';

/**
 * Shows a desktop notification for every new critical root alarm, when the
 * user allowed it and forwarding keeps desktop notifications on.
 */
export function useCriticalNotifications(): void {
  const { t } = useTranslation();
  const { client } = useApi();
  const [enabled, setEnabled] = useState(true);
  useEffect(() => {
    client.alarms.forwarding().then((config) => setEnabled(config.desktopCritical), () => undefined);
  }, [client]);
  useLiveEvents((event) => {
    if (event.type !== 'alarm.changed' || !enabled || !supported() || Notification.permission !== 'granted') return;
    for (const alarm of event.raised) {
      if (alarm.severity !== 'critical') continue;
      new Notification(t('alarms.notifyTitle', { site: alarm.siteName }), { body: alarmText(t, alarm), tag: `edgecab-alarm-${alarm.id}` });
    }
  });
}

export function NotificationToggle() {
  const { t } = useTranslation();
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'denied'));
  if (!supported() || permission === 'denied') return null;
  if (permission === 'granted') return <span className="muted">{t('alarms.notifyOn')}</span>;
  return (
    <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
      {t('alarms.notifyEnable')}
    </button>
  );
}
