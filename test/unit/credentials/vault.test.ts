import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/core/db/open.js';
import { CredentialVault } from '../../../main/core/services/credentials/vault.js';
import { tempDir } from '../../support/core.js';

const root = join(import.meta.dirname, '../../..');
const child = join(root, '.cache', 'test-children', 'vault-child.mjs');

beforeAll(async () => {
  mkdirSync(join(child, '..'), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['test/support/children/vault-child.ts'],
    outfile: child,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    external: ['better-sqlite3'],
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
}, 60_000);

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => dir.cleanup()));
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.dir;
};
const runChild = (dataDir: string, action: 'open' | 'store' | 'rotate', killAt = '') =>
  spawnSync(process.execPath, [child, dataDir, action], { env: { ...process.env, EDGECAB_KILL_AT: killAt }, encoding: 'utf8', timeout: 20_000 });

describe('the credential vault', () => {
  it('binds every secret to its row and kind: moved to another row or kind, it does not open', () => {
    const dir = fresh();
    const db = openDatabase(join(dir, 'edgecab.sqlite'));
    const vault = new CredentialVault(db, dir, () => new Date());
    const a = vault.store('redfish', { username: 'a', password: 'alpha-password' });
    const b = vault.store('redfish', { username: 'b', password: 'bravo-password' });
    expect(vault.open<{ password: string }>(a).password).toBe('alpha-password');
    const sealedA = db.prepare('SELECT sealed FROM credentials WHERE id = ?').pluck().get(a) as string;
    db.prepare('UPDATE credentials SET sealed = ? WHERE id = ?').run(sealedA, b);
    expect(() => vault.open(b)).toThrow(/altered or moved to another row/);
    db.prepare("UPDATE credentials SET kind = 'webhook' WHERE id = ?").run(a);
    expect(() => vault.open(a)).toThrow(/altered or moved/);
    db.close();
  });

  it('creates its key file with mode 0600, and refuses a key that does not belong to the database', () => {
    const dir = fresh();
    let db = openDatabase(join(dir, 'edgecab.sqlite'));
    const vault = new CredentialVault(db, dir, () => new Date());
    vault.store('snmp', { community: 'kept' });
    expect(statSync(join(dir, 'credentials.key')).mode & 0o777).toBe(0o600);
    db.close();
    writeFileSync(join(dir, 'credentials.key'), Buffer.alloc(32, 7).toString('base64'));
    db = openDatabase(join(dir, 'edgecab.sqlite'));
    expect(() => new CredentialVault(db, dir, () => new Date())).toThrow(/does not belong to this database/);
    db.close();
  });

  it('survives a kill while its key file is being created: no half-written key, and the next start makes a whole one', () => {
    const dir = fresh();
    const killed = runChild(dir, 'store', 'key-temp-written');
    expect(killed.signal).toBe('SIGKILL');
    // The key was written to a temporary file only; the key file itself was never there half-written.
    expect(existsSync(join(dir, 'credentials.key'))).toBe(false);
    expect(readdirSync(dir).some((name) => name.startsWith('credentials.key.tmp-'))).toBe(true);
    const stored = runChild(dir, 'store');
    expect(stored.status).toBe(0);
    expect(Buffer.from(readFileSync(join(dir, 'credentials.key'), 'utf8'), 'base64')).toHaveLength(32);
    expect(readdirSync(dir).filter((name) => name.startsWith('credentials.key.tmp-'))).toEqual([]);
    const db = openDatabase(join(dir, 'edgecab.sqlite'));
    expect(new CredentialVault(db, dir, () => new Date()).open<{ password: string }>(stored.stdout.trim()).password).toBe('kept through it all');
    db.close();
  });

  it('re-seals every secret under a new key, and a kill between the database and the key file still opens everything', () => {
    const dir = fresh();
    const stored = runChild(dir, 'store');
    const id = stored.stdout.trim();
    const before = readFileSync(join(dir, 'credentials.key'), 'utf8');
    const killed = runChild(dir, 'rotate', 'rekey-committed');
    expect(killed.signal).toBe('SIGKILL');
    // The database already holds the new key's secrets; the old key file is still in place, the new one beside it.
    expect(readFileSync(join(dir, 'credentials.key'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'credentials.key.next'))).toBe(true);
    const db = openDatabase(join(dir, 'edgecab.sqlite'));
    const vault = new CredentialVault(db, dir, () => new Date());
    expect(vault.open<{ password: string }>(id).password).toBe('kept through it all');
    expect(readFileSync(join(dir, 'credentials.key'), 'utf8')).not.toBe(before);
    expect(existsSync(join(dir, 'credentials.key.next'))).toBe(false);
    // A whole rotation, then every secret still opens.
    expect(vault.rotateKey().resealed).toBe(1);
    expect(vault.open<{ password: string }>(id).password).toBe('kept through it all');
    db.close();
  });

  it('uses a key given by the host (the desktop keeps it under safeStorage) and writes no key file', () => {
    const dir = fresh();
    const db = openDatabase(join(dir, 'edgecab.sqlite'));
    const vault = new CredentialVault(db, dir, () => new Date(), { key: Buffer.alloc(32, 3) });
    const id = vault.store('webhook', { secret: 'webhook-secret-value' });
    expect(existsSync(join(dir, 'credentials.key'))).toBe(false);
    expect(new CredentialVault(db, dir, () => new Date(), { key: Buffer.alloc(32, 3) }).open<{ secret: string }>(id).secret).toBe('webhook-secret-value');
    expect(() => new CredentialVault(db, dir, () => new Date(), { key: Buffer.alloc(32, 4) })).toThrow(/does not belong/);
    db.close();
  });
});
