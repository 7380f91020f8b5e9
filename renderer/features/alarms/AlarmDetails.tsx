import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlarmDetail } from '../../../shared/domain/monitoring.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { alarmText } from './alarm-text.js';
import { useCanOnSite } from '../auth/site-access.js';

/** One alarm: what it is, its cause or what it causes, its history; comment, assign, acknowledge. */
export function AlarmDetails({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [detail, setDetail] = useState<AlarmDetail | null>(null);
  const [comment, setComment] = useState('');
  const [assignee, setAssignee] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.alarms.get({ id }).then(
      (loaded) => {
        setDetail(loaded);
        setAssignee(loaded.alarm.assignee ?? '');
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client, id]);
  useEffect(load, [load]);

  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(null);
      load();
      onChanged();
    } catch (cause) {
      setError(toUiError(cause).message);
    }
  };
  const submitComment = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await client.alarms.comment({ id, text: comment });
      setComment('');
    });
  };
  const alarm = detail?.alarm;
  // Acknowledge, assign and comment need operator on the alarm's site's region; viewers read only.
  const canOperate = useCanOnSite('operator', alarm?.siteId);
  return (
    <Dialog title={t('alarms.details')} onClose={onClose} wide>
      <ErrorNotice message={error} />
      {alarm ? (
        <div className="alarm-details">
          <p>
            <span className={`badge severity-${alarm.severity}`}>{t(`alarms.severities.${alarm.severity}`)}</span> <strong>{alarmText(t, alarm)}</strong>
          </p>
          <p className="muted">
            {alarm.siteName}
            {alarm.deviceName ? ` · ${alarm.deviceName}` : ''} · {t('alarms.firstSeen')} {formatDateTime(alarm.firstSeen, i18n.language)} · {t('alarms.lastSeen')}{' '}
            {formatDateTime(alarm.lastSeen, i18n.language)} · {t('alarms.times', { count: alarm.count })}
          </p>
          {detail.root ? <p className="notice">{t('alarms.symptomOf', { id: detail.root.id })}: {alarmText(t, detail.root)}</p> : null}
          {detail.symptoms.length > 0 ? (
            <>
              <h3>{t('alarms.symptoms', { count: detail.symptoms.length })}</h3>
              <ul className="symptom-list">
                {detail.symptoms.map((symptom) => (
                  <li key={symptom.id}>
                    {symptom.deviceName ?? symptom.siteName}: {alarmText(t, symptom)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <div className="toolbar">
            {alarm.acknowledgedAt ? (
              <span className="badge badge-ok">{t('alarms.acknowledged', { who: alarm.acknowledgedBy ?? '' })}</span>
            ) : alarm.state === 'active' && canOperate ? (
              <button type="button" className="primary" onClick={() => void run(() => client.alarms.acknowledge({ ids: [id] }))}>
                {t('alarms.acknowledge')}
              </button>
            ) : null}
            {canOperate ? (
              <>
                <label>
                  {t('alarms.assignee')}{' '}
                  <input value={assignee} maxLength={100} placeholder={t('alarms.unassigned')} onChange={(event) => setAssignee(event.target.value)} />
                </label>
                <button type="button" onClick={() => void run(() => client.alarms.assign({ id, assignee: assignee.trim() || null }))}>
                  {t('alarms.assign')}
                </button>
              </>
            ) : alarm.assignee ? (
              <span>
                {t('alarms.assignee')} {alarm.assignee}
              </span>
            ) : null}
          </div>
          {canOperate ? (
            <form className="toolbar" onSubmit={submitComment}>
              <input className="grow" value={comment} maxLength={2000} aria-label={t('alarms.comment')} onChange={(event) => setComment(event.target.value)} />
              <button type="submit" disabled={!comment.trim()}>
                {t('alarms.addComment')}
              </button>
            </form>
          ) : null}
          <h3>{t('alarms.history')}</h3>
          <ol className="alarm-history">
            {detail.history.map((entry, index) => (
              <li key={index}>
                <span className="nowrap muted">{formatDateTime(entry.at, i18n.language)}</span> {t(`alarms.historyKinds.${entry.kind}`)}
                {entry.actor ? ` · ${entry.actor}` : ''}
                {entry.text ? ` · ${entry.text}` : ''}
              </li>
            ))}
          </ol>
        </div>
      ) : (
        <p className="muted">{t('common.loading')}</p>
      )}
    </Dialog>
  );
}
