import { readFileSync } from 'node:fs';

/** This process's soft limit on open files (Linux /proc/self/limits); null where it cannot be read. */
export function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((each) => each.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    const limit = soft === undefined ? Number.NaN : Number(soft);
    return Number.isInteger(limit) && limit > 0 ? limit : null;
  } catch {
    return null;
  }
}
