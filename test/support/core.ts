import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../main/core/index.js';

/** A core on a fresh data directory, removed by the returned cleanup. */
export function tempCore(now?: () => Date): { core: Core; dataDir: string; cleanup: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-test-'));
  const core = createCore({ dataDir, host: 'server', ...(now ? { now } : {}) });
  return {
    core,
    dataDir,
    cleanup: () => {
      core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'edgecab-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
