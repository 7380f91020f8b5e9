import type { Database } from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database) => void;
  /**
   * Rebuilding a table others reference needs foreign keys off around the
   * transaction (SQLite's documented procedure); they are checked after.
   */
  readonly disableForeignKeys?: boolean;
}

export class DatabaseTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `The database ${file} has schema version ${found}, written by a newer EdgeCab; this build knows up to version ${known}. ` +
        'Upgrade EdgeCab, or start it with another data directory (--data-dir). The database was not changed.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(list: readonly Migration[]): number {
  return list.at(-1)?.version ?? 0;
}

/**
 * Applies the migrations the database has not seen yet, each in its own
 * transaction together with the version bump, so a failure leaves the
 * database at the last good version.
 */
export function migrate(db: Database, list: readonly Migration[], upTo = latestVersion(list)): number {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
  const current = schemaVersion(db);
  const known = latestVersion(list);
  if (current > known) throw new DatabaseTooNewError(db.name, current, known);
  for (const migration of list) {
    if (migration.version <= current || migration.version > upTo) continue;
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    if (migration.disableForeignKeys) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        migration.up(db);
        if (migration.disableForeignKeys) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`Migration "${migration.name}" left ${broken.length} broken references`);
        }
        db.pragma(`user_version = ${migration.version}`);
      })();
    } finally {
      if (migration.disableForeignKeys) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
  }
  return schemaVersion(db);
}
