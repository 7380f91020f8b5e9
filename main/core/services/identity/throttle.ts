/** Failures counted per key within a window; too many blocks the key for a while that doubles with each further failure. */
interface Record {
  failures: number[];
  blockedUntil: number;
}

export interface ThrottleLimits {
  /** Failures allowed per account within the window before it is blocked. */
  perAccount: number;
  perAddress: number;
  windowMs: number;
  /** The first block's length; each further failure while counted doubles it, up to maxBlockMs. */
  blockMs: number;
  maxBlockMs: number;
  /**
   * Password checks running at once for one account, from one address, and
   * in all. Each is an scrypt (32 MiB, ~0.1 s) on libuv's threadpool, which
   * also serves file reads: a flood must not queue hundreds of them.
   */
  inFlightPerAccount: number;
  inFlightPerAddress: number;
  inFlightTotal: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  perAccount: 5,
  perAddress: 20,
  windowMs: 15 * 60_000,
  blockMs: 60_000,
  maxBlockMs: 60 * 60_000,
  inFlightPerAccount: 1,
  inFlightPerAddress: 2,
  // Twice libuv's default threadpool: enough for a busy office, not enough to starve the rest of the server.
  inFlightTotal: 8,
};
const MAX_KEYS = 50_000;
/** What a refused-because-busy caller is told to wait: a check takes about 0.1 s. */
const BUSY_RETRY_SECONDS = 1;

/** One failure counted in advance, so it can be taken back exactly if the attempt succeeds. */
interface Mark {
  key: string;
  at: number;
  blockedBefore: number;
  blockedAfter: number;
}

/** A sign-in being checked: counted as failed until it says otherwise; its in-flight slot is held until it settles. */
export interface SignInAttempt {
  /** The password was right: the failure counted in advance is taken back. */
  succeeded(): void;
  /** The password was wrong (or the check failed): the failure stays; seconds to wait now, 0 if none. */
  failed(): number;
}

export type Admission =
  | { admitted: true; attempt: SignInAttempt }
  /** blocked: too many failures; busy: too many checks of this account or address (or in all) are running. */
  | { admitted: false; reason: 'blocked' | 'busy'; retryAfterSeconds: number };

/**
 * Sign-in throttling per account and per address, so guessing is slow for
 * one account from many addresses and for many accounts from one address.
 * An attempt is counted as a failure before its password is checked, and
 * checks run a few at a time: parallel guesses cannot all pass the block
 * check while the first is still being verified. Kept in memory: a restart
 * forgets, which costs an attacker a restart each time.
 */
export class SignInThrottle {
  private readonly records = new Map<string, Record>();
  private readonly inFlight = new Map<string, number>();
  private inFlightTotal = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
  ) {}

  /** Seconds to wait before another try, or 0 when one is allowed now. */
  retryAfter(account: string, address: string): number {
    const now = this.now();
    const wait = Math.max(this.record(accountKey(account)).blockedUntil, this.record(addressKey(address)).blockedUntil) - now;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /**
   * Admits one password check, or says how long to wait. Admitted, it is
   * already counted as a failure for the account and the address and holds
   * an in-flight slot; the caller must settle it (succeeded or failed).
   */
  begin(account: string, address: string): Admission {
    const wait = this.retryAfter(account, address);
    if (wait > 0) return { admitted: false, reason: 'blocked', retryAfterSeconds: wait };
    const keys = [accountKey(account), addressKey(address)] as const;
    if (
      this.inFlightTotal >= this.limits.inFlightTotal ||
      (this.inFlight.get(keys[0]) ?? 0) >= this.limits.inFlightPerAccount ||
      (this.inFlight.get(keys[1]) ?? 0) >= this.limits.inFlightPerAddress
    ) {
      return { admitted: false, reason: 'busy', retryAfterSeconds: BUSY_RETRY_SECONDS };
    }
    const marks = [this.count(keys[0], this.limits.perAccount), this.count(keys[1], this.limits.perAddress)];
    for (const key of keys) this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    this.inFlightTotal += 1;
    let settled = false;
    const release = (): boolean => {
      if (settled) return false;
      settled = true;
      this.inFlightTotal -= 1;
      for (const key of keys) {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left > 0) this.inFlight.set(key, left);
        else this.inFlight.delete(key);
      }
      return true;
    };
    return {
      admitted: true,
      attempt: {
        succeeded: () => {
          if (!release()) return;
          this.records.delete(keys[0]);
          // A right password from an office's shared address is not a failure of that address.
          this.undo(marks[1]!);
        },
        failed: () => {
          release();
          return this.retryAfter(account, address);
        },
      },
    };
  }

  /** A failure that had no password check of its own (a wrong setup token). */
  failed(account: string, address: string): void {
    this.count(accountKey(account), this.limits.perAccount);
    this.count(addressKey(address), this.limits.perAddress);
  }

  succeeded(account: string): void {
    this.records.delete(accountKey(account));
  }

  private record(key: string): Record {
    return this.records.get(key) ?? { failures: [], blockedUntil: 0 };
  }

  private count(key: string, allowed: number): Mark {
    const now = this.now();
    const record = this.record(key);
    const blockedBefore = record.blockedUntil;
    record.failures = record.failures.filter((at) => at > now - this.limits.windowMs);
    record.failures.push(now);
    const over = record.failures.length - allowed;
    if (over >= 0) record.blockedUntil = now + Math.min(this.limits.blockMs * 2 ** over, this.limits.maxBlockMs);
    this.records.set(key, record);
    if (this.records.size > MAX_KEYS) this.prune(now);
    return { key, at: now, blockedBefore, blockedAfter: record.blockedUntil };
  }

  /** Takes back a failure counted in advance, and the block it started unless a later failure has set another since. */
  private undo(mark: Mark): void {
    const record = this.records.get(mark.key);
    if (!record) return;
    const index = record.failures.indexOf(mark.at);
    if (index !== -1) record.failures.splice(index, 1);
    if (record.blockedUntil === mark.blockedAfter) record.blockedUntil = mark.blockedBefore;
  }

  private prune(now: number): void {
    for (const [key, record] of this.records) {
      if (record.blockedUntil < now && record.failures.every((at) => at <= now - this.limits.windowMs) && !this.inFlight.has(key)) this.records.delete(key);
    }
  }
}

const accountKey = (account: string) => `a:${account.toLowerCase()}`;
const addressKey = (address: string) => `ip:${address}`;
