/**
 * The lockout budget every BMC login that may be refused asks first: the
 * BMC's stated policy (or the strictest common one, 3 refusals counted for
 * 30 minutes), the refusals it still counts, kept in the database so a
 * restart forgets nothing, and keyed by address however it is written.
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../main/core/db/migrate.js';
import { migrations } from '../../../main/core/db/migrations/index.js';
import { LoginBudget, UNKNOWN_LOCKOUT } from '../../../main/core/services/credentials/login-budget.js';

describe('the BMC login budget', () => {
  let db: BetterSqlite3.Database;
  let clock = Date.parse('2026-11-24T10:00:00Z');
  const now = () => new Date(clock);
  const fresh = () => {
    db = new BetterSqlite3(':memory:');
    migrate(db, migrations);
    return new LoginBudget(db, now);
  };
  afterEach(() => db?.close());

  it('assumes the strictest common policy until the BMC states its own, and treats a stated 0 as not said', () => {
    const budget = fresh();
    expect(budget.policy('https://10.0.0.1')).toEqual({ ...UNKNOWN_LOCKOUT, known: false });
    budget.remember('10.0.0.1:443', { threshold: 0, resetAfterSeconds: 60 });
    expect(budget.policy('https://10.0.0.1').known).toBe(false);
    budget.remember('10.0.0.1:443', { threshold: 5, resetAfterSeconds: null });
    // The window said before stays; the threshold is the new one.
    expect(budget.policy('https://10.0.0.1:443')).toEqual({ threshold: 5, resetAfterSeconds: 60, known: true });
  });

  it('keys one BMC by one name: https://host (443 implied), https://host:443 and host:443 are the same', () => {
    const budget = fresh();
    budget.failed('https://10.0.0.2', 'rotation');
    budget.failed('10.0.0.2:443', 'discovery');
    expect(budget.failures('https://10.0.0.2:443')).toBe(2);
    expect(budget.failures('10.0.0.2:8443')).toBe(0);
  });

  it('never allows the refusal that would lock, keeps room for logins it cannot see, and forgets refusals outside the window', () => {
    const budget = fresh();
    budget.remember('10.0.0.3:443', { threshold: 3, resetAfterSeconds: 600 });
    expect(budget.mayFail('10.0.0.3:443')).toBe(true);
    budget.failed('10.0.0.3:443', 'rotation');
    // Threshold 3 with two in reserve: one refusal at most.
    expect(budget.mayFail('10.0.0.3:443')).toBe(false);
    clock += 601_000;
    expect(budget.mayFail('10.0.0.3:443')).toBe(true);
    budget.remember('10.0.0.4:443', { threshold: 1, resetAfterSeconds: 600 });
    expect(budget.mayFail('10.0.0.4:443')).toBe(false);
    budget.remember('10.0.0.5:443', { threshold: 10, resetAfterSeconds: 600 });
    for (let refused = 0; refused < 8; refused += 1) {
      expect(budget.mayFail('10.0.0.5:443')).toBe(true);
      budget.failed('10.0.0.5:443', 'rotation');
    }
    expect(budget.mayFail('10.0.0.5:443')).toBe(false);
  });

  it("gives discovery at most its per-run cap, threshold − 1, and never past the refusals the BMC still counts", () => {
    const budget = fresh();
    expect(budget.allowance('10.0.0.6:443', 2, 0)).toBe(2);
    expect(budget.allowance('10.0.0.6:443', 2, 1)).toBe(1);
    budget.remember('10.0.0.7:443', { threshold: 2, resetAfterSeconds: 60 });
    expect(budget.allowance('10.0.0.7:443', 2, 0)).toBe(1);
    budget.failed('10.0.0.8:443', 'discovery');
    budget.failed('10.0.0.8:443', 'discovery');
    // Unknown policy (3 refusals in 30 minutes): two counted already, so a new run may send none.
    expect(budget.allowance('10.0.0.8:443', 2, 0)).toBe(0);
    clock += 1801_000;
    expect(budget.allowance('10.0.0.8:443', 2, 0)).toBe(2);
  });

  it('is kept in the database: a new budget on it (a restarted core) knows the policy and the refusals', () => {
    const budget = fresh();
    budget.remember('10.0.0.9:443', { threshold: 3, resetAfterSeconds: 1800 });
    budget.failed('10.0.0.9:443', 'rotation');
    const restarted = new LoginBudget(db, now);
    expect(restarted.policy('10.0.0.9:443')).toEqual({ threshold: 3, resetAfterSeconds: 1800, known: true });
    expect(restarted.failures('10.0.0.9:443')).toBe(1);
    expect(restarted.mayFail('10.0.0.9:443')).toBe(false);
  });
});
