import type { Database, Statement } from 'better-sqlite3';

/** Deletes a credential nothing refers to any more: no device, no rotation record, nothing parked. One statement for every store that lets go of credentials. */
export const DROP_UNUSED_CREDENTIAL = `DELETE FROM credentials WHERE id = ?
  AND id NOT IN (SELECT credential_id FROM devices WHERE credential_id IS NOT NULL)
  AND id NOT IN (SELECT pending_credential_id FROM credential_rotations)
  AND id NOT IN (SELECT previous_credential_id FROM credential_rotations WHERE previous_credential_id IS NOT NULL)
  AND id NOT IN (SELECT credential_id FROM parked_credentials)
  AND id NOT IN (SELECT pending_credential_id FROM parked_credentials WHERE pending_credential_id IS NOT NULL)
  AND id NOT IN (SELECT previous_credential_id FROM parked_credentials WHERE previous_credential_id IS NOT NULL)`;

/** A device's unsettled password change, as its credential_rotations row (columns as stored). */
export type RotationRow = Record<string, unknown> & { pending_credential_id: string; previous_credential_id: string | null };

/** What EdgeCab holds for the hardware at one address: its credential, pinned certificate and unsettled change. */
export interface HeldCredential {
  credentialId: string;
  fingerprint: string | null;
  rotation: RotationRow | null;
}

export interface ParkedCredential extends HeldCredential {
  endpoint: string;
  kind: string;
}

/**
 * The SQL of moving credentials between a cabinet's slots: the rotation
 * record that travels with a credential, and the credentials parked at the
 * address of a device that left its slot. Statements prepared once.
 */
export class SlotStore {
  private readonly statements: Record<'rotation' | 'removeRotation' | 'parked' | 'parkedOfSite' | 'park' | 'unpark' | 'dropCredential', Statement>;

  constructor(private readonly db: Database) {
    this.statements = {
      rotation: db.prepare('SELECT * FROM credential_rotations WHERE device_id = ?'),
      removeRotation: db.prepare('DELETE FROM credential_rotations WHERE device_id = ?'),
      parked: db.prepare('SELECT endpoint, credential_id, fingerprint, kind, rotation FROM parked_credentials WHERE site_id = ? AND endpoint = ?'),
      parkedOfSite: db.prepare('SELECT endpoint, credential_id, fingerprint, kind, rotation FROM parked_credentials WHERE site_id = ?'),
      park: db.prepare(
        `INSERT OR REPLACE INTO parked_credentials (site_id, endpoint, credential_id, fingerprint, kind, rotation, pending_credential_id, previous_credential_id, parked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      unpark: db.prepare('DELETE FROM parked_credentials WHERE site_id = ? AND endpoint = ?'),
      dropCredential: db.prepare(DROP_UNUSED_CREDENTIAL),
    };
  }

  /** The device's rotation record, taken off the device (the caller puts it on the device that now holds the credential). */
  takeRotation(deviceId: string): RotationRow | null {
    const row = (this.statements.rotation.get(deviceId) as RotationRow | undefined) ?? null;
    if (row) this.statements.removeRotation.run(deviceId);
    return row;
  }

  dropRotation(deviceId: string): void {
    this.statements.removeRotation.run(deviceId);
  }

  putRotation(deviceId: string, row: RotationRow): void {
    const columns = Object.keys(row);
    // Columns come from the table itself (SELECT *), so the record moves whole, whatever columns later migrations add.
    this.db.prepare(`INSERT INTO credential_rotations (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...columns.map((column) => (column === 'device_id' ? deviceId : row[column])));
  }

  parked(siteId: string, endpoint: string): ParkedCredential | null {
    const row = this.statements.parked.get(siteId, endpoint) as ParkedRow | undefined;
    return row ? fromParkedRow(row) : null;
  }

  parkedOfSite(siteId: string): ParkedCredential[] {
    return (this.statements.parkedOfSite.all(siteId) as ParkedRow[]).map(fromParkedRow);
  }

  park(siteId: string, parked: ParkedCredential, at: string): void {
    const rotation = parked.rotation;
    this.statements.park.run(siteId, parked.endpoint, parked.credentialId, parked.fingerprint, parked.kind, rotation ? JSON.stringify(rotation) : null, rotation?.pending_credential_id ?? null, rotation?.previous_credential_id ?? null, at);
  }

  /** Forgets what was parked at the address (its credentials go too where nothing else refers to them). */
  unpark(siteId: string, endpoint: string): void {
    const parked = this.parked(siteId, endpoint);
    if (!parked) return;
    this.statements.unpark.run(siteId, endpoint);
    for (const id of [parked.credentialId, parked.rotation?.pending_credential_id ?? null, parked.rotation?.previous_credential_id ?? null]) this.dropIfUnused(id);
  }

  /** Deletes a credential nothing refers to any more: no device, no rotation record, nothing parked. */
  dropIfUnused(credentialId: string | null): void {
    if (credentialId) this.statements.dropCredential.run(credentialId);
  }
}

interface ParkedRow {
  endpoint: string;
  credential_id: string;
  fingerprint: string | null;
  kind: string;
  rotation: string | null;
}

function fromParkedRow(row: ParkedRow): ParkedCredential {
  return { endpoint: row.endpoint, credentialId: row.credential_id, fingerprint: row.fingerprint, kind: row.kind, rotation: row.rotation ? (JSON.parse(row.rotation) as RotationRow) : null };
}
