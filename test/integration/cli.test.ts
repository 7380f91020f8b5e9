import BetterSqlite3 from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { tempDir } from '../support/core.js';
import { completeSetup } from '../support/auth.js';

const BIN = packageJson.bin.edgecab;

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
}

/** Starts `edgecab serve --json`, resolves with its first output line. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', '--json', '--trap-port', 'off', '--events-port', 'off', ...args], { env: { ...process.env, ...env } });
  const listening = new Promise<{ url: string; dataDir: string; setupUrl: string | null }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { url: string; dataDir: string; setupUrl: string | null });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { child, listening };
}

describe('edgecab CLI', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('prints its version and help', () => {
    expect(run(['--version']).stdout.trim()).toBe(packageJson.version);
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    expect(run(['serve', '--help']).stdout).toMatch(/--port.*--host.*--data-dir/s);
  });

  it('gives clear one-line errors for bad usage', () => {
    const badPort = run(['serve', '--port', 'eighty']);
    expect(badPort.status).not.toBe(0);
    expect(badPort.stderr).toMatch(/port is a whole number/);
    const unknown = run(['frobnicate']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
  });

  it('serves on the requested port with EDGECAB_DATA_DIR as the default data directory', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { child, listening } = serve(['--port', '0'], { EDGECAB_DATA_DIR: dir.dir });
    cleanups.push(() => child.kill());
    const { url, dataDir, setupUrl } = await listening;
    expect(dataDir).toBe(dir.dir);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    // Nothing without signing in; the printed one-time link creates the first administrator.
    expect((await fetch(`${url}api/v1/sites`)).status).toBe(401);
    expect(setupUrl).toMatch(new RegExp(`^${url}#/setup\\?token=[A-Za-z0-9_-]{43}$`));
    const { cookie } = await completeSetup(setupUrl!);
    const response = await fetch(`${url}api/v1/sites`, { headers: { cookie: `edgecab_session=${cookie}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { total: number }).total).toBe(0);
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const result = run(['serve', '--port', String(port), '--data-dir', dir.dir, '--trap-port', 'off', '--events-port', 'off']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`edgecab: port ${port} on 127.0.0.1 is already in use; choose another with --port`);
  });

  it('refuses a database from a newer EdgeCab and leaves it as it was', () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const db = new BetterSqlite3(`${dir.dir}/edgecab.sqlite`);
    db.pragma('user_version = 999');
    db.close();
    const result = run(['serve', '--port', '0', '--data-dir', dir.dir]);
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/schema version 999, written by a newer EdgeCab/);
  });
});
