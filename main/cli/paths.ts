import { existsSync, readFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding EdgeCab's package.json, found upward from this file (works from source and from dist/). */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'edgecab') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('EdgeCab could not find its own package.json');
    dir = parent;
  }
}

export function rendererDir(): string {
  return join(appRoot(), 'dist', 'renderer');
}

/** --data-dir, else $EDGECAB_DATA_DIR, else the platform's per-user data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EDGECAB_DATA_DIR) return resolve(env.EDGECAB_DATA_DIR);
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'EdgeCab');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'EdgeCab');
    default:
      return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'edgecab');
  }
}

/** The Redfish mockup the lab's BMCs serve (DMTF public-rackmount1, BSD-3-Clause), shipped in assets/. */
export function labMockupDir(): string {
  return join(appRoot(), 'assets', 'lab', 'redfish-rackmount1');
}
