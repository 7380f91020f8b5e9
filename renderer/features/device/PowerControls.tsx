import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CabinetDevice } from '../../../shared/domain/cabinet.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';

const ACTIONS = ['On', 'GracefulRestart', 'GracefulShutdown', 'ForceRestart', 'ForceOff'] as const;
type PowerAction = (typeof ACTIONS)[number];

/** Power actions with a confirmation that says what will happen; each one is audited by the core. */
export function PowerControls({ device, allowed, onDone }: { device: CabinetDevice; allowed: string[] | null; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [pending, setPending] = useState<PowerAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const offered = ACTIONS.filter((action) => !allowed || allowed.includes(action));
  const run = async (action: PowerAction) => {
    setBusy(true);
    setError(null);
    try {
      await client.devices.power({ id: device.id, action });
      setPending(null);
      onDone(t('device.powerDone', { action: t(`device.powerActions.${action}`), name: device.name }));
    } catch (cause) {
      setError(toUiError(cause).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="power-title">
      <h2 id="power-title">{t('device.powerTitle')}</h2>
      <div className="page-actions">
        {offered.map((action) => (
          <button key={action} type="button" className={action.startsWith('Force') ? 'danger-button' : undefined} onClick={() => setPending(action)}>
            {t(`device.powerActions.${action}`)}
          </button>
        ))}
      </div>
      {pending ? (
        <Dialog title={t('device.powerConfirmTitle', { action: t(`device.powerActions.${pending}`), name: device.name })} onClose={() => setPending(null)}>
          <p>{t(`device.powerConfirmBody.${pending}`)}</p>
          <ErrorNotice message={error} />
          <footer className="dialog-actions">
            <button type="button" onClick={() => setPending(null)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void run(pending)}>
              {busy ? t('common.saving') : t(`device.powerActions.${pending}`)}
            </button>
          </footer>
        </Dialog>
      ) : null}
    </section>
  );
}
