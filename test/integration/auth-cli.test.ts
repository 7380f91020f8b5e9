/**
 * The sign-in and TLS parts of the CLI: `edgecab serve --tls` with a
 * certificate from EdgeCab's own CA (fingerprint printed, HSTS sent, the CA
 * verifies it), a warning when listening beyond loopback without TLS, and
 * `edgecab users` / `tokens` for when nobody can sign in any more.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get, request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { tempDir } from '../support/core.js';
import { TEST_PASSWORD } from '../support/auth.js';

const BIN = packageJson.bin.edgecab;

function serve(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', '--json', '--port', '0', '--trap-port', 'off', '--events-port', 'off', ...args]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = new Promise<{ url: string; setupUrl: string | null; tls: { fingerprint: string; source: string } | null }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { url: string; setupUrl: string | null; tls: { fingerprint: string; source: string } | null });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, listening, stderr: () => stderr };
}

/** Creates the first administrator through the setup link over HTTPS (the certificate is not in the system's store); answers the Set-Cookie header. */
function setupOverTls(setupUrl: string): Promise<{ status: number; cookie: string }> {
  const url = new URL(setupUrl);
  const token = new URLSearchParams(url.hash.split('?')[1] ?? '').get('token') ?? '';
  const body = JSON.stringify({ token, name: 'admin', password: TEST_PASSWORD });
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/v1/auth/setup', url), { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? '') });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cli = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, timeout: 30_000 });

describe('edgecab serve: TLS, warnings, and users from the command line', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('serves HTTPS with a certificate from its own CA, prints its fingerprint, and sends HSTS', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { child, listening } = serve(['--tls', '--data-dir', dir.dir]);
    cleanups.push(() => child.kill());
    const { url, tls, setupUrl } = await listening;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(tls).toMatchObject({ source: 'edgecab-ca', fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    expect(setupUrl).toMatch(/^https:/);
    const { peer, headers } = await new Promise<{ peer: X509Certificate; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = get(`${url}api/v1/openapi.json`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        const socket = res.socket as import('node:tls').TLSSocket;
        resolve({ peer: new X509Certificate(socket.getPeerCertificate().raw), headers: res.headers });
      });
      req.on('error', reject);
    });
    expect(peer.fingerprint256).toBe(tls!.fingerprint);
    expect(headers['strict-transport-security']).toBe('max-age=31536000');
    // Under TLS the session cookie is Secure and host-bound (__Host-), besides HttpOnly and SameSite=Strict.
    const setup = await setupOverTls(setupUrl!);
    expect(setup.status).toBe(200);
    expect(setup.cookie).toMatch(/^__Host-edgecab_session=[^;]+/);
    expect(setup.cookie.split(/;\s*/).slice(1).map((part) => part.split('=')[0]!.toLowerCase())).toEqual(expect.arrayContaining(['path', 'httponly', 'secure', 'samesite']));
    expect(setup.cookie).toMatch(/SameSite=Strict/i);
    expect(setup.cookie).toMatch(/Path=\//);
    expect(setup.cookie).not.toMatch(/Domain=/i);
    // A restart keeps the same certificate (the fingerprint users compared stays valid).
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
    const again = serve(['--tls', '--data-dir', dir.dir]);
    cleanups.push(() => again.child.kill());
    expect((await again.listening).tls?.fingerprint).toBe(tls!.fingerprint);
  }, 60_000);

  it('serves HTTPS with a certificate and key of one\'s own (--tls-cert, --tls-key), and refuses one without the other', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const cert = join(dir.dir, 'branch.crt');
    const key = join(dir.dir, 'branch.key');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=edgecab.branch.example', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const own = new X509Certificate(readFileSync(cert));
    const { child, listening } = serve(['--tls-cert', cert, '--tls-key', key, '--data-dir', join(dir.dir, 'data')]);
    cleanups.push(() => child.kill());
    const { url, tls } = await listening;
    expect(tls).toEqual({ source: 'files', fingerprint: own.fingerprint256 });
    const served = await new Promise<X509Certificate>((resolve, reject) => {
      const req = get(`${url}api/v1/openapi.json`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(new X509Certificate((res.socket as import('node:tls').TLSSocket).getPeerCertificate().raw));
      });
      req.on('error', reject);
    });
    expect(served.fingerprint256).toBe(own.fingerprint256);
    const half = cli(['serve', '--port', '0', '--trap-port', 'off', '--events-port', 'off', '--tls-cert', cert, '--data-dir', join(dir.dir, 'other')]);
    expect(half.status).not.toBe(0);
    expect(half.stderr).toMatch(/give both --tls-cert and --tls-key/);
  }, 60_000);

  it('warns when it listens beyond loopback without TLS', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { child, listening, stderr } = serve(['--host', '0.0.0.0', '--data-dir', dir.dir]);
    cleanups.push(() => child.kill());
    await listening;
    expect(stderr()).toMatch(/warning: listening on 0\.0\.0\.0 without TLS/);
  }, 30_000);

  it('refuses to rotate the vault key while EdgeCab serves from the data directory, and rotates once it is gone', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { child, listening } = serve(['--data-dir', dir.dir]);
    cleanups.push(() => child.kill());
    await listening;
    const refused = cli(['vault', 'rotate', '--data-dir', dir.dir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^edgecab: EdgeCab is running on .*\\(edgecab serve, pid ${child.pid}, since [^)]+\\); stop it first\\n$`));
    // Commands that only change rows still work beside it.
    expect(cli(['users', 'add', 'beside-a-server', '--data-dir', dir.dir], `${TEST_PASSWORD}\n`).status).toBe(0);
    // Killed outright, it leaves its lock behind; the lock of a process that is gone does not count.
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const rotated = cli(['vault', 'rotate', '--data-dir', dir.dir]);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ event: 'rotated' });
    // And EdgeCab starts again on the new key.
    const again = serve(['--data-dir', dir.dir]);
    cleanups.push(() => again.child.kill());
    expect((await again.listening).setupUrl).toBeNull();
  }, 60_000);

  it('adds, lists, re-passwords and disables users, and creates and revokes tokens', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const added = cli(['users', 'add', 'ops-lead', '--role', 'administrator', '--data-dir', dir.dir], `${TEST_PASSWORD}\n`);
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ event: 'user', name: 'ops-lead', grants: [{ role: 'administrator', regionId: null }] });
    expect(cli(['users', 'add', 'weak', '--data-dir', dir.dir], 'short\n').stderr).toMatch(/At least 10 characters/);
    const token = JSON.parse(cli(['tokens', 'create', 'nightly-export', '--user', 'ops-lead', '--scope', 'viewer', '--data-dir', dir.dir]).stdout) as { token: string; id: string };
    expect(token.token).toMatch(/^ecb_/);
    const { child, listening } = serve(['--data-dir', dir.dir]);
    cleanups.push(() => child.kill());
    const { url, setupUrl } = await listening;
    // Users exist: no setup link.
    expect(setupUrl).toBeNull();
    expect((await fetch(`${url}api/v1/sites`, { headers: { authorization: `Bearer ${token.token}` } })).status).toBe(200);
    const signIn = (password: string) => fetch(`${url}api/v1/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ops-lead', password }) });
    expect((await signIn(TEST_PASSWORD)).status).toBe(200);
    expect(cli(['users', 'passwd', 'ops-lead', '--data-dir', dir.dir], 'a brand new passphrase\n').status).toBe(0);
    expect((await signIn(TEST_PASSWORD)).status).toBe(401);
    expect((await signIn('a brand new passphrase')).status).toBe(200);
    expect(cli(['tokens', 'revoke', token.id, '--data-dir', dir.dir]).status).toBe(0);
    expect((await fetch(`${url}api/v1/sites`, { headers: { authorization: `Bearer ${token.token}` } })).status).toBe(401);
    // The last administrator of everything cannot be disabled: somebody must be able to sign in.
    expect(cli(['users', 'disable', 'ops-lead', '--data-dir', dir.dir]).stderr).toMatch(/last administrator/);
    expect(cli(['users', 'add', 'second', '--role', 'administrator', '--data-dir', dir.dir], `${TEST_PASSWORD}\n`).status).toBe(0);
    expect(cli(['users', 'disable', 'ops-lead', '--data-dir', dir.dir]).status).toBe(0);
    expect((await signIn('a brand new passphrase')).status).toBe(401);
    const list = cli(['users', 'list', '--data-dir', dir.dir]).stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; disabled: boolean });
    expect(list).toEqual([{ name: 'ops-lead', disabled: true, grants: [{ role: 'administrator', regionId: null }] }, { name: 'second', disabled: false, grants: [{ role: 'administrator', regionId: null }] }]);
  }, 60_000);
});
