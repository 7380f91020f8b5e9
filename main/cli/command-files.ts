import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCore, type Core } from '../core/index.js';
import { defaultDataDir } from './paths.js';

/** A core on the data directory (as `edgecab serve` would use it) for one command's work, closed after it. */
export async function withCore<T>(dataDir: string | undefined, work: (core: Core) => Promise<T>): Promise<T> {
  const core = createCore({ dataDir: resolve(dataDir ?? defaultDataDir()), host: 'server' });
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}

/** `-d, --data-dir`, described for the command that takes it. */
export const dataDirOption = (description: string) => new Option('-d, --data-dir <dir>', description);

/** A text file a command was given, or one clear error naming it ("cannot read the manifest m.json: ENOENT"). */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
