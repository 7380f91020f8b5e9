import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MaintenanceWindow } from '../../../shared/domain/monitoring.js';
import { useApi } from '../../api/context.js';
import { toUiError, type UiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { formatDateTime } from '../../components/format.js';
import { useCanAt } from '../auth/access.js';

/** A datetime-local value ("2026-11-25T08:00") for a time, in local time. */
function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** Maintenance windows: alarms of a site raised inside one are kept but not shown as problems. */
export function MaintenanceDialog({ sites, onClose, onChanged }: { sites: { id: string; name: string; regionId?: number | null }[]; onClose: () => void; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  // Windows are set and ended by operators of the site's region: only those sites are offered.
  const canAt = useCanAt();
  const operable = sites.filter((site) => canAt('operator', site.regionId));
  const canEnd = (id: string) => canAt('operator', sites.find((site) => site.id === id)?.regionId);
  const [windows, setWindows] = useState<MaintenanceWindow[]>([]);
  const [siteId, setSiteId] = useState(operable[0]?.id ?? '');
  const [startsAt, setStartsAt] = useState(() => localInput(new Date()));
  const [endsAt, setEndsAt] = useState(() => localInput(new Date(Date.now() + 2 * 3_600_000)));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<UiError | null>(null);
  const load = useCallback(() => {
    client.alarms.maintenance({}).then(setWindows, (cause: unknown) => setError(toUiError(cause)));
  }, [client]);
  useEffect(load, [load]);
  const siteName = (id: string) => sites.find((site) => site.id === id)?.name ?? id;

  const add = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await client.alarms.addMaintenance({ siteId, deviceId: null, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString(), reason });
      setReason('');
      setError(null);
      load();
      onChanged();
    } catch (cause) {
      setError(toUiError(cause));
    }
  };
  const remove = async (id: number) => {
    await client.alarms.removeMaintenance({ id });
    load();
    onChanged();
  };
  return (
    <Dialog title={t('alarms.maintenance.title')} onClose={onClose} wide>
      <p className="muted">{t('alarms.maintenance.intro')}</p>
      {windows.length === 0 ? <p className="muted">{t('alarms.maintenance.none')}</p> : null}
      <ul className="maintenance-list" data-testid="maintenance-list">
        {windows.map((window) => (
          <li key={window.id}>
            <strong>{siteName(window.siteId)}</strong> · {formatDateTime(window.startsAt, i18n.language)} – {formatDateTime(window.endsAt, i18n.language)} · {window.reason}{' '}
            {canEnd(window.siteId) ? (
              <button type="button" onClick={() => void remove(window.id)}>
                {t('alarms.maintenance.end')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <form className="form-grid" onSubmit={(event) => void add(event)}>
        <Field id="maintenance-site" label={t('alarms.site')} error={error?.fields.siteId?.message}>
          <select id="maintenance-site" value={siteId} onChange={(event) => setSiteId(event.target.value)}>
            {operable.map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="maintenance-start" label={t('alarms.maintenance.start')} error={error?.fields.startsAt?.message}>
          <input id="maintenance-start" type="datetime-local" value={startsAt} onChange={(event) => setStartsAt(event.target.value)} />
        </Field>
        <Field id="maintenance-end" label={t('alarms.maintenance.endsAt')} error={error?.fields.endsAt?.message}>
          <input id="maintenance-end" type="datetime-local" value={endsAt} onChange={(event) => setEndsAt(event.target.value)} />
        </Field>
        <Field id="maintenance-reason" label={t('alarms.maintenance.reason')} error={error?.fields.reason?.message}>
          <input id="maintenance-reason" value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
        </Field>
        <ErrorNotice message={error && Object.keys(error.fields).length === 0 ? error.message : null} />
        <div className="page-actions">
          <button type="submit" className="primary" disabled={!siteId}>
            {t('alarms.maintenance.add')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
