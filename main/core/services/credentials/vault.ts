import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';

/**
 * Device credentials sealed with AES-256-GCM under a key kept next to the
 * database (mode 0600), so a copied database alone reveals no password.
 * Secrets go in; only the code that talks to the device takes them out.
 */
export class CredentialVault {
  private readonly key: Buffer;

  constructor(
    private readonly db: Database,
    dataDir: string,
    private readonly now: () => Date,
  ) {
    if (dataDir === ':memory:') {
      this.key = randomBytes(32);
      return;
    }
    const keyFile = join(dataDir, 'credentials.key');
    if (!existsSync(keyFile)) {
      writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
      chmodSync(keyFile, 0o600);
    }
    this.key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
    if (this.key.length !== 32) throw new Error(`${keyFile} is not a valid credential key; restore it from backup or remove the devices' credentials`);
  }

  store(kind: 'redfish' | 'snmp', secret: object, replaceId?: string | null): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(secret), 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
    if (replaceId) {
      this.db.prepare('UPDATE credentials SET sealed = ?, kind = ? WHERE id = ?').run(sealed, kind, replaceId);
      return replaceId;
    }
    const id = randomUUID();
    this.db.prepare('INSERT INTO credentials (id, kind, sealed, created_at) VALUES (?, ?, ?, ?)').run(id, kind, sealed, this.now().toISOString());
    return id;
  }

  open<T>(id: string): T {
    const row = this.db.prepare('SELECT sealed FROM credentials WHERE id = ?').get(id) as { sealed: string } | undefined;
    if (!row) throw new Error('the device has no stored credentials');
    const data = Buffer.from(row.sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return JSON.parse(Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8')) as T;
  }
}
