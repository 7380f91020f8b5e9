import { test as base, expect, type BrowserContext } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

interface EdgecabServer {
  url: string;
  dataDir: string;
  /** An administrator's session cookie, for the browser. */
  session: string;
  /** An administrator's API token, for the tests' own REST calls. */
  token: string;
}

/** The e2e administrator (created through the setup link, as a newcomer would). */
export const ADMIN = { name: 'e2e-admin', password: 'correct horse battery 7' } as const;

/** Each server's API token, so helpers can sign their calls by URL alone. */
const tokens = new Map<string, string>();

/** A REST call to the server with the e2e administrator's token. */
export function api(serverUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = tokens.get(serverUrl);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return fetch(`${serverUrl}api/v1${path}`, { ...init, headers });
}

/** POSTs JSON to the server's REST API, for setting up a test's data. */
export function apiPost(serverUrl: string, path: string, body: unknown): Promise<Response> {
  return api(serverUrl, path, { method: 'POST', body: JSON.stringify(body) });
}

/** Creates the first administrator through the setup link the server printed; answers the session cookie and CSRF token. */
export async function completeSetup(setupUrl: string, user: { name: string; password: string } = ADMIN): Promise<{ cookie: string; csrf: string }> {
  const url = new URL(setupUrl);
  const token = new URLSearchParams(url.hash.split('?')[1] ?? '').get('token') ?? '';
  const response = await fetch(new URL('/api/v1/auth/setup', url).href, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, ...user }) });
  if (response.status !== 200) throw new Error(`setup failed: ${response.status} ${await response.text()}`);
  const cookie = /edgecab_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('setup answered no session cookie');
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}

/** Starts `edgecab serve --json`, resolves once it listens, creates the administrator and an API token. */
/** Free ports for the trap and event receivers of a server that needs them (the wizard's). */
async function intakePorts(): Promise<string[]> {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const trapPort = udp.address().port;
  udp.close();
  const tcp = createServer();
  await new Promise<void>((resolve) => tcp.listen(0, '0.0.0.0', resolve));
  const eventsPort = (tcp.address() as { port: number }).port;
  await new Promise((resolve) => tcp.close(resolve));
  return ['--trap-port', String(trapPort), '--events-port', String(eventsPort)];
}

export async function startEdgecab(dataDir: string, port = 0, intake = false, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; session: string; token: string }> {
  const receivers = intake ? await intakePorts() : ['--trap-port', 'off', '--events-port', 'off'];
  const child = spawn(process.execPath, [packageJson.bin.edgecab, 'serve', '--port', String(port), '--json', '--data-dir', dataDir, ...receivers], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const listening = await new Promise<{ url: string; setupUrl: string | null }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { url: string; setupUrl: string | null });
    });
    child.on('exit', (code) => reject(new Error(`edgecab serve exited with code ${code}`)));
  });
  const { url } = listening;
  let session = sessions.get(dataDir);
  if (listening.setupUrl) {
    session = (await completeSetup(listening.setupUrl)).cookie;
  } else {
    // A restart on the same data: sign in again.
    const response = await fetch(`${url}api/v1/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    session = /edgecab_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  }
  if (!session) throw new Error('could not sign in to the e2e server');
  sessions.set(dataDir, session);
  let token = apiTokens.get(dataDir);
  if (!token) {
    const csrf = ((await (await fetch(`${url}api/v1/auth/session`, { headers: { cookie: `edgecab_session=${session}` } })).json()) as { csrfToken: string }).csrfToken;
    const created = await fetch(`${url}api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `edgecab_session=${session}`, 'x-edgecab-csrf': csrf },
      body: JSON.stringify({ name: 'e2e', scope: 'administrator', expiresInDays: 1 }),
    });
    token = ((await created.json()) as { token: string }).token;
    apiTokens.set(dataDir, token);
  }
  tokens.set(url, token);
  return { url, child, session, token };
}

const sessions = new Map<string, string>();
const apiTokens = new Map<string, string>();

/** Signs a browser context in as the e2e administrator (the session cookie the server gave). */
export async function signIn(context: BrowserContext, url: string, session: string): Promise<void> {
  await context.addCookies([{ name: 'edgecab_session', value: session, url, httpOnly: true, sameSite: 'Strict' }]);
}

export async function stopEdgecab(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Starts `edgecab serve` on a free port with its own data directory, once per worker. */
export const test = base.extend<{ blockExternal: void; signedIn: boolean }, { edgecab: EdgecabServer; serverName: string; intake: boolean; serverEnv: Record<string, string> }>({
  /** Environment variables for the worker's server (spec files with a server of their own). */
  serverEnv: [{}, { scope: 'worker', option: true }],
  /** Servers whose devices send traps and events to them (the wizard's) set this: the receivers listen on free ports. */
  intake: [false, { scope: 'worker', option: true }],
  /** Tests of the sign-in screens set this false to start signed out. */
  signedIn: [true, { option: true }],
  /** Spec files that need a server of their own (e.g. a large data set) set a different name. */
  serverName: ['shared', { scope: 'worker', option: true }],
  edgecab: [
    async ({ serverName: _serverName, intake, serverEnv }, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-'));
      const { url, child, session, token } = await startEdgecab(dataDir, 0, intake, serverEnv);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await use({ url, dataDir, session, token });
      await stopEdgecab(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ edgecab }, use) => use(edgecab.url),
  // Nothing but loopback: the app must work with no network at all.
  blockExternal: [
    async ({ context, edgecab, signedIn }, use) => {
      await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
      if (signedIn) await signIn(context, edgecab.url, edgecab.session);
      await use();
    },
    { auto: true },
  ],
});

export { expect };
