import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FromCore, ToCore } from '../../../main/electron/core-messages.js';
import { tempDir } from '../../support/core.js';

/**
 * The core-process entry as it runs in Electron's utility process, run here
 * in plain Node with a stand-in for process.parentPort: bundled like
 * build/scripts/build.mjs does, into .cache so that its external modules
 * (better-sqlite3…) resolve from node_modules.
 */
const root = join(import.meta.dirname, '../../..');
const bundle = join(root, '.cache', 'test-electron', 'core-process.cjs');

beforeAll(async () => {
  mkdirSync(join(bundle, '..'), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['main/electron/core-process.ts'],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['better-sqlite3', 'electron', 'net-snmp', 'pdfkit'],
  });
}, 60_000);

interface RunningCore {
  child: ChildProcess;
  messages: FromCore[];
  next(type: FromCore['type']): Promise<FromCore>;
  send(message: ToCore | { test: 'reject' | 'throw' }): void;
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  cleanups.splice(0).forEach((cleanup) => cleanup());
});

function dataDir(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

function startCoreProcess(dir: string): RunningCore {
  const child = fork(bundle, ['--data-dir', dir, '--trap-port', 'off', '--events-port', 'off'], {
    execArgv: ['--require', join(import.meta.dirname, 'support', 'fake-parent-port.cjs')],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.push(child);
  const messages: FromCore[] = [];
  const waiters: { type: FromCore['type']; resolve: (message: FromCore) => void }[] = [];
  child.on('message', (message: FromCore) => {
    messages.push(message);
    for (const waiter of waiters.filter((entry) => entry.type === message.type)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    messages,
    exited,
    send: (message) => child.send(message),
    next: (type) => {
      const seen = messages.find((message) => message.type === type);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ type, resolve }));
    },
  };
}

describe('the core process', () => {
  it('opens nothing before "start", then uses the key it is handed and never writes credentials.key', async () => {
    const dir = dataDir();
    const core = startCoreProcess(dir);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(join(dir, 'edgecab.sqlite'))).toBe(false);
    core.send({ type: 'start', vaultKey: new Uint8Array(32).fill(3) });
    await core.next('ready');
    expect(existsSync(join(dir, 'edgecab.sqlite'))).toBe(true);
    expect(existsSync(join(dir, 'credentials.key'))).toBe(false);
  });

  it('keeps its plain key file when it is handed no key (no safeStorage)', async () => {
    const dir = dataDir();
    const core = startCoreProcess(dir);
    core.send({ type: 'start', vaultKey: null });
    await core.next('ready');
    expect(existsSync(join(dir, 'credentials.key'))).toBe(true);
  });

  it('reports failures of background work to the main process and keeps running', async () => {
    const core = startCoreProcess(dataDir());
    core.send({ type: 'start', vaultKey: null });
    await core.next('ready');
    core.send({ test: 'reject' });
    core.send({ test: 'throw' });
    await expect.poll(() => core.messages.filter((message) => message.type === 'background-error').length).toBe(2);
    const reports = core.messages.flatMap((message) => (message.type === 'background-error' ? [`${message.kind}: ${message.message.split('\n')[0]}`] : []));
    expect(reports.sort()).toEqual(['uncaughtException: Error: a timer threw', 'unhandledRejection: Error: a poller lost its socket']);
    expect(core.child.exitCode).toBeNull();
  });

  it('on SIGTERM flushes and closes the database, then exits 0', async () => {
    const dir = dataDir();
    const core = startCoreProcess(dir);
    core.send({ type: 'start', vaultKey: null });
    await core.next('ready');
    expect(existsSync(join(dir, 'edgecab.sqlite-wal'))).toBe(true);
    core.child.kill('SIGTERM');
    await expect(core.exited).resolves.toBe(0);
    // SQLite removes the write-ahead log when the last connection closes cleanly.
    expect(existsSync(join(dir, 'edgecab.sqlite-wal'))).toBe(false);
  });

  it('says it cannot start (fatal) instead of crashing without a word', async () => {
    const dir = dataDir();
    const notADir = join(dir, 'file');
    writeFileSync(notADir, 'not a folder');
    const core = startCoreProcess(notADir);
    core.send({ type: 'start', vaultKey: null });
    const fatal = await core.next('fatal');
    expect(fatal).toMatchObject({ type: 'fatal', message: expect.any(String) });
  });
});
