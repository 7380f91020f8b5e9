import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import { atLeast, higherRole, type Grant, type PrincipalView, type Role } from '../../../../shared/domain/access.js';
import type { PasswordChange, TokenCreate, TokenCreated, TokenView, UserCreate, UserUpdate, UserView } from '../../../../shared/domain/identity.js';
import { readSetting, writeSetting } from '../../db/settings.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import { IdentityStore, type TokenRow, type UserRow } from './identity-store.js';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { SignInThrottle } from './throttle.js';

export const SESSION_IDLE_MS = 2 * 3600_000;
export const SESSION_MAX_MS = 12 * 3600_000;
const TOUCH_EVERY_MS = 60_000;
const SETUP_SETTING = 'identity.setup-token';
const TOKEN_PREFIX = 'ecb_';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const randomToken = () => randomBytes(32).toString('base64url');

/** Why a sign-in did not work; the server answers 401 or 429 with it. */
export class SignInRefused extends Error {
  constructor(
    /** busy: other sign-ins of this account or from this address are being checked right now. */
    readonly reason: 'invalid' | 'throttled' | 'busy',
    readonly retryAfterSeconds = 0,
  ) {
    super(
      reason === 'throttled'
        ? `Too many failed sign-ins; try again in ${retryAfterSeconds} s`
        : reason === 'busy'
          ? `Another sign-in of this account or from this address is being checked; try again in ${retryAfterSeconds} s`
          : 'Wrong user name or password',
    );
    this.name = 'SignInRefused';
  }
}

export interface SessionGrant {
  principal: PrincipalView;
  csrfToken: string;
  tokenHash: string;
}

/** The same grants in any order and with repeats compare equal. */
function grantKey(grants: readonly Grant[]): string {
  return [...new Set(grants.map((grant) => `${grant.role}@${grant.regionId ?? '*'}`))].sort().join(',');
}

/** The most a token may do: its user's grants, each capped at the token's scope. */
function capped(grants: readonly Grant[], scope: Role): Grant[] {
  return grants.map((grant) => ({ regionId: grant.regionId, role: atLeast(scope, grant.role) ? grant.role : scope }));
}

/**
 * Users, their roles per region, sign-in sessions and API tokens. Passwords
 * are scrypt hashes; session and token secrets are stored as hashes only, so
 * the database never holds anything that signs someone in.
 */
export class IdentityService {
  readonly throttle: SignInThrottle;
  private readonly store: IdentityStore;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {
    this.store = new IdentityStore(db);
    this.throttle = new SignInThrottle(() => this.now().getTime());
  }

  hasUsers(): boolean {
    return this.store.userCount() > 0;
  }

  // ── setup ───────────────────────────────────────────────────────────────

  /**
   * A new one-time setup token while no user exists (null afterwards); a
   * restart makes a new one, so a token printed long ago stops working.
   */
  issueSetupToken(): string | null {
    if (this.hasUsers()) return null;
    const token = randomToken();
    writeSetting(this.db, SETUP_SETTING, sha256(token), this.now());
    return token;
  }

