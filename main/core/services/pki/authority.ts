import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { readJsonSetting, writeSetting } from '../../db/settings.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { IssueRequest, KeyAndCertificate } from './x509.js';

/** The X.509 library is loaded when a certificate is made, not at every start (it is a large part of the bundle). */
const x509 = () => import('./x509.js');

const CA_SETTING = 'pki.authority';
const SERVER_SETTING = 'pki.server';
const CA_DAYS = 3650;
const SERVER_DAYS = 397;
const RENEW_BEFORE_MS = 30 * 86_400_000;

const StoredCertificate = z.object({
  certificatePem: z.string(),
  keyCredentialId: z.string(),
  fingerprint: z.string(),
  notAfter: z.string(),
  names: z.array(z.string()).default([]),
});
type StoredCertificate = z.infer<typeof StoredCertificate>;

/**
 * Whether a kept server certificate is to be issued anew: its names changed,
 * or it ends within RENEW_BEFORE_MS (30 days; it is valid 397). Hosts ask
 * daily (serverCertificate), so it is renewed about a month before it ends.
 */
export function needsRenewal(stored: { names: readonly string[]; notAfter: string }, names: readonly string[], now: Date): boolean {
  return stored.names.join(',') !== names.join(',') || Date.parse(stored.notAfter) - now.getTime() <= RENEW_BEFORE_MS;
}

/**
 * EdgeCab's own small certificate authority: its key sealed in the vault,
 * its certificate in the settings. It issues the server's TLS certificate,
 * each cabinet's identity, and the client certificates EdgeCab presents to
 * the sites' workload engines.
 */
export class CertificateAuthority {
  private creating: Promise<StoredCertificate> | null = null;

  constructor(
    private readonly db: Database,
    private readonly vault: CredentialVault,
    private readonly now: () => Date,
  ) {}

  private stored(key: string): StoredCertificate | null {
    return readJsonSetting<StoredCertificate | null>(this.db, key, StoredCertificate.nullable(), null);
  }

  private keep(key: string, certificate: KeyAndCertificate, names: readonly string[], replace: StoredCertificate | null): StoredCertificate {
    return this.db.transaction(() => {
      const keyCredentialId = this.vault.store(key === CA_SETTING ? 'ca-key' : 'tls-key', { pem: certificate.keyPem }, { replaceId: replace?.keyCredentialId ?? null, origin: 'system' });
      const stored: StoredCertificate = { certificatePem: certificate.certificatePem, keyCredentialId, fingerprint: certificate.fingerprint, notAfter: certificate.notAfter, names: [...names] };
      writeSetting(this.db, key, JSON.stringify(stored), this.now());
      return stored;
    })();
  }

  private async authority(): Promise<StoredCertificate> {
    const existing = this.stored(CA_SETTING);
    if (existing) return existing;
    this.creating ??= x509()
      .then((lib) => lib.createAuthority('EdgeCab authority', CA_DAYS))
      .then((created) => this.keep(CA_SETTING, created, [], null));
    return this.creating;
  }

  /** The CA certificate (PEM) clients and sites trust. */
  async certificate(): Promise<{ certificatePem: string; fingerprint: string }> {
    const authority = await this.authority();
    return { certificatePem: authority.certificatePem, fingerprint: authority.fingerprint };
  }

  async issue(request: IssueRequest): Promise<KeyAndCertificate> {
    const authority = await this.authority();
    const key = this.vault.open<{ pem: string }>(authority.keyCredentialId).pem;
    return (await x509()).issue({ certificatePem: authority.certificatePem, keyPem: key }, request);
  }

  /**
   * A TLS server certificate for these names (the web server's, or the
   * Redfish event receiver's), issued once and kept; issued anew when the
   * names change or it nears its end.
   */
  async serverCertificate(dnsNames: readonly string[], ipAddresses: readonly string[], purpose: 'server' | 'events' | 'images' = 'server'): Promise<{ certificatePem: string; keyPem: string; fingerprint: string; chainPem: string }> {
    const names = [...dnsNames.map((name) => `dns:${name}`), ...ipAddresses.map((address) => `ip:${address}`)].sort();
    const setting = purpose === 'server' ? SERVER_SETTING : `pki.${purpose}`;
    let stored = this.stored(setting);
    if (!stored || needsRenewal(stored, names, this.now())) {
      const certificate = await this.issue({ commonName: dnsNames[0] ?? ipAddresses[0] ?? 'edgecab', dnsNames, ipAddresses, days: SERVER_DAYS, usage: 'server', at: this.now() });
      stored = this.keep(setting, certificate, names, stored);
    }
    const authority = await this.authority();
    return { certificatePem: stored.certificatePem, keyPem: this.vault.open<{ pem: string }>(stored.keyCredentialId).pem, fingerprint: stored.fingerprint, chainPem: `${stored.certificatePem.trimEnd()}\n${authority.certificatePem.trimEnd()}\n` };
  }

  /**
   * The client certificate EdgeCab presents to the sites' workload engines
   * (mutual TLS: an engine trusts this CA and so EdgeCab), issued once and
   * kept like the server's, renewed a month before it ends.
   */
  async engineClientCertificate(): Promise<{ cert: string; key: string; fingerprint: string }> {
    const setting = 'pki.engine-client';
    let stored = this.stored(setting);
    if (!stored || needsRenewal(stored, [], this.now())) {
      const certificate = await this.issue({ commonName: 'EdgeCab', days: SERVER_DAYS, usage: 'client', at: this.now() });
      stored = this.keep(setting, certificate, [], stored);
    }
    const authority = await this.authority();
    return { cert: `${stored.certificatePem.trimEnd()}\n${authority.certificatePem.trimEnd()}\n`, key: this.vault.open<{ pem: string }>(stored.keyCredentialId).pem, fingerprint: stored.fingerprint };
  }
}
