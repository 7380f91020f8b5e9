/**
 * Account lockout as a BMC's AccountService describes it: after `threshold`
 * failed logins within `resetAfterSeconds`, the account is locked for
 * `durationSeconds`, refusing even the right password. Thresholds of 0 never lock.
 */
export class AccountLockout {
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();
  /** Every lock that happened, for tests to prove none did. */
  locks = 0;

  constructor(private readonly policy: () => { threshold: number; durationSeconds: number; resetAfterSeconds: number }) {}

  locked(user: string, now = Date.now()): boolean {
    return (this.lockedUntil.get(user) ?? 0) > now;
  }

  failed(user: string, now = Date.now()): void {
    const { threshold, durationSeconds, resetAfterSeconds } = this.policy();
    if (threshold <= 0) return;
    const recent = [...(this.failures.get(user) ?? []).filter((at) => at > now - resetAfterSeconds * 1000), now];
    this.failures.set(user, recent);
    if (recent.length >= threshold) {
      this.lockedUntil.set(user, now + durationSeconds * 1000);
      this.failures.delete(user);
      this.locks += 1;
    }
  }

  succeeded(user: string): void {
    this.failures.delete(user);
  }

  failuresOf(user: string): number {
    return this.failures.get(user)?.length ?? 0;
  }
}
