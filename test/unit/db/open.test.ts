/**
 * The database is opened so a commit is on disk before it returns
 * (synchronous = FULL in WAL mode): a credential recorded before a device is
 * told survives a power cut. Foreign keys are on and a busy database is
 * waited for.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../../main/core/db/open.js';
import { tempDir } from '../../support/core.js';

describe('opening the database', () => {
  it('uses WAL with synchronous FULL, foreign keys and a busy timeout', () => {
    const dir = tempDir();
    try {
      const db = openDatabase(join(dir.dir, 'edgecab.sqlite'));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      db.close();
    } finally {
      dir.cleanup();
    }
  });
});
