import type { Database } from 'better-sqlite3';
import { randomInt } from 'node:crypto';
import { changePassword, lockoutPolicy, verifyLogin } from '../../protocols/redfish/actions.js';
import { isLoginRefused, RedfishClient, RedfishError, type RedfishClientOptions } from '../../protocols/redfish/client.js';
import type { SnmpTarget } from '../../../../shared/domain/snmp.js';
import { SnmpError, SnmpSession } from '../../protocols/snmp/session.js';
import type { Disposable } from '../../lib/disposable.js';
import { splitEndpoint } from '../devices/endpoint.js';
import { LoginBudget, type LoginSource } from './login-budget.js';
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

/** "busy": a change is being made on the device right now; whoever makes it settles it, nobody else logs in meanwhile. */
export type Resolution = 'promoted' | 'discarded' | 'unresolved' | 'none' | 'busy';

/** A change was recorded ("begun") or settled, either way: the device's credential may be another now. */
export type RotationChange = 'begun' | 'settled';

/** The site user may not change while a device's SNMP change is unsettled: its pending passphrases may be the only way in. */
export class RotationUnsettledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationUnsettledError';
  }
}

/** A caller stopped waiting (its own signal); the shared resolution goes on for the others. */
class WaitAborted extends Error {
  constructor() {
    super('stopped waiting for the password change to settle');
    this.name = 'AbortError';
  }
}

