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

  it('keeps prepared statements by SQL text, and a mode one caller sets never changes the statement another holds', () => {
    const db = openDatabase(':memory:');
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t (name) VALUES (\'a\'), (\'b\')');
      const sql = 'SELECT name FROM t ORDER BY id';
      const plain = db.prepare(sql);
      expect(db.prepare(sql)).toBe(plain);
      const plucked = db.prepare(sql).pluck();
      expect(plucked).not.toBe(plain);
      expect(plucked.all()).toEqual(['a', 'b']);
      // The plain one, kept by its holder, still answers rows; a later plain prepare is the same one again.
      expect(plain.all()).toEqual([{ name: 'a' }, { name: 'b' }]);
      expect(db.prepare(sql)).toBe(plain);
      expect(db.prepare(sql).pluck()).toBe(plucked);
      expect(db.prepare(sql).raw().all()).toEqual([['a'], ['b']]);
      expect(plucked.all()).toEqual(['a', 'b']);
      // A statement being iterated is not handed out again: the nested caller gets its own.
      const names: unknown[] = [];
      for (const row of plain.iterate()) names.push([row, db.prepare(sql).all().length]);
      expect(names).toEqual([[{ name: 'a' }, 2], [{ name: 'b' }, 2]]);
      // Writes too.
      const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
      expect(db.prepare('INSERT INTO t (name) VALUES (?)')).toBe(insert);
      insert.run('c');
      expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(3);
    } finally {
      db.close();
    }
  });
});
