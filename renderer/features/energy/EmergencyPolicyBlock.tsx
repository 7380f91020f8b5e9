import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { EmergencyPolicyView } from '../../../shared/domain/energy.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { useCanOnSite } from '../auth/site-access.js';
import { capRefused, wattsNumber } from './power-limit-text.js';

const REFRESH_MS = 60_000;

function minutesNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
}

/**
 * The site's emergency power policy in its energy card: on or off, the cap
 * per server (administrators of the site's region edit, others read), the
 * servers the policy holds now with the limit each had before, and the
 * UPS's runtime now and with the cap. Read again when the site's alarms
 * change (the policy acts on the UPS's on-battery alarm and writes each
 * step into it) and every minute.
 */
export function EmergencyPolicyBlock({ siteId }: { siteId: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const { client } = useApi();
  const now = useNow();
  const canAdminister = useCanOnSite('administrator', siteId);
  const [policy, setPolicy] = useState<EmergencyPolicyView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [cap, setCap] = useState('');
  const [capError, setCapError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  /** While the administrator edits, a re-read does not overwrite the form. */
  const [dirty, setDirty] = useState(false);

  const load = useCallback(() => {
    client.energy.policy({ siteId }).then(
      (answer) => {
        setPolicy(answer);
        setError(null);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client, siteId]);
  useEffect(load, [load]);
  useEffect(() => {
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  useLiveEvents((event) => {
    if ((event.type === 'alarm.changed' && event.siteId === siteId) || event.type === 'connection.restored') load();
  });
  useEffect(() => {
    if (!policy || dirty) return;
    setEnabled(policy.enabled);
    setCap(String(policy.capWatts));
  }, [policy, dirty]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const text = cap.trim();
    if (!/^\d{1,9}$/.test(text)) {
      setCapError(t('energy.policy.capRequired'));
      return;
    }
    setCapError(null);
    setError(null);
    setSaving(true);
    try {
      const answer = await client.energy.setPolicy({ siteId, enabled, capWatts: Number(text) });
      setPolicy(answer);
      setDirty(false);
      setSaved(true);
    } catch (cause) {
      if (capRefused(cause)) setCapError(t('energy.policy.capRange'));
      else setError(toUiError(cause).message);
    } finally {
      setSaving(false);
    }
  };

  const watts = (value: number) => t('energy.limit.watts', { value: wattsNumber(value, language) });
  const runtime = policy?.runtime ?? null;

  return (
    <section className="energy-policy" aria-labelledby={`energy-policy-title-${siteId}`} data-testid="energy-policy">
      <h3 id={`energy-policy-title-${siteId}`}>{t('energy.policy.title')}</h3>
      <p className="muted small">{t('energy.policy.intro')}</p>
      <ErrorNotice message={error} />
      {policy === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {policy ? (
        <>
          {canAdminister ? (
            <form className="energy-policy-form" onSubmit={(event) => void save(event)} noValidate aria-label={t('energy.policy.title')}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={enabled}
                  onChange={(event) => {
                    setEnabled(event.target.checked);
                    setDirty(true);
                    setSaved(false);
                  }}
                />
                {t('energy.policy.enabled')}
              </label>
              <div className={capError ? 'field field-invalid' : 'field'}>
                <label htmlFor={`energy-policy-cap-${siteId}`}>{t('energy.policy.cap')}</label>
                <div className="energy-policy-row">
                  <input
                    id={`energy-policy-cap-${siteId}`}
                    className="energy-policy-cap"
                    inputMode="numeric"
                    autoComplete="off"
                    value={cap}
                    aria-invalid={capError ? true : undefined}
                    aria-describedby={`energy-policy-cap-${siteId}-${capError ? 'error' : 'hint'}`}
                    onChange={(event) => {
                      setCap(event.target.value);
                      setDirty(true);
                      setSaved(false);
                    }}
                  />
                  <button type="submit" className="primary" disabled={saving}>
                    {saving ? t('common.saving') : t('energy.policy.save')}
                  </button>
                  {saved ? (
                    <span className="notice energy-policy-saved" role="status">
                      {t('energy.policy.saved')}
                    </span>
                  ) : null}
                </div>
                {capError ? (
                  <div className="field-error" id={`energy-policy-cap-${siteId}-error`} role="alert">
                    {capError}
                  </div>
                ) : (
                  <div className="field-hint" id={`energy-policy-cap-${siteId}-hint`}>
                    {t('energy.policy.capHint')}
                  </div>
                )}
              </div>
            </form>
          ) : (
            <>
              <p className="small" data-testid="energy-policy-state">
                {policy.enabled ? t('energy.policy.on', { watts: wattsNumber(policy.capWatts, language) }) : t('energy.policy.off', { watts: wattsNumber(policy.capWatts, language) })}
              </p>
              <p className="muted small">{t('energy.policy.readOnly')}</p>
            </>
          )}
          <div className="energy-policy-grid">
            <section aria-labelledby={`energy-policy-held-${siteId}`} data-testid="energy-policy-held">
              <h4 id={`energy-policy-held-${siteId}`}>{t('energy.policy.held.title')}</h4>
              {policy.capped.length === 0 ? (
                <p className="muted small">{t('energy.policy.held.none')}</p>
              ) : (
                <table className="simple-table energy-table">
                  <thead>
                    <tr>
                      <th>{t('energy.policy.held.server')}</th>
                      <th className="num">{t('energy.policy.held.before')}</th>
                      <th>{t('energy.policy.held.since')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {policy.capped.map((server) => (
                      <tr key={server.deviceId} data-testid={`energy-policy-held-${server.deviceId}`}>
                        <td>
                          <Link to={`/devices/${server.deviceId}`}>{server.name}</Link>
                        </td>
                        <td className="num">{server.previousWatts === null ? t('energy.policy.held.noLimit') : watts(server.previousWatts)}</td>
                        <td className="nowrap">{formatDateTime(server.at, language)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby={`energy-policy-runtime-${siteId}`} data-testid="energy-policy-runtime">
              <h4 id={`energy-policy-runtime-${siteId}`}>{t('energy.policy.runtime.title')}</h4>
              {runtime ? (
                <>
                  <p className="energy-policy-runtime" title={t('energy.policy.runtime.hint')} data-testid="energy-policy-runtime-text">
                    {t('energy.policy.runtime.text', {
                      minutes: minutesNumber(runtime.minutes, language),
                      load: wattsNumber(runtime.loadWatts, language),
                      capped: minutesNumber(runtime.minutesWithCap, language),
                    })}
                  </p>
                  <p className="muted small">
                    {t('energy.policy.runtime.read', { time: ageText(t, runtime.observedAt, now) })} · {t('energy.policy.runtime.hint')}
                  </p>
                </>
              ) : (
                <p className="muted small">{t('energy.policy.runtime.none')}</p>
              )}
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}
