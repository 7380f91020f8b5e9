import type { Database, Statement } from 'better-sqlite3';
import { DROP_UNUSED_CREDENTIAL } from '../devices/slot-store.js';

export type RotationPhase = 'prepared' | 'sent' | 'unknown';

export interface RotationRecord {
  deviceId: string;
  pendingCredentialId: string;
  previousCredentialId: string | null;
  phase: RotationPhase;
  startedAt: string;
  sentAt: string | null;
  resolveAttempts: number;
  lastResolveAt: string | null;
  lastError: string | null;
  /** The candidate the BMC refused last ('pending' is the new password, 'previous' the old), if any. */
  lastRefused: 'pending' | 'previous' | null;
  /** The candidate that opened the device at the last login, if any: trying it again costs no refused login (unless it changed since). */
  lastWorking: 'pending' | 'previous' | null;
}

/** The write-ahead records of password changes (credential_rotations), each statement prepared once. */
export class RotationStore {
  private readonly statements: Record<'get' | 'insert' | 'phase' | 'attempt' | 'refused' | 'working' | 'remove' | 'all' | 'credential' | 'setCredential' | 'dropCredential', Statement>;

  constructor(private readonly db: Database) {
    this.statements = {
      get: db.prepare(
        `SELECT device_id AS deviceId, pending_credential_id AS pendingCredentialId, previous_credential_id AS previousCredentialId, phase, started_at AS startedAt,
                sent_at AS sentAt, resolve_attempts AS resolveAttempts, last_resolve_at AS lastResolveAt, last_error AS lastError, last_refused AS lastRefused, last_working AS lastWorking
         FROM credential_rotations WHERE device_id = ?`,
      ),
      all: db.prepare('SELECT device_id FROM credential_rotations').pluck(),
      insert: db.prepare("INSERT INTO credential_rotations (device_id, pending_credential_id, previous_credential_id, started_at, phase) VALUES (?, ?, ?, ?, 'prepared')"),
      phase: db.prepare('UPDATE credential_rotations SET phase = ?, sent_at = coalesce(sent_at, ?), last_error = ? WHERE device_id = ?'),
      attempt: db.prepare('UPDATE credential_rotations SET resolve_attempts = resolve_attempts + 1, last_resolve_at = ?, last_error = ? WHERE device_id = ?'),
      refused: db.prepare('UPDATE credential_rotations SET last_refused = ? WHERE device_id = ?'),
      working: db.prepare('UPDATE credential_rotations SET last_working = ? WHERE device_id = ?'),
      remove: db.prepare('DELETE FROM credential_rotations WHERE device_id = ?'),
      credential: db.prepare('SELECT credential_id FROM devices WHERE id = ?').pluck(),
      setCredential: db.prepare('UPDATE devices SET credential_id = ?, updated_at = ? WHERE id = ?'),
      dropCredential: db.prepare(DROP_UNUSED_CREDENTIAL),
    };
  }

  get(deviceId: string): RotationRecord | null {
    return (this.statements.get.get(deviceId) as RotationRecord | undefined) ?? null;
  }

  pendingDevices(): Set<string> {
    return new Set(this.statements.all.all() as string[]);
  }

  deviceCredential(deviceId: string): string | null {
    return (this.statements.credential.get(deviceId) as string | null | undefined) ?? null;
  }

  /** The record and the new secret go in one transaction (the caller stores the secret inside `work`). */
  begin(deviceId: string, previousCredentialId: string, at: string, storePending: () => string): string {
    return this.db.transaction(() => {
      const pendingId = storePending();
      this.statements.insert.run(deviceId, pendingId, previousCredentialId, at);
      return pendingId;
    })();
  }

  setPhase(deviceId: string, phase: RotationPhase, at: string, error: string | null = null): void {
    this.statements.phase.run(phase, phase === 'prepared' ? null : at, error, deviceId);
  }

  countAttempt(deviceId: string, at: string, error: string | null): void {
    this.statements.attempt.run(at, error, deviceId);
  }

  refused(deviceId: string, which: 'pending' | 'previous'): void {
    this.statements.refused.run(which, deviceId);
  }

  working(deviceId: string, which: 'pending' | 'previous' | null): void {
    this.statements.working.run(which, deviceId);
  }

  /** The new credential becomes the device's; the old one goes (unless something else still uses it). */
  promote(record: RotationRecord, at: string): void {
    this.db.transaction(() => {
      this.statements.setCredential.run(record.pendingCredentialId, at, record.deviceId);
      this.statements.remove.run(record.deviceId);
      if (record.previousCredentialId && record.previousCredentialId !== record.pendingCredentialId) this.statements.dropCredential.run(record.previousCredentialId);
    })();
  }

  /** The change did not happen: the pending secret goes, the device keeps its credential. */
  discard(record: RotationRecord): void {
    this.db.transaction(() => {
      this.statements.remove.run(record.deviceId);
      this.statements.dropCredential.run(record.pendingCredentialId);
    })();
  }
}
