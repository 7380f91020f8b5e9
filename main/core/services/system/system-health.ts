import type { Database, Statement } from 'better-sqlite3';

export interface CoreProblem {
  key: string;
  message: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

const LOG_EVERY_MS = 60_000;

/**
 * Failures of EdgeCab's own background work (a timer, a stream, a receiver):
 * each is logged (at most once a minute per kind) and kept as a problem of
 * EdgeCab itself that the alarm console shows, instead of ending the
 * process. A kind that works again clears itself.
 */
export class SystemHealth {
  private readonly lastLogged = new Map<string, number>();
  /** Also kept in memory: the database may be what fails (busy, full disk), and the problem must still show. */
  private readonly current = new Map<string, CoreProblem>();
  private readonly statements: Record<'upsert' | 'clear' | 'list', Statement> | null;

  constructor(
    db: Database | null,
    private readonly now: () => Date,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {
    this.statements = db
      ? {
          upsert: db.prepare(
            `INSERT INTO core_problems (key, message, count, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)
             ON CONFLICT (key) DO UPDATE SET message = excluded.message, count = core_problems.count + 1, last_seen = excluded.last_seen`,
          ),
          clear: db.prepare('DELETE FROM core_problems WHERE key = ?'),
          list: db.prepare('SELECT key, message, count, first_seen AS firstSeen, last_seen AS lastSeen FROM core_problems ORDER BY last_seen DESC LIMIT 100'),
        }
      : null;
  }

  /** Records a failure of `what`; never throws (it is what catches). */
  report(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const at = this.now();
    const known = this.current.get(what);
    this.current.set(what, { key: what, message: message.slice(0, 1000), count: (known?.count ?? 0) + 1, firstSeen: known?.firstSeen ?? at.toISOString(), lastSeen: at.toISOString() });
    try {
      this.statements?.upsert.run(what, message.slice(0, 1000), at.toISOString(), at.toISOString());
    } catch {
      // The database itself may be what failed: the log line still goes out.
    }
    const last = this.lastLogged.get(what) ?? 0;
    if (at.getTime() - last >= LOG_EVERY_MS) {
      this.lastLogged.set(what, at.getTime());
      this.log(`edgecab core: ${what} failed: ${message}`);
    }
  }

  cleared(what: string): void {
    this.current.delete(what);
    try {
      this.statements?.clear.run(what);
    } catch {
      // Best effort.
    }
  }

  /** Problems now: those of this run (in memory) and those recorded by earlier runs not cleared since. */
  problems(): CoreProblem[] {
    let stored: CoreProblem[] = [];
    try {
      stored = (this.statements?.list.all() as CoreProblem[] | undefined) ?? [];
    } catch {
      // The database is what fails: what is in memory still shows.
    }
    const merged = new Map(stored.map((problem) => [problem.key, problem]));
    for (const problem of this.current.values()) merged.set(problem.key, problem);
    return [...merged.values()].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  }
}
