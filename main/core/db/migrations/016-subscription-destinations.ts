import type { Migration } from '../migrate.js';

/**
 * A pushed event is authenticated by the secret in its path; the database
 * keeps only the secret's hash (secret_hash). Rows written before this
 * version also kept the whole destination, secret included: each keeps
 * only its base ("https://host:port/redfish/events/"), so a copy of the
 * database cannot forge events.
 */
export const subscriptionDestinations: Migration = {
  version: 16,
  name: 'Redfish event subscriptions keep no secret in clear',
  up: (db) => {
    db.exec(`
      UPDATE event_subscriptions
      SET destination = substr(destination, 1, instr(destination, '/redfish/events/') + length('/redfish/events/') - 1)
      WHERE instr(destination, '/redfish/events/') > 0;
    `);
  },
};
