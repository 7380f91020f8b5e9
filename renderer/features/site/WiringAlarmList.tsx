import { useTranslation } from 'react-i18next';
import type { Alarm } from '../../../shared/domain/monitoring.js';
import type { WiringFocus } from '../../../shared/domain/wiring.js';
import { alarmText } from '../alarms/alarm-text.js';
import { chainText, type NodeNames } from './WiringText.js';

const where = (alarm: Alarm) => alarm.deviceName ?? alarm.siteName;

/** The site's root alarms; choosing one traces it on the wiring. */
export function WiringAlarmList({ roots, selectedId, onSelect }: { roots: readonly Alarm[]; selectedId: number | null; onSelect: (id: number) => void }) {
  const { t } = useTranslation();
  return (
    <div className="wiring-alarms">
      <h3 id="wiring-alarms-title">{t('wiring.alarms.title')}</h3>
      {roots.length === 0 ? (
        <p className="muted small" data-testid="wiring-no-alarm">
          {t('wiring.alarms.none')}
        </p>
      ) : (
        <ul aria-labelledby="wiring-alarms-title" data-testid="wiring-alarm-list">
          {roots.map((alarm) => (
            <li key={alarm.id}>
              <button type="button" className={alarm.id === selectedId ? 'wiring-alarm selected' : 'wiring-alarm'} aria-pressed={alarm.id === selectedId} onClick={() => onSelect(alarm.id)}>
                <span className={`badge severity-${alarm.severity}`}>{t(`alarms.severities.${alarm.severity}`)}</span>
                <span className="text">
                  <strong>{where(alarm)}</strong> · {alarmText(t, alarm)}
                </span>
                {alarm.symptomCount > 0 ? <span className="badge badge-muted">{t('wiring.alarms.related', { count: alarm.symptomCount })}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** In words, for whoever cannot or does not read the drawing: the cause, then each alarm it explains and the cables between them. */
export function WiringWhy({ focus, names }: { focus: WiringFocus<Alarm>; names: NodeNames }) {
  const { t } = useTranslation();
  const cause = `${where(focus.root)}: ${alarmText(t, focus.root)}`;
  return (
    <div className="wiring-why" data-testid="wiring-why" aria-live="polite">
      <h3>{t('wiring.why.title')}</h3>
      <p>{focus.symptoms.length ? t('wiring.why.lead', { cause, count: focus.symptoms.length }) : t('wiring.why.alone', { cause })}</p>
      {focus.chains.length ? (
        <ul>
          {focus.chains.map(({ alarm, ends }) => (
            <li key={alarm.id} data-testid="wiring-why-item">
              <strong>{where(alarm)}</strong> · {alarmText(t, alarm)}
              <div className="muted small wiring-chain">
                {ends.length ? chainText(t, ends, names) : alarm.deviceId !== null && alarm.deviceId === focus.root.deviceId ? t('wiring.why.sameDevice') : t('wiring.why.notCabled')}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
