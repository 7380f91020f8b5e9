import { RedfishClient } from '../../../main/core/protocols/redfish/client.js';
import type { Failures } from '../report.js';
import { countConnections } from './redfish-bare.js';
import { inParallel } from './processes.js';

export interface LabBmcLine {
  url: string;
  fingerprint: string;
}

/**
 * New connections per second, each a fresh TCP + TLS handshake through
 * EdgeCab's own client (pinned certificate checked, no session resumption)
 * followed by the one GET of the service root that proves it works. The
 * BMCs are taken in turn, so consecutive handshakes meet different
 * certificates.
 */
export async function handshakesPerSecond(bmcs: readonly LabBmcLine[], total: number, inFlight: number, timeoutMs: number, failures: Failures): Promise<number> {
  const connections = countConnections();
  let seconds: number;
  try {
    seconds = await inParallel(total, inFlight, async (index) => {
      const bmc = bmcs[index % bmcs.length]!;
      const client = new RedfishClient({ url: bmc.url, username: 'admin', password: 'password', pinnedFingerprint: bmc.fingerprint, requestTimeoutMs: timeoutMs, retries: 0 });
      try {
        await client.serviceRoot();
      } catch (error) {
        failures.add('new connection', error);
      } finally {
        await client.close();
      }
    });
  } finally {
    connections.stop();
  }
  // Each one must have been exactly one new connection, or the figure counts something else.
  if (connections.count !== total) failures.add('new connection count', `${connections.count} connections opened for ${total} handshakes`);
  return total / seconds;
}
