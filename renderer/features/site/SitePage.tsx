import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { DEVICE_KIND, type CabinetDevice, type CabinetView, type DeviceKind } from '../../../shared/domain/cabinet.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field, TextInput } from '../../components/Field.js';
import { RackElevation, STATUS_COLORS } from '../../components/RackElevation.js';
import { CabinetSetup } from './CabinetSetup.js';
import { EnvironmentPanel } from './EnvironmentPanel.js';
import { useSiteCabinet } from './useSiteCabinet.js';
import { WiringDiagram } from './WiringDiagram.js';
import { useCanAt } from '../auth/access.js';
import { SecuritySection } from '../security/SecuritySection.js';
import { SiteAppsCard } from '../apps/SiteAppsCard.js';
import { SiteEnergyCard } from '../energy/SiteEnergyCard.js';

type View = 'front' | 'rear' | 'both';

function AddDeviceForm({ cabinet, onDone }: { cabinet: CabinetView; onDone: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [form, setForm] = useState({ kind: 'server' as DeviceKind, name: '', u: '', heightU: '1', face: 'front' as 'front' | 'rear', depth: 'full' as 'full' | 'half' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await client.devices.add({
        cabinetId: cabinet.cabinet.id,
        kind: form.kind,
        name: form.name,
        u: Number(form.u),
        heightU: Number(form.heightU),
        face: form.face,
        depth: form.depth,
        protocol: form.kind === 'engine' ? 'engine' : form.kind === 'server' || form.kind === 'storage' ? 'redfish' : 'snmp',
      });
      setErrors({});
      onDone();
    } catch (cause) {
      const uiError = toUiError(cause);
      setErrors(Object.keys(uiError.fields).length ? Object.fromEntries(Object.entries(uiError.fields).map(([field, issue]) => [field, issue.message])) : { form: uiError.message });
    }
  };
  const set = (key: keyof typeof form, value: string) => setForm((current) => ({ ...current, [key]: value }));
  return (
    <form className="card form" onSubmit={(event) => void submit(event)} noValidate aria-label={t('site.addDevice')}>
      <h3>{t('site.addDevice')}</h3>
      <div className="form-grid probe-grid">
        <Field id="add-kind" label={t('site.kindLabel')}>
          <select id="add-kind" value={form.kind} onChange={(event) => set('kind', event.target.value)}>
            {DEVICE_KIND.map((kind) => (
              <option key={kind} value={kind}>
                {t(`site.kinds.${kind}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="add-name" label={t('sites.field.name')} error={errors.name}>
          <TextInput id="add-name" value={form.name} error={errors.name} onChange={(event) => set('name', event.target.value)} />
        </Field>
        <Field id="add-u" label={t('site.uLabel')} error={errors.u}>
          <TextInput id="add-u" inputMode="numeric" value={form.u} error={errors.u} onChange={(event) => set('u', event.target.value)} />
        </Field>
        <Field id="add-height" label={t('site.heightLabel')} error={errors.heightU}>
          <TextInput id="add-height" inputMode="numeric" value={form.heightU} error={errors.heightU} onChange={(event) => set('heightU', event.target.value)} />
        </Field>
        <Field id="add-face" label={t('site.faceLabel')}>
          <select id="add-face" value={form.face} onChange={(event) => set('face', event.target.value)}>
            <option value="front">{t('site.front')}</option>
            <option value="rear">{t('site.rear')}</option>
          </select>
        </Field>
        <Field id="add-depth" label={t('site.depthLabel')}>
          <select id="add-depth" value={form.depth} onChange={(event) => set('depth', event.target.value)}>
            <option value="full">{t('site.depthFull')}</option>
            <option value="half">{t('site.depthHalf')}</option>
          </select>
        </Field>
      </div>
      <ErrorNotice message={errors.form} />
      <footer className="dialog-actions">
        <button type="submit" className="primary">
          {t('common.create')}
        </button>
      </footer>
    </form>
  );
}

function DeviceTable({ devices, editing, onChanged }: { devices: CabinetDevice[]; editing: boolean; onChanged: (error?: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const now = useNow();
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      onChanged();
    } catch (cause) {
      onChanged(toUiError(cause).message);
    }
  };
  return (
    <section className="card" aria-labelledby="devices-title">
      <h2 id="devices-title">{t('site.deviceList')}</h2>
      <table className="simple-table" data-testid="device-table">
        <thead>
          <tr>
            <th>{t('sites.field.name')}</th>
            <th>{t('site.kindLabel')}</th>
            <th>{t('site.position')}</th>
            <th>{t('probe.ifStatus')}</th>
            <th>{t('site.lastRead')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[...devices].sort((a, b) => b.u - a.u).map((device) => (
            <tr key={device.id} data-testid={`device-row-${device.slotId ?? device.id}`}>
              <td>
                <Link to={`/devices/${device.id}`}>{device.name}</Link>
              </td>
              <td>{t(`site.kinds.${device.kind}`)}</td>
              <td className="nowrap">
                {t(`site.${device.face}`)} U{device.u}
                {device.heightU > 1 ? `–${device.u + device.heightU - 1}` : ''}
              </td>
              <td className="nowrap">
                <span className="status-dot" style={{ background: STATUS_COLORS[device.status] }} />
                {t(`site.status.${device.status}`)}
              </td>
              <td className="nowrap">{ageText(t, device.observedAt, now)}</td>
              <td className="nowrap">
                {editing ? (
                  <>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => {
                        const answer = window.prompt(`${t('site.move')} ${device.name} — ${t('site.uLabel')}`, String(device.u));
                        if (answer) void act(() => client.devices.update({ id: device.id, u: Number(answer) }));
                      }}
                    >
                      {t('site.move')}
                    </button>
                    <button
                      type="button"
                      className="link-button danger"
                      onClick={() => {
                        if (window.confirm(t('site.removeConfirm', { name: device.name }))) void act(() => client.devices.remove({ id: device.id }));
                      }}
                    >
                      {t('site.remove')}
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function SitePage() {
  const { t } = useTranslation();
  const { client } = useApi();
  const navigate = useNavigate();
  const { siteId = '' } = useParams();
  const { site, cabinet, error, reload } = useSiteCabinet(siteId);
  const [view, setView] = useState<View>('front');
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  // Reading devices needs operator on the site's region, the cabinet's layout administrator; hidden until the site is known.
  const canAt = useCanAt();
  const canOperate = site !== null && canAt('operator', site.regionId);
  const canAdminister = site !== null && canAt('administrator', site.regionId);

  const readAll = async (devices: CabinetDevice[]) => {
    const connected = devices.filter((device) => device.endpoint && device.hasCredential);
    for (const [index, device] of connected.entries()) {
      setProgress(t('site.reading', { done: index + 1, total: connected.length }));
      await client.devices.refresh({ id: device.id }).catch(() => undefined);
    }
    setProgress(null);
    setNotice(t('site.readDone'));
    reload();
  };

  return (
    <section className="page" aria-labelledby="site-title">
      <Link to="/sites" className="muted">
        ← {t('site.back')}
      </Link>
      <header className="page-header">
        <div>
          <h1 id="site-title">{site ? `${site.name}` : error ? t('auth.siteUnavailable') : t('common.loading')}</h1>
          {site ? (
            <p className="muted">
              {site.code}
              {site.address ? ` · ${site.address}` : ''}
              {cabinet ? ` · ${cabinet.cabinet.name}` : ''}
            </p>
          ) : null}
        </div>
        {cabinet && (canOperate || canAdminister) ? (
          <div className="page-actions">
            {canOperate ? (
              <button type="button" disabled={progress !== null} onClick={() => void readAll(cabinet.devices)}>
                {progress ?? t('site.readAll')}
              </button>
            ) : null}
            {canAdminister ? (
              <button type="button" onClick={() => setEditing(!editing)}>
                {editing ? t('site.doneEditing') : t('site.editLayout')}
              </button>
            ) : null}
          </div>
        ) : null}
      </header>
      <ErrorNotice message={error ?? actionError} />
      {notice ? (
        <div className="notice" role="status">
          {notice}
        </div>
      ) : null}
      {cabinet === null && site && canAdminister ? <CabinetSetup siteId={siteId} onCreated={reload} /> : null}
      {cabinet === null && site && !canAdminister ? <p className="muted">{t('auth.limited.noCabinet')}</p> : null}
      {cabinet ? (
        <div className="site-layout">
          <section className="card" aria-labelledby="rack-title">
            <div className="page-header">
              <h2 id="rack-title">{t('site.rack')}</h2>
              <div className="segmented" role="radiogroup" aria-label={t('site.view')}>
                {(['front', 'rear', 'both'] as const).map((option) => (
                  <label key={option} className={view === option ? 'segment active' : 'segment'}>
                    <input type="radio" name="rack-view" value={option} checked={view === option} onChange={() => setView(option)} />
                    {t(`site.${option}`)}
                  </label>
                ))}
              </div>
            </div>
            <RackElevation heightU={cabinet.cabinet.heightU} devices={cabinet.devices} view={view} onOpen={(device) => void navigate(`/devices/${device.id}`)} />
          </section>
          <div className="side-stack">
            <EnvironmentPanel cabinet={cabinet} />
            <WiringDiagram cabinet={cabinet} onOpen={(device) => void navigate(`/devices/${device.id}`)} />
            {editing && canAdminister ? <AddDeviceForm cabinet={cabinet} onDone={reload} /> : null}
            <DeviceTable
              devices={cabinet.devices}
              editing={editing && canAdminister}
              onChanged={(message) => {
                setActionError(message ?? null);
                reload();
              }}
            />
          </div>
        </div>
      ) : null}
      {site && cabinet ? <SiteAppsCard siteId={site.id} canDeploy={canOperate} hasEngine={cabinet.devices.some((device) => device.kind === 'engine')} /> : null}
      {site && cabinet ? <SiteEnergyCard siteId={site.id} devices={cabinet.devices} /> : null}
      {site && cabinet ? <SecuritySection site={site} /> : null}
    </section>
  );
}
