import type { Migration } from '../migrate.js';

export const auditLog: Migration = {
  version: 2,
  name: 'audit log',
  up: (db) => {
    db.exec(`
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        operation TEXT NOT NULL,
        target TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
        error_code TEXT,
        detail TEXT
      );
      CREATE INDEX audit_log_operation ON audit_log (operation, id);
    `);
  },
};
