import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SiteCapsView } from '../../../shared/domain/energy.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { useCan } from '../auth/access.js';
import { useCanOnSite } from '../auth/site-access.js';
import { capRefused, notLimitingText, wattsNumber } from './power-limit-text.js';

const PENDING_REFRESH_MS = 3_000;

/** A cap as typed: whole watts, or empty for none. */
function parseCap(text: string): number | null | 'invalid' {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : 'invalid';
}

interface CapFormProps {
  id: string;
  label: string;
  hint: string;
  value: number | null;
  save: (capWatts: number | null) => Promise<void>;
}

/** One cap's field: whole watts, saved or removed; refusals next to it. */
function CapForm({ id, label, hint, value, save }: CapFormProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(value === null ? '' : String(value));
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<'saved' | 'removed' | null>(null);
  useEffect(() => setText(value === null ? '' : String(value)), [value]);

  const submit = async (capWatts: number | null | 'invalid') => {
    setDone(null);
    if (capWatts === 'invalid') {
      setProblem(t('energy.caps.wholeWatts'));
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await save(capWatts);
      setDone(capWatts === null ? 'removed' : 'saved');
    } catch (cause) {
      setProblem(capRefused(cause) ? t('energy.caps.range') : toUiError(cause).message);
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit(parseCap(text));
  };

  return (
    <form className="energy-policy-form" onSubmit={onSubmit} noValidate aria-label={label}>
      <div className={problem ? 'field field-invalid' : 'field'}>
        <label htmlFor={id}>{label}</label>
        <div className="energy-policy-row">
          <input
            id={id}
            className="energy-policy-cap"
            inputMode="numeric"
            autoComplete="off"
            placeholder={t('energy.caps.none')}
            value={text}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-${problem ? 'error' : 'hint'}`}
            onChange={(event) => {
              setText(event.target.value);
              setDone(null);
            }}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('common.saving') : t('energy.caps.save')}
          </button>
          {value !== null ? (
            <button type="button" disabled={busy} onClick={() => void submit(null)}>
              {t('energy.caps.remove')}
            </button>
          ) : null}
          {done ? (
            <span className="notice energy-policy-saved" role="status">
              {t(`energy.caps.${done}`)}
            </span>
          ) : null}
        </div>
        {problem ? (
          <div className="field-error" id={`${id}-error`} role="alert">
            {problem}
          </div>
        ) : (
          <div className="field-hint" id={`${id}-hint`}>
            {hint}
          </div>
        )}
      </div>
    </form>
  );
}

/**
 * The site's standing power caps in its energy card: the site's own cap
 * (administrators of its region), each cabinet model's cap at the site
 * (administrators of every region, as it holds wherever the model stands),
 * and each server with the cap that holds for it and what its BMC showed
 * when EdgeCab last applied or checked it.
 */
export function StandingCapBlock({ siteId }: { siteId: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const { client } = useApi();
  const canSite = useCanOnSite('administrator', siteId);
  const canModels = useCan('administrator', 'everywhere');
  const [caps, setCaps] = useState<SiteCapsView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    client.energy.caps({ siteId }).then(
      (answer) => {
        setCaps(answer);
        setError(null);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  }, [client, siteId]);
  useEffect(load, [load]);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored') load();
  });
  // A cabinet model's cap is applied site by site after its answer: read again while a server waits for it.
  const waiting = caps?.servers.some((server) => server.capWatts !== null && server.outcome === 'pending') ?? false;
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(load, PENDING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [waiting, caps, load]);

  const watts = (value: number) => t('energy.limit.watts', { value: wattsNumber(value, language) });
  const modelName = (name: { en: string; 'zh-CN': string }) => (language.startsWith('zh') ? name['zh-CN'] : name.en);

  return (
    <section className="energy-policy" aria-labelledby={`energy-caps-title-${siteId}`} data-testid="energy-caps">
      <h3 id={`energy-caps-title-${siteId}`}>{t('energy.caps.title')}</h3>
      <p className="muted small">{t('energy.caps.intro')}</p>
      <ErrorNotice message={error} />
      {caps === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {caps ? (
        <>
          {canSite ? (
            <CapForm
              id={`energy-caps-site-${siteId}`}
              label={t('energy.caps.site')}
              hint={t('energy.caps.siteHint')}
              value={caps.siteCapWatts}
              save={async (capWatts) => setCaps(await client.energy.setSiteCap({ siteId, capWatts }))}
            />
          ) : (
            <p className="small" data-testid="energy-caps-site-state">
              {caps.siteCapWatts === null ? t('energy.caps.siteNone') : t('energy.caps.siteOn', { watts: wattsNumber(caps.siteCapWatts, language) })}
            </p>
          )}
          {caps.models.map((model) =>
            canModels ? (
              <CapForm
                key={model.templateId}
                id={`energy-caps-model-${siteId}-${model.templateId}`}
                label={t('energy.caps.model', { model: modelName(model.name) })}
                hint={t('energy.caps.modelHint')}
                value={model.capWatts}
                save={async (capWatts) => {
                  await client.energy.setModelCap({ templateId: model.templateId, capWatts });
                  load();
                }}
              />
            ) : (
              <p className="small" key={model.templateId} data-testid={`energy-caps-model-${model.templateId}`}>
                {model.capWatts === null ? t('energy.caps.modelNone', { model: modelName(model.name) }) : t('energy.caps.modelOn', { model: modelName(model.name), watts: wattsNumber(model.capWatts, language) })}
              </p>
            ),
          )}
          {!canSite ? <p className="muted small">{t('energy.caps.readOnly')}</p> : null}
          <h4>{t('energy.caps.servers.title')}</h4>
          {caps.servers.length === 0 ? (
            <p className="muted small">{t('energy.caps.servers.none')}</p>
          ) : (
            <table className="simple-table energy-table" data-testid="energy-caps-servers">
              <thead>
                <tr>
                  <th>{t('energy.caps.servers.server')}</th>
                  <th className="num">{t('energy.caps.servers.cap')}</th>
                  <th>{t('energy.caps.servers.state')}</th>
                  <th>{t('energy.caps.servers.checked')}</th>
                </tr>
              </thead>
              <tbody>
                {caps.servers.map((server) => (
                  <tr key={server.deviceId} data-testid={`energy-caps-server-${server.deviceId}`}>
                    <td>
                      <Link to={`/devices/${server.deviceId}`}>{server.name}</Link>
                    </td>
                    <td className="num">
                      {server.capWatts === null ? <span className="muted">{t('energy.caps.none')}</span> : watts(server.capWatts)}
                      {server.source ? <span className="muted small"> · {t(`energy.caps.source.${server.source}`)}</span> : null}
                    </td>
                    <td data-testid={`energy-caps-state-${server.deviceId}`}>
                      {server.capWatts === null && server.outcome === 'pending'
                        ? t('energy.caps.outcome.uncapped')
                        : server.outcome === 'applied' && server.limitWatts !== null
                          ? t('energy.caps.outcome.applied', { watts: wattsNumber(server.limitWatts, language) })
                          : t(`energy.caps.outcome.${server.outcome}`)}
                      {server.detail && (server.outcome === 'unsupported' || server.outcome === 'failed') ? (
                        <div className="muted small">{server.outcome === 'unsupported' ? notLimitingText(t, server.detail) : server.detail}</div>
                      ) : null}
                    </td>
                    <td className="nowrap">{server.checkedAt ? formatDateTime(server.checkedAt, language) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </section>
  );
}
