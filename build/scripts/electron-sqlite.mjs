// Builds better-sqlite3 for the installed Electron into
// .cache/electron-native/<electron version>/better_sqlite3.node, leaving the
// Node build in node_modules untouched so `edgecab serve` and the tests keep
// working. Needs Electron's headers, so it runs only where Electron itself
// could be downloaded. Called by `npm start` before opening the desktop app.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

export function ensureElectronSqlite() {
  const electronVersion = require('electron/package.json').version;
  const outDir = join(root, '.cache', 'electron-native', electronVersion);
  const target = join(outDir, 'better_sqlite3.node');
  if (existsSync(target)) return target;
  const work = join(root, '.cache', 'electron-native', 'build');
  rmSync(work, { recursive: true, force: true });
  cpSync(join(root, 'node_modules', 'better-sqlite3'), work, { recursive: true, filter: (path) => !path.includes(`${join('better-sqlite3', 'build')}`) });
  const nodeGyp = process.env.npm_config_node_gyp ?? require.resolve('node-gyp/bin/node-gyp.js', { paths: [join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm')] });
  console.log(`edgecab: building better-sqlite3 for Electron ${electronVersion} (once)...`);
  execFileSync(process.execPath, [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], {
    cwd: work,
    stdio: 'inherit',
  });
  mkdirSync(outDir, { recursive: true });
  copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  rmSync(work, { recursive: true, force: true });
  return target;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(ensureElectronSqlite());
