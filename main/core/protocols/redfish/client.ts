import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { Transform, type Readable } from 'node:stream';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { deadline } from '../../lib/deadline.js';

export type RedfishErrorCode =
  | 'tls_untrusted'
  | 'tls_changed'
  | 'auth'
  | 'timeout'
  | 'connection'
  | 'http'
  | 'not_json'
  | 'error_body'
  | 'too_large'
  | 'redirect'
  | 'not_redfish'
  | 'precondition_failed'
  | 'not_allowed'
  | 'not_supported'
  | 'task_failed'
  | 'clear_text'
  | 'aborted';

/** One failed exchange with a BMC, with a reason a person can act on. */
export class RedfishError extends Error {
  constructor(
    readonly code: RedfishErrorCode,
    message: string,
    readonly status?: number,
    readonly fingerprint?: string,
  ) {
    super(message);
    this.name = 'RedfishError';
  }
}

/**
 * The BMC refused the user name and password themselves (a session login
 * or Basic answered 401/403): what counts toward locking the account. Not
 * a 403 on a resource after a login that worked.
 */
export class LoginRefusedError extends RedfishError {
  constructor(origin: string, status: number) {
    super('auth', `${origin}: user name or password rejected`, status);
  }
}

export const isLoginRefused = (error: unknown): error is LoginRefusedError => error instanceof LoginRefusedError;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface RedfishClientOptions {
  /** https://host:port or http://host:port; the service root is /redfish/v1 below it. */
  url: string;
  username: string;
  password: string;
  /** SHA-256 fingerprint of the BMC's certificate ("AB:CD:…"), as trusted earlier. */
  pinnedFingerprint?: string | null;
  /** Trust the certificate seen on the first connection and pin it for the rest. */
  trustOnFirstUse?: boolean;
  requestTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Connections (so requests in flight) to this BMC at most. */
  maxConnections?: number;
  retries?: number;
  /** http:// sends the password in clear text; refused unless the user said so for this BMC. */
  allowClearText?: boolean;
  /** An idle event stream (no data, not even a keep-alive comment) this long is dropped and reopened. */
  streamIdleMs?: number;
}

/** Per call: an abort that cancels the request (a poll that ran out of time, monitoring stopping). */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface RedfishResponse {
  status: number;
  headers: Record<string, string>;
  body: JsonObject | null;
}

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
const DEFAULT_STREAM_IDLE_MS = 5 * 60_000;
/** After a session service said it does not exist, sessions are tried again this much later (firmware updates add them). */
const BASIC_RETRY_MS = 10 * 60_000;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const SERVICE_ROOT = '/redfish/v1';

/** A heartbeat cadence shorter than this is not trusted to time a stream out (a burst of comments is no cadence). */
const MIN_HEARTBEAT_IDLE_MS = 5_000;

/**
 * How long an event stream may stay silent before it is taken for dead:
 * the client's limit until the BMC's heartbeat cadence is known (keep-alive
 * comments, or heartbeat events), then three heartbeats' worth of silence,
 * so a stream whose BMC went away is reopened in a minute, not five.
 */
export class StreamIdle {
  private lastBeat: number | null = null;
  private readonly gaps: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The stream carried a heartbeat now. */
  heartbeat(): void {
    const at = this.now();
    if (this.lastBeat !== null) {
      this.gaps.push(at - this.lastBeat);
      if (this.gaps.length > 2) this.gaps.shift();
    }
    this.lastBeat = at;
  }

