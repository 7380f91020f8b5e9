import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/core.js';

const root = join(import.meta.dirname, '../..');

/** Runs the project's dependency-cruiser rules over a small tree holding the given files. */
function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const tree = tempDir();
  cleanups.push(tree.cleanup);
  cpSync(join(root, '.dependency-cruiser.cjs'), join(tree.dir, '.dependency-cruiser.cjs'));
  mkdirSync(join(tree.dir, 'main'), { recursive: true });
  writeFileSync(join(tree.dir, 'main/tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' }, include: ['../**/*.ts'] }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(tree.dir, path, '..'), { recursive: true });
    writeFileSync(join(tree.dir, path), text);
  }
  const result = spawnSync(process.execPath, [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', 'main', 'renderer', 'shared'], {
    cwd: tree.dir,
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((cleanup) => cleanup()));

describe('import rules from DESIGN.md', () => {
  it('pass on a tree that keeps them', () => {
    const result = cruise({
      'shared/domain/a.ts': 'export const a = 1;\n',
      'main/core/b.ts': "import { a } from '../../shared/domain/a.js';\nimport { readFileSync } from 'node:fs';\nexport const b = [a, readFileSync];\n",
      'main/server/c.ts': "import { b } from '../core/b.js';\nexport const c = b;\n",
      'renderer/d.ts': "import { a } from '../shared/domain/a.js';\nexport const d = a;\n",
    });
    expect(result.output).toMatch(/no dependency violations/);
    expect(result.status).toBe(0);
  });

  it.each([
    ['shared uses Node', 'shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'shared-is-pure'],
    ['shared imports main', 'shared/x.ts', "import { b } from '../main/core/b.js';\nexport const x = b;\n", 'shared-imports-only-shared'],
    ['core imports the server', 'main/core/x.ts', "import { c } from '../server/c.js';\nexport const x = c;\n", 'core-is-host-agnostic'],
    ['renderer imports the core', 'renderer/x.ts', "import { b } from '../main/core/b.js';\nexport const x = b;\n", 'renderer-no-main-or-electron'],
    ['renderer uses Node', 'renderer/x.ts', "import { join } from 'node:path';\nexport const x = join;\n", 'renderer-no-node'],
    ['server imports the renderer', 'main/server/x.ts', "import { d } from '../../renderer/d.js';\nexport const x = d;\n", 'hosts-never-import-renderer'],
  ])('fail when %s', (_label, path, text, rule) => {
    const result = cruise({
      'shared/domain/a.ts': 'export const a = 1;\n',
      'main/core/b.ts': 'export const b = 2;\n',
      'main/server/c.ts': 'export const c = 3;\n',
      'renderer/d.ts': 'export const d = 4;\n',
      [path]: text,
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(rule);
  });
});
