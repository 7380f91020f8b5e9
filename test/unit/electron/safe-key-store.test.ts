import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../main/electron/vault-key/atomic-write.js';
import { PLAIN_KEY_FILE, resolveVaultKey, SAFE_KEY_FILE, type SafeStorageLike } from '../../../main/electron/vault-key/safe-key-store.js';
import { tempDir } from '../../support/core.js';

/** Stands in for Electron's safeStorage: a reversible transform with a marker, so a plain key is never mistaken for a sealed one. */
class FakeSafeStorage implements SafeStorageLike {
  available = true;
  backend: string | undefined = 'gnome_libsecret';
  failEncrypt = false;

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  encryptString(plainText: string): Buffer {
    if (this.failEncrypt) throw new Error('the keyring is locked');
    return Buffer.concat([Buffer.from('FAKE1'), Buffer.from(plainText, 'utf8').map((byte) => byte ^ 0x5a)]);
  }

  decryptString(encrypted: Buffer): string {
    if (!encrypted.subarray(0, 5).equals(Buffer.from('FAKE1'))) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(encrypted.subarray(5).map((byte) => byte ^ 0x5a)).toString('utf8');
  }

  getSelectedStorageBackend = (): string => this.backend ?? 'unknown';
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function dataDir(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

const plainKey = Buffer.alloc(32, 9);

describe('the credential key under safeStorage', () => {
  it('is created encrypted when there is none, never as a plain file', () => {
    const dir = dataDir();
    const storage = new FakeSafeStorage();
    const result = resolveVaultKey(dir, storage, 'linux');
    expect(result.kind).toBe('safe');
    if (result.kind !== 'safe') return;
    expect(result.key).toHaveLength(32);
    expect(result.migrated).toBe(false);
    expect(existsSync(join(dir, PLAIN_KEY_FILE))).toBe(false);
    const sealed = readFileSync(join(dir, SAFE_KEY_FILE));
    expect(sealed.includes(Buffer.from(result.key.toString('base64')))).toBe(false);
    expect(Buffer.from(storage.decryptString(sealed), 'base64').equals(result.key)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(join(dir, SAFE_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('is the same key on the next start', () => {
    const dir = dataDir();
    const storage = new FakeSafeStorage();
    const first = resolveVaultKey(dir, storage, 'darwin');
    const second = resolveVaultKey(dir, storage, 'darwin');
    expect(first.kind === 'safe' && second.kind === 'safe' && first.key.equals(second.key)).toBe(true);
  });

  it('takes over an existing plain credentials.key and removes the plain file', () => {
    const dir = dataDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE), plainKey.toString('base64'), { mode: 0o600 });
    const result = resolveVaultKey(dir, new FakeSafeStorage(), 'win32');
    expect(result).toEqual({ kind: 'safe', key: plainKey, migrated: true });
    expect(existsSync(join(dir, PLAIN_KEY_FILE))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([SAFE_KEY_FILE]);
  });

  it('finishes a migration interrupted after the encrypted copy was written', () => {
    const dir = dataDir();
    const storage = new FakeSafeStorage();
    writeFileSync(join(dir, SAFE_KEY_FILE), storage.encryptString(plainKey.toString('base64')));
    writeFileSync(join(dir, PLAIN_KEY_FILE), plainKey.toString('base64'));
    expect(resolveVaultKey(dir, storage, 'linux')).toEqual({ kind: 'safe', key: plainKey, migrated: false });
    expect(existsSync(join(dir, PLAIN_KEY_FILE))).toBe(false);
  });

  it('never deletes a plain key that differs from the protected one', () => {
    const dir = dataDir();
    const storage = new FakeSafeStorage();
    writeFileSync(join(dir, SAFE_KEY_FILE), storage.encryptString(plainKey.toString('base64')));
    writeFileSync(join(dir, PLAIN_KEY_FILE), Buffer.alloc(32, 1).toString('base64'));
    expect(resolveVaultKey(dir, storage, 'linux')).toMatchObject({ kind: 'safe', key: plainKey });
    expect(existsSync(join(dir, PLAIN_KEY_FILE))).toBe(true);
  });

  it('leaves the plain file alone while the core has a key rotation to finish', () => {
    const dir = dataDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE), plainKey.toString('base64'));
    writeFileSync(join(dir, `${PLAIN_KEY_FILE}.next`), Buffer.alloc(32, 2).toString('base64'));
    expect(resolveVaultKey(dir, new FakeSafeStorage(), 'linux')).toMatchObject({ kind: 'plain', reason: expect.stringMatching(/rotation/) });
    expect(existsSync(join(dir, SAFE_KEY_FILE))).toBe(false);
  });

  it('is not used where the OS offers no encryption: the plain file stays, and why is said', () => {
    const dir = dataDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE), plainKey.toString('base64'));
    const storage = new FakeSafeStorage();
    storage.available = false;
    expect(resolveVaultKey(dir, storage, 'linux')).toEqual({ kind: 'plain', reason: expect.stringMatching(/no encryption/) });
    expect(readdirSync(dir)).toEqual([PLAIN_KEY_FILE]);
  });

  it("is not used on Linux without a keyring (Chromium's basic_text backend is a constant password)", () => {
    const dir = dataDir();
    const storage = new FakeSafeStorage();
    storage.backend = 'basic_text';
    expect(resolveVaultKey(dir, storage, 'linux')).toEqual({ kind: 'plain', reason: expect.stringMatching(/basic_text/) });
    expect(readdirSync(dir)).toEqual([]);
    // The backend question is Linux's only.
    expect(resolveVaultKey(dir, storage, 'darwin').kind).toBe('safe');
  });

  it('refuses to go on when the key is protected but the keychain is not available now (no second key)', () => {
    const dir = dataDir();
    const storage = new FakeSafeStorage();
    expect(resolveVaultKey(dir, storage, 'linux').kind).toBe('safe');
    storage.available = false;
    expect(resolveVaultKey(dir, storage, 'linux')).toEqual({ kind: 'refuse', reason: expect.stringMatching(/not available now/) });
    expect(existsSync(join(dir, PLAIN_KEY_FILE))).toBe(false);
  });

  it('refuses a protected key file that does not decrypt', () => {
    const dir = dataDir();
    writeFileSync(join(dir, SAFE_KEY_FILE), 'garbage');
    expect(resolveVaultKey(dir, new FakeSafeStorage(), 'linux')).toEqual({ kind: 'refuse', reason: expect.stringMatching(/cannot be decrypted/) });
  });

  it('keeps the plain file when encrypting fails, and leaves no half-written file', () => {
    const dir = dataDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE), plainKey.toString('base64'));
    const storage = new FakeSafeStorage();
    storage.failEncrypt = true;
    expect(resolveVaultKey(dir, storage, 'linux')).toEqual({ kind: 'plain', reason: expect.stringMatching(/keyring is locked/) });
    expect(readdirSync(dir)).toEqual([PLAIN_KEY_FILE]);
  });
});

describe('atomic writes', () => {
  it('replace the file whole, mode 0600, and leave no temporary file', () => {
    const dir = dataDir();
    const file = join(dir, 'key');
    writeFileAtomic(file, Buffer.from('first'));
    writeFileAtomic(file, Buffer.from('second'));
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['key']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('leave nothing behind when the write fails', () => {
    const dir = dataDir();
    expect(() => writeFileAtomic(join(dir, 'missing-folder', 'key'), Buffer.from('x'))).toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
