import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Pool } from 'undici';

/** One request EdgeCab sent, as undici saw it leave. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Whether it carried the session token (the service root is read without one). */
  authenticated: boolean;
}

interface RequestCreateMessage {
  request: { origin?: string | URL; method: string; path: string; headers: string[] | string };
}

function hasToken(headers: string[] | string): boolean {
  if (typeof headers === 'string') return /^x-auth-token:/im.test(headers);
  return headers.some((value, index) => index % 2 === 0 && value.toLowerCase() === 'x-auth-token');
}

/**
 * Records every request `work` sends to `origin`, through undici's own
 * diagnostics channel: what went on the wire, with no change to the client.
 */
export async function recordRequests(origin: string, work: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const recorded: RecordedRequest[] = [];
  const listener = (message: unknown) => {
    const { request } = message as RequestCreateMessage;
    if (String(request.origin).replace(/\/$/, '') !== origin) return;
    recorded.push({ method: request.method, path: request.path, authenticated: hasToken(request.headers) });
  };
  subscribe('undici:request:create', listener);
  try {
    await work();
  } finally {
    unsubscribe('undici:request:create', listener);
  }
  return recorded;
}

/** Counts new connections undici opens (TCP, and TLS for https) while it is subscribed. */
export function countConnections(): { readonly count: number; stop(): void } {
  let count = 0;
  const listener = () => {
    count += 1;
  };
  subscribe('undici:client:connected', listener);
  return {
    get count() {
      return count;
    },
    stop: () => unsubscribe('undici:client:connected', listener),
  };
}

const MAX_CONNECTIONS_PER_BMC = 4;

/**
 * The ceiling for a health poll: plain undici `request` on keep-alive
 * connections (as many per BMC as EdgeCab's client opens), replaying the
 * GETs EdgeCab's poll sent, all at once, bodies read and nothing else — no
 * pin check, no parsing, no retries, no waiting for one answer to know the
 * next path.
 */
export class BareRedfishLoop {
  private readonly pools: Pool[];
  private readonly tokens: string[] = [];

  constructor(
    private readonly urls: readonly string[],
    private readonly requests: readonly RecordedRequest[],
  ) {
    // No CA check: the ceiling does none of EdgeCab's pin checking either (there is no CA to check against).
    this.pools = urls.map((url) => new Pool(url, { connections: MAX_CONNECTIONS_PER_BMC, pipelining: 1, keepAliveTimeout: 30_000, connect: { rejectUnauthorized: false } }));
  }

  /** One session per BMC, as EdgeCab's client holds; not part of what is timed. */
  async login(index: number, username: string, password: string): Promise<void> {
    const answer = await this.pools[index]!.request({
      path: '/redfish/v1/SessionService/Sessions',
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ UserName: username, Password: password }),
    });
    await answer.body.dump();
    const token = answer.headers['x-auth-token'];
    if (answer.statusCode !== 201 || typeof token !== 'string') throw new Error(`${this.urls[index]}: session login answered HTTP ${answer.statusCode}`);
    this.tokens[index] = token;
  }

  /** One poll of BMC `index`; throws on any answer but 200. */
  async poll(index: number): Promise<void> {
    const pool = this.pools[index]!;
    const token = this.tokens[index]!;
    const answers = await Promise.allSettled(
      this.requests.map(async (request) => {
        const answer = await pool.request({
          path: request.path,
          method: 'GET',
          headers: request.authenticated ? { accept: 'application/json', 'odata-version': '4.0', 'x-auth-token': token } : { accept: 'application/json', 'odata-version': '4.0' },
        });
        await answer.body.arrayBuffer();
        if (answer.statusCode !== 200) throw new Error(`${this.urls[index]}${request.path}: HTTP ${answer.statusCode}`);
      }),
    );
    const failed = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.close()));
  }
}