  /** The silence allowed now, given the client's own limit. */
  limitMs(defaultMs: number): number {
    // Two gaps seen, so one stray comment right after the stream opened sets no cadence.
    if (this.gaps.length < 2) return defaultMs;
    return Math.min(defaultMs, Math.max(MIN_HEARTBEAT_IDLE_MS, 3 * Math.max(...this.gaps)));
  }
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message of a Redfish error body ({"error": {"message", "@Message.ExtendedInfo"}}), if it is one. */
export function redfishErrorMessage(body: JsonObject | null): string | null {
  const error = body?.error;
  if (!isObject(error)) return null;
  const extended = Array.isArray(error['@Message.ExtendedInfo']) ? error['@Message.ExtendedInfo'] : [];
  const first = extended.find(isObject);
  return String(first?.Message ?? error.message ?? error.code ?? 'error');
}

let secureContext: SecureContext | null = null;

/**
 * One TLS context for every BMC connection: a context of its own per
 * connection loads the system's CA list each time, about half a megabyte,
 * which a monitor holding hundreds of BMC connections cannot afford. The CA
 * list is not used anyway: every connection is checked against its pin.
 */
function sharedSecureContext(): SecureContext {
  secureContext ??= createSecureContext();
  return secureContext;
}

/**
 * An HTTP client for one BMC on undici: keep-alive connections (at most a
 * few), the certificate checked against a pinned fingerprint rather than any
 * CA, sessions with re-login on 401 and Basic auth as fallback, retries with
 * backoff for GETs only, and every answer bounded and checked.
 */
export class RedfishClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly requestTimeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly retries: number;
  private pinned: string | null;
  private seenFingerprint: string | null = null;
  /** Organization and common name of the certificate's subject and issuer: BMCs often name their maker there. */
  private seenNames: string[] = [];
  private token: string | null = null;
  private sessionUri: string | null = null;
  /** Since when Basic auth is used because the service offers no sessions (0: sessions). */
  private basicSince = 0;
  private loggingIn: Promise<void> | null = null;
  requestCount = 0;

  constructor(private readonly options: RedfishClientOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RedfishError('not_redfish', `${options.url}: use an http:// or https:// URL`);
    if (url.protocol === 'http:' && !options.allowClearText) {
      throw new RedfishError('clear_text', `${url.origin}: http:// would send the BMC password in clear text; use https://, or allow clear text for this BMC explicitly`);
    }
    this.origin = url.origin;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.retries = options.retries ?? 2;
    this.pinned = options.pinnedFingerprint ?? null;
    this.agent = this.pinnedAgent(options.maxConnections ?? 4);
  }