/** Waits for `work`, or rejects as soon as this caller's signal aborts; `work` itself is not cancelled. */
function waitFor<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new WaitAborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new WaitAborted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '-_.!@#%+='];
/** An unknown outcome becomes "it did not happen" once the old password has kept working this long. */
const UNKNOWN_SETTLES_AFTER_MS = 15 * 60_000;

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
 * The lockout budget (the BMC's policy and every refused login) is kept in
 * the database, so a restart does not forget how close an account is to
 * being locked. SNMP agents get the same record (beginSnmp … finishSnmp).
 */
export class CredentialRotation {
  private readonly store: RotationStore;
  /** The BMCs' lockout policies and refused logins, shared with discovery; persistent. */
  readonly logins: LoginBudget;
  private readonly resolving = new Map<string, Promise<Resolution>>();
  /** Devices whose change is being made now (between its record and its own resolution): nobody else logs in to them. */
  private readonly busy = new Set<string>();
  /** Which candidate opened the device at the last resolution: trying it again costs no failed login. */
  private readonly listeners = new Set<(deviceId: string, change: RotationChange) => void>();
  /** Per device, the credential ("id:revision") the BMC refused last outside settling. */
  private readonly refusedCredentials = new Map<string, string>();

  constructor(
    db: Database,
    private readonly vault: CredentialVault,
    private readonly now: () => Date,
    private readonly hooks: RotationHooks = {},
  ) {
    this.store = new RotationStore(db);
    this.logins = new LoginBudget(db, now);
  }

  /**
   * Told when a change begins and when it settles, so the monitor stops
   * polling with a password that may be wrong at once and picks up the new
   * one at its very next poll (not at its next refresh of targets).
   */
  onChange(listener: (deviceId: string, change: RotationChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private changed(deviceId: string, change: RotationChange): void {
    for (const listener of this.listeners) {
      try {
        listener(deviceId, change);
      } catch {
        // A listener's failure is its own; the change stands.
      }
    }
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

  /** The credential being given to the device, while its change is not settled (the trap receiver loads its SNMPv3 user meanwhile). */
  pendingCredentialOf(deviceId: string): string | null {
    return this.store.get(deviceId)?.pendingCredentialId ?? null;
  }

  /** Whether a change is being made on the device at this moment (not merely unsettled). */
  isBusy(deviceId: string): boolean {
    return this.busy.has(deviceId);
  }

  /**
   * The credential known to open the device now: its own when no change is
   * pending, else the candidate that opened it at the last resolution, else
   * null — nothing may log in with a password that may be wrong.
   */
  workingCredential(deviceId: string): string | null {
    const record = this.store.get(deviceId);
    if (!record) return this.store.deviceCredential(deviceId);
    const known = record.lastWorking;
    if (known === 'pending') return record.pendingCredentialId;
    if (known === 'previous') return record.previousCredentialId;
    return null;
  }

  /**
   * A login of EdgeCab's with this credential was refused outside settling
   * (a poll, a refresh, a power action, an integrity read): counted toward
   * the BMC's lockout and remembered, so that nothing sends it again while
   * another refusal could lock the account. If it was the candidate that
   * opened the device last, it no longer counts as known to work.
   */
  loginRefused(target: { deviceId: string; endpoint: string }, credentialId: string, source: LoginSource): void {
    this.logins.failed(target.endpoint, source);
    this.refusedCredentials.set(target.deviceId, this.revisionOf(credentialId));
    const record = this.store.get(target.deviceId);
    if (!record?.lastWorking) return;
    const working = record.lastWorking === 'pending' ? record.pendingCredentialId : record.previousCredentialId;
    if (working === credentialId) {
      this.store.working(target.deviceId, null);
      this.store.refused(target.deviceId, record.lastWorking);
    }
  }

  /** A login with this credential worked: it may be sent again freely. */
  loginWorked(deviceId: string): void {
    this.refusedCredentials.delete(deviceId);
  }

  /**
   * Whether a login with this credential may be sent now: not when the BMC
   * refused this very credential (same revision: a corrected one is new)
   * and another refusal could lock the account. SNMP has no lockout.
   */
  mayLogin(target: { deviceId: string; endpoint: string }, credentialId: string): boolean {
    if (this.isSnmp(credentialId)) return true;
    return this.refusedCredentials.get(target.deviceId) !== this.revisionOf(credentialId) || this.logins.mayFail(target.endpoint);
  }

  private revisionOf(credentialId: string): string {
    return `${credentialId}:${this.vault.meta(credentialId)?.revision ?? 0}`;
  }

  /**
   * The credential that opens the device now. An unsettled change is
   * settled first (by logging in, within the BMC's lockout budget); null
   * while it stays unsettled, so that nothing sends a password that may be
   * wrong (each refusal counts toward locking the account).
   */
  async openingCredential(target: RotationTarget): Promise<string | null> {
    if (this.store.get(target.deviceId)) await this.resolve(target);
    return this.workingCredential(target.deviceId);
  }

  private options(target: RotationTarget, secret: RedfishSecret): RedfishClientOptions {
    return { url: target.endpoint, username: secret.username, password: secret.password, pinnedFingerprint: target.fingerprint, requestTimeoutMs: 10_000 };
  }

  private isSnmp(credentialId: string): boolean {
    return this.vault.meta(credentialId)?.kind === 'snmp';
  }

  /** A login; a refusal counts toward the BMC's lockout budget (kept in the database). Transport errors propagate (the BMC did not answer). */
  private async tryLogin(target: RotationTarget, credentialId: string, signal?: AbortSignal): Promise<boolean> {
    if (this.isSnmp(credentialId)) return this.trySnmp(target, credentialId, signal);
    const ok = await verifyLogin(this.options(target, this.vault.open<RedfishSecret>(credentialId)), signal);
    if (!ok) this.logins.failed(target.endpoint, 'rotation');
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
   * An unsettled earlier change is settled first: its pending passphrases
   * may be the only way into the agent (the factory admin and the
   * communities gone), so they are never overwritten or discarded unproven.
   * Until finishSnmp, abandon or release, the device is busy: polls wait.
   */
  async beginSnmp(target: RotationTarget, credential: { version: string; v3?: { user: string; authKey?: string; privKey?: string } }): Promise<string> {
    const existing = this.store.get(target.deviceId);
    if (existing) {
      const pending = this.vault.open<{ v3?: { user: string; authKey?: string; privKey?: string } }>(existing.pendingCredentialId);
      const same = pending.v3?.user === credential.v3?.user && pending.v3?.authKey === credential.v3?.authKey && pending.v3?.privKey === credential.v3?.privKey;
      if (same) {
        // A re-run after a crash with the same site user: the same record goes on.
        this.busy.add(target.deviceId);
        this.store.setPhase(target.deviceId, 'sent', this.now().toISOString());
        return existing.pendingCredentialId;
      }
      const settled = await this.resolve(target);
      if (settled === 'unresolved' || settled === 'busy') {
        throw new RotationUnsettledError(`an earlier change of this device's SNMP user is not settled yet (${this.store.get(target.deviceId)?.lastError ?? 'the agent did not answer'}); EdgeCab keeps its passphrases and cannot give it another user until the agent answers`);
      }
    }
    const previous = this.store.deviceCredential(target.deviceId);
    if (!previous) throw new Error('the device has no stored credentials');
    const id = this.store.begin(target.deviceId, previous, this.now().toISOString(), () => this.vault.store('snmp', credential, { origin: 'rotated' }));
    this.store.setPhase(target.deviceId, 'sent', this.now().toISOString());
    this.busy.add(target.deviceId);
    this.changed(target.deviceId, 'begun');
    return id;
  }

  /** The agent proved the site user: its credential (with the protocols the agent holds) becomes the device's. */
  finishSnmp(deviceId: string, credential: object): void {
    this.busy.delete(deviceId);
    const record = this.store.get(deviceId);
    if (!record) return;
    this.vault.store('snmp', credential, { replaceId: record.pendingCredentialId, origin: 'rotated' });
    this.store.promote(record, this.now().toISOString());
    this.changed(deviceId, 'settled');
  }

  /** The agent refused before the site user worked: its old credential is still the one. */
  abandon(deviceId: string): void {
    this.busy.delete(deviceId);
    const record = this.store.get(deviceId);
    if (record) this.store.discard(record);
    this.changed(deviceId, 'settled');
  }

  /** The change stopped unexpectedly: the record stays for polls (or the next run) to settle. */
  release(deviceId: string): void {
    this.busy.delete(deviceId);
  }

  /**
   * The BMC's lockout policy, read with the current password (which has
   * just been proven or is about to be used anyway) and kept. False when
   * that password was refused: nothing more may be sent with it.
   */
  private async readLockout(target: RotationTarget, credentialId: string): Promise<boolean> {
    const client = new RedfishClient(this.options(target, this.vault.open<RedfishSecret>(credentialId)));
    try {
      this.logins.remember(target.endpoint, await lockoutPolicy(client));
      return true;
    } catch (error) {
      if (isLoginRefused(error)) {
        this.logins.failed(target.endpoint, 'rotation');
        return false;
      }
      // Not readable here: what is known (or the strict default) stands.
      return true;
    } finally {
      await client.close();
    }
  }

  /**
   * Settles an interrupted or unknown change by logging in: the new password
   * first when the change may have happened, the old one when it surely did
   * not. Concurrent calls for one device share one resolution, which runs on
   * its own: a caller's signal only stops that caller waiting, so one poll's
   * timeout never makes the resolution another caller waits for fail. While
   * the change is being made (isBusy) nobody else logs in: "busy".
   */
  resolve(target: RotationTarget, signal?: AbortSignal): Promise<Resolution> {
    if (this.busy.has(target.deviceId)) return Promise.resolve('busy');
    return waitFor(this.settle(target), signal);
  }

  /** `reserve`: refusals left to spare below the lockout threshold (room for logins EdgeCab cannot see). */
  private settle(target: RotationTarget, reserve = 2): Promise<Resolution> {
    const running = this.resolving.get(target.deviceId);
    if (running) return running;
    const work = this.resolveOnce(target, reserve).finally(() => this.resolving.delete(target.deviceId));
    this.resolving.set(target.deviceId, work);
    return work;
  }

  private async resolveOnce(target: RotationTarget, reserve: number): Promise<Resolution> {
    const record = this.store.get(target.deviceId);
    if (!record) return 'none';
    const at = this.now().toISOString();
    // The change surely did not happen (killed before it was sent), or the old password kept working long enough to say it did not.
    const settled = record.phase === 'prepared' || Date.parse(record.sentAt ?? record.startedAt) + UNKNOWN_SETTLES_AFTER_MS <= this.now().getTime();
    const known = record.lastWorking ?? undefined;
    const candidates: ['pending' | 'previous', string][] = [
      ['pending', record.pendingCredentialId],
      ...(record.previousCredentialId ? ([['previous', record.previousCredentialId]] as ['previous', string][]) : []),
    ];
    // First the one that opened the device last time (free while it still does); else the old one when the change surely did not happen;
    // else the one the BMC did not refuse last, so that with a budget of one refusal at a time the two take turns and settling goes on.
    const first = known ?? (record.phase === 'prepared' || record.lastRefused === 'pending' ? 'previous' : 'pending');
    if (first === 'previous') candidates.reverse();
    let waited = false;
    let refusedNow = false;
    for (const [which, credentialId] of candidates) {
      // A candidate not known to work costs a refused login if it is wrong: only while the BMC's lockout budget allows (SNMP has none).
      // After the other was refused just now, this one is all but certainly right: it may use one refusal more of the budget.
      if (known !== which && !this.isSnmp(credentialId) && !this.logins.mayFail(target.endpoint, refusedNow ? Math.min(1, reserve) : reserve)) {
        this.store.countAttempt(target.deviceId, at, 'waiting: another failing login now could lock the BMC account');
        waited = true;
        continue;
      }
      let ok: boolean;
      try {
        ok = await this.tryLogin(target, credentialId);
      } catch (error) {
        this.store.countAttempt(target.deviceId, at, (error as Error).message);
        return 'unresolved';
      }
      if (!ok) {
        if (known === which) this.store.working(target.deviceId, null);
        if (!this.isSnmp(credentialId)) {
          this.store.refused(target.deviceId, which);
          refusedNow = true;
        }
        continue;
      }
      this.store.working(target.deviceId, which);
      this.loginWorked(target.deviceId);
      if (which === 'pending') {
        this.hooks.beforePromote?.(target.deviceId);
        this.store.promote(record, at);
        this.changed(target.deviceId, 'settled');
        return 'promoted';
      }
      // The old password opens it. Unless the change surely did not happen, the BMC may still apply it: keep both a while.
      if (settled) {
        this.store.discard(record);
        this.changed(target.deviceId, 'settled');
        return 'discarded';
      }
      this.store.countAttempt(target.deviceId, at, 'the old password still opens the BMC; the change may yet apply');
      return 'unresolved';
    }
    if (!waited) this.store.countAttempt(target.deviceId, at, 'neither the new nor the old password opens the BMC');
    return 'unresolved';
  }

  /** Rotates the password of the device's account; returns the account and whether the change is settled. */
  async rotate(target: RotationTarget): Promise<{ account: string; outcome: 'rotated' | 'refused' | 'unknown'; detail: string }> {
    const before = await this.resolve(target);
    if (before === 'busy') throw new Error("this device's password is being changed already");
    if (before === 'unresolved') throw new Error('an earlier password change is not settled yet; EdgeCab keeps both passwords and checks again at the next poll');
    const credentialId = this.store.deviceCredential(target.deviceId);
    if (!credentialId) throw new Error('the device has no stored credentials');
    const current = this.vault.open<RedfishSecret>(credentialId);
    if (!(await this.readLockout(target, credentialId))) throw new Error('the stored password no longer opens the BMC; correct it on the device first (nothing was changed)');
    const next: RedfishSecret = { username: current.username, password: strongPassword() };
    // Busy from the record on: a poll must neither log in with a password that is changing nor settle the change under our feet.
    this.busy.add(target.deviceId);
    try {
      this.store.begin(target.deviceId, credentialId, this.now().toISOString(), () => this.vault.store('redfish', next, { origin: 'rotated' }));
      this.changed(target.deviceId, 'begun');
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
        // The BMC said no: check the old password still opens it before forgetting the new one — a login that costs budget if the change happened after all.
        const stillOld = this.logins.mayFail(target.endpoint) ? await this.tryLogin(target, credentialId).catch(() => false) : false;
        if (stillOld) {
          this.store.discard(record);
          this.changed(target.deviceId, 'settled');
          return { account: current.username, outcome: 'refused', detail: `the BMC refused the new password, so the factory one stays: ${(failure as Error).message}` };
        }
        this.store.setPhase(target.deviceId, 'unknown', this.now().toISOString(), (failure as Error).message);
        // The BMC said no to the new password: the old one is tried first when settling.
        this.store.refused(target.deviceId, 'pending');
        return { account: current.username, outcome: 'unknown', detail: `the BMC answered "${(failure as Error).message}" and the old password could not be proven since; both stay stored and EdgeCab checks at each poll` };
      }
      if (outcome === 'applied') this.hooks.afterPasswordChange?.(target.deviceId);
      else this.store.setPhase(target.deviceId, 'unknown', this.now().toISOString(), (failure as Error).message);
      // Proving a change the BMC just answered may use the budget down to one refusal below its threshold: it is the login most likely to work.
      const resolution = await this.settle(target, outcome === 'applied' ? 1 : 2);
      if (resolution === 'promoted') return { account: current.username, outcome: 'rotated', detail: 'the new password is proven and current' };
      return {
        account: current.username,
        outcome: 'unknown',
        detail: failure ? `the change's outcome is unknown (${(failure as Error).message}); both passwords stay stored and EdgeCab settles it by logging in at each poll` : 'the BMC took the new password but refuses it at login; both stay stored and EdgeCab checks again at each poll',
      };
    } finally {
      this.busy.delete(target.deviceId);
    }
  }
}
