// After `npm ci`: say whether the desktop app can run, then build so that
// `npm start` and the `edgecab` bin work without further steps.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
if (existsSync(`${root}/node_modules/electron/dist`)) {
  console.log('edgecab: Electron is installed; `npm start` opens the desktop app.');
} else {
  console.log(
    'edgecab: the Electron binary is not installed (its download was not reachable); `npm start` will run server mode in the browser instead.',
  );
}
const result = spawnSync(process.execPath, [`${root}/build/scripts/build.mjs`], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
