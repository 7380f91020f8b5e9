import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { KEY_BYTES, loadOrCreateKey, parseKey, replaceKey, type KeyFileHooks } from './key-file.js';
import { readSetting, writeSetting } from '../../db/settings.js';

/** What a sealed secret is for; part of its associated data, so a row cannot be passed off as another kind. */
export type SecretKind = 'redfish' | 'snmp' | 'webhook' | 'ca-key' | 'identity-key' | 'tls-key';
/** Where a secret came from: a factory default found by discovery, one EdgeCab generated on the device, one a user typed… */
export type SecretOrigin = 'user' | 'discovered' | 'rotated' | 'lab' | 'system';

export interface StoreOptions {
  /** Seal into this row instead of a new one (its revision goes up). */
  replaceId?: string | null;
  origin?: SecretOrigin;
}

export interface SecretMeta {
  kind: SecretKind;
  origin: SecretOrigin;
  revision: number;
}

export interface VaultHooks extends KeyFileHooks {
  /** Test seam: the database holds the new key's secrets; the key file is still the old one. */
  afterRekeyCommitted?: () => void;
}

export interface VaultOptions {
  /** A key the host provides (the desktop keeps it under the OS's safeStorage); the key file is then never read or written. */
  key?: Buffer;
  hooks?: VaultHooks;
}

const KEY_FILE = 'credentials.key';
const CHECK_SETTING = 'vault.key-check';
const FORMAT = 2;

function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('edgecab vault key check').digest('base64url').slice(0, 22);
}

function seal(key: Buffer, id: string, kind: SecretKind, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`edgecab:${id}:${kind}`));
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

function unseal(key: Buffer, id: string, kind: string, sealed: string, format: number): string {
  const data = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
  if (format >= 2) decipher.setAAD(Buffer.from(`edgecab:${id}:${kind}`));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
}

interface Row {
  id: string;
  kind: SecretKind;
  sealed: string;
  format: number;
}

/**
 * Secrets sealed with AES-256-GCM under a key kept next to the database
 * (mode 0600) or given by the host, so a copied database alone reveals
 * nothing. Each ciphertext is bound to its row id and kind (associated
 * data): moving it to another row or kind makes it fail to open. Secrets go
 * in; only the code that uses them takes them out.
 */
export class CredentialVault {
  private key: Buffer;
  private readonly keyFile: string | null;
  private readonly hooks: VaultHooks;

  constructor(
    private readonly db: Database,
    dataDir: string,
    private readonly now: () => Date,
    options: VaultOptions = {},
  ) {
    this.keyFile = dataDir === ':memory:' || options.key ? null : join(dataDir, KEY_FILE);
    this.hooks = options.hooks ?? {};
    if (options.key) {
      if (options.key.length !== KEY_BYTES) throw new Error(`the vault key must be ${KEY_BYTES} bytes`);
      this.key = options.key;
    } else if (!this.keyFile) {
      this.key = randomBytes(KEY_BYTES);
    } else {
      this.key = this.finishInterruptedRotation() ?? loadOrCreateKey(this.keyFile, options.hooks);
    }
    this.checkKey();
    this.upgradeLegacyRows();
  }

  /** The key the database was sealed with, refusing one that belongs to another database. */
  private checkKey(): void {
    const stored = readSetting(this.db, CHECK_SETTING);
    const mine = keyCheck(this.key);
    if (stored === null) {
      writeSetting(this.db, CHECK_SETTING, mine, this.now());
      return;
    }
    if (stored !== mine) {
      throw new Error(`${this.keyFile ?? 'the vault key'} does not belong to this database (its secrets were sealed with another key); restore the key file that came with it`);
    }
  }

  /** A rotation killed after the database took the new key but before the key file did: finish it. */
  private finishInterruptedRotation(): Buffer | null {
    const next = `${this.keyFile!}.next`;
    if (!existsSync(next)) return null;
    const candidate = parseKey(readFileSync(next, 'utf8'), next);
    if (readSetting(this.db, CHECK_SETTING) === keyCheck(candidate)) {
      renameSync(next, this.keyFile!);
      return candidate;
    }
    // The database still uses the old key: the rotation never committed.
    return null;
  }

  /** Rows sealed before secrets were bound to their row get the associated data now. */
  private upgradeLegacyRows(): void {
    const legacy = this.db.prepare('SELECT id, kind, sealed, format FROM credentials WHERE format < ?').all(FORMAT) as Row[];
    if (legacy.length === 0) return;
    const update = this.db.prepare('UPDATE credentials SET sealed = ?, format = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const row of legacy) update.run(seal(this.key, row.id, row.kind, unseal(this.key, row.id, row.kind, row.sealed, row.format)), FORMAT, row.id);
    })();
  }

  store(kind: SecretKind, secret: object, options: StoreOptions = {}): string {
    const at = this.now().toISOString();
    const plaintext = JSON.stringify(secret);
    if (options.replaceId) {
      const id = options.replaceId;
      const origin = options.origin ?? 'user';
      const changed = this.db
        .prepare('UPDATE credentials SET sealed = ?, kind = ?, format = ?, origin = ?, revision = revision + 1, updated_at = ? WHERE id = ?')
        .run(seal(this.key, id, kind, plaintext), kind, FORMAT, origin, at, id).changes;
      if (changed === 1) return id;
    }
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO credentials (id, kind, sealed, format, origin, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)')
      .run(id, kind, seal(this.key, id, kind, plaintext), FORMAT, options.origin ?? 'user', at, at);
    return id;
  }

  open<T>(id: string): T {
    const row = this.db.prepare('SELECT id, kind, sealed, format FROM credentials WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new Error('the device has no stored credentials');
    try {
      return JSON.parse(unseal(this.key, row.id, row.kind, row.sealed, row.format)) as T;
    } catch {
      throw new Error(`the stored secret ${id} cannot be opened: it was altered or moved to another row`);
    }
  }

  meta(id: string): SecretMeta | null {
    return (this.db.prepare('SELECT kind, origin, revision FROM credentials WHERE id = ?').get(id) as SecretMeta | undefined) ?? null;
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM credentials WHERE id = ?').run(id);
  }

  /**
   * Re-seals every secret under a new key. The new key is written to
   * `credentials.key.next` first, the database re-sealed in one transaction
   * (with the new key's check value), then the file renamed into place; a
   * kill at any point leaves a key that opens the database (see
   * finishInterruptedRotation).
   */
  rotateKey(): { resealed: number } {
    if (!this.keyFile) throw new Error('this vault uses a key given by the host; rotate it there');
    const next = randomBytes(KEY_BYTES);
    const nextFile = `${this.keyFile}.next`;
    replaceKey(nextFile, next);
    const rows = this.db.prepare('SELECT id, kind, sealed, format FROM credentials').all() as Row[];
    const update = this.db.prepare('UPDATE credentials SET sealed = ?, format = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const row of rows) update.run(seal(next, row.id, row.kind, unseal(this.key, row.id, row.kind, row.sealed, row.format)), FORMAT, row.id);
      writeSetting(this.db, CHECK_SETTING, keyCheck(next), this.now());
    })();
    this.hooks.afterRekeyCommitted?.();
    renameSync(nextFile, this.keyFile);
    this.key = next;
    return { resealed: rows.length };
  }
}
