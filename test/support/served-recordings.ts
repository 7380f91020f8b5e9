import { afterAll, beforeAll } from 'vitest';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import type { SnmpDevice } from '../../shared/domain/snmp.js';
import { startSnmpsim, type Peer } from './snmp-peers.js';

/**
 * For a describe block: snmpsim serving the project's recordings for the
 * block's tests, and a read of one recording (its community) as a user's
 * probe reads a device.
 */
export function servedRecordings(): (community: string) => Promise<SnmpDevice> {
  let snmpsim: Peer | undefined;
  beforeAll(async () => {
    snmpsim = await startSnmpsim();
  }, 30_000);
  afterAll(async () => snmpsim?.stop());
  return (community) => {
    if (!snmpsim) throw new Error('snmpsim is not running: call servedRecordings() inside a describe block');
    return collectDevice({ host: '127.0.0.1', port: snmpsim.port, version: '2c', community, timeoutMs: 3000 });
  };
}

/** The problem a refused value is listed with: its section, its OID and why. */
export const notAvailable = (section: string, oid: string, why: string) => ({ section, oid, message: `${oid}: ${why}; not available` });
