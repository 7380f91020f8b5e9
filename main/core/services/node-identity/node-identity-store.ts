import type { Database, Statement } from 'better-sqlite3';
import type { BoundDevice, IdentityState, IssueReason } from '../../../../shared/domain/node-identity.js';

export interface IdentityRow {
  id: string;
  site_id: string;
  cabinet_id: string | null;
  serial: string;
  fingerprint: string;
  subject: string;
  uris: string;
  certificate_pem: string;
  key_credential_id: string | null;
  not_before: string;
  not_after: string;
  hardware: string;
  issued_at: string;
  issued_by: string;
  reason: IssueReason;
  state: IdentityState;
  superseded_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  last_verified_at: string | null;
}

export interface NewIdentity {
  id: string;
  siteId: string;
  cabinetId: string;
  serial: string;
  fingerprint: string;
  subject: string;
  uris: readonly string[];
  certificatePem: string;
  keyCredentialId: string;
  notBefore: string;
  notAfter: string;
  hardware: readonly BoundDevice[];
  issuedAt: string;
  issuedBy: string;
  reason: IssueReason;
}

/** Cabinet identities' SQL, and the few reads of other features' tables binding needs. Statements prepared once. */
export class NodeIdentityStore {
  private readonly statements: Record<string, Statement>;

  constructor(private readonly db: Database) {
    this.statements = {
      current: db.prepare("SELECT * FROM node_identities WHERE site_id = ? AND state = 'current'"),
      latest: db.prepare('SELECT * FROM node_identities WHERE site_id = ? ORDER BY issued_at DESC, rowid DESC LIMIT 1'),
      history: db.prepare("SELECT * FROM node_identities WHERE site_id = ? AND state != 'current' ORDER BY issued_at DESC, rowid DESC"),
      insert: db.prepare(
        `INSERT INTO node_identities (id, site_id, cabinet_id, serial, fingerprint, subject, uris, certificate_pem, key_credential_id, not_before, not_after, hardware, issued_at, issued_by, reason, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'current')`,
      ),
      supersede: db.prepare("UPDATE node_identities SET state = 'superseded', superseded_at = ?, key_credential_id = NULL WHERE id = ? AND state = 'current'"),
      revoke: db.prepare("UPDATE node_identities SET state = 'revoked', revoked_at = ?, revoked_by = ?, revoke_reason = ?, key_credential_id = NULL WHERE id = ? AND state = 'current'"),
      verified: db.prepare("UPDATE node_identities SET last_verified_at = ? WHERE id = ? AND state = 'current'"),
      latestRedfish: db.prepare("SELECT reading FROM device_readings WHERE device_id = ? AND reading LIKE '%\"redfish\":{%' ORDER BY id DESC LIMIT 1").pluck(),
      latestBaseline: db.prepare('SELECT config FROM device_baselines WHERE device_id = ? ORDER BY id DESC LIMIT 1').pluck(),
      activeMismatches: db.prepare("SELECT message_params FROM alarms WHERE source = ? AND state = 'active' AND condition LIKE 'identity-mismatch:%'").pluck(),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  get open(): boolean {
    return this.db.open;
  }

  current(siteId: string): IdentityRow | null {
    return (this.statements.current!.get(siteId) as IdentityRow | undefined) ?? null;
  }

  latest(siteId: string): IdentityRow | null {
    return (this.statements.latest!.get(siteId) as IdentityRow | undefined) ?? null;
  }

  history(siteId: string): IdentityRow[] {
    return this.statements.history!.all(siteId) as IdentityRow[];
  }

  insert(identity: NewIdentity): void {
    this.statements.insert!.run(
      identity.id,
      identity.siteId,
      identity.cabinetId,
      identity.serial,
      identity.fingerprint,
      identity.subject,
      JSON.stringify(identity.uris),
      identity.certificatePem,
      identity.keyCredentialId,
      identity.notBefore,
      identity.notAfter,
      JSON.stringify(identity.hardware),
      identity.issuedAt,
      identity.issuedBy,
      identity.reason,
    );
  }

  supersede(id: string, at: string): boolean {
    return this.statements.supersede!.run(at, id).changes === 1;
  }

  revoke(id: string, at: string, by: string, reason: string): boolean {
    return this.statements.revoke!.run(at, by, reason, id).changes === 1;
  }

  verified(id: string, at: string): void {
    this.statements.verified!.run(at, id);
  }

  /** Serials of the BMC's systems in its newest inventory reading, or null when it has none. */
  readingSerials(deviceId: string): string[] | null {
    const text = this.statements.latestRedfish!.get(deviceId) as string | undefined;
    if (!text) return null;
    const reading = JSON.parse(text) as { redfish?: { systems?: { serial?: string | null }[] } | null };
    return serialsOf(reading.redfish?.systems);
  }

  /** Serials the wizard's newest baseline recorded for the BMC, or null. */
  baselineSerials(deviceId: string): string[] | null {
    const text = this.statements.latestBaseline!.get(deviceId) as string | undefined;
    if (!text) return null;
    return serialsOf((JSON.parse(text) as { systems?: { serial?: string | null }[] }).systems);
  }

  /** The active identity mismatch alarms of a site, as their parameters (what a restarted core remembers of them). */
  activeMismatches(siteId: string): Record<string, string | number>[] {
    return (this.statements.activeMismatches!.all(`site:${siteId}`) as string[]).map((params) => JSON.parse(params) as Record<string, string | number>);
  }
}

function serialsOf(systems: readonly { serial?: string | null }[] | undefined): string[] | null {
  if (!systems) return null;
  return systems.map((system) => system.serial ?? null).filter((serial): serial is string => serial !== null && serial !== '').sort();
}
