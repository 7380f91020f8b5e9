import type { Database, Statement } from 'better-sqlite3';
import { endpointKey } from '../devices/endpoint.js';

export interface LockoutPolicy {
  /** Refused logins within the window that lock the account. */
  threshold: number;
  /** How long the BMC counts a refused login. */
  resetAfterSeconds: number;
}

/**
 * When a BMC has not said (its AccountService needs a login, or it states
 * 0): the strictest policy in common use, 3 refusals counted for 30
 * minutes, so a guess never locks an account a stricter BMC would.
 */
export const UNKNOWN_LOCKOUT: LockoutPolicy = { threshold: 3, resetAfterSeconds: 1800 };

/** Rows older than this are never counted (no BMC counts refusals for a day), so they are pruned. */
const KEEP_MS = 24 * 3600_000;

export type LoginSource = 'discovery' | 'rotation' | 'monitor' | 'wizard';

/**
 * The lockout budget of every BMC EdgeCab logs in to, kept in the database
 * (login_policies, login_failures) so a restart never forgets it: the
 * policy each BMC stated, and the logins of EdgeCab's it refused, whoever
 * sent them. Anything that sends a login that may be refused asks first.
 */
export class LoginBudget {
  private readonly statements: Record<'policy' | 'remember' | 'failures' | 'failed' | 'prune', Statement>;

  constructor(
    db: Database,
    private readonly now: () => Date,
  ) {
    this.statements = {
      policy: db.prepare('SELECT threshold, reset_after_seconds AS resetAfterSeconds FROM login_policies WHERE endpoint = ?'),
      remember: db.prepare(
        `INSERT INTO login_policies (endpoint, threshold, reset_after_seconds, read_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET threshold = excluded.threshold, reset_after_seconds = excluded.reset_after_seconds, read_at = excluded.read_at`,
      ),
      failures: db.prepare('SELECT count(*) FROM login_failures WHERE endpoint = ? AND at_ms > ?').pluck(),
      failed: db.prepare('INSERT INTO login_failures (endpoint, at_ms, source) VALUES (?, ?, ?)'),
      prune: db.prepare('DELETE FROM login_failures WHERE endpoint = ? AND at_ms <= ?'),
    };
  }

  /** The BMC's policy as it stated it, else UNKNOWN_LOCKOUT (`known` says which). */
  policy(endpoint: string): LockoutPolicy & { known: boolean } {
    const row = this.statements.policy.get(endpointKey(endpoint)) as { threshold: number | null; resetAfterSeconds: number | null } | undefined;
    // 0 means "never locks" in Redfish, but some BMCs say 0 while a PAM or directory policy locks: not trusted.
    const threshold = row?.threshold && row.threshold > 0 ? row.threshold : null;
    if (threshold === null) return { ...UNKNOWN_LOCKOUT, known: false };
    return { threshold, resetAfterSeconds: row?.resetAfterSeconds && row.resetAfterSeconds > 0 ? row.resetAfterSeconds : UNKNOWN_LOCKOUT.resetAfterSeconds, known: true };
  }

  /** Keeps what the BMC said of its lockout (null values: it did not say, and what was known stays). */
  remember(endpoint: string, read: { threshold: number | null; resetAfterSeconds: number | null }): void {
    if (read.threshold === null && read.resetAfterSeconds === null) return;
    const known = this.statements.policy.get(endpointKey(endpoint)) as { threshold: number | null; resetAfterSeconds: number | null } | undefined;
    this.statements.remember.run(endpointKey(endpoint), read.threshold ?? known?.threshold ?? null, read.resetAfterSeconds ?? known?.resetAfterSeconds ?? null, this.now().toISOString());
  }

  /** Refused logins the BMC still counts (those within its window). */
  failures(endpoint: string): number {
    const windowMs = this.policy(endpoint).resetAfterSeconds * 1000;
    return this.statements.failures.get(endpointKey(endpoint), this.now().getTime() - windowMs) as number;
  }

  /** Records a login the BMC refused. */
  failed(endpoint: string, source: LoginSource): void {
    const key = endpointKey(endpoint);
    const at = this.now().getTime();
    this.statements.prune.run(key, at - KEEP_MS);
    this.statements.failed.run(key, at, source);
  }

  /**
   * Whether one more login that may be refused keeps the count below the
   * threshold with `reserve` to spare (room for logins EdgeCab cannot see:
   * a technician at the console, another tool). At least one refusal is
   * allowed where the threshold is 2 or more, never one that would lock.
   */
  mayFail(endpoint: string, reserve = 2): boolean {
    const { threshold } = this.policy(endpoint);
    const limit = Math.min(threshold - 1, Math.max(1, threshold - reserve));
    return this.failures(endpoint) < limit;
  }

  /**
   * How many more logins discovery may send to this address in this run:
   * at most `perRun` in a run (fewer when the BMC's threshold is lower:
   * threshold − 1), and never so many that, with the refusals the BMC
   * still counts from earlier runs, the next one could lock the account.
   */
  allowance(endpoint: string, perRun: number, usedThisRun: number): number {
    const policy = this.policy(endpoint);
    const cap = policy.known ? Math.min(perRun, policy.threshold - 1) : perRun;
    const windowLeft = policy.threshold - 1 - this.failures(endpoint);
    return Math.max(0, Math.min(cap - usedThisRun, windowLeft));
  }
}
