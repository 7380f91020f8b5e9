import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What "nothing was written" means for the fuzz, table by table: a digest of
 * every row of every table, plus the files of the data directory.
 *
 * Row digests rather than row counts or PRAGMA data_version: counts miss an
 * UPDATE, and data_version changes with any write, including the ones a
 * rejected call is meant to make (its own audit row). Excluded, and why:
 *  - audit_log: every mutating call writes its outcome there, rejected or not;
 *  - api_tokens.last_used_at, sessions.last_seen_at: touched by signing in
 *    (at most once a minute per token), which is not the call's doing;
 *  - settings monitor.rollup.*: the monitor's compaction watermarks (it does not run here,
 *    but a background writer must not read as a write of the call).
 * The SQLite files themselves are not compared as files (WAL checkpoints move bytes).
 */
const SKIPPED_TABLES = new Set(['audit_log']);
const VOLATILE_COLUMNS: Record<string, readonly string[]> = { api_tokens: ['last_used_at'], sessions: ['last_seen_at'] };
const VOLATILE_SETTINGS = /^monitor\.rollup\./;

export type Snapshot = ReadonlyMap<string, string>;

export class DatabaseSnapshots {
  constructor(
    private readonly db: Database,
    private readonly dataDir: string,
  ) {}

  private tables(): string[] {
    return (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]).filter((name) => !SKIPPED_TABLES.has(name));
  }

  take(): Snapshot {
    const digests = new Map<string, string>();
    for (const table of this.tables()) {
      const volatile = VOLATILE_COLUMNS[table] ?? [];
      const rows = this.db.prepare(`SELECT * FROM "${table}"`).raw(false).all() as Record<string, unknown>[];
      const lines = rows
        .filter((row) => table !== 'settings' || !VOLATILE_SETTINGS.test(String(row.key)))
        .map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !volatile.includes(column)).map(([column, value]) => [column, Buffer.isBuffer(value) ? createHash('sha1').update(value).digest('hex') : value])))
        .sort();
      digests.set(`table ${table}`, `${rows.length}:${createHash('sha1').update(lines.join('\n')).digest('hex')}`);
    }
    for (const file of listFiles(this.dataDir)) digests.set(`file ${relative(this.dataDir, file.path)}`, String(file.size));
    return digests;
  }

  /** What differs between two snapshots: "table sites", "file tiles/incoming/x.upload"… */
  static diff(before: Snapshot, after: Snapshot): string[] {
    const changed: string[] = [];
    for (const [key, value] of after) if (before.get(key) !== value) changed.push(before.has(key) ? key : `${key} (new)`);
    for (const key of before.keys()) if (!after.has(key)) changed.push(`${key} (gone)`);
    return changed;
  }
}

function listFiles(dir: string, out: { path: string; size: number }[] = []): { path: string; size: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    // The database and its journal change with every audit row.
    if (/^edgecab\.sqlite(-wal|-shm|-journal)?$/.test(name)) continue;
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) listFiles(path, out);
    else out.push({ path, size: stat.size });
  }
  return out;
}
