import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../lib/process-alive.js';

/**
 * Who is using a data directory, so that `edgecab vault rotate` does not
 * change the key under a running EdgeCab (which would go on sealing with
 * the old key in memory: secrets unreadable after its restart).
 *
 * Every process that serves from the directory (serve, lab, the desktop's
 * core) holds a shared "serving" lock: a file of its own in `locks/`. A
 * rotation holds the exclusive one. Each side first creates its own file,
 * then looks for the other's, so of two starting at once at least one sees
 * the other and stops. A file whose process is gone (killed, power cut) is
 * stale and removed. Commands that only change rows (users, tokens) take
 * no lock: SQLite already keeps them safe beside a server.
 */

const LOCK_DIR = 'locks';
const EXCLUSIVE = 'vault-rotate.lock';
const SERVING_PREFIX = 'serving-';

interface Holder {
  pid: number;
  what: string;
  since: string;
}

export class DataDirBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirBusyError';
  }
}

export interface DataDirLock {
  /** Gives the lock up (its file is removed); safe to call more than once. */
  release(): void;
}

function readHolder(path: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, what: String(parsed.what ?? '?'), since: String(parsed.since ?? '?') } : null;
  } catch {
    return null;
  }
}

/** The holder of a lock file if its process still runs; a stale or unreadable file is removed. */
function liveHolder(path: string): Holder | null {
  const holder = readHolder(path);
  if (holder && processAlive(holder.pid)) return holder;
  removeStale(path, holder);
  return null;
}

/**
 * Removes a lock left by a process that is gone. Moved aside first and
 * read again: if two processes found the same stale lock and one has
 * already put its own in place, the other's removal would take that one;
 * such a fresh lock is put back instead.
 */
function removeStale(path: string, stale: Holder | null): void {
  const aside = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const moved = readHolder(aside);
    const fresh = moved && !(stale && moved.pid === stale.pid && moved.since === stale.since) && processAlive(moved.pid);
    if (fresh) linkSync(aside, path);
  } catch (error) {
    // EEXIST: a third process placed its lock meanwhile; that one stands.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Writes a lock file whole, then puts it in place in one step: a reader
 * never sees it empty or half written. `exclusive`: by a hard link, which
 * fails if the name exists; else by a rename (the name is this lock's own).
 */
function place(path: string, holder: Holder, exclusive: boolean): boolean {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
  try {
    if (!exclusive) {
      renameSync(temp, path);
      return true;
    }
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (exclusive && (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

const describe = (holder: Holder) => `${holder.what}, pid ${holder.pid}, since ${holder.since}`;

function lockDir(dataDir: string): string {
  const dir = join(dataDir, LOCK_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The shared lock of a process serving from `dataDir`; refused while a vault rotation runs there. */
export function holdServingLock(dataDir: string, what: string): DataDirLock {
  const dir = lockDir(dataDir);
  const file = join(dir, `${SERVING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}.lock`);
  place(file, { pid: process.pid, what, since: new Date().toISOString() }, false);
  const rotating = liveHolder(join(dir, EXCLUSIVE));
  if (rotating) {
    rmSync(file, { force: true });
    throw new DataDirBusyError(`the vault of ${dataDir} is being re-keyed (${describe(rotating)}); start again when it has finished`);
  }
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      rmSync(file, { force: true });
    },
  };
}

/** The exclusive lock (a vault rotation): refused while anything serves from `dataDir`, or another rotation runs. */
export function holdExclusiveLock(dataDir: string, what: string): DataDirLock {
  const dir = lockDir(dataDir);
  const file = join(dir, EXCLUSIVE);
  const holder: Holder = { pid: process.pid, what, since: new Date().toISOString() };
  if (!place(file, holder, true)) {
    const other = liveHolder(file);
    if (other) throw new DataDirBusyError(`${dataDir} is locked by another ${describe(other)}`);
    if (!place(file, holder, true)) throw new DataDirBusyError(`${dataDir} is being locked by another process; try again`);
  }
  const serving = readdirSync(dir)
    .filter((name) => name.startsWith(SERVING_PREFIX) && name.endsWith('.lock'))
    .map((name) => liveHolder(join(dir, name)))
    .filter((each): each is Holder => each !== null);
  if (serving.length > 0) {
    rmSync(file, { force: true });
    throw new DataDirBusyError(`EdgeCab is running on ${dataDir} (${serving.map(describe).join('; ')}); stop it first`);
  }
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      rmSync(file, { force: true });
    },
  };
}
