// `npm start`: the desktop app where Electron is installed, else server mode
// with the URL to open. Extra arguments go to `edgecab serve`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' ? binary : null;
  } catch {
    return null;
  }
}

let electron = process.env.EDGECAB_SERVER_MODE ? null : electronBinary();
if (electron) {
  try {
    const { ensureElectronSqlite } = await import('./electron-sqlite.mjs');
    ensureElectronSqlite();
  } catch (error) {
    console.error(`edgecab: could not build better-sqlite3 for Electron (${error.message}); running server mode instead.`);
    electron = null;
  }
}
const [command, args] = electron
  ? [electron, [root]]
  : [process.execPath, [`${root}/main/cli/edgecab.mjs`, 'serve', ...process.argv.slice(2)]];
if (!electron) console.log('edgecab: Electron is not installed here, so EdgeCab runs in server mode; open the URL below in a browser.');
const child = spawn(command, args, { stdio: 'inherit', cwd: root });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
