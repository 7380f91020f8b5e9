import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { Readable } from 'node:stream';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { z } from 'zod';

export type EngineErrorCode = 'address' | 'cleartext' | 'connection' | 'timeout' | 'cancelled' | 'tls_untrusted' | 'tls_changed' | 'http' | 'not_json' | 'malformed' | 'too_large';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly status?: number,
    readonly fingerprint?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface EngineClientOptions {
  /** `unix:/run/podman/podman.sock`, or `https://host:port` (mutual TLS). */
  url: string;
  /** PEM client certificate and key EdgeCab presents over TCP (issued by its own CA). */
  clientCertificate?: { cert: string; key: string } | null;
  /** SHA-256 of the engine's certificate, as trusted earlier ("AB:CD:…"). */
  pinnedFingerprint?: string | null;
  /** Trust the certificate the engine presents now (its fingerprint is then `fingerprint`). */
  trustOnFirstUse?: boolean;
  requestTimeoutMs?: number;
  /** Largest answer read; an engine with thousands of images stays well below. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

/** Where an engine is: a unix socket path, or a TLS origin. */
export type EngineAddress = { kind: 'unix'; socketPath: string } | { kind: 'tls'; origin: string };

/** Parses what a user gives for an engine; clear text TCP is refused (the API runs containers as root). */
export function engineAddress(url: string): EngineAddress {
  if (url.startsWith('unix:')) {
    const socketPath = url.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!socketPath.startsWith('/')) throw new EngineError('address', `"${url}": a unix socket needs an absolute path, e.g. unix:/run/podman/podman.sock`);
    return { kind: 'unix', socketPath };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError('address', `"${url}" is neither unix:/path nor https://host:port`);
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'tcp:') {
    throw new EngineError('cleartext', `${url}: the engine API over clear-text TCP lets anyone on the network run containers as root; use https:// with mutual TLS, or a unix socket`);
  }
  if (parsed.protocol !== 'https:') throw new EngineError('address', `"${url}" is neither unix:/path nor https://host:port`);
  return { kind: 'tls', origin: parsed.origin };
}

/**
 * A small typed client of the Docker Engine API (and Podman's compatible
 * service) on undici: over a unix socket, or over TCP with mutual TLS, the
 * engine's certificate checked against a pinned fingerprint as BMC
 * certificates are. Every answer is bounded, parsed and checked against
 * the schema of what EdgeCab uses, so a malformed one is an error that
 * names the path, never a crash.
 */
interface OutgoingBody {
  body?: string | Readable;
  contentType?: string;
  length?: number;
  /** A long transfer: no overall deadline. */
  stream?: boolean;
  /** This call's deadline instead of the client's (a health check may take longer). */
  timeoutMs?: number;
  answerTimeoutMs?: number;
}

export class EngineClient {
  readonly address: EngineAddress;
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private pinned: string | null;
  private seen: string | null = null;

  constructor(private readonly options: EngineClientOptions) {
    this.address = engineAddress(options.url);
    this.timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.pinned = options.pinnedFingerprint ?? null;
    if (this.address.kind === 'unix') {
      this.origin = 'http://engine';
      this.agent = new Agent({ connect: { socketPath: this.address.socketPath, timeout: this.timeoutMs }, connections: 4 });
    } else {
      this.origin = this.address.origin;
      this.agent = this.pinnedAgent(options.clientCertificate ?? null);
    }
  }

  /** The engine certificate's fingerprint pinned or seen (TCP), to store and show. */
  get fingerprint(): string | null {
    return this.pinned ?? this.seen;
  }

