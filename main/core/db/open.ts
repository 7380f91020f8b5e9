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

/** Distinct statements kept prepared; the code has a few hundred, so this only bounds SQL built from data. */
const STATEMENT_CACHE_SIZE = 2000;

type StatementMode = 'plain' | 'pluck' | 'raw' | 'expand';

/**
 * db.prepare keeps what it prepared, by SQL text: the code prepares its
 * statements where it uses them, and at thousands of polls a minute
 * preparing them again was a twentieth of the monitor's time. A kept
 * statement is shared by every caller of its SQL, so its mode must never
 * change under one of them: pluck(), raw() and expand() on it answer
 * another kept statement of the same SQL in that mode (every call site
 * chains them, `db.prepare(sql).pluck().get()`), and it stays as it was.
 * A statement in use (an iterate() not finished) is never handed out
 * twice: the caller gets one of its own. SQLite prepares a kept statement
 * again by itself when the schema changes.
 */
function reuseStatements(db: Database): void {
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const kept = new Map<string, Statement>();
  const statement = (sql: string, mode: StatementMode): Statement => {
    const key = `${mode}\u0000${sql}`;
    const known = kept.get(key);
    if (known && !known.busy) return known;
    const fresh = prepare(sql);
    if (mode !== 'plain') fresh[mode](true);
    // Only a kept statement is shared; one made because the kept one is busy is the caller's own to change.
    if (known || kept.size >= STATEMENT_CACHE_SIZE) return fresh;
    const shared = fresh as Statement & Record<Exclude<StatementMode, 'plain'>, (toggle?: boolean) => Statement>;
    for (const each of ['pluck', 'raw', 'expand'] as const) shared[each] = (toggle = true) => statement(sql, toggle ? each : 'plain');
    kept.set(key, fresh);
    return fresh;
  };
  db.prepare = ((sql: string) => statement(sql, 'plain')) as Database['prepare'];
}
