import type { Database } from 'better-sqlite3';
import { randomInt } from 'node:crypto';
import { changePassword, verifyLogin } from '../../protocols/redfish/actions.js';
import { RedfishClient } from '../../protocols/redfish/client.js';
import type { CredentialVault } from '../credentials/vault.js';

interface RedfishSecret {
  username: string;
  password: string;
}

export interface RotationTarget {
  deviceId: string;
  endpoint: string;
  fingerprint: string | null;
  credentialId: string;
}

/** Test seam: called after the BMC took the new password and before EdgeCab records it as current (where a crash hurts most). */
export interface RotationHooks {
  afterPasswordChange?: (deviceId: string) => void;
}

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '-_.!@#%+='];

/** 20 characters, every class present, from the OS's CSPRNG; no look-alike characters. */
export function strongPassword(length = 20): string {
  const all = CLASSES.join('');
  const chars = CLASSES.map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let index = chars.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [chars[index], chars[other]] = [chars[other]!, chars[index]!];
  }
  return chars.join('');
}

/**
 * Replaces a BMC account's password without ever leaving it unknown:
 *  1. the new password is sealed in the vault and a rotation record written
 *     (committed) before the BMC is told;
 *  2. the BMC's account gets the new password;
 *  3. a login with the new password proves it, and only then does the new
 *     credential become the device's and the old one go.
 * A crash between 2 and 3 leaves both passwords stored; the next run logs in
 * with whichever works and finishes (recover()).
 */
export class PasswordRotation {
  constructor(
    private readonly db: Database,
    private readonly vault: CredentialVault,
    private readonly now: () => Date,
    private readonly hooks: RotationHooks = {},
  ) {}

  private options(target: RotationTarget, secret: RedfishSecret) {
    return { url: target.endpoint, username: secret.username, password: secret.password, pinnedFingerprint: target.fingerprint, requestTimeoutMs: 10_000 };
  }

  private promote(deviceId: string, pendingId: string, previousId: string | null): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE devices SET credential_id = ?, updated_at = ? WHERE id = ?').run(pendingId, this.now().toISOString(), deviceId);
      this.db.prepare('DELETE FROM credential_rotations WHERE device_id = ?').run(deviceId);
      if (previousId && previousId !== pendingId) this.db.prepare('DELETE FROM credentials WHERE id = ? AND id NOT IN (SELECT credential_id FROM devices WHERE credential_id IS NOT NULL)').run(previousId);
    })();
  }

  private discard(deviceId: string, pendingId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM credential_rotations WHERE device_id = ?').run(deviceId);
      this.db.prepare('DELETE FROM credentials WHERE id = ?').run(pendingId);
    })();
  }

  /** Finishes or undoes an interrupted rotation; returns what it found, or null when there was none. */
  async recover(target: RotationTarget): Promise<string | null> {
    const row = this.db.prepare('SELECT pending_credential_id, previous_credential_id FROM credential_rotations WHERE device_id = ?').get(target.deviceId) as
      | { pending_credential_id: string; previous_credential_id: string | null }
      | undefined;
    if (!row) return null;
    if (await verifyLogin(this.options(target, this.vault.open<RedfishSecret>(row.pending_credential_id)))) {
      this.promote(target.deviceId, row.pending_credential_id, row.previous_credential_id);
      return 'an interrupted password change had reached the BMC; the new password, stored before the change, is now the current one';
    }
    if (row.previous_credential_id && (await verifyLogin(this.options(target, this.vault.open<RedfishSecret>(row.previous_credential_id))))) {
      this.discard(target.deviceId, row.pending_credential_id);
      return 'an interrupted password change had not reached the BMC; the old password still opens it';
    }
    throw new Error('neither the stored new password nor the stored old one opens the BMC; someone else changed it');
  }

  /** Rotates the password; returns the account whose password changed. */
  async rotate(target: RotationTarget): Promise<string> {
    await this.recover(target);
    const credentialId = (this.db.prepare('SELECT credential_id FROM devices WHERE id = ?').pluck().get(target.deviceId) as string | null) ?? target.credentialId;
    const current = this.vault.open<RedfishSecret>(credentialId);
    const next: RedfishSecret = { username: current.username, password: strongPassword() };
    const pendingId = this.db.transaction(() => {
      const id = this.vault.store('redfish', next, { origin: 'rotated' });
      this.db.prepare('INSERT INTO credential_rotations (device_id, pending_credential_id, previous_credential_id, started_at) VALUES (?, ?, ?, ?)').run(target.deviceId, id, credentialId, this.now().toISOString());
      return id;
    })();
    const client = new RedfishClient(this.options(target, current));
    try {
      await changePassword(client, current.username, next.password);
    } catch (error) {
      // The BMC refused: nothing changed there, so the pending secret goes.
      this.discard(target.deviceId, pendingId);
      throw new Error(`the BMC refused the new password, so the factory one stays: ${(error as Error).message}`, { cause: error });
    } finally {
      await client.close();
    }
    this.hooks.afterPasswordChange?.(target.deviceId);
    if (!(await verifyLogin(this.options(target, next)))) {
      throw new Error('the BMC took the new password but refuses it at login; both passwords stay stored and the next run sorts it out');
    }
    this.promote(target.deviceId, pendingId, credentialId);
    return current.username;
  }
}
