/**
 * Sessions end after 2 h idle and 12 h in all, whatever the activity; API
 * tokens end at their expiry and when revoked; sign-in from one address is
 * throttled across accounts (20 failures in 15 minutes), so guessing many
 * accounts from one machine is as slow as guessing one. On a clock the test
 * moves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../main/core/index.js';
import { SESSION_IDLE_MS, SESSION_MAX_MS, SignInRefused } from '../../../main/core/services/identity/identity-service.js';
import { SignInThrottle } from '../../../main/core/services/identity/throttle.js';
import { tempCore } from '../../support/core.js';
import { TEST_PASSWORD } from '../../support/auth.js';

const MINUTE = 60_000;

describe('sessions and tokens on a moving clock', () => {
  let now = Date.parse('2026-12-03T08:00:00Z');
  let core: Core;
  let cleanup: () => void;
  afterEach(() => cleanup?.());

  const start = async () => {
    ({ core, cleanup } = tempCore(() => new Date(now)));
    const user = await core.services.identity.createUser({ name: 'ops', displayName: null, password: TEST_PASSWORD, grants: [{ role: 'operator', regionId: null }] });
    return { identity: core.services.identity, user };
  };

  it('ends a session left idle for 2 h, and keeps one in use until 12 h, not a minute more', async () => {
    const { identity } = await start();
    const idle = await identity.signIn('ops', TEST_PASSWORD, '10.0.0.1');
    const busy = await identity.signIn('ops', TEST_PASSWORD, '10.0.0.2');
    now += SESSION_IDLE_MS - MINUTE;
    expect(identity.session(idle.token, { touch: false })).not.toBeNull();
    expect(identity.session(busy.token)).not.toBeNull();
    now += 2 * MINUTE;
    expect(identity.session(idle.token)).toBeNull();
    // Once ended it stays ended, even for a caller that comes back at once.
    now += 1;
    expect(identity.session(idle.token)).toBeNull();
    // Used every hour: alive until its absolute end.
    const started = now - SESSION_IDLE_MS - MINUTE - 1;
    while (now + 60 * MINUTE < started + SESSION_MAX_MS) {
      now += 60 * MINUTE;
      expect(identity.session(busy.token)).not.toBeNull();
    }
    now = started + SESSION_MAX_MS - MINUTE;
    expect(identity.session(busy.token)).not.toBeNull();
    now = started + SESSION_MAX_MS;
    expect(identity.session(busy.token)).toBeNull();
  });

  it('ends a token at its expiry and at once when it is revoked', async () => {
    const { identity, user } = await start();
    const day = identity.createToken(user.id, { name: 'ci', scope: 'viewer', expiresInDays: 1 });
    const forever = identity.createToken(user.id, { name: 'noc', scope: 'viewer', expiresInDays: null });
    now += 24 * 60 * MINUTE - MINUTE;
    expect(identity.tokenPrincipal(day.token)?.name).toBe('ops (token ci)');
    now += MINUTE;
    expect(identity.tokenPrincipal(day.token)).toBeNull();
    now += 400 * 24 * 60 * MINUTE;
    expect(identity.tokenPrincipal(forever.token)).not.toBeNull();
    identity.revokeToken(forever.id);
    expect(identity.tokenPrincipal(forever.token)).toBeNull();
    expect(identity.token(forever.id).revokedAt).not.toBeNull();
  });
});

describe('sign-in throttling per address', () => {
  it('blocks an address after 20 failures across accounts, for every account, and lets it in after the block', () => {
    let now = 0;
    const throttle = new SignInThrottle(() => now);
    const fail = (account: string, address: string) => {
      const admission = throttle.begin(account, address);
      if (!admission.admitted) return admission;
      admission.attempt.failed();
      return admission;
    };
    // 20 accounts, one wrong password each (no account reaches its own limit of 5), from one address.
    for (let index = 0; index < 20; index += 1) {
      expect(fail(`user-${index}`, '203.0.113.9').admitted).toBe(true);
      now += 1_000;
    }
    const blocked = throttle.begin('user-fresh', '203.0.113.9');
    expect(blocked).toMatchObject({ admitted: false, reason: 'blocked' });
    expect(throttle.retryAfter('user-fresh', '203.0.113.9')).toBeGreaterThan(0);
    // Another address is not held back by this one, nor is the account from elsewhere.
    const elsewhere = throttle.begin('user-fresh', '198.51.100.7');
    expect(elsewhere.admitted).toBe(true);
    if (elsewhere.admitted) elsewhere.attempt.succeeded();
    now += 61 * MINUTE;
    expect(throttle.begin('user-fresh', '203.0.113.9').admitted).toBe(true);
  });

  it('says "throttled" with the wait to the caller of signIn once an address is blocked', async () => {
    let now = Date.parse('2026-12-03T08:00:00Z');
    const { core, cleanup } = tempCore(() => new Date(now));
    try {
      const identity = core.services.identity;
      for (let index = 0; index < 21; index += 1) {
        await identity.createUser({ name: `clerk-${index}`, displayName: null, password: TEST_PASSWORD, grants: [{ role: 'viewer', regionId: null }] });
      }
      const outcomes: string[] = [];
      for (let index = 0; index < 21; index += 1) {
        now += 1_000;
        outcomes.push(await identity.signIn(`clerk-${index}`, 'wrong password 1', '203.0.113.9').then(() => 'in', (error: unknown) => (error instanceof SignInRefused ? error.reason : String(error))));
      }
      expect(outcomes.slice(0, 19).every((outcome) => outcome === 'invalid')).toBe(true);
      expect(outcomes.slice(19)).toEqual(['throttled', 'throttled']);
      // Even the right password waits while the address is blocked.
      await expect(identity.signIn('clerk-20', TEST_PASSWORD, '203.0.113.9')).rejects.toMatchObject({ reason: 'throttled' });
      expect((await identity.signIn('clerk-20', TEST_PASSWORD, '198.51.100.7')).user.name).toBe('clerk-20');
    } finally {
      await core.close();
      cleanup();
    }
  });
});
