import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';

export interface Subscription {
  id: string;
  deviceId: string;
  /** Where the BMC pushes, without its secret ("https://host:port/redfish/events/"): the secret is kept only as a hash. */
  destination: string;
  subscriptionUri: string | null;
  createdAt: string;
  lastEventAt: string | null;
  events: number;
  lastSource: string | null;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');
export const EVENT_PATH = '/redfish/events/';

/** The subscriptions EdgeCab made on BMCs, found by their secret (the last part of the push path). */
export class SubscriptionStore {
  private readonly statements: Record<'insert' | 'bySecret' | 'byDevice' | 'setUri' | 'seen' | 'remove' | 'removeDevice', Statement>;

  constructor(private readonly db: Database) {
    const columns = 'id, device_id AS deviceId, destination, subscription_uri AS subscriptionUri, created_at AS createdAt, last_event_at AS lastEventAt, events, last_source AS lastSource';
    this.statements = {
      insert: db.prepare('INSERT INTO event_subscriptions (id, device_id, secret_hash, destination, created_at) VALUES (?, ?, ?, ?, ?)'),
      bySecret: db.prepare(`SELECT ${columns} FROM event_subscriptions WHERE secret_hash = ?`),
      byDevice: db.prepare(`SELECT ${columns} FROM event_subscriptions WHERE device_id = ? ORDER BY created_at DESC`),
      setUri: db.prepare('UPDATE event_subscriptions SET subscription_uri = ? WHERE id = ?'),
      seen: db.prepare('UPDATE event_subscriptions SET last_event_at = ?, events = events + 1, last_source = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM event_subscriptions WHERE id = ?'),
      removeDevice: db.prepare('DELETE FROM event_subscriptions WHERE device_id = ?'),
    };
  }

  /**
   * A new subscription path for a device: base + a 32-byte random secret.
   * The full destination goes to the BMC once, in the answer; the database
   * keeps the base and the secret's SHA-256 (a 256-bit random secret needs
   * no slow hash), so a copy of the database cannot forge events.
   */
  create(deviceId: string, base: string, at: string): { id: string; destination: string } {
    const secret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const stored = `${base.replace(/\/$/, '')}${EVENT_PATH}`;
    this.statements.insert.run(id, deviceId, hash(secret), stored, at);
    return { id, destination: `${stored}${secret}` };
  }

  /** The subscription a pushed event's path names, or null (an unknown or forged secret). */
  bySecret(secret: string): Subscription | null {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null;
    return (this.statements.bySecret.get(hash(secret)) as Subscription | undefined) ?? null;
  }

  /** Whether a destination on a BMC is one of ours for this device (the secret in its path matches). */
  ownsDestination(deviceId: string, destination: string): Subscription | null {
    const index = destination.indexOf(EVENT_PATH);
    if (index === -1) return null;
    const found = this.bySecret(destination.slice(index + EVENT_PATH.length));
    return found && found.deviceId === deviceId ? found : null;
  }

  forDevice(deviceId: string): Subscription[] {
    return this.statements.byDevice.all(deviceId) as Subscription[];
  }

  setUri(id: string, uri: string): void {
    this.statements.setUri.run(uri, id);
  }

  seen(id: string, at: string, source: string): void {
    this.statements.seen.run(at, source, id);
  }

  remove(id: string): void {
    this.statements.remove.run(id);
  }
}
