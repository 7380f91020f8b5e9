import { test as base, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

interface EdgecabServer {
  url: string;
  dataDir: string;
}

/** POSTs JSON to the server's REST API, for setting up a test's data. */
export function apiPost(serverUrl: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${serverUrl}api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Starts `edgecab serve --json` and resolves once it listens. */
export async function startEdgecab(dataDir: string, port = 0): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [packageJson.bin.edgecab, 'serve', '--port', String(port), '--json', '--data-dir', dataDir, '--trap-port', 'off'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`edgecab serve exited with code ${code}`)));
  });
  return { url, child };
}

export async function stopEdgecab(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Starts `edgecab serve` on a free port with its own data directory, once per worker. */
export const test = base.extend<{ blockExternal: void }, { edgecab: EdgecabServer; serverName: string }>({
  /** Spec files that need a server of their own (e.g. a large data set) set a different name. */
  serverName: ['shared', { scope: 'worker', option: true }],
  edgecab: [
    async ({ serverName: _serverName }, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-'));
      const { url, child } = await startEdgecab(dataDir);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await use({ url, dataDir });
      await stopEdgecab(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ edgecab }, use) => use(edgecab.url),
  // Nothing but loopback: the app must work with no network at all.
  blockExternal: [
    async ({ context }, use) => {
      await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
      await use();
    },
    { auto: true },
  ],
});

export { expect };
