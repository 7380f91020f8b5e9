import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';

export type { Database } from 'better-sqlite3';

/**
 * Opens (creating if needed) the database and brings its schema up to date.
 * `nativeBinding` points at a better-sqlite3 addon built for another runtime
 * (Electron's utility process), when the default one is built for Node.
 */
export function openDatabase(file: string, nativeBinding?: string): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file, nativeBinding ? { nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before it returns. A credential stored before a device is told must
    // survive a power cut; writes are batched (the monitor commits twice a second), so it costs little.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    reuseStatements(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Distinct SQL texts kept prepared; the code has a few hundred, so this only bounds SQL built from data. */
const STATEMENT_CACHE_SIZE = 2000;

/**
 * db.prepare keeps what it prepared, by SQL text: the code prepares its
 * statements where it uses them, and at thousands of polls a minute
 * preparing them again was a twentieth of the monitor's time. A statement
 * in use (an iterate() not finished) is never handed out twice; each one
 * handed out starts in the default modes whatever a call site set before
 * (pluck, raw, expand, safeIntegers). SQLite prepares a kept statement
 * again by itself when the schema changes.
 */
function reuseStatements(db: Database): void {
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const kept = new Map<string, Statement>();
  const reuse = (sql: string): Statement => {
    const statement = kept.get(sql);
    if (!statement || statement.busy) {
      const fresh = prepare(sql);
      if (!statement && kept.size < STATEMENT_CACHE_SIZE) kept.set(sql, fresh);
      return fresh;
    }
    if (statement.reader) statement.pluck(false).raw(false).expand(false);
    return statement.safeIntegers(false);
  };
  db.prepare = reuse as Database['prepare'];
}
