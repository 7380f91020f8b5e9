import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Makes a rename durable: the directory entry is synced too. */
export function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory for syncing; its rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Writes `file` so that a crash or kill at any moment leaves either the old
 * state or the complete new file, never a torn one: a temporary file next to
 * it (exclusive create, mode 0600), written and fsynced, then renamed into
 * place and the directory synced.
 */
export function writeFileAtomic(file: string, data: Uint8Array): void {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(dirname(file));
}
