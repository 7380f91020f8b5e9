import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const KEY_BYTES = 32;

/** Test seam: called after the new key's temporary file is written and synced, before it is put in place. */
export interface KeyFileHooks {
  afterTempWritten?: (tempFile: string) => void;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
  }
}

/** Writes `data` to a new temporary file next to `file` (exclusive create, mode 0600, fsync) and returns its path. */
function writeTemp(file: string, data: string): string {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

export function parseKey(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${file} is not a valid credential key; restore it from backup or remove the devices' credentials`);
  return key;
}

/** Temporary files a killed process left behind; they never hold the key in use. */
function removeLeftovers(file: string): void {
  const dir = dirname(file);
  const prefix = `${file.slice(dir.length + 1)}.tmp-`;
  for (const name of readdirSync(dir)) if (name.startsWith(prefix)) unlinkSync(join(dir, name));
}

/**
 * The vault key, created once: written to a temporary file (exclusive
 * create, fsync), then linked into place — a link never replaces an existing
 * file, so two processes starting at once agree on one key, and a kill at
 * any moment leaves either no key file or a complete one.
 */
export function loadOrCreateKey(file: string, hooks: KeyFileHooks = {}): Buffer {
  if (existsSync(file)) return parseKey(readFileSync(file, 'utf8'), file);
  removeLeftovers(file);
  const temp = writeTemp(file, randomBytes(KEY_BYTES).toString('base64'));
  try {
    hooks.afterTempWritten?.(temp);
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    fsyncDir(dirname(file));
  } finally {
    if (existsSync(temp)) unlinkSync(temp);
  }
  return parseKey(readFileSync(file, 'utf8'), file);
}

/** Replaces the key file with `key` atomically (temp file, fsync, rename). */
export function replaceKey(file: string, key: Buffer): void {
  const temp = writeTemp(file, key.toString('base64'));
  renameSync(temp, file);
  fsyncDir(dirname(file));
}
