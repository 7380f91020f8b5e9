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
}

export const DEFAULT_LIMITS: ThrottleLimits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000, blockMs: 60_000, maxBlockMs: 60 * 60_000 };
const MAX_KEYS = 50_000;

/**
 * Sign-in throttling per account and per address, so guessing is slow for
 * one account from many addresses and for many accounts from one address.
 * Kept in memory: a restart forgets, which costs an attacker a restart each time.
 */
export class SignInThrottle {
  private readonly records = new Map<string, Record>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
  ) {}

  /** Seconds to wait before another try, or 0 when one is allowed now. */
  retryAfter(account: string, address: string): number {
    const now = this.now();
    const wait = Math.max(this.record(`a:${account.toLowerCase()}`).blockedUntil, this.record(`ip:${address}`).blockedUntil) - now;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  failed(account: string, address: string): void {
    this.count(`a:${account.toLowerCase()}`, this.limits.perAccount);
    this.count(`ip:${address}`, this.limits.perAddress);
  }

  succeeded(account: string): void {
    this.records.delete(`a:${account.toLowerCase()}`);
  }

  private record(key: string): Record {
    return this.records.get(key) ?? { failures: [], blockedUntil: 0 };
  }

  private count(key: string, allowed: number): void {
    const now = this.now();
    const record = this.record(key);
    record.failures = record.failures.filter((at) => at > now - this.limits.windowMs);
    record.failures.push(now);
    const over = record.failures.length - allowed;
    if (over >= 0) record.blockedUntil = now + Math.min(this.limits.blockMs * 2 ** over, this.limits.maxBlockMs);
    this.records.set(key, record);
    if (this.records.size > MAX_KEYS) this.prune(now);
  }

  private prune(now: number): void {
    for (const [key, record] of this.records) {
      if (record.blockedUntil < now && record.failures.every((at) => at <= now - this.limits.windowMs)) this.records.delete(key);
    }
  }
}
