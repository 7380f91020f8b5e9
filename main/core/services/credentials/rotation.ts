import type { Database } from 'better-sqlite3';
import { randomInt } from 'node:crypto';
import { changePassword, lockoutPolicy, verifyLogin } from '../../protocols/redfish/actions.js';
import { RedfishClient, RedfishError, type RedfishClientOptions } from '../../protocols/redfish/client.js';
import type { SnmpTarget } from '../../../../shared/domain/snmp.js';
import { SnmpError, SnmpSession } from '../../protocols/snmp/session.js';
import { splitEndpoint } from '../devices/endpoint.js';
import type { CredentialVault } from './vault.js';
import { RotationStore, type RotationRecord } from './rotation-store.js';

interface RedfishSecret {
  username: string;
  password: string;
}

export interface RotationTarget {
  deviceId: string;
  endpoint: string;
  fingerprint: string | null;
}

/**
 * Test seams at the moments a crash hurts most; a test kills the real
 * process in them (SIGKILL), so nothing after them runs.
 */
export interface RotationHooks {
  /** The new password is stored (durably) and the BMC not yet told. */
  beforePasswordChange?: (deviceId: string) => void;
  /** The BMC took the new password; EdgeCab has not checked it yet. */
  afterPasswordChange?: (deviceId: string) => void;
  /** The new password was proven by a login; EdgeCab has not made it current yet. */
  beforePromote?: (deviceId: string) => void;
}

/** How a password change came out, as far as EdgeCab can tell. */
export type ChangeOutcome = 'applied' | 'refused' | 'unknown';

export type Resolution = 'promoted' | 'discarded' | 'unresolved' | 'none';

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '-_.!@#%+='];
/** An unknown outcome becomes "it did not happen" once the old password has kept working this long. */
const UNKNOWN_SETTLES_AFTER_MS = 15 * 60_000;
/** Without the BMC's own policy: assume a lockout after 5 failures counted over 5 minutes. */
const DEFAULT_LOCKOUT = { threshold: 5, resetAfterSeconds: 300 };

/** 20 characters, every class present, from the OS's CSPRNG; no look-alike characters. */
export function strongPassword(length = 20): string {
  const all = CLASSES.join('');
  const chars = CLASSES.map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let index = chars.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [chars[index], chars[other]] = [chars[other]!, chars[index]!];
  }
  return chars.join('');
}

/** A refusal the BMC stated (a 4xx with its reason) changed nothing; a timeout, reset or 5xx may have. */
export function classifyChangeFailure(error: unknown): ChangeOutcome {
  if (error instanceof RedfishError && error.code === 'http' && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) return 'refused';
  if (error instanceof RedfishError && ['not_allowed', 'not_supported', 'precondition_failed'].includes(error.code)) return 'refused';
  return 'unknown';
}

/**
 * Replaces a BMC account's password without ever leaving it unknown:
 *  1. the new password is sealed and a rotation record written, durably,
 *     before the BMC is told (phase "prepared");
 *  2. the record says "sent", then the BMC's account gets the new password;
 *  3. a login with the new password proves it; only then does it become the
 *     device's credential and the old one go.
 * When the outcome is unknown (a timeout, a reset, a 5xx, a check that
 * fails), both passwords stay stored and resolve() settles it by logging
 * in — at once, and again from the monitor's polls — with at most one
 * failing login each time and never more than the BMC's lockout allows.
 */
export class CredentialRotation {
  private readonly store: RotationStore;
  /** Failing logins per device within the lockout window, so resolving never locks the account. */
  private readonly failedLogins = new Map<string, number[]>();
  private readonly lockout = new Map<string, { threshold: number; resetAfterSeconds: number }>();
  private readonly resolving = new Map<string, Promise<Resolution>>();
  /** Which candidate opened the device at the last resolution: trying it again costs no failed login. */
  private readonly lastWorking = new Map<string, 'pending' | 'previous'>();

  constructor(
    db: Database,
    private readonly vault: CredentialVault,
    private readonly now: () => Date,
    private readonly hooks: RotationHooks = {},
  ) {
    this.store = new RotationStore(db);
  }

  record(deviceId: string): RotationRecord | null {
    return this.store.get(deviceId);
  }

  /** The device's credential as stored now (a settled rotation changes it). */
  currentCredentialOf(deviceId: string): string | null {
    return this.store.deviceCredential(deviceId);
  }

  /** Devices with a change not yet settled: the monitor resolves each before polling it. */
  pendingDevices(): Set<string> {
    return this.store.pendingDevices();
  }

  private options(target: RotationTarget, secret: RedfishSecret): RedfishClientOptions {
    return { url: target.endpoint, username: secret.username, password: secret.password, pinnedFingerprint: target.fingerprint, requestTimeoutMs: 10_000 };
  }

