import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PowerLimitView } from '../../../shared/domain/energy.js';
import { useApi } from '../../api/context.js';
import { ageText, useNow } from '../../components/age.js';
import { notLimitingText, powerLimitRefusal, wattsNumber } from './power-limit-text.js';
import './energy.css';

/** "400", "400 W": whole watts; anything else is not a limit. */
function parseWatts(text: string): number | null {
  const match = /^(\d{1,9})\s*w?$/i.exec(text.trim());
  return match ? Number(match[1]) : null;
}

/**
 * A server's power limit on its device page, for operators: read from the
 * BMC (the limit or none, what the server draws now, the range the BMC
 * allows, and whether it is kept in a Control or the legacy PowerControl),
 * set in watts or lifted. What is shown after Set or Lift is the core's read-
 * back from the BMC, never what was typed. A BMC that does not limit power
 * says so as a plain fact; refusals are shown at the form in the UI language.
 */
export function PowerLimitCard({ deviceId }: { deviceId: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const { client } = useApi();
  const now = useNow();
  const [view, setView] = useState<PowerLimitView | null>(null);
  const [reading, setReading] = useState(false);
  const [readError, setReadError] = useState<unknown>(null);
  const [draft, setDraft] = useState('');
  const [draftError, setDraftError] = useState<string | null>(null);
  const [sending, setSending] = useState<'set' | 'lift' | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [done, setDone] = useState<{ kind: 'set'; watts: number } | { kind: 'lifted' } | null>(null);

  const read = useCallback(() => {
    setReading(true);
    setDone(null);
    setRefusal(null);
    client.energy.powerLimit({ id: deviceId }).then(
      (answer) => {
        setView(answer);
        setReadError(null);
        setReading(false);
      },
      (cause: unknown) => {
        setReadError(cause);
        setReading(false);
      },
    );
  }, [client, deviceId]);
  useEffect(read, [read]);

  const send = async (watts: number | null) => {
    setSending(watts === null ? 'lift' : 'set');
    setRefusal(null);
    setDone(null);
    try {
      const answer = await client.energy.setPowerLimit({ id: deviceId, watts });
      setView(answer);
      setReadError(null);
      setDraft('');
      setDone(answer.limitWatts === null ? { kind: 'lifted' } : { kind: 'set', watts: answer.limitWatts });
    } catch (cause) {
      setRefusal(cause);
    } finally {
      setSending(null);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const watts = parseWatts(draft);
    if (watts === null) {
      setDraftError(t('energy.limit.wholeWatts'));
      setRefusal(null);
      setDone(null);
      return;
    }
    setDraftError(null);
    void send(watts);
  };

  const watts = (value: number | null, none: string) => (value === null ? none : t('energy.limit.watts', { value: wattsNumber(value, language) }));
  const range = (limit: PowerLimitView): string => {
    const min = limit.minWatts === null ? null : wattsNumber(limit.minWatts, language);
    const max = limit.maxWatts === null ? null : wattsNumber(limit.maxWatts, language);
    if (min !== null && max !== null) return t('energy.limit.rangeBoth', { min, max });
    if (max !== null) return t('energy.limit.rangeUpTo', { max });
    if (min !== null) return t('energy.limit.rangeFrom', { min });
    return t('energy.limit.rangeUnknown');
  };
  const why = view && !view.supported ? notLimitingText(t, view.reason) : null;

  return (
    <section className="card power-limit" aria-labelledby="power-limit-title" data-testid="power-limit">
      <header className="page-header">
        <div>
          <h2 id="power-limit-title">{t('energy.limit.title')}</h2>
          <p className="muted small">{t('energy.limit.intro')}</p>
        </div>
        <div className="page-actions">
          <button type="button" disabled={reading || sending !== null} onClick={read}>
            {reading ? t('energy.limit.reading') : t('energy.limit.read')}
          </button>
        </div>
      </header>
      {readError ? (
        <div className="notice notice-error" role="alert" data-testid="power-limit-read-error">
          {powerLimitRefusal(t, readError, language)}
        </div>
      ) : null}
      {view === null && !readError ? <p className="muted">{t('common.loading')}</p> : null}
      {view && !view.supported ? (
        <div className="notice power-limit-none" data-testid="power-limit-unsupported">
          <div>
            <strong data-testid="power-limit-unsupported-title">{t('energy.limit.notLimiting')}</strong>
            {why ? <div lang={why === view.reason ? 'en' : undefined}>{why}</div> : null}
            <div className="muted small">{t('energy.limit.notLimitingHint')}</div>
          </div>
        </div>
      ) : null}
      {view?.supported ? (
        <>
          <dl className="facts power-limit-facts" data-testid="power-limit-facts">
            <div>
              <dt>{t('energy.limit.limit')}</dt>
              <dd data-testid="power-limit-value">{watts(view.limitWatts, t('energy.limit.noLimit'))}</dd>
            </div>
            <div>
              <dt>{t('energy.limit.drawn')}</dt>
              <dd data-testid="power-limit-drawn">{watts(view.consumedWatts, t('energy.none'))}</dd>
            </div>
            <div>
              <dt>{t('energy.limit.range')}</dt>
              <dd data-testid="power-limit-range">{range(view)}</dd>
            </div>
            <div>
              <dt>{t('energy.limit.via')}</dt>
              <dd data-testid="power-limit-via">{view.via === 'Control' ? t('energy.limit.viaControl') : t('energy.limit.viaPowerControl')}</dd>
            </div>
          </dl>
          <p className="muted small" data-testid="power-limit-read-at">
            {t('energy.limit.readAt', { time: ageText(t, view.readAt, now) })}
          </p>
          <form className="power-limit-form" onSubmit={submit} noValidate aria-label={t('energy.limit.title')}>
            <div className={draftError ? 'field field-invalid' : 'field'}>
              <label htmlFor={`power-limit-${deviceId}`}>{t('energy.limit.field')}</label>
              <div className="power-limit-row">
                <input
                  id={`power-limit-${deviceId}`}
                  className="power-limit-input"
                  inputMode="numeric"
                  autoComplete="off"
                  value={draft}
                  aria-invalid={draftError ? true : undefined}
                  aria-describedby={`power-limit-${deviceId}-${draftError ? 'error' : 'hint'}`}
                  onChange={(event) => setDraft(event.target.value)}
                />
                <button type="submit" className="primary" disabled={sending !== null}>
                  {sending === 'set' ? t('energy.limit.sending') : t('energy.limit.set')}
                </button>
                <button type="button" disabled={sending !== null || view.limitWatts === null} onClick={() => void send(null)}>
                  {sending === 'lift' ? t('energy.limit.sending') : t('energy.limit.lift')}
                </button>
              </div>
              {draftError ? (
                <div className="field-error" id={`power-limit-${deviceId}-error`} role="alert">
                  {draftError}
                </div>
              ) : (
                <div className="field-hint" id={`power-limit-${deviceId}-hint`}>
                  {t('energy.limit.fieldHint')}
                </div>
              )}
            </div>
          </form>
          {refusal ? (
            <div className="notice notice-error power-limit-refusal" role="alert" data-testid="power-limit-refusal">
              {powerLimitRefusal(t, refusal, language)}
            </div>
          ) : null}
          {done ? (
            <div className="notice power-limit-done" role="status" data-testid="power-limit-done">
              {done.kind === 'set' ? t('energy.limit.done.set', { watts: wattsNumber(done.watts, language) }) : t('energy.limit.done.lifted')}
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