  private pinnedAgent(clientCertificate: { cert: string; key: string } | null): Agent {
    // CA validation is replaced by the pin: every connection's certificate is checked below. No session resumption (a resumed session shows no certificate).
    const tls: SecureContextOptions = clientCertificate ? { cert: clientCertificate.cert, key: clientCertificate.key } : {};
    const base = buildConnector({ rejectUnauthorized: false, timeout: this.timeoutMs, maxCachedSessions: 0, ...tls });
    const connect: buildConnector.connector = (connectOptions, callback) => {
      base(connectOptions, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        const fingerprint = (socket as TLSSocket).getPeerCertificate().fingerprint256 ?? null;
        this.seen = fingerprint;
        const failure = this.checkFingerprint(fingerprint);
        if (failure) {
          socket.destroy();
          return callback(failure, null);
        }
        callback(null, socket);
      });
    };
    return new Agent({ connect, connections: 4 });
  }

  private checkFingerprint(fingerprint: string | null): EngineError | null {
    if (!fingerprint) return new EngineError('tls_untrusted', `${this.origin}: the engine presented no certificate`);
    if (this.pinned) {
      if (fingerprint === this.pinned) return null;
      return new EngineError('tls_changed', `${this.origin}: the engine's certificate changed (was ${this.pinned}, now ${fingerprint}); refused. If it was re-keyed on purpose, trust the new certificate explicitly.`, undefined, fingerprint);
    }
    if (this.options.trustOnFirstUse) {
      this.pinned = fingerprint;
      return null;
    }
    return new EngineError('tls_untrusted', `${this.origin}: certificate not trusted yet (SHA-256 ${fingerprint}); check it and trust it on first use`, undefined, fingerprint);
  }

  /** A GET whose JSON answer must match `schema`. */
  async get<T extends z.ZodType>(path: string, schema: T, signal?: AbortSignal): Promise<z.output<T>> {
    return this.checked(path, await this.request('GET', path, signal), schema, false);
  }

  /** The answer read as JSON and checked against `schema`; an empty answer is null where `emptyIsNull` (calls that answer 204), else not JSON. */
  private checked<T extends z.ZodType>(path: string, body: Buffer, schema: T, emptyIsNull: boolean): z.output<T> {
    let parsed: unknown = null;
    if (body.length > 0 || !emptyIsNull) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new EngineError('not_json', `${this.where(path)}: the answer is not JSON`);
      }
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new EngineError('malformed', `${this.where(path)}: unexpected answer (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`);
    }
    return checked.data;
  }

  /** A request with a JSON body (or none) whose JSON answer must match `schema` (an empty answer is null). */
  async send<T extends z.ZodType>(method: Dispatcher.HttpMethod, path: string, schema: T, body?: unknown, signal?: AbortSignal): Promise<z.output<T>> {
    return this.checked(path, await this.call(method, path, body, signal), schema, true);
  }

  /** A request with a JSON body whose answer is not read as JSON (exec start answers a raw stream). */
  async call(method: Dispatcher.HttpMethod, path: string, body?: unknown, signal?: AbortSignal, timeoutMs?: number): Promise<Buffer> {
    return this.request(method, path, signal, { ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }), ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /**
   * Streams `body` (`length` bytes) to `path` and returns the raw answer:
   * an image archive to `/images/load`. Only idle time is bounded; the
   * answer may take `answerTimeoutMs` after the last byte (an engine
   * unpacks layers before it answers).
   */
  async upload(path: string, body: Readable, length: number, contentType: string, answerTimeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
    return this.request('POST', path, signal, { body, length, contentType, stream: true, answerTimeoutMs });
  }

  private where(path: string): string {
    return this.address.kind === 'unix' ? `unix:${this.address.socketPath} ${path}` : `${this.origin}${path}`;
  }

  private async request(method: Dispatcher.HttpMethod, path: string, signal?: AbortSignal, send: OutgoingBody = {}): Promise<Buffer> {
    let response: Dispatcher.ResponseData;
    // A transfer may take minutes on a thin WAN: it has no overall deadline, only the idle timeouts (no bytes either way for timeoutMs).
    // A timer that holds the process open: AbortSignal.timeout's does not, and a CLI whose only pending work is a request undici lost (a TLS 1.3 peer refusing the client certificate after the handshake, under load) would exit 13 with nothing said.
    const deadline = new AbortController();
    const timer = send.stream ? null : setTimeout(() => deadline.abort(new DOMException('deadline', 'TimeoutError')), send.timeoutMs ?? this.timeoutMs);
    const timeout = deadline.signal;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (send.contentType) headers['content-type'] = send.contentType;
    if (send.length !== undefined) headers['content-length'] = String(send.length);
    const wait = send.answerTimeoutMs ?? send.timeoutMs ?? this.timeoutMs;
    const stop = signal ? AbortSignal.any([timeout, signal]) : timeout;
    try {
      const pending = this.agent.request({ origin: this.origin, path, method, headers, body: send.body ?? null, headersTimeout: wait, bodyTimeout: wait, signal: stop });
      // An answer that comes after its deadline is destroyed, so it holds no socket.
      response = await settledBy(pending, stop, (late) => late.body.destroy());
    } catch (error) {
      if (timer) clearTimeout(timer);
      throw this.transport(error, path, timeout.aborted);
    }
    const answer = response;
    const readAll = async (): Promise<Buffer[]> => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of answer.body) {
        size += (chunk as Buffer).length;
        if (size > this.maxBodyBytes) {
          answer.body.destroy();
          throw new EngineError('too_large', `${this.where(path)}: answer larger than ${this.maxBodyBytes} bytes; not read`);
        }
        chunks.push(chunk as Buffer);
      }
      return chunks;
    };
    let chunks: Buffer[];
    try {
      // The body, too, settles by the deadline: undici may ignore the abort while it reads one.
      chunks = await settledBy(readAll(), stop);
    } catch (error) {
      answer.body.destroy();
      throw this.transport(error, path, timeout.aborted);
    } finally {
      if (timer) clearTimeout(timer);
    }
    const body = Buffer.concat(chunks);
    if (response.statusCode >= 400) {
      let message = body.toString('utf8').trim();
      try {
        const json = JSON.parse(message) as { message?: unknown };
        if (typeof json.message === 'string') message = json.message;
      } catch {
        // a plain-text answer is its own message
      }
      // Long enough for Podman's image-load errors, which list every format tried before the reason.
      message = message.slice(0, 2000);
      throw new EngineError('http', `${this.where(path)}: HTTP ${response.statusCode}${message ? `: ${message}` : ''}`, response.statusCode);
    }
    return body;
  }

  private transport(error: unknown, path: string, timedOut: boolean): EngineError {
    if (error instanceof EngineError) return error;
    if (timedOut) return new EngineError('timeout', `${this.where(path)}: no answer within ${Math.round(this.timeoutMs / 1000)} s`);
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof EngineError) return cause;
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT' || err.code === 'UND_ERR_CONNECT_TIMEOUT') return new EngineError('timeout', `${this.where(path)}: no answer within ${Math.round(this.timeoutMs / 1000)} s`);
    if (err.name === 'AbortError') return new EngineError('cancelled', `${this.where(path)}: cancelled before it answered`);
    if (err.code === 'ENOENT') return new EngineError('connection', `${this.where(path)}: no such socket (is the engine's API service running?)`);
    if (err.code === 'EACCES') return new EngineError('connection', `${this.where(path)}: permission denied on the socket`);
    if (err.code === 'ECONNREFUSED') return new EngineError('connection', `${this.where(path)}: connection refused (nothing listens there)`);
    return new EngineError('connection', `${this.where(path)}: ${err.code ?? ''} ${err.message ?? String(error)}`.replace(/\s+/g, ' ').trim());
  }

  /** Waits for requests in flight a little, then tears down whatever undici still holds (a request it lost would hold close() forever). */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
    });
    // A close that fails is as good as one that never ends: what undici holds is torn down either way.
    const closed = await Promise.race([this.agent.close().then(() => 'closed' as const, () => 'late' as const), grace]);
    clearTimeout(timer);
    if (closed === 'late') await this.agent.destroy();
  }
}

const CLOSE_GRACE_MS = 2_000;

/**
 * `request` settled no later than `stop` aborts. Under load undici 6 can lose
 * a request whose TLS 1.3 peer refuses the client certificate just after the
 * handshake: it ignores the abort, and the CLI exited 13 with nothing said
 * instead of reporting the engine. The deadline's own timer (request()) holds
 * the process open until then; a stream has none and holds nothing.
 */
function settledBy<T>(request: Promise<T>, stop: AbortSignal, discardLate?: (late: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const done = () => {
      settled = true;
      stop.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(stop.reason as Error);
    };
    if (stop.aborted) onAbort();
    stop.addEventListener('abort', onAbort, { once: true });
    request.then(
      (value) => {
        if (settled) {
          discardLate?.(value);
          return;
        }
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error as Error);
      },
    );
  });
}
