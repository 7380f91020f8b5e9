import { useTranslation } from 'react-i18next';

/** The submit row of a probe form, with progress while the device is being read. */
export function ProbeActions({ busy }: { busy: boolean }) {
  const { t } = useTranslation();
  return (
    <footer className="dialog-actions">
      {busy ? (
        <span role="status" className="muted">
          {t('probe.checking')}
        </span>
      ) : null}
      <button type="submit" className="primary" disabled={busy}>
        {t('probe.submit')}
      </button>
    </footer>
  );
}

/** Why a device could not be read: the explanation for a person, then the technical detail. */
export function ProbeFailure({ explanation, detail }: { explanation: string; detail: string }) {
  const { t } = useTranslation();
  return (
    <div className="notice notice-error" role="alert" data-testid="probe-failure">
      <div>
        <strong>{t('probe.failed')}</strong> — {explanation}
        <div className="mono">{detail}</div>
      </div>
    </div>
  );
}
