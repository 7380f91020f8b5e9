import type { Migration } from '../migrate.js';

/**
 * What EdgeCab knows of each BMC's account lockout, kept across restarts so
 * that a restart never forgets how close an account is to being locked:
 * the policy the BMC stated (AccountService AccountLockoutThreshold and
 * AccountLockoutCounterResetAfter), and every login of EdgeCab's that the
 * BMC refused, by whom (discovery, a password change being settled, …).
 * Keyed by "host:port", as discovery knows a BMC before it is a device.
 */
export const loginBudget: Migration = {
  version: 15,
  name: 'BMC lockout policies and refused logins, per address',
  up: (db) => {
    db.exec(`
      CREATE TABLE login_policies (
        endpoint TEXT PRIMARY KEY,
        threshold INTEGER CHECK (threshold IS NULL OR threshold >= 0),
        reset_after_seconds INTEGER CHECK (reset_after_seconds IS NULL OR reset_after_seconds >= 0),
        read_at TEXT NOT NULL
      );

      CREATE TABLE login_failures (
        endpoint TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        source TEXT NOT NULL
      );
      CREATE INDEX login_failures_endpoint ON login_failures (endpoint, at_ms);
    `);
  },
};
