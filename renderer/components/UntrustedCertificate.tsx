import { useTranslation } from 'react-i18next';

/** A BMC's certificate is not trusted yet: shows its fingerprint to compare, and a button to trust it. */
export function UntrustedCertificate({ fingerprint, onTrust }: { fingerprint: string; onTrust: (fingerprint: string) => void }) {
  const { t } = useTranslation();
  return (
    <div className="notice notice-warn" role="alert" data-testid="redfish-untrusted">
      <div>
        <strong>{t('probe.redfish.untrustedTitle')}</strong>
        <p>{t('probe.redfish.untrustedBody')}</p>
        <p className="mono fingerprint">SHA-256 {fingerprint}</p>
        <button type="button" className="primary" onClick={() => onTrust(fingerprint)}>
          {t('probe.redfish.trust')}
        </button>
      </div>
    </div>
  );
}
