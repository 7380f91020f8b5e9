import { repeat, type Disposable, type FailureReporter } from '../../lib/disposable.js';

/** How often the certificate is looked at: it is renewed a month before it ends, so a day is soon enough. */
export const RENEWAL_CHECK_MS = 24 * 3600_000;

export interface ServedCertificate {
  /** PEM, with its chain. */
  cert: string;
  key: string;
  fingerprint: string;
}

export interface RenewalOptions {
  everyMs?: number;
  /** Told the new fingerprint, so whoever compared the old one can be told. */
  onRenewed?: (fingerprint: string) => void;
  report: FailureReporter;
  recovered?: (what: string) => void;
}

/**
 * Keeps a running TLS server on a current certificate: every day it asks
 * `current` (EdgeCab's CA hands back the kept certificate, or issues a new
 * one when it nears its end) and, when the fingerprint changed, swaps it
 * in with `setCertificate` (setSecureContext: no restart, no dropped
 * connection). Without this, a server running longer than the
 * certificate's 397 days would serve an expired one.
 */
export function keepCertificateCurrent(target: { setCertificate(tls: { cert: string; key: string }): void }, servedFingerprint: string, current: () => Promise<ServedCertificate>, options: RenewalOptions): Disposable {
  let served = servedFingerprint;
  return repeat(
    'renewing the TLS certificate',
    options.everyMs ?? RENEWAL_CHECK_MS,
    async () => {
      const certificate = await current();
      if (certificate.fingerprint === served) return;
      target.setCertificate({ cert: certificate.cert, key: certificate.key });
      served = certificate.fingerprint;
      options.onRenewed?.(certificate.fingerprint);
    },
    options.report,
    options.recovered,
  );
}
