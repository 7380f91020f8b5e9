import type { Database } from 'better-sqlite3';
import type { z } from 'zod';

/** One named setting's stored text, or null when it was never set. */
export function readSetting(db: Database, key: string): string | null {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
}

export function writeSetting(db: Database, key: string, value: string, at: Date): void {
  db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(key, value, at.toISOString());
}

/** A JSON setting checked against its schema; the fallback when it is missing or no longer valid. */
export function readJsonSetting<T>(db: Database, key: string, schema: z.ZodType<T>, fallback: T): T {
  const stored = readSetting(db, key);
  const parsed = stored === null ? null : schema.safeParse(JSON.parse(stored));
  return parsed?.success ? parsed.data : fallback;
}