  /** Whether one more failing login stays below the lockout threshold (with a margin for the monitor's own). */
  private mayFailOnce(deviceId: string): boolean {
    const policy = this.lockout.get(deviceId) ?? DEFAULT_LOCKOUT;
    const windowMs = Math.max(60, policy.resetAfterSeconds) * 1000;
    const now = this.now().getTime();
    const recent = (this.failedLogins.get(deviceId) ?? []).filter((at) => at > now - windowMs);
    this.failedLogins.set(deviceId, recent);
    return recent.length < Math.max(1, policy.threshold - 2);
  }

  /** A login; a refusal counts toward the lockout budget. Transport errors propagate (the BMC did not answer). */
  private async tryLogin(target: RotationTarget, credentialId: string, signal?: AbortSignal): Promise<boolean> {
    if (this.vault.meta(credentialId)?.kind === 'snmp') return this.trySnmp(target, credentialId, signal);
    const ok = await verifyLogin(this.options(target, this.vault.open<RedfishSecret>(credentialId)), signal);
    if (!ok) this.failedLogins.set(target.deviceId, [...(this.failedLogins.get(target.deviceId) ?? []), this.now().getTime()]);
    return ok;
  }

  /** An SNMP read with the credential: an answer proves it; silence or a USM refusal does not (SNMP has no lockout). */
  private async trySnmp(target: RotationTarget, credentialId: string, signal?: AbortSignal): Promise<boolean> {
    const secret = this.vault.open<Pick<SnmpTarget, 'version' | 'community' | 'v3'>>(credentialId);
    const { host, port } = splitEndpoint(target.endpoint);
    const session = new SnmpSession({ host, port, timeoutMs: 2000, retries: 1, ...secret } as SnmpTarget, { ...(signal ? { signal } : {}) });
    try {
      await session.get(['1.3.6.1.2.1.1.2.0']);
      return true;
    } catch (error) {
      if (error instanceof SnmpError && error.code === 'aborted') throw error;
      return false;
    } finally {
      session.close();
    }
  }

  /**
   * Before an SNMP agent is secured: the site user's credential (its
   * passphrases generated or given) is stored with a rotation record, so
   * whatever happens on the agent, EdgeCab holds what it was being given.
   */
  beginSnmp(deviceId: string, credential: object): string {
    this.resolving.delete(deviceId);
    const existing = this.store.get(deviceId);
    if (existing) {
      // A re-run after a crash: the same site user, same passphrases.
      this.vault.store('snmp', credential, { replaceId: existing.pendingCredentialId, origin: 'rotated' });
      this.store.setPhase(deviceId, 'sent', this.now().toISOString());
      return existing.pendingCredentialId;
    }
    const previous = this.store.deviceCredential(deviceId);
    if (!previous) throw new Error('the device has no stored credentials');
    const id = this.store.begin(deviceId, previous, this.now().toISOString(), () => this.vault.store('snmp', credential, { origin: 'rotated' }));
    this.store.setPhase(deviceId, 'sent', this.now().toISOString());
    return id;
  }

  /** The agent proved the site user: its credential (with the protocols the agent holds) becomes the device's. */
  finishSnmp(deviceId: string, credential: object): void {
    const record = this.store.get(deviceId);
    if (!record) return;
    this.vault.store('snmp', credential, { replaceId: record.pendingCredentialId, origin: 'rotated' });
    this.store.promote(record, this.now().toISOString());
  }

  /** The agent refused before the site user worked: its old credential is still the one. */
  abandon(deviceId: string): void {
    const record = this.store.get(deviceId);
    if (record) this.store.discard(record);
  }

  private async readLockout(target: RotationTarget, credentialId: string): Promise<void> {
    if (this.lockout.has(target.deviceId)) return;
    const client = new RedfishClient(this.options(target, this.vault.open<RedfishSecret>(credentialId)));
    try {
      const policy = await lockoutPolicy(client);
      this.lockout.set(target.deviceId, { threshold: policy.threshold && policy.threshold > 0 ? policy.threshold : DEFAULT_LOCKOUT.threshold, resetAfterSeconds: policy.resetAfterSeconds ?? DEFAULT_LOCKOUT.resetAfterSeconds });
    } catch {
      // Not readable here: the default policy stands.
    } finally {
      await client.close();
    }
  }

  /**
   * Settles an interrupted or unknown change by logging in: the new password
   * first when the change may have happened, the old one when it surely did
   * not. Concurrent calls for one device share one resolution.
   */
  resolve(target: RotationTarget, signal?: AbortSignal): Promise<Resolution> {
    const running = this.resolving.get(target.deviceId);
    if (running) return running;
    const work = this.resolveOnce(target, signal).finally(() => this.resolving.delete(target.deviceId));
    this.resolving.set(target.deviceId, work);
    return work;
  }

