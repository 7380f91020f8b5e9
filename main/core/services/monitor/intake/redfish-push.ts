import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../../../protocols/redfish/client.js';
import { EVENT_PATH, type Subscription, type SubscriptionStore } from './subscription-store.js';

const MAX_BODY = 256 * 1024;

/** HTTPS port BMCs push Redfish events to, by default. */
export const DEFAULT_EVENTS_PORT = 4781;

export interface PushStats {
  received: number;
  accepted: number;
  /** Pushes to a path that names no subscription of ours (forged, or a subscription since removed). */
  refused: number;
  malformed: number;
}

export interface PushReceiverOptions {
  port: number;
  /** The interface that faces the sites; all by default. */
  address: string;
  certificate: { cert: string; key: string };
}

/**
 * The HTTPS endpoint BMCs push Redfish events to (EventService
 * subscriptions with a Destination on EdgeCab). Each subscription has its
 * own path with a secret; a push to any other path is refused and counted.
 * The body is bounded and must be a JSON object; what it means is the
 * caller's (onEvent).
 */
export class PushReceiver {
  private server: Server | null = null;
  readonly counters: PushStats = { received: 0, accepted: 0, refused: 0, malformed: 0 };

  constructor(
    private readonly options: PushReceiverOptions,
    private readonly subscriptions: SubscriptionStore,
    private readonly onEvent: (subscription: Subscription, event: JsonObject, source: string) => boolean,
    private readonly now: () => Date,
  ) {}

  get port(): number | null {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? address.port : null;
  }

  async start(): Promise<void> {
    const server = createServer({ cert: this.options.certificate.cert, key: this.options.certificate.key, minVersion: 'TLSv1.2' }, (req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    server.requestTimeout = 15_000;
    server.headersTimeout = 10_000;
    // A TLS handshake that fails (a scanner, a BMC that does not trust us) is its problem, not the core's.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** A renewed certificate for new connections; open ones keep theirs. */
  setCertificate(certificate: { cert: string; key: string }): void {
    this.server?.setSecureContext({ cert: certificate.cert, key: certificate.key, minVersion: 'TLSv1.2' });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.received += 1;
    const path = new URL(req.url ?? '/', 'https://edgecab').pathname;
    const subscription = req.method === 'POST' && path.startsWith(EVENT_PATH) ? this.subscriptions.bySecret(path.slice(EVENT_PATH.length)) : null;
    if (!subscription) {
      this.counters.refused += 1;
      res.writeHead(404, { connection: 'close' }).end();
      req.resume();
      return;
    }
    const body = await readBounded(req);
    let event: unknown;
    try {
      event = body === null ? null : JSON.parse(body.toString('utf8'));
    } catch {
      event = null;
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) {
      this.counters.malformed += 1;
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'Base.1.0.MalformedJSON', message: 'The event is not a JSON object within 256 KiB' } }));
      return;
    }
    const source = req.socket.remoteAddress ?? 'unknown';
    if (!this.onEvent(subscription, event as JsonObject, source)) {
      this.counters.malformed += 1;
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'Base.1.0.PropertyMissing', message: 'An Event needs an Events array' } }));
      return;
    }
    this.subscriptions.seen(subscription.id, this.now().toISOString(), source);
    this.counters.accepted += 1;
    res.writeHead(204).end();
  }

  async dispose(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/** The body, or null when it is larger than MAX_BODY (reading stops there). */
async function readBounded(req: IncomingMessage): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
    req.destroy();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      req.destroy();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
