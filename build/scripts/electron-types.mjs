// Makes Electron's type definitions available at .cache/electron-types/electron.d.ts
// so main/electron typechecks even where the Electron binary could not be
// downloaded (npm then drops the optional `electron` package). The types come
// from the same registry tarball, at the version the lockfile pins.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const cacheDir = join(root, '.cache', 'electron-types');
const target = join(cacheDir, 'electron.d.ts');
const stamp = join(cacheDir, 'version');

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const version = lock.packages?.['node_modules/electron']?.version;
if (!version) {
  console.error('electron-types: package-lock.json pins no electron version');
  process.exit(1);
}
if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) process.exit(0);

mkdirSync(cacheDir, { recursive: true });
const installed = join(root, 'node_modules', 'electron', 'electron.d.ts');
if (existsSync(installed)) {
  copyFileSync(installed, target);
} else {
  const tarball = execFileSync('npm', ['pack', `electron@${version}`, '--silent', '--pack-destination', cacheDir], {
    cwd: cacheDir,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1);
  execFileSync('tar', ['-xzf', join(cacheDir, tarball), '-C', cacheDir, 'package/electron.d.ts']);
  copyFileSync(join(cacheDir, 'package', 'electron.d.ts'), target);
  rmSync(join(cacheDir, 'package'), { recursive: true, force: true });
  rmSync(join(cacheDir, tarball), { force: true });
}
writeFileSync(stamp, version);
console.log(`electron-types: Electron ${version} type definitions ready`);
