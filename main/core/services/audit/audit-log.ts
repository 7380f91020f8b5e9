import type { Database, Statement } from 'better-sqlite3';
import type { z } from 'zod';
import type { AuditEntry, AuditListQuery } from '../../../../shared/domain/audit.js';

export interface AuditRecord {
  actor: string;
  /** Through what the actor came: a session and its address, a token, the desktop, the CLI. */
  via?: string | null;
  operation: string;
  target: string | null;
  outcome: 'ok' | 'error';
  errorCode: string | null;
  detail: string | null;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  operation: string;
  target: string | null;
  outcome: 'ok' | 'error';
  error_code: string | null;
  detail: string | null;
  via: string | null;
}

export class AuditLog {
  private readonly insert: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare(
      'INSERT INTO audit_log (at, actor, operation, target, outcome, error_code, detail, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  record(entry: AuditRecord): void {
    this.insert.run(
      this.now().toISOString(),
      entry.actor,
      entry.operation,
      entry.target,
      entry.outcome,
      entry.errorCode,
      entry.detail,
      entry.via ?? null,
    );
  }

  list(query: z.output<typeof AuditListQuery>): { items: AuditEntry[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.operation) {
      where.push('operation = ?');
      params.push(query.operation);
    }
    if (query.outcome) {
      where.push('outcome = ?');
      params.push(query.outcome);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit_log ${clause}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as AuditRow[];
    return {
      total,
      items: rows.map((row) => ({
        id: row.id,
        at: row.at,
        actor: row.actor,
        operation: row.operation,
        target: row.target,
        outcome: row.outcome,
        errorCode: row.error_code,
        detail: row.detail,
        via: row.via,
      })),
    };
  }
}
