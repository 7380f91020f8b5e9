import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from './atomic-write.js';

export const KEY_BYTES = 32;
/** The core's plain key file (see main/core/services/credentials/vault.ts). */
export const PLAIN_KEY_FILE = 'credentials.key';
/** The same key, encrypted by the OS (Keychain, DPAPI, libsecret/kwallet) through Electron's safeStorage. */
export const SAFE_KEY_FILE = 'credentials.key.safe';
/** A key rotation the core left unfinished; only the core can tell which key its database uses. */
const ROTATION_FILE = `${PLAIN_KEY_FILE}.next`;

/** The part of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only (absent elsewhere). */
  getSelectedStorageBackend?: () => string;
}

export type VaultKeyResult =
  /** Hand this key to the core; it never reads or writes credentials.key. */
  | { readonly kind: 'safe'; readonly key: Buffer; readonly migrated: boolean }
  /** No key to hand over: the core keeps using its plain credentials.key, for this reason. */
  | { readonly kind: 'plain'; readonly reason: string }
  /** The core must not start: it would seal new secrets under a different key than the existing ones. */
  | { readonly kind: 'refuse'; readonly reason: string };

/** Why safeStorage cannot protect the key here, or null when it can. */
export function safeStorageUnavailable(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): string | null {
  if (!safeStorage.isEncryptionAvailable()) return 'the operating system offers no encryption to Electron safeStorage';
  // Without a keyring Chromium on Linux "encrypts" with a constant password: no better than a 0600 file.
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (backend === 'basic_text' || backend === 'unknown') return `safeStorage has no keyring on this Linux session (backend ${backend})`;
  return null;
}

function parseKey(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${file} does not hold a valid ${KEY_BYTES}-byte credential key`);
  return key;
}

function readSafeKey(safeStorage: SafeStorageLike, file: string): Buffer {
  let text: string;
  try {
    text = safeStorage.decryptString(readFileSync(file));
  } catch (error) {
    throw new Error(`${file} cannot be decrypted by this user's keychain (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseKey(text, file);
}

/** Encrypts and writes the key atomically, then reads it back: the plain file is only removed once this is known to work. */
function writeSafeKey(safeStorage: SafeStorageLike, file: string, key: Buffer): void {
  writeFileAtomic(file, safeStorage.encryptString(key.toString('base64')));
  if (!readSafeKey(safeStorage, file).equals(key)) throw new Error(`${file} did not read back as the key just written`);
}

/**
 * The credential key for the core on the desktop, kept encrypted by the OS in
 * `<dir>/credentials.key.safe`. A plain `credentials.key` left by an earlier
 * version (or by a session without a keyring) is moved into it and removed.
 * Where safeStorage cannot help, the core keeps its plain file (mode 0600)
 * as before; where the key is already under safeStorage but the keychain is
 * not available now, the core is not started at all rather than let it
 * create a second key.
 */
export function resolveVaultKey(dir: string, safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): VaultKeyResult {
  const safeFile = join(dir, SAFE_KEY_FILE);
  const plainFile = join(dir, PLAIN_KEY_FILE);
  const unavailable = safeStorageUnavailable(safeStorage, platform);
  const hasSafe = existsSync(safeFile);
  if (unavailable) {
    if (hasSafe) return { kind: 'refuse', reason: `the credential key is protected by the system keychain, which is not available now: ${unavailable}` };
    return { kind: 'plain', reason: unavailable };
  }
  if (hasSafe) {
    try {
      const key = readSafeKey(safeStorage, safeFile);
      // A plain copy of the same key is what an interrupted migration leaves: finish it. A different one is not ours to delete.
      if (parseKeyOrNull(plainFile)?.equals(key)) removeDurably(plainFile);
      return { kind: 'safe', key, migrated: false };
    } catch (error) {
      return { kind: 'refuse', reason: messageOf(error) };
    }
  }
  if (existsSync(join(dir, ROTATION_FILE))) {
    return { kind: 'plain', reason: 'the core has a credential key rotation to finish first; the key moves to safeStorage on the next start' };
  }
  let key: Buffer;
  const migrating = existsSync(plainFile);
  try {
    key = migrating ? parseKey(readFileSync(plainFile, 'utf8'), plainFile) : randomBytes(KEY_BYTES);
  } catch (error) {
    // The core reports a broken key file itself, with its own advice.
    return { kind: 'plain', reason: messageOf(error) };
  }
  try {
    writeSafeKey(safeStorage, safeFile, key);
  } catch (error) {
    // Nothing is lost: the plain file (if any) is still there and the core uses it as before.
    rmSync(safeFile, { force: true });
    return { kind: 'plain', reason: `the key could not be stored with safeStorage (${messageOf(error)})` };
  }
  if (migrating) removeDurably(plainFile);
  return { kind: 'safe', key, migrated: migrating };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseKeyOrNull(file: string): Buffer | null {
  if (!existsSync(file)) return null;
  try {
    return parseKey(readFileSync(file, 'utf8'), file);
  } catch {
    return null;
  }
}

function removeDurably(file: string): void {
  rmSync(file, { force: true });
  fsyncDirectory(dirname(file));
}
