import type { Migration } from '../migrate.js';

/**
 * The Redfish event subscriptions EdgeCab made on BMCs: each pushes to its
 * own path on EdgeCab's event receiver, whose secret (stored here only as a
 * hash) is how an incoming event is known to come from that BMC.
 */
export const eventSubscriptions: Migration = {
  version: 11,
  name: 'Redfish event subscriptions with a secret per subscription',
  up: (db) => {
    db.exec(`
      CREATE TABLE event_subscriptions (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        secret_hash TEXT NOT NULL UNIQUE,
        destination TEXT NOT NULL,
        subscription_uri TEXT,
        created_at TEXT NOT NULL,
        last_event_at TEXT,
        events INTEGER NOT NULL DEFAULT 0,
        last_source TEXT
      );
      CREATE INDEX event_subscriptions_device ON event_subscriptions (device_id);
    `);
  },
};
