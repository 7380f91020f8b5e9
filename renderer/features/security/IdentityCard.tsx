import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IdentityStatus, NodeIdentity, SiteIdentityView } from '../../../shared/domain/node-identity.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../components/format.js';
import { RevokeIdentityDialog } from './RevokeIdentityDialog.js';

const STATUS_BADGE: Record<IdentityStatus, string> = { valid: 'badge badge-ok', expiring: 'badge badge-warn', expired: 'badge badge-error', revoked: 'badge badge-error', none: 'badge badge-muted' };
const DAY_MS = 86_400_000;

function Expiry({ identity, now }: { identity: NodeIdentity; now: number }) {
  const { t, i18n } = useTranslation();
  const left = Date.parse(identity.notAfter) - now;
  return (
    <span data-testid="identity-expiry">
      {left > 0 ? t('security.identity.expiresIn', { count: Math.floor(left / DAY_MS) }) : t('security.identity.expiredOn', { time: formatDateTime(identity.notAfter, i18n.language) })}
    </span>
  );
}

function Hardware({ identity }: { identity: NodeIdentity }) {
  const { t } = useTranslation();
  if (identity.hardware.length === 0) return <p className="muted small">{t('security.identity.noHardware')}</p>;
  return (
    <table className="simple-table" data-testid="identity-hardware">
      <thead>
        <tr>
          <th>{t('security.identity.device')}</th>
          <th>{t('security.identity.serials')}</th>
          <th>{t('security.identity.certificate')}</th>
        </tr>
      </thead>
      <tbody>
        {identity.hardware.map((device) => (
          <tr key={device.deviceId}>
            <td>{device.name}</td>
            <td className="mono">{device.serials.length ? device.serials.join(', ') : t('security.identity.unknownSerials')}</td>
            <td className="mono break-all security-pin">{device.fingerprint ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The cabinet's identity: status, serial and fingerprint, validity, last verified, bound hardware; revoke and re-enrol for administrators. */
export function IdentityCard({ view, siteName, canAdminister, onChanged }: { view: SiteIdentityView; siteName: string; canAdminister: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const identity = view.current;
  const latestRevoked = view.status === 'revoked' ? view.history.find((each) => each.state === 'revoked') : undefined;
  const time = (iso: string) => formatDateTime(iso, i18n.language);

  const enrol = async () => {
    if (identity && !window.confirm(t('security.identity.reenrolConfirm'))) return;
    setBusy(true);
    setError(null);
    try {
      await client.nodeIdentity.enrol({ siteId: view.siteId });
      setNotice('security.identity.enrolled');
      onChanged();
    } catch (cause) {
      setError(toUiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card security-identity" aria-labelledby="identity-title" data-testid="identity-card">
      <header className="page-header">
        <h3 id="identity-title">{t('security.identity.title')}</h3>
        <span className={STATUS_BADGE[view.status]} data-testid="identity-status">
          {t(`security.identity.status.${view.status}`)}
        </span>
      </header>
      {notice ? (
        <div className="notice" role="status">
          {t(notice)}
        </div>
      ) : null}
      <ErrorNotice message={error} />
      {view.mismatches.map((mismatch) => (
        <div key={mismatch.deviceId} className="notice notice-error" role="alert" data-testid="identity-mismatch">
          {t('security.identity.mismatch', { device: mismatch.name, what: t(`security.identity.what.${mismatch.what}`), expected: mismatch.expected, actual: mismatch.actual })}
        </div>
      ))}
      {identity ? (
        <>
          {view.status === 'expired' ? <p className="muted">{t('security.identity.expiredBody')}</p> : null}
          <dl className="facts">
            <div>
              <dt>{t('security.identity.validity')}</dt>
              <dd>
                <Expiry identity={identity} now={now} />
                <div className="muted small">{t('security.identity.validRange', { from: time(identity.notBefore), to: time(identity.notAfter) })}</div>
              </dd>
            </div>
            <div>
              <dt>{t('security.identity.lastVerified')}</dt>
              <dd data-testid="identity-verified">{identity.lastVerifiedAt ? ageText(t, identity.lastVerifiedAt, now) : t('security.identity.neverVerified')}</dd>
            </div>
            <div>
              <dt>{t('security.identity.issued')}</dt>
              <dd>{t('security.identity.issuedBy', { time: time(identity.issuedAt), who: identity.issuedBy, reason: t(`security.identity.reasons.${identity.reason}`) })}</dd>
            </div>
            <div>
              <dt>{t('security.identity.serial')}</dt>
              <dd className="mono break-all">{identity.serial}</dd>
            </div>
          </dl>
          <dl className="facts security-wide">
            <div>
              <dt>{t('security.identity.fingerprint')}</dt>
              <dd className="mono break-all" data-testid="identity-fingerprint">
                {identity.fingerprint}
              </dd>
            </div>
          </dl>
          <h4>{t('security.identity.hardware')}</h4>
          <Hardware identity={identity} />
        </>
      ) : (
        <p className="muted" data-testid="identity-none">
          {latestRevoked ? t('security.identity.revokedBody', { by: latestRevoked.revokedBy ?? '—', time: time(latestRevoked.revokedAt ?? latestRevoked.issuedAt), reason: latestRevoked.revokeReason ?? '' }) : t('security.identity.noneBody')}
        </p>
      )}
      {view.authorityFingerprint ? <p className="muted small break-all">{t('security.identity.signedBy', { fingerprint: view.authorityFingerprint.slice(0, 23) })}</p> : null}
      {canAdminister ? (
        <footer className="dialog-actions security-actions">
          {identity ? (
            <button type="button" className="danger-button" disabled={busy} onClick={() => setRevoking(true)}>
              {t('security.identity.revoke')}
            </button>
          ) : null}
          <button type="button" className={identity ? '' : 'primary'} disabled={busy} onClick={() => void enrol()}>
            {identity ? t('security.identity.reenrol') : t('security.identity.enrol')}
          </button>
        </footer>
      ) : null}
      {view.history.length > 0 ? (
        <details className="security-history">
          <summary>{t('security.identity.history')}</summary>
          <ul data-testid="identity-history">
            {view.history.map((each) => (
              <li key={each.id} className="small">
                {t('security.identity.historyRow', { serial: each.serial.slice(0, 16), issued: time(each.issuedAt), state: t(`security.identity.states.${each.state}`) })}
                {each.revokeReason ? ` · ${each.revokeReason}` : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {revoking ? (
        <RevokeIdentityDialog
          siteId={view.siteId}
          siteName={siteName}
          onClose={() => setRevoking(false)}
          onRevoked={() => {
            setRevoking(false);
            setNotice('security.identity.revoked');
            onChanged();
          }}
        />
      ) : null}
    </section>
  );
}
