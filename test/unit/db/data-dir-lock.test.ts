/**
 * The data directory's locks: any number of serving processes share it, a
 * vault rotation needs it alone (refused while anything serves, and nothing
 * starts serving while it runs), and a lock left by a process that is gone
 * does not count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirBusyError, holdExclusiveLock, holdServingLock } from '../../../main/core/db/data-dir-lock.js';
import { tempDir } from '../../support/core.js';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => dir.cleanup()));
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.dir;
};

describe('the data directory lock', () => {
  it('lets servers share the directory and keeps a rotation out while any of them runs', () => {
    const dir = fresh();
    const serve = holdServingLock(dir, 'edgecab serve');
    const lab = holdServingLock(dir, 'edgecab lab');
    expect(() => holdExclusiveLock(dir, 'edgecab vault rotate')).toThrow(DataDirBusyError);
    expect(() => holdExclusiveLock(dir, 'edgecab vault rotate')).toThrow(new RegExp(`EdgeCab is running on .*edgecab serve, pid ${process.pid}.*stop it first`));
    serve.release();
    expect(() => holdExclusiveLock(dir, 'edgecab vault rotate')).toThrow(/edgecab lab/);
    lab.release();
    // Released twice is harmless.
    lab.release();
    const rotation = holdExclusiveLock(dir, 'edgecab vault rotate');
    // Nothing serves, nor rotates again, while it runs.
    expect(() => holdServingLock(dir, 'edgecab serve')).toThrow(/being re-keyed \(edgecab vault rotate, pid \d+/);
    expect(() => holdExclusiveLock(dir, 'edgecab vault rotate')).toThrow(DataDirBusyError);
    rotation.release();
    holdServingLock(dir, 'edgecab serve').release();
    expect(readdirSync(join(dir, 'locks'))).toEqual([]);
  });

  it('does not count a lock whose process is gone, and removes it', () => {
    const dir = fresh();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(join(dir, 'locks'), { recursive: true });
    const stale = join(dir, 'locks', `serving-${gone}-dead.lock`);
    writeFileSync(stale, JSON.stringify({ pid: gone, what: 'edgecab serve', since: new Date(0).toISOString() }));
    writeFileSync(join(dir, 'locks', 'vault-rotate.lock'), JSON.stringify({ pid: gone, what: 'edgecab vault rotate', since: new Date(0).toISOString() }));
    const serving = holdServingLock(dir, 'edgecab serve');
    serving.release();
    const rotation = holdExclusiveLock(dir, 'edgecab vault rotate');
    expect(existsSync(stale)).toBe(false);
    rotation.release();
  });
});