  /** An undici Agent whose every TLS connection is checked against the pinned certificate. */
  private pinnedAgent(connections: number): Agent {
    // CA validation is off only because the pin replaces it: every TLS connection is checked below.
    // No TLS session resumption: a resumed session carries no certificate to check.
    const base = buildConnector({ rejectUnauthorized: false, timeout: this.requestTimeoutMs, maxCachedSessions: 0, secureContext: sharedSecureContext() });
    const connect: buildConnector.connector = (connectOptions, callback) => {
      base(connectOptions, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        if (connectOptions.protocol === 'https:') {
          const peer = (socket as TLSSocket).getPeerCertificate();
          const fingerprint = peer.fingerprint256 ?? null;
          this.seenFingerprint = fingerprint;
          this.seenNames = [peer.subject?.O, peer.subject?.CN, peer.issuer?.O, peer.issuer?.CN].flat().filter((name): name is string => typeof name === 'string' && name.length > 0);
          const failure = this.checkFingerprint(fingerprint);
          if (failure) {
            socket.destroy();
            return callback(failure, null);
          }
        }
        callback(null, socket);
      });
    };
    // Kept idle longer than a health interval (45 s by default), so a poll finds its connections open instead of handshaking again.
    return new Agent({ connect, connections, keepAliveTimeout: 120_000, pipelining: 1 });
  }

  /**
   * Opens a long-lived GET (server-sent events) on its own pinned connection,
   * so it never holds one of the polling connections. Ends when the signal aborts.
   */
  async *stream(path: string, signal: AbortSignal, cadence: StreamIdle = new StreamIdle()): AsyncGenerator<Buffer> {
    await this.ensureAuth({ signal });
    const agent = this.pinnedAgent(1);
    const defaultIdleMs = this.options.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS;
    let idleMs = defaultIdleMs;
    const idle = new AbortController();
    let idleTimer: ReturnType<typeof setTimeout> | null = null;
    const touch = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleMs = cadence.limitMs(defaultIdleMs);
      idleTimer = setTimeout(() => idle.abort(), idleMs);
      idleTimer.unref?.();
    };
    try {
      touch();
      const response = await agent.request({ origin: this.origin, path, method: 'GET', headers: { accept: 'text/event-stream', ...this.authHeaders() }, signal: AbortSignal.any([signal, idle.signal]), bodyTimeout: 0 });
      if (response.statusCode !== 200) {
        response.body.destroy();
        throw new RedfishError(response.statusCode === 401 ? 'auth' : 'http', `${this.origin}${path}: HTTP ${response.statusCode}`, response.statusCode);
      }
      for await (const chunk of response.body) {
        touch();
        yield chunk as Buffer;
      }
    } catch (error) {
      if (idle.signal.aborted && !signal.aborted) throw new RedfishError('timeout', `${this.origin}${path}: the event stream was silent for ${Math.round(idleMs / 1000)} s (not even a keep-alive${idleMs < defaultIdleMs ? ', which came far more often' : ''}); reopening it`);
      if (!signal.aborted) throw this.classifyTransport(error, path);
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      await agent.close().catch(() => undefined);
    }
  }

  private checkFingerprint(fingerprint: string | null): RedfishError | null {
    if (!fingerprint) return new RedfishError('tls_untrusted', `${this.origin}: the BMC presented no certificate`);
    if (this.pinned) {
      if (fingerprint === this.pinned) return null;
      return new RedfishError(
        'tls_changed',
        `${this.origin}: the BMC's certificate changed (was ${this.pinned}, now ${fingerprint}); refused. If the BMC was re-keyed on purpose, trust the new certificate explicitly.`,
        undefined,
        fingerprint,
      );
    }
    if (this.options.trustOnFirstUse) {
      this.pinned = fingerprint;
      return null;
    }
    return new RedfishError('tls_untrusted', `${this.origin}: certificate not trusted yet (SHA-256 ${fingerprint}); check it and trust it on first use`, undefined, fingerprint);
  }

  /** Whether the BMC gave this client a session: its login itself was accepted (Basic auth proves nothing until a request is allowed). */
  get hasSession(): boolean {
    return this.token !== null;
  }

  /** The certificate fingerprint pinned (or seen) for this BMC, to store and show to the user. */
  get fingerprint(): string | null {
    return this.pinned ?? this.seenFingerprint;
  }

  /** Names in the certificate last seen (subject and issuer organization and CN). */
  get certificateNames(): readonly string[] {
    return this.seenNames;
  }

  get url(): string {
    return this.origin;
  }

  private get useBasic(): boolean {
    return this.basicSince > 0;
  }

  private authHeaders(): Record<string, string> {
    if (this.token) return { 'x-auth-token': this.token };
    if (this.useBasic) return { authorization: `Basic ${Buffer.from(`${this.options.username}:${this.options.password}`).toString('base64')}` };
    return {};
  }

  /** A session (or Basic auth where the service has none); sessions are tried again a while after falling back. */
  private async ensureAuth(options: CallOptions): Promise<void> {
    if (this.token) return;
    if (this.useBasic && Date.now() - this.basicSince < BASIC_RETRY_MS) return;
    await this.login(options);
  }

  private async readBody(body: Dispatcher.ResponseData['body'], path: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > this.maxBodyBytes) {
        body.destroy();
        throw new RedfishError('too_large', `${this.origin}${path}: answer larger than ${this.maxBodyBytes} bytes; not read`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private classifyTransport(error: unknown, path: string): RedfishError {
    if (error instanceof RedfishError) return error;
    const err = error as { code?: string; name?: string; message?: string; cause?: unknown };
    if (err.cause instanceof RedfishError) return err.cause;
    if (err.name === 'AbortError' && !(err.cause instanceof Error && err.cause.name === 'TimeoutError') && err.code !== 'UND_ERR_ABORTED') {
      return new RedfishError('aborted', `${this.origin}${path}: cancelled`);
    }
    if (err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT' || err.code === 'UND_ERR_CONNECT_TIMEOUT' || err.name === 'AbortError' || err.code === 'UND_ERR_ABORTED') {
      return new RedfishError('timeout', `${this.origin}${path}: no complete answer within ${this.requestTimeoutMs} ms`);
    }
    if (err.code === 'ECONNREFUSED') return new RedfishError('connection', `${this.origin}: connection refused (nothing listens there, or a firewall refuses)`);
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new RedfishError('connection', `${this.origin}: host name not found`);
    return new RedfishError('connection', `${this.origin}${path}: ${err.code ?? ''} ${err.message ?? String(error)}`.replace(/\s+/g, ' '));
  }

  /** One HTTP exchange, answer parsed and checked; no retry, no re-login. */
  private async exchange(method: Dispatcher.HttpMethod, path: string, body?: { json?: unknown; raw?: Buffer; contentType?: string }, extraHeaders: Record<string, string> = {}, options: CallOptions = {}): Promise<RedfishResponse> {
    if (options.signal?.aborted) throw new RedfishError('aborted', `${this.origin}${path}: cancelled`);
    const headers: Record<string, string> = { accept: 'application/json', 'odata-version': '4.0', ...this.authHeaders(), ...extraHeaders };
    let payload: Buffer | string | undefined;
    if (body?.json !== undefined) {
      payload = JSON.stringify(body.json);
      headers['content-type'] = 'application/json';
    } else if (body?.raw) {
      payload = body.raw;
      headers['content-type'] = body.contentType ?? 'application/octet-stream';
    }
    this.requestCount += 1;
    const limit = deadline(this.requestTimeoutMs, options.signal);
    try {
      return await this.exchangeWithin(limit.signal, method, path, headers, payload);
    } finally {
      limit.release();
    }
  }

  private async exchangeWithin(signal: AbortSignal, method: Dispatcher.HttpMethod, path: string, headers: Record<string, string>, payload: Buffer | string | undefined): Promise<RedfishResponse> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.agent.request({
        origin: this.origin,
        path,
        method,
        headers,
        body: payload,
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: this.requestTimeoutMs,
        signal,
      });
    } catch (error) {
      throw this.classifyTransport(error, path);
    }
    return this.answerOf(response, path);
  }

  /** A response read whole: its headers, and its body as JSON (anything else is the BMC's error). */
  private async answerOf(response: Dispatcher.ResponseData, path: string): Promise<RedfishResponse> {
    let raw: Buffer;
    try {
      raw = await this.readBody(response.body, path);
    } catch (error) {
      throw this.classifyTransport(error, path);
    }
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
    const status = response.statusCode;
    if (status >= 300 && status < 400) {
      throw new RedfishError('redirect', `${this.origin}${path}: redirected (${status}) to ${header(response.headers, 'location') ?? '?'}; redirects are not followed`, status);
    }
    let parsed: JsonObject | null = null;
    if (raw.length > 0) {
      const type = header(response.headers, 'content-type') ?? '';
      if (!/json/i.test(type) && !raw.subarray(0, 1).toString().match(/[{[]/)) {
        throw new RedfishError('not_json', `${this.origin}${path}: answered ${type || 'something'} (HTTP ${status}), not JSON`, status);
      }
      try {
        const value = JSON.parse(raw.toString('utf8')) as unknown;
        parsed = isObject(value) ? value : null;
      } catch {
        throw new RedfishError('not_json', `${this.origin}${path}: malformed or truncated JSON (HTTP ${status}, ${raw.length} bytes)`, status);
      }
    }
    return { status, headers: responseHeaders, body: parsed };
  }

  private async login(options: CallOptions = {}): Promise<void> {
    this.loggingIn ??= (async () => {
      this.token = null;
      const answer = await this.exchange('POST', `${SERVICE_ROOT}/SessionService/Sessions`, { json: { UserName: this.options.username, Password: this.options.password } }, {}, options);
      if (answer.status === 401 || answer.status === 403) throw new LoginRefusedError(this.origin, answer.status);
      const token = answer.headers['x-auth-token'];
      if ((answer.status === 201 || answer.status === 200) && token) {
        this.token = token;
        this.basicSince = 0;
        this.sessionUri = answer.headers.location ?? (typeof answer.body?.['@odata.id'] === 'string' ? answer.body['@odata.id'] : null);
        return;
      }
      // A busy or failing service (5xx, 429…) is not a service without sessions: the login failed, try again later.
      if (answer.status >= 500 || answer.status === 429 || answer.status === 408) {
        throw new RedfishError('http', `${this.origin}: session login failed for now (HTTP ${answer.status}${redfishErrorMessage(answer.body) ? `: ${redfishErrorMessage(answer.body)}` : ''})`, answer.status);
      }
      // No session service (404/405/501), or a session without a token: Basic auth, with sessions tried again later.
      this.basicSince = Date.now();
    })().finally(() => {
      this.loggingIn = null;
    });
    return this.loggingIn;
  }

  /**
   * POSTs a large body (a firmware image) whose time limit follows its
   * progress, not its size: it fails only when no byte went out for
   * `idleMs`, or when the BMC, holding it all, takes longer than `answerMs`
   * to answer (it may verify the image first). `body` is called again for
   * the one retry after a 401.
   */
  async upload(path: string, body: () => Readable, contentType: string, options: { idleMs: number; answerMs: number; onSent?: (bytes: number) => void; signal?: AbortSignal }): Promise<RedfishResponse> {
    const call = options.signal ? { signal: options.signal } : {};
    await this.ensureAuth(call);
    const send = async (): Promise<RedfishResponse> => {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const arm = (ms: number, reason: string) => {
        clearTimeout(timer);
        if (settled) return;
        timer = setTimeout(() => controller.abort(new RedfishError('timeout', `${this.origin}${path}: ${reason}`)), ms);
      };
      let sent = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          sent += chunk.length;
          options.onSent?.(sent);
          arm(options.idleMs, `no byte of the upload went out for ${Math.round(options.idleMs / 1000)} s (${sent} bytes sent)`);
          done(null, chunk);
        },
        flush(done) {
          arm(options.answerMs, `the whole image was sent (${sent} bytes) and no answer came within ${Math.round(options.answerMs / 1000)} s`);
          done();
        },
      });
      const source = body();
      // The body's own failure (a file that changed under it) is the answer, not the broken request it causes.
      let sourceError: Error | null = null;
      source.on('error', (error) => {
        sourceError = error;
        counter.destroy(error);
      });
      source.pipe(counter);
      arm(options.idleMs, `the upload did not start within ${Math.round(options.idleMs / 1000)} s`);
      const cancel = () => controller.abort(new RedfishError('aborted', `${this.origin}${path}: cancelled`));
      options.signal?.addEventListener('abort', cancel, { once: true });
      this.requestCount += 1;
      try {
        const headers = { accept: 'application/json', 'odata-version': '4.0', ...this.authHeaders(), 'content-type': contentType };
        const response = await this.agent.request({ origin: this.origin, path, method: 'POST', headers, body: counter, headersTimeout: 0, bodyTimeout: this.requestTimeoutMs, signal: controller.signal });
        clearTimeout(timer);
        return await this.answerOf(response, path);
      } catch (error) {
        if (sourceError) throw sourceError;
        if (controller.signal.reason instanceof RedfishError) throw controller.signal.reason;
        throw this.classifyTransport(error, path);
      } finally {
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', cancel);
        source.destroy();
      }
    };
    const answer = await send();
    if (answer.status !== 401) return answer;
    this.token = null;
    await this.login(call);
    return send();
  }

  /** Sends a request with auth, re-login on 401, and (GET only) retries with backoff. */
  async request(method: Dispatcher.HttpMethod, path: string, body?: { json?: unknown; raw?: Buffer; contentType?: string }, headers: Record<string, string> = {}, options: CallOptions = {}): Promise<RedfishResponse> {
    await this.ensureAuth(options);
    const attempts = method === 'GET' ? this.retries + 1 : 1;
    let lastError: RedfishError | null = null;
    let reloggedIn = false;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 150 * 2 ** (attempt - 1)));
      if (options.signal?.aborted) throw new RedfishError('aborted', `${this.origin}${path}: cancelled`);
      let answer: RedfishResponse;
      try {
        answer = await this.exchange(method, path, body, headers, options);
      } catch (error) {
        lastError = this.classifyTransport(error, path);
        if (['timeout', 'connection'].includes(lastError.code) && method === 'GET' && !options.signal?.aborted) continue;
        throw lastError;
      }
      if (answer.status === 401 && !reloggedIn) {
        reloggedIn = true;
        if (this.useBasic) throw new LoginRefusedError(this.origin, 401);
        await this.login(options);
        attempt -= 1;
        continue;
      }
      if (answer.status === 401 || answer.status === 403) throw new RedfishError('auth', `${this.origin}${path}: not allowed (HTTP ${answer.status})`, answer.status);
      if (method === 'GET' && RETRYABLE_STATUS.has(answer.status)) {
        lastError = new RedfishError('http', `${this.origin}${path}: HTTP ${answer.status}${redfishErrorMessage(answer.body) ? `: ${redfishErrorMessage(answer.body)}` : ''}`, answer.status);
        continue;
      }
      if (answer.status === 412) throw new RedfishError('precondition_failed', `${this.origin}${path}: the resource changed since it was read (ETag mismatch); read it again`, 412);
      if (answer.status >= 400) {
        throw new RedfishError('http', `${this.origin}${path}: HTTP ${answer.status}${redfishErrorMessage(answer.body) ? `: ${redfishErrorMessage(answer.body)}` : ''}`, answer.status);
      }
      if (answer.status === 200 && answer.body && redfishErrorMessage(answer.body) && !answer.body['@odata.id']) {
        throw new RedfishError('error_body', `${this.origin}${path}: answered 200 with an error: ${redfishErrorMessage(answer.body)}`, 200);
      }
      return answer;
    }
    throw lastError ?? new RedfishError('connection', `${this.origin}${path}: no answer`);
  }

  async get(path: string, options: CallOptions = {}): Promise<JsonObject> {
    const answer = await this.request('GET', path, undefined, {}, options);
    if (!answer.body) throw new RedfishError('not_json', `${this.origin}${path}: empty answer`, answer.status);
    return answer.body;
  }

  /**
   * A resource read with no credentials at all (no login is sent, so
   * nothing counts toward the account's lockout): its body when the service
   * shows it so, else null. Most BMCs want a login for all but the root.
   */
  async getWithoutLogin(path: string, options: CallOptions = {}): Promise<JsonObject | null> {
    if (this.token || this.useBasic) throw new RedfishError('not_allowed', `${this.origin}${path}: this client has credentials; use get()`);
    try {
      const answer = await this.exchange('GET', path, undefined, {}, options);
      return answer.status === 200 ? answer.body : null;
    } catch {
      return null;
    }
  }

  /** The service root, read without credentials as Redfish allows; proves the address is a Redfish service. */
  async serviceRoot(options: CallOptions = {}): Promise<JsonObject> {
    let answer: RedfishResponse;
    try {
      answer = await this.exchange('GET', `${SERVICE_ROOT}/`, undefined, {}, options);
    } catch (error) {
      const failure = this.classifyTransport(error, `${SERVICE_ROOT}/`);
      if (failure.code === 'not_json' || failure.code === 'redirect') throw new RedfishError('not_redfish', `${this.origin}: not a Redfish service (${failure.message})`, failure.status);
      throw failure;
    }
    if (answer.status === 401) return this.get(`${SERVICE_ROOT}/`, options);
    if (answer.status !== 200 || !answer.body || typeof answer.body.RedfishVersion !== 'string') {
      throw new RedfishError('not_redfish', `${this.origin}: not a Redfish service (no service root at ${SERVICE_ROOT}, HTTP ${answer.status})`, answer.status);
    }
    return answer.body;
  }

  /** Ends the session (so the BMC's few session slots are not used up) and closes the connections. */
  async close(): Promise<void> {
    if (this.token && this.sessionUri) {
      const uri = this.sessionUri.startsWith('http') ? new URL(this.sessionUri).pathname : this.sessionUri;
      await this.exchange('DELETE', uri).catch(() => undefined);
    }
    this.token = null;
    await this.agent.close().catch(() => undefined);
  }
}