  private setupTokenValid(token: string): boolean {
    const stored = readSetting(this.db, SETUP_SETTING);
    if (!stored || this.hasUsers()) return false;
    const given = Buffer.from(sha256(token));
    const expected = Buffer.from(stored);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * Creates the first administrator with the token printed at start; the
   * token is then spent. It is spent before the (slow, awaited) password
   * hash, in one statement that only one caller can win, and the user is
   * inserted only while nobody exists: two requests with the same link, or
   * a `users add` from another process meanwhile, cannot make two.
   */
  async completeSetup(token: string, name: string, password: string): Promise<UserView> {
    const invalid = () => new InvalidInputError([{ field: 'token', code: 'invalid', message: 'This setup link is not valid (it was used, or EdgeCab restarted and printed a new one)' }]);
    if (!this.setupTokenValid(token)) throw invalid();
    const input = { name, displayName: null, password, grants: [{ role: 'administrator' as const, regionId: null }] };
    // Mistakes in what was typed are found before the link is spent, so the same link can be used again.
    this.checkNewUser(input);
    if (this.store.spendSetting(SETUP_SETTING, sha256(token)) !== 1) throw invalid();
    const id = randomUUID();
    const inserted = this.store.insertFirstUser({ id, name: input.name, display_name: null, password_hash: await hashPassword(input.password) }, this.now().toISOString(), input.grants);
    if (!inserted) throw invalid();
    return this.user(id);
  }

  // ── users ───────────────────────────────────────────────────────────────

  private view(row: UserRow): UserView {
    return {
      id: row.id,
      name: row.name,
      displayName: row.display_name,
      disabled: row.disabled_at !== null,
      grants: this.store.grants(row.id),
      createdAt: row.created_at,
      passwordChangedAt: row.password_changed_at,
    };
  }

  private requireUser(id: string): UserRow {
    const row = this.store.user(id);
    if (!row) throw new NotFoundError('user', id);
    return row;
  }

  listUsers(): UserView[] {
    return this.store.users().map((row) => this.view(row));
  }

  user(id: string): UserView {
    return this.view(this.requireUser(id));
  }

  userByName(name: string): UserView | null {
    const row = this.store.userByName(name);
    return row ? this.view(row) : null;
  }

  private checkPassword(password: string, name: string, field = 'password'): void {
    const problem = passwordProblem(password, name);
    if (problem) throw new InvalidInputError([{ field, code: 'weak_password', message: problem }]);
  }

  /** Grants name regions that exist: a missing one is the caller's mistake (400), not a failed write (500). */
  private checkGrants(grants: readonly Grant[]): void {
    const missing = this.store.grantsOnMissingRegions(grants);
    if (missing.length > 0) throw new InvalidInputError(missing.map((index) => ({ field: `grants.${index}.regionId`, code: 'not_found', message: `No region with id ${grants[index]!.regionId}` })));
  }

  private checkNewUser(input: z.output<typeof UserCreate>): void {
    if (this.store.userByName(input.name)) throw new ConflictError(`A user named "${input.name}" exists`, 'name');
    this.checkPassword(input.password, input.name);
    this.checkGrants(input.grants);
  }

  async createUser(input: z.output<typeof UserCreate>): Promise<UserView> {
    this.checkNewUser(input);
    const id = randomUUID();
    this.store.insertUser({ id, name: input.name, display_name: input.displayName, password_hash: await hashPassword(input.password) }, this.now().toISOString(), input.grants);
    return this.user(id);
  }

  /** The change would leave nobody able to manage users: refused. */
  private keepAnAdministrator(id: string, after: { disabled: boolean; grants: readonly Grant[] }): void {
    const stillRootAdmin = !after.disabled && after.grants.some((grant) => grant.role === 'administrator' && grant.regionId === null);
    if (!stillRootAdmin && this.store.otherRootAdministrators(id) === 0) {
      throw new ConflictError('This is the last administrator of every region; make someone else one first', 'grants');
    }
  }

  updateUser(input: z.output<typeof UserUpdate>): UserView {
    const row = this.requireUser(input.id);
    const current = this.view(row);
    const next = { disabled: input.disabled ?? current.disabled, grants: input.grants ?? current.grants };
    if (input.grants) this.checkGrants(input.grants);
    this.keepAnAdministrator(row.id, next);
    // New roles end the user's sessions, as a new password does: whoever holds one signs in again under the new roles.
    const grantsChanged = input.grants !== undefined && grantKey(input.grants) !== grantKey(current.grants);
    this.db.transaction(() => {
      if (input.displayName !== undefined) this.store.setDisplayName(row.id, input.displayName);
      if (input.grants) this.store.replaceGrants(row.id, input.grants);
      if (grantsChanged) this.store.endSessions(row.id);
      if (input.disabled !== undefined && input.disabled !== current.disabled) this.store.setDisabled(row.id, input.disabled ? this.now().toISOString() : null);
    })();
    return this.user(row.id);
  }

  /** A new password ends every session of the user. Users changing their own prove the current one. */
  async setPassword(input: z.output<typeof PasswordChange>, actingUserId: string | null, actingIsAdmin: boolean): Promise<UserView> {
    const row = this.requireUser(input.id);
    if (!actingIsAdmin || actingUserId === row.id) {
      if (actingUserId !== row.id) throw new NotFoundError('user', input.id);
      if (!input.currentPassword || !(await verifyPassword(input.currentPassword, row.password_hash))) {
        throw new InvalidInputError([{ field: 'currentPassword', code: 'invalid', message: 'The current password is not right' }]);
      }
    }
    this.checkPassword(input.password, row.name);
    this.store.setPassword(row.id, await hashPassword(input.password), this.now().toISOString());
    return this.user(row.id);
  }

  principalOf(userId: string): PrincipalView | null {
    const row = this.store.user(userId);
    if (!row || row.disabled_at) return null;
    return { kind: 'user', userId: row.id, name: row.name, grants: this.store.grants(row.id) };
  }

  // ── sessions ────────────────────────────────────────────────────────────

  /**
   * Checks the password (throttled per account and address) and opens a
   * session; the token goes in a cookie only. The attempt is counted as a
   * failure before the (slow) check and taken back if it succeeds, and only
   * a few checks run at once, so parallel guesses get no more tries than
   * sequential ones.
   */
  async signIn(name: string, password: string, address: string): Promise<{ token: string; csrfToken: string; user: UserView }> {
    const admission = this.throttle.begin(name, address);
    if (!admission.admitted) throw new SignInRefused(admission.reason === 'busy' ? 'busy' : 'throttled', admission.retryAfterSeconds);
    const { attempt } = admission;
    let row: UserRow | undefined;
    let ok: boolean;
    try {
      row = this.store.userByName(name);
      ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    } catch (error) {
      // A check that failed counts like a wrong password, and frees its slot.
      attempt.failed();
      throw error;
    }
    if (!row || !ok || row.disabled_at) {
      const after = attempt.failed();
      throw after > 0 ? new SignInRefused('throttled', after) : new SignInRefused('invalid');
    }
    attempt.succeeded();
    const token = randomToken();
    const csrfToken = randomToken();
    const at = this.now();
    this.store.insertSession({
      token_hash: sha256(token),
      user_id: row.id,
      csrf_token: csrfToken,
      address,
      created_at: at.toISOString(),
      last_seen_at: at.toISOString(),
      expires_at: new Date(at.getTime() + SESSION_MAX_MS).toISOString(),
    });
    this.store.deleteStaleSessions(at.toISOString(), new Date(at.getTime() - SESSION_IDLE_MS).toISOString());
    return { token, csrfToken, user: this.view(row) };
  }

  /**
   * The session's principal, or null when it is unknown, idle too long, past
   * its absolute expiry, or its user is disabled. `touch: false` only looks
   * (a long-lived stream re-checking its caller is not activity that keeps
   * an idle session alive).
   */
  session(token: string, options: { touch?: boolean } = {}): SessionGrant | null {
    if (!token || token.length > 200) return null;
    const tokenHash = sha256(token);
    const row = this.store.session(tokenHash);
    if (!row) return null;
    const now = this.now().getTime();
    if (Date.parse(row.expires_at) <= now || Date.parse(row.last_seen_at) + SESSION_IDLE_MS <= now) {
      this.store.deleteSession(tokenHash);
      return null;
    }
    const principal = this.principalOf(row.user_id);
    if (!principal) return null;
    if (options.touch !== false && now - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) this.store.touchSession(tokenHash, new Date(now).toISOString());
    return { principal, csrfToken: row.csrf_token, tokenHash };
  }

  signOut(token: string): void {
    this.store.deleteSession(sha256(token));
  }

  // ── API tokens ──────────────────────────────────────────────────────────

  private tokenView(row: TokenRow): TokenView {
    return {
      id: row.id,
      userId: row.user_id,
      userName: this.store.user(row.user_id)?.name ?? '?',
      name: row.name,
      scope: row.scope,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
    };
  }

  createToken(userId: string, input: z.output<typeof TokenCreate>): z.infer<typeof TokenCreated> {
    const user = this.requireUser(userId);
    const best = this.store.grants(user.id).reduce<Role | null>((role, grant) => higherRole(role, grant.role), null);
    if (!best || !atLeast(best, input.scope)) {
      throw new InvalidInputError([{ field: 'scope', code: 'too_broad', message: `A token cannot do more than its user (${best ?? 'no role'})` }]);
    }
    const token = `${TOKEN_PREFIX}${randomToken()}`;
    const at = this.now();
    const row = {
      id: randomUUID(),
      user_id: user.id,
      name: input.name,
      token_hash: sha256(token),
      scope: input.scope,
      created_at: at.toISOString(),
      expires_at: input.expiresInDays === null ? null : new Date(at.getTime() + input.expiresInDays * 86_400_000).toISOString(),
    };
    this.store.insertToken(row);
    return { ...this.tokenView({ ...row, last_used_at: null, revoked_at: null }), token };
  }

  listTokens(userId: string | null): TokenView[] {
    return this.store.tokens(userId).map((row) => this.tokenView(row));
  }

  token(id: string): TokenView {
    const row = this.store.token(id);
    if (!row) throw new NotFoundError('token', id);
    return this.tokenView(row);
  }

  revokeToken(id: string): TokenView {
    if (!this.store.token(id)) throw new NotFoundError('token', id);
    this.store.revokeToken(id, this.now().toISOString());
    return this.token(id);
  }

  /** A bearer token's principal (its user's grants capped at its scope), or null; `touch: false` only looks. */
  tokenPrincipal(token: string, options: { touch?: boolean } = {}): PrincipalView | null {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const row = this.store.tokenByHash(sha256(token));
    const now = this.now();
    if (!row || row.revoked_at || (row.expires_at && Date.parse(row.expires_at) <= now.getTime())) return null;
    const user = this.principalOf(row.user_id);
    if (!user) return null;
    if (options.touch !== false && (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS)) this.store.touchToken(row.id, now.toISOString());
    return { kind: 'token', userId: user.userId, name: `${user.name} (token ${row.name})`, grants: capped(user.grants, row.scope) };
  }
}
