import type { Condition } from '../../../../shared/domain/monitoring.js';
import { bindingMismatches, IDENTITY_VERIFY_EVERY_MS, renewalDue, type IdentityMismatch, type NodeIdentity } from '../../../../shared/domain/node-identity.js';
import type { FailureReporter } from '../../lib/disposable.js';
import type { SiteAlarms } from '../integrity/site-alarms.js';
import type { PollFollower } from '../monitor/monitor-service.js';
import type { PollResult } from '../monitor/poll-result.js';
import type { NodeIdentityStore } from './node-identity-store.js';

/** The alarm condition of a bound BMC that no longer matches (one per device, on the site's scope). */
export const mismatchKey = (deviceId: string) => `identity-mismatch:${deviceId}`;

/** What the verifier needs of the identity service. */
export interface IdentityIssuer {
  current(siteId: string): NodeIdentity | null;
  renew(siteId: string, current: NodeIdentity): Promise<NodeIdentity>;
  busy(siteId: string): boolean;
}

function mismatchCondition(siteName: string, mismatch: IdentityMismatch): Condition {
  const params = { device: mismatch.name, deviceId: mismatch.deviceId, site: siteName, what: mismatch.what, expected: mismatch.expected, actual: mismatch.actual };
  return mismatch.what === 'serial'
    ? { key: mismatchKey(mismatch.deviceId), category: 'health', severity: 'major', message: `${mismatch.name} no longer matches the cabinet identity: serial ${mismatch.actual}, bound ${mismatch.expected}`, messageKey: 'identitySerialMismatch', params }
    : { key: mismatchKey(mismatch.deviceId), category: 'health', severity: 'major', message: `${mismatch.name} no longer matches the cabinet identity: its pinned certificate is ${mismatch.actual}, bound ${mismatch.expected}`, messageKey: 'identityCertificateMismatch', params };
}

/**
 * Confirms each site's identity from the monitor's polls ("last use"): a
 * poll that got an answer from a bound BMC proves the BMC presented its
 * pinned certificate (the client refuses any other), and its systems'
 * serials are those of its newest inventory read (inventory polls, hourly).
 * While every bound BMC that answers matches, the identity is confirmed,
 * written at most once a minute per site; a BMC that does not match raises
 * its mismatch alarm, which clears when it matches again.
 *
 * An identity that is expiring, or expired while the site was offline, is
 * renewed at the first poll that finds a bound BMC answering and matching:
 * the poll is the proof that the hardware is still the one bound.
 */
export class IdentityVerifier implements PollFollower {
  /** Each BMC's serials as last read (inventory polls), so health polls can be judged too. */
  private readonly serials = new Map<string, string[] | null>();
  /** Per site, the bound BMCs that do not match now; seeded from the active alarms when first needed. */
  private readonly mismatched = new Map<string, Map<string, IdentityMismatch>>();
  /** When each identity's "last verified" was last written. */
  private readonly written = new Map<string, number>();
  private readonly renewals = new Set<Promise<void>>();

  constructor(
    private readonly identities: IdentityIssuer,
    private readonly store: NodeIdentityStore,
    private readonly alarms: SiteAlarms,
    private readonly report: FailureReporter,
    /** Tells the UI the site changed (its identity was confirmed). */
    private readonly announce: (siteId: string) => void,
  ) {}

  polled(result: PollResult): void {
    if (result.kind !== 'observed' || result.device.protocol !== 'redfish') return;
    try {
      this.observe(result);
    } catch (error) {
      this.report('node-identity.verify', error);
    }
  }

  /** Renewals carry on (the CA issues locally, in moments); a closing core waits for none of them. */
  stop(): void {}

  /** The bound BMCs of a site that do not match now. */
  mismatches(siteId: string): IdentityMismatch[] {
    return [...this.siteMismatches(siteId).values()];
  }

  /** Forgets what was seen of a site's BMCs (a new binding was made: earlier mismatches no longer apply). */
  forget(siteId: string): void {
    this.mismatched.delete(siteId);
  }

  /** Renewals in flight, settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.renewals]);
  }

  private observe(result: Extract<PollResult, { kind: 'observed' }>): void {
    const { device } = result;
    if (result.reading?.redfish) {
      this.serials.set(device.id, result.reading.redfish.systems.map((system) => system.serial).filter((serial): serial is string => serial !== null && serial !== '').sort());
    }
    const identity = this.identities.current(device.site_id);
    if (!identity) return;
    const bound = identity.hardware.find((each) => each.deviceId === device.id);
    if (!bound) return;
    if (!this.serials.has(device.id)) this.serials.set(device.id, this.store.readingSerials(device.id));
    const found = bindingMismatches(bound, { fingerprint: device.fingerprint, serials: this.serials.get(device.id) ?? null });
    const site = this.siteMismatches(device.site_id);
    const before = site.get(device.id);
    const now = found[0];
    if (now) {
      site.set(device.id, now);
      if (!before || before.what !== now.what || before.actual !== now.actual) this.alarms.apply(device.site_id, [mismatchCondition(device.site_name, now)], []);
    } else {
      site.delete(device.id);
      if (before) this.alarms.apply(device.site_id, [], [mismatchKey(device.id)]);
    }
    if (site.size > 0) return;
    const last = this.written.get(identity.id) ?? (identity.lastVerifiedAt ? Date.parse(identity.lastVerifiedAt) : 0);
    if (result.at - last >= IDENTITY_VERIFY_EVERY_MS) {
      this.store.verified(identity.id, new Date(result.at).toISOString());
      this.written.set(identity.id, result.at);
      this.announce(device.site_id);
    }
    if (renewalDue(identity.status, true) && !this.identities.busy(device.site_id)) this.startRenewal(device.site_id, identity);
  }

  private startRenewal(siteId: string, identity: NodeIdentity): void {
    const renewal = this.identities.renew(siteId, identity).then(
      () => undefined,
      (error: unknown) => this.report('node-identity.renew', error),
    );
    this.renewals.add(renewal);
    void renewal.finally(() => this.renewals.delete(renewal));
  }

  private siteMismatches(siteId: string): Map<string, IdentityMismatch> {
    let site = this.mismatched.get(siteId);
    if (!site) {
      site = new Map();
      for (const params of this.store.activeMismatches(siteId)) {
        const deviceId = String(params.deviceId ?? '');
        if (!deviceId) continue;
        site.set(deviceId, { deviceId, name: String(params.device ?? deviceId), what: params.what === 'certificate' ? 'certificate' : 'serial', expected: String(params.expected ?? ''), actual: String(params.actual ?? '') });
      }
      this.mismatched.set(siteId, site);
    }
    return site;
  }
}
