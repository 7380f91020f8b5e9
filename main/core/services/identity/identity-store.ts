import type { Database, Statement } from 'better-sqlite3';
import type { Grant, Role } from '../../../../shared/domain/access.js';

export interface UserRow {
  id: string;
  name: string;
  display_name: string | null;
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
  password_changed_at: string;
}

export interface SessionRow {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  address: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scope: Role;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The SQL of users, grants, sessions and tokens, each statement prepared once. */
export class IdentityStore {
  private readonly statements: Record<string, Statement>;

  constructor(private readonly db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.statements = {
      userCount: prepare('SELECT count(*) FROM users').pluck(),
      userById: prepare('SELECT * FROM users WHERE id = ?'),
      userByName: prepare('SELECT * FROM users WHERE name = ?'),
      users: prepare('SELECT * FROM users ORDER BY name COLLATE NOCASE'),
      insertUser: prepare('INSERT INTO users (id, name, display_name, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?)'),
      setPassword: prepare('UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?'),
      setDisabled: prepare('UPDATE users SET disabled_at = ? WHERE id = ?'),
      setDisplayName: prepare('UPDATE users SET display_name = ? WHERE id = ?'),
      grants: prepare('SELECT role, region_id AS regionId FROM user_grants WHERE user_id = ? ORDER BY region_id IS NOT NULL, region_id, role'),
      deleteGrants: prepare('DELETE FROM user_grants WHERE user_id = ?'),
      insertGrant: prepare('INSERT OR IGNORE INTO user_grants (user_id, role, region_id) VALUES (?, ?, ?)'),
      regionExists: prepare('SELECT 1 FROM regions WHERE id = ?').pluck(),
      activeAdmins: prepare(
        "SELECT count(DISTINCT u.id) FROM users u JOIN user_grants g ON g.user_id = u.id WHERE g.role = 'administrator' AND g.region_id IS NULL AND u.disabled_at IS NULL AND u.id != ?",
      ).pluck(),
      insertSession: prepare('INSERT INTO sessions (token_hash, user_id, csrf_token, address, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      session: prepare('SELECT * FROM sessions WHERE token_hash = ?'),
      touchSession: prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?'),
      deleteSession: prepare('DELETE FROM sessions WHERE token_hash = ?'),
      deleteUserSessions: prepare('DELETE FROM sessions WHERE user_id = ?'),
      deleteStaleSessions: prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?'),
      insertToken: prepare('INSERT INTO api_tokens (id, user_id, name, token_hash, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      tokenByHash: prepare('SELECT * FROM api_tokens WHERE token_hash = ?'),
      tokenById: prepare('SELECT * FROM api_tokens WHERE id = ?'),
      tokens: prepare('SELECT * FROM api_tokens ORDER BY created_at DESC'),
      userTokens: prepare('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC'),
      touchToken: prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
      spendSetting: prepare('DELETE FROM settings WHERE key = ? AND value = ?'),
      revokeToken: prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    };
  }

  userCount(): number {
    return this.statements.userCount!.get() as number;
  }

  user(id: string): UserRow | undefined {
    return this.statements.userById!.get(id) as UserRow | undefined;
  }

  userByName(name: string): UserRow | undefined {
    return this.statements.userByName!.get(name) as UserRow | undefined;
  }

  users(): UserRow[] {
    return this.statements.users!.all() as UserRow[];
  }

  insertUser(row: Pick<UserRow, 'id' | 'name' | 'display_name' | 'password_hash'>, at: string, grants: readonly Grant[]): void {
    this.db.transaction(() => {
      this.statements.insertUser!.run(row.id, row.name, row.display_name, row.password_hash, at, at);
      this.replaceGrants(row.id, grants);
    })();
  }

  /**
   * The first user, only while there is none; false when someone exists. An
   * immediate transaction takes the write lock before counting, so another
   * process cannot insert between the count and the insert.
   */
  insertFirstUser(row: Pick<UserRow, 'id' | 'name' | 'display_name' | 'password_hash'>, at: string, grants: readonly Grant[]): boolean {
    return this.db
      .transaction(() => {
        if (this.userCount() > 0) return false;
        this.statements.insertUser!.run(row.id, row.name, row.display_name, row.password_hash, at, at);
        this.replaceGrants(row.id, grants);
        return true;
      })
      .immediate();
  }

  /** Deletes a setting only if it still holds this value: 1 for the one caller that spent it, 0 for everyone else. */
  spendSetting(key: string, value: string): number {
    return this.statements.spendSetting!.run(key, value).changes;
  }

  /** Ends every session of a user (their password, roles or standing changed). */
  endSessions(userId: string): void {
    this.statements.deleteUserSessions!.run(userId);
  }

  setPassword(id: string, hash: string, at: string): void {
    this.db.transaction(() => {
      this.statements.setPassword!.run(hash, at, id);
      this.statements.deleteUserSessions!.run(id);
    })();
  }

  setDisabled(id: string, at: string | null): void {
    this.db.transaction(() => {
      this.statements.setDisabled!.run(at, id);
      if (at) this.statements.deleteUserSessions!.run(id);
    })();
  }

  setDisplayName(id: string, name: string | null): void {
    this.statements.setDisplayName!.run(name, id);
  }

  grants(userId: string): Grant[] {
    return this.statements.grants!.all(userId) as Grant[];
  }

  /** The positions of grants on regions that do not exist (the foreign key would refuse them mid-write). */
  grantsOnMissingRegions(grants: readonly Grant[]): number[] {
    return grants.flatMap((grant, index) => (grant.regionId !== null && this.statements.regionExists!.get(grant.regionId) === undefined ? [index] : []));
  }

  replaceGrants(userId: string, grants: readonly Grant[]): void {
    this.db.transaction(() => {
      this.statements.deleteGrants!.run(userId);
      for (const grant of grants) this.statements.insertGrant!.run(userId, grant.role, grant.regionId);
    })();
  }

  /** Enabled administrators of every region other than `exceptUserId`: the last one may not lock everyone out. */
  otherRootAdministrators(exceptUserId: string): number {
    return this.statements.activeAdmins!.get(exceptUserId) as number;
  }

  insertSession(row: SessionRow): void {
    this.statements.insertSession!.run(row.token_hash, row.user_id, row.csrf_token, row.address, row.created_at, row.last_seen_at, row.expires_at);
  }

  session(tokenHash: string): SessionRow | undefined {
    return this.statements.session!.get(tokenHash) as SessionRow | undefined;
  }

  touchSession(tokenHash: string, at: string): void {
    this.statements.touchSession!.run(at, tokenHash);
  }

  deleteSession(tokenHash: string): void {
    this.statements.deleteSession!.run(tokenHash);
  }

  deleteStaleSessions(nowIso: string, idleBeforeIso: string): number {
    return this.statements.deleteStaleSessions!.run(nowIso, idleBeforeIso).changes;
  }

  insertToken(row: Omit<TokenRow, 'last_used_at' | 'revoked_at'>): void {
    this.statements.insertToken!.run(row.id, row.user_id, row.name, row.token_hash, row.scope, row.created_at, row.expires_at);
  }

  tokenByHash(hash: string): TokenRow | undefined {
    return this.statements.tokenByHash!.get(hash) as TokenRow | undefined;
  }

  token(id: string): TokenRow | undefined {
    return this.statements.tokenById!.get(id) as TokenRow | undefined;
  }

  tokens(userId: string | null): TokenRow[] {
    return (userId ? this.statements.userTokens!.all(userId) : this.statements.tokens!.all()) as TokenRow[];
  }

  touchToken(id: string, at: string): void {
    this.statements.touchToken!.run(at, id);
  }

  revokeToken(id: string, at: string): boolean {
    return this.statements.revokeToken!.run(at, id).changes === 1;
  }
}
