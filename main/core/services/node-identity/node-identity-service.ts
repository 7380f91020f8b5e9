import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import {
  IDENTITY_VALIDITY_DAYS,
  identityStatus,
  type BoundDevice,
  type IssueReason,
  type NodeIdentity,
  type SiteIdentityView,
} from '../../../../shared/domain/node-identity.js';
import { ConflictError } from '../../errors.js';
import type { FailureReporter } from '../../lib/disposable.js';
import type { CabinetService } from '../cabinets/cabinet-service.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { EventBus } from '../events/bus.js';
import type { SiteAlarms } from '../integrity/site-alarms.js';
import type { CertificateAuthority } from '../pki/authority.js';
import type { SiteService } from '../sites/site-service.js';
import { bindHardware } from './binding.js';
import { NodeIdentityStore, type IdentityRow } from './node-identity-store.js';
import { IdentityVerifier, mismatchKey } from './verifier.js';

export interface NodeIdentityDeps {
  sites: SiteService;
  cabinets: CabinetService;
  vault: CredentialVault;
  authority: CertificateAuthority;
  alarms: SiteAlarms;
  bus: EventBus;
}

/**
 * Each cabinet's identity: a certificate EdgeCab's CA issues for the site,
 * its key sealed in the vault, bound to the cabinet's hardware (each BMC's
 * pinned certificate and serials). EdgeCab installs no agent on a site, so
 * the key stays with EdgeCab: a later issue hands identity and key to the
 * site's workload engine for mutual TLS. Issued as the first-boot wizard
 * takes the site live and on demand; renewed by the verifier while the site
 * answers; revoked (kept, with who and why) or re-enrolled (a new key that
 * supersedes the old) by an administrator.
 *
 * Every issue makes a new key pair, renewals included: the key never leaves
 * EdgeCab, so a new one costs nothing to distribute, and a key that sat
 * through an unknown stretch offline is not carried into another year. The
 * key of a superseded or revoked identity is removed from the vault; only
 * its certificate is kept, for the history.
 */
export class NodeIdentityService {
  readonly store: NodeIdentityStore;
  /** Follows the monitor's polls: confirms identities, raises mismatches, renews. */
  readonly verifier: IdentityVerifier;
  /** Sites with an issue in flight: one at a time per site. */
  private readonly issuing = new Map<string, Promise<NodeIdentity>>();

  constructor(
    db: Database,
    private readonly deps: NodeIdentityDeps,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
  ) {
    this.store = new NodeIdentityStore(db);
    this.verifier = new IdentityVerifier(this, this.store, deps.alarms, report, (siteId) => this.announce(siteId));
  }

  async view(siteId: string): Promise<SiteIdentityView> {
    this.deps.sites.get(siteId);
    const authority = await this.deps.authority.certificate();
    const now = this.now().getTime();
    const current = this.store.current(siteId);
    const latest = this.store.latest(siteId);
    return {
      siteId,
      status: current ? identityStatus({ state: current.state, notAfter: current.not_after }, now) : latest?.state === 'revoked' ? 'revoked' : 'none',
      current: current ? this.toIdentity(current, now) : null,
      history: this.store.history(siteId).map((row) => this.toIdentity(row, now)),
      mismatches: current ? this.verifier.mismatches(siteId) : [],
      authorityFingerprint: authority.fingerprint,
    };
  }

  private toIdentity(row: IdentityRow, now: number): NodeIdentity {
    return {
      id: row.id,
      siteId: row.site_id,
      serial: row.serial,
      fingerprint: row.fingerprint,
      subject: row.subject,
      uris: JSON.parse(row.uris) as string[],
      notBefore: row.not_before,
      notAfter: row.not_after,
      issuedAt: row.issued_at,
      issuedBy: row.issued_by,
      reason: row.reason,
      state: row.state,
      status: identityStatus({ state: row.state, notAfter: row.not_after }, now),
      supersededAt: row.superseded_at,
      revokedAt: row.revoked_at,
      revokedBy: row.revoked_by,
      revokeReason: row.revoke_reason,
      lastVerifiedAt: row.last_verified_at,
      hardware: JSON.parse(row.hardware) as BoundDevice[],
      certificatePem: row.certificate_pem,
    };
  }

  current(siteId: string): NodeIdentity | null {
    const row = this.store.current(siteId);
    return row ? this.toIdentity(row, this.now().getTime()) : null;
  }

  /** Re-enrolment (or first enrolment): a new key and certificate, bound to the hardware as it is now; supersedes the current one. */
  enrol(siteId: string, actor: string, reason: IssueReason = 'enrol'): Promise<NodeIdentity> {
    return this.once(siteId, () => this.issue(siteId, actor, reason, null));
  }

  /** A renewal: same binding, new key and validity; supersedes the current identity. */
  renew(siteId: string, current: NodeIdentity): Promise<NodeIdentity> {
    return this.once(siteId, () => this.issue(siteId, 'renewal', 'renewal', current.hardware));
  }

