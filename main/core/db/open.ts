import BetterSqlite3, { type Database } from 'better-sqlite3';
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
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