  private async resolveOnce(target: RotationTarget, signal?: AbortSignal): Promise<Resolution> {
    const record = this.store.get(target.deviceId);
    if (!record) return 'none';
    const at = this.now().toISOString();
    // The change surely did not happen (killed before it was sent), or the old password kept working long enough to say it did not.
    const settled = record.phase === 'prepared' || Date.parse(record.sentAt ?? record.startedAt) + UNKNOWN_SETTLES_AFTER_MS <= this.now().getTime();
    const known = this.lastWorking.get(target.deviceId);
    const candidates: ['pending' | 'previous', string][] = [
      ['pending', record.pendingCredentialId],
      ...(record.previousCredentialId ? ([['previous', record.previousCredentialId]] as ['previous', string][]) : []),
    ];
    // The old password first when the change may not have happened and that is now to be settled, or when it is all we know works.
    if (record.phase === 'prepared' || (settled && known === 'previous')) candidates.reverse();
    for (const [which, credentialId] of candidates) {
      // A candidate not known to work costs a failed login if it is wrong: only while the lockout budget allows.
      if (known !== which && !this.mayFailOnce(target.deviceId)) {
        this.store.countAttempt(target.deviceId, at, 'waiting: another failing login now could lock the BMC account');
        continue;
      }
      let ok: boolean;
      try {
        ok = await this.tryLogin(target, credentialId, signal);
      } catch (error) {
        this.store.countAttempt(target.deviceId, at, (error as Error).message);
        return 'unresolved';
      }
      if (!ok) {
        if (known === which) this.lastWorking.delete(target.deviceId);
        continue;
      }
      this.lastWorking.set(target.deviceId, which);
      if (which === 'pending') {
        this.hooks.beforePromote?.(target.deviceId);
        this.store.promote(record, at);
        this.lastWorking.delete(target.deviceId);
        return 'promoted';
      }
      // The old password opens it. Unless the change surely did not happen, the BMC may still apply it: keep both a while.
      if (settled) {
        this.store.discard(record);
        this.lastWorking.delete(target.deviceId);
        return 'discarded';
      }
      this.store.countAttempt(target.deviceId, at, 'the old password still opens the BMC; the change may yet apply');
      return 'unresolved';
    }
    this.store.countAttempt(target.deviceId, at, 'neither the new nor the old password opens the BMC');
    return 'unresolved';
  }

  /** Rotates the password of the device's account; returns the account and whether the change is settled. */
  async rotate(target: RotationTarget): Promise<{ account: string; outcome: 'rotated' | 'refused' | 'unknown'; detail: string }> {
    const before = await this.resolve(target);
    if (before === 'unresolved') throw new Error('an earlier password change is not settled yet; EdgeCab keeps both passwords and checks again at the next poll');
    const credentialId = this.store.deviceCredential(target.deviceId);
    if (!credentialId) throw new Error('the device has no stored credentials');
    const current = this.vault.open<RedfishSecret>(credentialId);
    await this.readLockout(target, credentialId);
    const next: RedfishSecret = { username: current.username, password: strongPassword() };
    this.store.begin(target.deviceId, credentialId, this.now().toISOString(), () => this.vault.store('redfish', next, { origin: 'rotated' }));
    this.hooks.beforePasswordChange?.(target.deviceId);
    this.store.setPhase(target.deviceId, 'sent', this.now().toISOString());
    const client = new RedfishClient(this.options(target, current));
    let outcome: ChangeOutcome = 'applied';
    let failure: unknown = null;
    try {
      await changePassword(client, current.username, next.password);
    } catch (error) {
      failure = error;
      outcome = classifyChangeFailure(error);
    } finally {
      await client.close();
    }
    const record = this.store.get(target.deviceId)!;
    if (outcome === 'refused') {
      // The BMC said no: check the old password still opens it before forgetting the new one.
      const stillOld = await this.tryLogin(target, credentialId).catch(() => false);
      if (stillOld) {
        this.store.discard(record);
        return { account: current.username, outcome: 'refused', detail: `the BMC refused the new password, so the factory one stays: ${(failure as Error).message}` };
      }
      this.store.setPhase(target.deviceId, 'unknown', this.now().toISOString(), (failure as Error).message);
      return { account: current.username, outcome: 'unknown', detail: `the BMC answered "${(failure as Error).message}" and the old password no longer opens it; both stay stored and EdgeCab checks at each poll` };
    }
    if (outcome === 'applied') this.hooks.afterPasswordChange?.(target.deviceId);
    else this.store.setPhase(target.deviceId, 'unknown', this.now().toISOString(), (failure as Error).message);
    const resolution = await this.resolve(target);
    if (resolution === 'promoted') return { account: current.username, outcome: 'rotated', detail: 'the new password is proven and current' };
    return {
      account: current.username,
      outcome: 'unknown',
      detail: failure ? `the change's outcome is unknown (${(failure as Error).message}); both passwords stay stored and EdgeCab settles it by logging in at each poll` : 'the BMC took the new password but refuses it at login; both stay stored and EdgeCab checks again at each poll',
    };
  }
}
