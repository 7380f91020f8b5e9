import { request } from 'node:https';
import type { Resource } from './store.js';

export interface PushCounters {
  delivered: number;
  failed: number;
}

const TIMEOUT_MS = 5_000;

/**
 * Delivers an event to one subscription as a BMC does: an HTTPS POST of the
 * Event (with the subscription's Context) to its Destination, sent from the
 * BMC's own address. Like most BMCs it does not check the receiver's
 * certificate; a failed delivery is counted, never retried here.
 */
export function pushEvent(subscription: Resource, event: Resource, sourceAddress: string | undefined, counters: PushCounters): void {
  const destination = typeof subscription.Destination === 'string' ? subscription.Destination : null;
  if (!destination?.startsWith('https://')) return;
  const body = JSON.stringify(typeof subscription.Context === 'string' ? { ...event, Context: subscription.Context } : event);
  const url = new URL(destination);
  const req = request(
    {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      rejectUnauthorized: false,
      ...(sourceAddress ? { localAddress: sourceAddress } : {}),
      timeout: TIMEOUT_MS,
    },
    (res) => {
      res.resume();
      if ((res.statusCode ?? 500) < 300) counters.delivered += 1;
      else counters.failed += 1;
    },
  );
  req.on('timeout', () => req.destroy());
  req.on('error', () => {
    counters.failed += 1;
  });
  req.end(body);
}
