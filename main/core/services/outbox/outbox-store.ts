import type { Database, Statement } from 'better-sqlite3';

export type OutboxState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface OutboxRow {
  id: number;
  site_id: string;
  action: string;
  payload: string;
  group_id: string | null;
  state: OutboxState;
  attempts: number;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  offline_since: string | null;
  last_error: string | null;
  outcome: string | null;
  queued_by: string | null;
}

/** The outbox's SQL. */
export class OutboxStore {
  private readonly statements: {
    insert: Statement<[string, string, string, string | null, string, string | null]>;
    get: Statement<[number], OutboxRow>;
    next: Statement<[string], OutboxRow>;
    sitesWaiting: Statement<[], { site_id: string }>;
    start: Statement<[string, number]>;
    requeue: Statement<[string | null, string, number]>;
    waiting: Statement<[string, string, number]>;
    finish: Statement<[OutboxState, string, string | null, string | null, number]>;
    recover: Statement<[]>;
    cancelGroup: Statement<[string, string]>;
    list: Statement<[{ site: string | null; group: string | null; limit: number }], OutboxRow>;
  };

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare("INSERT INTO outbox (site_id, action, payload, group_id, state, queued_at, queued_by) VALUES (?, ?, ?, ?, 'queued', ?, ?)"),
      get: db.prepare('SELECT * FROM outbox WHERE id = ?'),
      // The site's oldest open action: the only one that may run.
      next: db.prepare("SELECT * FROM outbox WHERE site_id = ? AND state IN ('queued', 'running') ORDER BY id LIMIT 1"),
      sitesWaiting: db.prepare("SELECT DISTINCT site_id FROM outbox WHERE state = 'queued'"),
      start: db.prepare("UPDATE outbox SET state = 'running', attempts = attempts + 1, started_at = ?, offline_since = NULL WHERE id = ? AND state = 'queued'"),
      requeue: db.prepare("UPDATE outbox SET state = 'queued', offline_since = COALESCE(offline_since, ?), last_error = ? WHERE id = ? AND state = 'running'"),
      waiting: db.prepare("UPDATE outbox SET offline_since = COALESCE(offline_since, ?), last_error = ? WHERE id = ? AND state = 'queued'"),
      finish: db.prepare("UPDATE outbox SET state = ?, finished_at = ?, outcome = ?, last_error = ? WHERE id = ? AND state IN ('queued', 'running')"),
      // A process that died mid-action left it running: it runs again (actions are written to be repeatable).
      recover: db.prepare("UPDATE outbox SET state = 'queued', last_error = 'EdgeCab stopped while this ran; it runs again' WHERE state = 'running'"),
      cancelGroup: db.prepare("UPDATE outbox SET state = 'cancelled', finished_at = ? WHERE group_id = ? AND state = 'queued'"),
      list: db.prepare('SELECT * FROM outbox WHERE (@site IS NULL OR site_id = @site) AND (@group IS NULL OR group_id = @group) ORDER BY id DESC LIMIT @limit'),
    };
  }

  insert(siteId: string, action: string, payload: unknown, groupId: string | null, at: string, by: string | null): number {
    return Number(this.statements.insert.run(siteId, action, JSON.stringify(payload), groupId, at, by).lastInsertRowid);
  }

  get(id: number): OutboxRow | undefined {
    return this.statements.get.get(id);
  }

  next(siteId: string): OutboxRow | undefined {
    return this.statements.next.get(siteId);
  }

  sitesWaiting(): string[] {
    return this.statements.sitesWaiting.all().map((row) => row.site_id);
  }

  start(id: number, at: string): boolean {
    return this.statements.start.run(at, id).changes > 0;
  }

  requeue(id: number, at: string | null, error: string): void {
    this.statements.requeue.run(at, error, id);
  }

  markWaiting(id: number, since: string, error: string): void {
    this.statements.waiting.run(since, error, id);
  }

  finish(id: number, state: 'done' | 'failed' | 'cancelled', at: string, outcome: unknown, error: string | null): boolean {
    return this.statements.finish.run(state, at, outcome === undefined ? null : JSON.stringify(outcome), error, id).changes > 0;
  }

  recover(): number {
    return this.statements.recover.run().changes;
  }

  cancelGroup(groupId: string, at: string): number {
    return this.statements.cancelGroup.run(at, groupId).changes;
  }

  list(siteId: string | null, groupId: string | null, limit: number): OutboxRow[] {
    return this.statements.list.all({ site: siteId, group: groupId, limit });
  }
}