  /**
   * As the wizard takes a site live: a new identity unless the current one is
   * valid and bound to the same BMCs. Never throws: a failure is reported
   * and the site can be enrolled on demand.
   */
  async issueAtGoLive(siteId: string): Promise<NodeIdentity | null> {
    try {
      const current = this.current(siteId);
      const bmcs = this.bindable(siteId).filter((device) => device.endpoint && device.credentialId && device.fingerprint);
      const same = current && (current.status === 'valid' || current.status === 'expiring') && sameDevices(current.hardware, bmcs);
      return same ? current : await this.enrol(siteId, 'wizard', 'wizard');
    } catch (error) {
      this.report('node-identity.issue', error);
      return null;
    }
  }

  async revoke(siteId: string, reason: string, actor: string): Promise<SiteIdentityView> {
    const current = this.store.current(siteId);
    if (!current) throw new ConflictError('This site has no current identity to revoke', 'siteId');
    const at = this.now().toISOString();
    this.store.transaction(() => {
      this.store.revoke(current.id, at, actor, reason);
      if (current.key_credential_id) this.deps.vault.remove(current.key_credential_id);
    });
    this.clearMismatches(siteId, current);
    this.announce(siteId);
    return this.view(siteId);
  }

  private once(siteId: string, work: () => Promise<NodeIdentity>): Promise<NodeIdentity> {
    const running = this.issuing.get(siteId);
    if (running) return running;
    const promise = work().finally(() => this.issuing.delete(siteId));
    this.issuing.set(siteId, promise);
    return promise;
  }

  /** Whether an issue for the site is in flight (the verifier does not start a renewal then). */
  busy(siteId: string): boolean {
    return this.issuing.has(siteId);
  }

  /** Every issue in flight, settled (tests, and a core closing). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.issuing.values()]);
  }

  private bindable(siteId: string) {
    const cabinet = this.deps.cabinets.viewForSite(siteId);
    if (!cabinet) throw new ConflictError('Set up the site\'s cabinet first: an identity is bound to its hardware', 'siteId');
    return cabinet.devices.filter((device) => device.protocol === 'redfish').map((device) => this.deps.cabinets.device(device.id));
  }

  private async issue(siteId: string, actor: string, reason: IssueReason, keepBinding: readonly BoundDevice[] | null): Promise<NodeIdentity> {
    const site = this.deps.sites.get(siteId);
    const cabinet = this.deps.cabinets.viewForSite(siteId);
    if (!cabinet) throw new ConflictError('Set up the site\'s cabinet first: an identity is bound to its hardware', 'siteId');
    const hardware = keepBinding ? [...keepBinding] : await bindHardware(this.bindable(siteId), this.deps.vault, this.store, () => this.now().toISOString());
    const uris = [`urn:edgecab:site:${siteId}`, `urn:edgecab:cabinet:${cabinet.cabinet.id}`];
    // Validity starts 5 minutes before the service's clock (a site whose clock lags a little still accepts it), so status and certificate agree.
    const backdateMs = Date.now() - this.now().getTime() + 5 * 60_000;
    const issued = await this.deps.authority.issue({ commonName: site.code, uris, days: IDENTITY_VALIDITY_DAYS, usage: 'identity', backdateMs });
    const at = this.now().toISOString();
    const previous = this.store.current(siteId);
    const id = randomUUID();
    this.store.transaction(() => {
      if (previous) {
        this.store.supersede(previous.id, at);
        if (previous.key_credential_id) this.deps.vault.remove(previous.key_credential_id);
      }
      const keyCredentialId = this.deps.vault.store('identity-key', { pem: issued.keyPem }, { origin: 'system' });
      this.store.insert({
        id,
        siteId,
        cabinetId: cabinet.cabinet.id,
        serial: issued.serial,
        fingerprint: issued.fingerprint,
        subject: `CN=${site.code}, O=EdgeCab`,
        uris,
        certificatePem: issued.certificatePem,
        keyCredentialId,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        hardware,
        issuedAt: at,
        issuedBy: actor,
        reason,
      });
      // The binding a renewal carries over was just confirmed by the poll that asked for it.
      if (reason === 'renewal') this.store.verified(id, at);
    });
    // A new binding (enrolment) replaces what earlier mismatches were measured against.
    if (previous && !keepBinding) this.clearMismatches(siteId, previous);
    this.announce(siteId);
    return this.current(siteId)!;
  }

  /** Ends the mismatch alarms measured against an identity that no longer applies. */
  private clearMismatches(siteId: string, identity: IdentityRow): void {
    const bound = (JSON.parse(identity.hardware) as BoundDevice[]).map((device) => device.deviceId);
    const active = this.verifier.mismatches(siteId).map((mismatch) => mismatch.deviceId);
    this.verifier.forget(siteId);
    this.deps.alarms.apply(siteId, [], [...new Set([...bound, ...active])].map(mismatchKey));
  }

  private announce(siteId: string): void {
    this.deps.bus.publish({ type: 'site.changed', change: 'updated', siteId, count: 1, at: this.now().toISOString() });
  }
}

function sameDevices(bound: readonly BoundDevice[], devices: readonly { id: string; fingerprint: string | null }[]): boolean {
  const key = (list: readonly { id: string; fingerprint: string | null }[]) => list.map((device) => `${device.id}=${device.fingerprint ?? ''}`).sort().join(',');
  return key(bound.map((device) => ({ id: device.deviceId, fingerprint: device.fingerprint }))) === key(devices);
}
