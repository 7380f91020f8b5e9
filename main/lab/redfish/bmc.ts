import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpsServer, get as httpsGet, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { selfSignedCertificate, type LabCertificate } from './certificate.js';
import { AccountLockout } from './lockout.js';
import { LabFirmwareUpdates, LabUpdateError, type LabFirmwareBehaviour } from './firmware-updates.js';
import { pushEvent, type PushCounters } from './push.js';

export type { LabCertificate } from './certificate.js';
import { normalizePath, ResourceStore, ROOT, sharedMockup, synthesizeCollection, type Resource } from './store.js';

/** Misbehaviour a test or the demo switches on, per BMC. */
export interface BmcFaults {
  latencyMs?: number;
  /** Fraction (0–1) of requests answered with an injected error (errorStatus). */
  errorRate?: number;
  /** The status of an injected error (500 unless said). */
  errorStatus?: number;
  malformedJson?: boolean;
  truncatedBody?: boolean;
  dropConnections?: boolean;
  html?: boolean;
  errorBodyWith200?: boolean;
  hugeBodyBytes?: number;
  endlessBody?: boolean;
  redirectLoop?: boolean;
  /** Account password changes are refused, as by a BMC whose password policy the new one does not meet. */
  refusePasswordChange?: boolean;
  /**
   * How a password change ends, as field BMCs end them: applied and answered
   * 204 with no body; applied, then 503; a 503 before applying; applied, then
   * the connection dropped; applied, then no answer at all.
   */
  passwordChange?: 'no-content' | 'applied-then-503' | '503-not-applied' | 'applied-then-drop' | 'applied-then-hang';
  /** How far the BMC's clock is off, in ms. */
  clockSkewMs?: number;
  /** Requests are taken and never answered, as behind a link that drops everything (the client's timeout ends them). */
  silent?: boolean;
}

export interface LabBmcOptions {
  mockupDir: string;
  port?: number;
  /** A loopback address to listen on (default 127.0.0.1). */
  host?: string;
  users?: Record<string, string>;
  /** How long a firmware update task runs. */
  taskDurationMs?: number;
  /** How it takes firmware: the apply times it declares, and update faults. */
  firmware?: LabFirmwareBehaviour;
  /** Lab additions the mockups lack: MultipartHttpPushUri and ServerSentEventUri (on by default). */
  modernUpdateService?: boolean;
  /** false: no SessionService, as on some older BMCs; clients must use Basic auth. */
  sessions?: boolean;
  /** A certificate to present; by default each lab BMC makes its own, as each real BMC has its own. */
  certificate?: LabCertificate;
  /** AccountService (and so its lockout policy) readable without a login, as a few BMCs allow; off by default, as on most. */
  anonymousAccountService?: boolean;
}

const MAX_UPLOAD = 64 * 1024 * 1024;
const sharedAnswers = new WeakMap<Resource, { text: string; etag: string }>();
/** How long an idle keep-alive connection stays open (announced to clients in the Keep-Alive header). */
const LAB_KEEP_ALIVE_MS = 60_000;

function etagOf(resource: Resource): string {
  return `W/"${createHash('sha1').update(JSON.stringify(resource)).digest('hex').slice(0, 16)}"`;
}

/** Reads a request body; `bytesPerSecond` reads it no faster, as over a thin link. */
function readBody(req: IncomingMessage, bytesPerSecond = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (bytesPerSecond > 0) {
        req.pause();
        setTimeout(() => req.resume(), (chunk.length / bytesPerSecond) * 1000);
      }
      if (size > MAX_UPLOAD) {
        reject(new Error('upload too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Splits a multipart/form-data body into its parts (name, content type, bytes). */
export function parseMultipart(body: Buffer, contentType: string): { name: string; type: string; data: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { name: string; type: string; data: Buffer }[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      parts.push({
        name: /name="([^"]+)"/i.exec(headers)?.[1] ?? '',
        type: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
        data: part.subarray(headerEnd + 4),
      });
    }
    start = next;
  }
  return parts;
}

/** A pulled image, over HTTPS (the lab does not check the image server's certificate, as many BMCs do not), at most MAX_UPLOAD bytes. */
function downloadImage(uri: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const url = new URL(uri);
    if (url.protocol !== 'https:') return reject(new Error('only HTTPS image URIs are taken'));
    const request = httpsGet(url, { rejectUnauthorized: false, timeout: 60_000 }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return reject(new Error(`HTTP ${response.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_UPLOAD) return request.destroy(new Error('image too large'));
        chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

const RESET_RESULT: Record<string, 'On' | 'Off'> = {
  On: 'On',
  ForceOn: 'On',
  GracefulRestart: 'On',
  ForceRestart: 'On',
  PowerCycle: 'On',
  Nmi: 'On',
  PushPowerButton: 'On',
  GracefulShutdown: 'Off',
  ForceOff: 'Off',
};

/**
 * A simulated BMC: serves a Redfish mockup over HTTPS with a self-signed
 * certificate on 127.0.0.1, and behaves like one — sessions, PATCH kept in
 * memory with ETags, resets that change PowerState, accounts that take
 * effect, SSE events on changes, firmware pushes that run as tasks and apply
 * now or on the next reset. Faults can be switched on per BMC.
 */
export class LabBmc {
  private readonly resources: ResourceStore;
  /** The chassis that count energy, and the resources a power limit is set through: found once, as neither changes. */
  private readonly meteredChassis: string[] = [];
  private readonly powerPaths: { controls: string[]; powers: string[] } = { controls: [], powers: [] };
  private readonly users: Map<string, string>;
  private readonly sessions = new Map<string, { user: string; path: string }>();
  /** Firmware pushes: tasks, staged images, apply times and update faults. */
  readonly updates: LabFirmwareUpdates;
  private readonly sseClients = new Set<ServerResponse>();
  private readonly sockets = new Set<Duplex>();
  private server: Server | undefined;
  private certificate: LabCertificate;
  private counter = 0;
  faults: BmcFaults = {};
  requests = 0;
  /** Requests being answered now, and the most at once: a poll must never hold more than its client's connections. */
  inFlight = 0;
  maxInFlight = 0;
  /** Requests whose client went away before the answer: what an aborted poll leaves. */
  abandoned = 0;
  /** Password checks (session logins and Basic auth), accepted and refused, per user: what tests count logins by. */
  readonly logins = { accepted: new Map<string, number>(), refused: new Map<string, number>() };
  /**
   * Distinct callers with a request being answered now, and the most at
   * once. A caller is a session (its token), or, before it has one, the
   * connection it logs in or reads the service root on. One EdgeCab poll,
   * refresh or check is one caller at a time; two at once means two of them
   * overlapped on this BMC. (Basic auth cannot tell callers of one user apart.)
   */
  callersInFlight = 0;
  maxCallersInFlight = 0;
  /** Told when a caller starts (+1) and stops (−1) having requests in flight: tests add these up per site. */
  onCallers: ((delta: 1 | -1) => void) | null = null;
  private readonly callerRequests = new Map<string, number>();
  private readonly connectionIds = new WeakMap<object, number>();
  private connections = 0;
  /** The AccountService's lockout policy, enforced as a real BMC does (the mockup's: 5 failures in 30 s lock for 30 s). */
  readonly lockout = new AccountLockout(() => {
    const service = this.resources.peek(`${ROOT}/AccountService`) ?? {};
    const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
    return { threshold: number(service.AccountLockoutThreshold, 0), durationSeconds: number(service.AccountLockoutDuration, 30), resetAfterSeconds: number(service.AccountLockoutCounterResetAfter, 30) };
  });

  constructor(private readonly options: LabBmcOptions) {
    this.resources = new ResourceStore(sharedMockup(options.mockupDir));
    this.users = new Map(Object.entries(options.users ?? { admin: 'password' }));
    this.certificate = options.certificate ?? selfSignedCertificate('edgecab-lab-bmc');
    this.updates = new LabFirmwareUpdates(this.resources, options.firmware ?? {}, options.taskDurationMs ?? 300, (messageId, message, origin) => this.emit(messageId, message, origin), () => Date.now() + (this.faults.clockSkewMs ?? 0));
    this.addLabServices();
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  get url(): string {
    return `https://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** The certificate's SHA-256 fingerprint, as clients see it. */
  get fingerprint(): string {
    const der = Buffer.from(this.certificate.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    return createHash('sha256').update(der).digest('hex').toUpperCase().match(/.{2}/g)!.join(':');
  }

  resource(path: string): Resource | undefined {
    return this.resources.get(normalizePath(path));
  }

  private addLabServices(): void {
    const root = this.resources.get(ROOT)!;
    root.SessionService ??= { '@odata.id': `${ROOT}/SessionService` };
    if (!this.resources.has(`${ROOT}/SessionService`)) {
      this.resources.set(`${ROOT}/SessionService`, { '@odata.id': `${ROOT}/SessionService`, Id: 'SessionService', Sessions: { '@odata.id': `${ROOT}/SessionService/Sessions` } });
    }
    const eventPath = `${ROOT}/EventService`;
    const events = this.resources.get(eventPath) ?? { '@odata.id': eventPath, Id: 'EventService', Subscriptions: { '@odata.id': `${eventPath}/Subscriptions` } };
    this.resources.set(eventPath, events);
    root.EventService ??= { '@odata.id': eventPath };
    const updatePath = `${ROOT}/UpdateService`;
    const update = this.resources.get(updatePath);
    if (update && this.options.modernUpdateService !== false) {
      events.ServerSentEventUri ??= `${eventPath}/SSE`;
      this.updates.advertise(update);
    }
    root.Tasks ??= { '@odata.id': `${ROOT}/TaskService` };
    // Each chassis counts its energy (EnvironmentMetrics.EnergykWh), starting from its TotalEnergy sensor where the mockup has one.
    for (const path of this.resources.keys()) {
      if (!path.endsWith('/EnvironmentMetrics')) continue;
      const chassis = path.slice(0, -'/EnvironmentMetrics'.length);
      this.meteredChassis.push(chassis);
      if (this.resources.peek(path)!.EnergykWh) continue;
      const total = this.resources.peek(`${chassis}/Sensors/TotalEnergy`);
      this.resources.get(path)!.EnergykWh = { Reading: typeof total?.Reading === 'number' ? total.Reading : 0 };
    }
    for (const [path, resource] of this.resources.entries()) {
      if (resource.ControlType === 'Power') this.powerPaths.controls.push(path);
      else if (path.endsWith('/Power') && Array.isArray(resource.PowerControl)) this.powerPaths.powers.push(path);
    }
  }

  /** The chassis drew its power for `seconds`: each EnergykWh counter goes up by what its power reading says. */
  drawPower(seconds: number): void {
    for (const chassis of this.meteredChassis) {
      const resource = this.resources.get(`${chassis}/EnvironmentMetrics`);
      if (!resource) continue;
      const control = ((this.resources.peek(`${chassis}/Power`)?.PowerControl as Resource[] | undefined) ?? [])[0];
      const watts = typeof control?.PowerConsumedWatts === 'number' ? control.PowerConsumedWatts : (resource.PowerWatts as Resource | undefined)?.Reading;
      const energy = resource.EnergykWh as Resource | undefined;
      if (typeof watts === 'number' && energy && typeof energy.Reading === 'number') energy.Reading = Math.round((energy.Reading + (watts * seconds) / 3_600_000) * 1000) / 1000;
    }
  }

  /** Listens on `port` (default: the option, else a free port the system picks; `port` then reads it back). */
  async start(port = this.options.port ?? 0): Promise<this> {
    const server = createHttpsServer({ key: this.certificate.key, cert: this.certificate.cert }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.send(res, 500, { error: { code: 'Base.1.0.InternalError', message: (error as Error).message } });
        else res.destroy();
      });
    });
    // Node closes idle connections after 5 s; BMCs' web servers keep them longer, and a poller
    // should find its connections still open from one round to the next rather than re-handshake.
    server.keepAliveTimeout = LAB_KEEP_ALIVE_MS;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this;
  }

  /** Swaps in a new certificate, as a re-keyed (or impersonated) BMC would present. */
  rotateCertificate(): void {
    this.certificate = selfSignedCertificate('edgecab-lab-bmc-rotated');
    this.server?.setSecureContext({ key: this.certificate.key, cert: this.certificate.cert });
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.updates.stop();
    for (const client of this.sseClients) client.end();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    this.sendText(res, status, JSON.stringify(body), headers);
  }

  /** A JSON answer already serialized. */
  private sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'odata-version': '4.0', ...headers });
    res.end(text);
  }

  private error(res: ServerResponse, status: number, message: string): void {
    this.send(res, status, { error: { code: 'Base.1.8.GeneralError', message, '@Message.ExtendedInfo': [{ MessageId: 'Base.1.8.GeneralError', Message: message }] } });
  }

  private authenticated(req: IncomingMessage): string | null {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && this.sessions.has(token)) return this.sessions.get(token)!.user;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const [user, ...rest] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      if (user && this.checkPassword(user, rest.join(':'))) return user;
    }
    return null;
  }

  /** A password check as the account policy counts it: a locked account refuses even the right one. */
  private checkPassword(user: string, password: string | undefined): boolean {
    const count = (map: Map<string, number>) => map.set(user, (map.get(user) ?? 0) + 1);
    if (this.lockout.locked(user)) {
      count(this.logins.refused);
      return false;
    }
    if (this.users.get(user) === password) {
      this.lockout.succeeded(user);
      count(this.logins.accepted);
      return true;
    }
    if (this.users.has(user)) this.lockout.failed(user);
    count(this.logins.refused);
    return false;
  }

  /** Logins this BMC refused for a user (all users when none is named). */
  refusedLogins(user?: string): number {
    return user ? (this.logins.refused.get(user) ?? 0) : [...this.logins.refused.values()].reduce((sum, each) => sum + each, 0);
  }

  /** Holds the readings to the power limits set (as a patch does); the fleet's drift calls it after each move. */
  holdToPowerLimit(): void {
    holdToPowerLimit(this.resources, this.powerPaths);
  }

  /** Writes bytes as they are to every SSE listener: a BMC whose stream is framed oddly or carries garbage. */
  writeSse(chunk: string | Buffer): number {
    for (const client of this.sseClients) client.write(chunk);
    return this.sseClients.size;
  }

  /** Sends a Redfish event to every SSE listener. */
  emit(messageId: string, message: string, origin: string): void {
    this.emitEvent(messageId, message, 'OK', origin);
  }

  /** Sends a Redfish event of the given severity (OK, Warning, Critical) to every SSE listener. */
  emitEvent(messageId: string, message: string, severity: 'OK' | 'Warning' | 'Critical', origin: string): void {
    const event = {
      '@odata.type': '#Event.v1_7_0.Event',
      Id: String(++this.counter),
      Name: 'Event',
      Events: [
        { EventType: 'Alert', EventId: String(this.counter), MessageId: messageId, Message: message, MessageSeverity: severity, OriginOfCondition: { '@odata.id': origin }, EventTimestamp: new Date().toISOString() },
      ],
    };
    for (const client of this.sseClients) client.write(`id: ${this.counter}\ndata: ${JSON.stringify(event)}\n\n`);
    // And pushed to every subscription with an https Destination, from this BMC's own address.
    for (const [path, subscription] of this.resources.entries()) {
      if (path.startsWith(`${ROOT}/EventService/Subscriptions/`)) pushEvent(subscription, event, this.options.host, this.pushed);
    }
  }

  /** Pushed events delivered to subscriptions (answered 2xx) and failed. */
  readonly pushed: PushCounters = { delivered: 0, failed: 0 };

  private resolve(path: string): Resource | null {
    return this.resources.peek(path) ?? synthesizeCollection(this.resources, path);
  }

  private async applyFaults(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const faults = this.faults;
    // Never answered: the connection stays until the client gives up (or the BMC stops).
    if (faults.silent) return true;
    if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.dropConnections) {
      req.socket.destroy();
      return true;
    }
    if (faults.errorRate && Math.random() < faults.errorRate) {
      this.error(res, faults.errorStatus ?? 500, faults.errorStatus === 503 ? 'Injected: service unavailable' : 'Injected internal error');
      return true;
    }
    if (faults.redirectLoop) {
      res.writeHead(302, { location: req.url ?? '/' });
      res.end();
      return true;
    }
    if (faults.html) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Login</h1></body></html>');
      return true;
    }
    if (faults.errorBodyWith200) {
      this.send(res, 200, { error: { code: 'Base.1.8.InternalError', message: 'The service is busy' } });
      return true;
    }
    if (faults.hugeBodyBytes) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"padding":"${'x'.repeat(faults.hugeBodyBytes)}"}`);
      return true;
    }
    if (faults.endlessBody) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"Members":[');
      const timer = setInterval(() => res.write('{"@odata.id":"/x"},'), 20);
      res.on('close', () => clearInterval(timer));
      return true;
    }
    return false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const caller = this.callerOf(req);
    this.callerStarted(caller);
    // A caller's request ends when its answer is written whole ('finish', before the client can read it and send its next request), or when the client went away.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.callerEnded(caller);
    };
    res.on('finish', end);
    res.on('close', () => {
      this.inFlight -= 1;
      // The client went away before the answer was complete: its request was cancelled (or timed out) on its side.
      if (!res.writableFinished) this.abandoned += 1;
      end();
    });
    if (await this.applyFaults(req, res)) return;
    // Resetting to take new firmware: nothing answers until it is back.
    if (Date.now() < this.updates.rebootingUntil) {
      req.socket.destroy();
      return;
    }
    if (res.destroyed) return;
    const url = new URL(req.url ?? '/', 'https://lab');
    const path = normalizePath(url.pathname);
    const method = req.method ?? 'GET';
    if (path === '/redfish') return this.send(res, 200, { v1: `${ROOT}/` });
    if (path === ROOT && method === 'GET') return this.reply(res, this.resources.peek(ROOT)!, url);
    if (path === `${ROOT}/SessionService/Sessions` && method === 'POST') {
      if (this.options.sessions === false) return this.error(res, 405, 'Sessions are not supported');
      return this.login(req, res);
    }
    if (this.options.anonymousAccountService && method === 'GET' && path === `${ROOT}/AccountService`) return this.reply(res, this.resources.peek(path)!, url);
    const user = this.authenticated(req);
    if (!user) return this.error(res, 401, 'Authentication required');

    if (method === 'GET') {
      if (path === `${ROOT}/EventService/SSE`) return this.openSse(res);
      const resource = this.resolve(path) ?? this.updates.task(path);
      if (!resource) return this.error(res, 404, `No resource at ${path}`);
      return this.reply(res, resource, url);
    }
    if (method === 'PATCH') return this.patch(req, res, path);
    if (method === 'DELETE') return this.remove(res, path);
    if (method === 'POST') return this.post(req, res, path, user);
    return this.error(res, 405, `${method} is not allowed`);
  }

  private callerOf(req: IncomingMessage): string {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && token !== '') return `session:${token}`;
    const basic = req.headers.authorization;
    if (typeof basic === 'string' && basic !== '') return `basic:${basic}`;
    let id = this.connectionIds.get(req.socket);
    if (id === undefined) {
      id = (this.connections += 1);
      this.connectionIds.set(req.socket, id);
    }
    return `connection:${id}`;
  }

  private callerStarted(caller: string): void {
    const count = (this.callerRequests.get(caller) ?? 0) + 1;
    this.callerRequests.set(caller, count);
    if (count > 1) return;
    this.callersInFlight += 1;
    this.maxCallersInFlight = Math.max(this.maxCallersInFlight, this.callersInFlight);
    this.onCallers?.(1);
  }

  private callerEnded(caller: string): void {
    const count = (this.callerRequests.get(caller) ?? 1) - 1;
    if (count > 0) {
      this.callerRequests.set(caller, count);
      return;
    }
    this.callerRequests.delete(caller);
    this.callersInFlight -= 1;
    this.onCallers?.(-1);
  }

  private reply(res: ServerResponse, resource: Resource, url: URL): void {
    // A BMC's clock runs: the mockup's frozen DateTime becomes now (plus any injected skew).
    let body: Resource = typeof resource.DateTime === 'string' ? { ...resource, DateTime: new Date(Date.now() + (this.faults.clockSkewMs ?? 0)).toISOString() } : resource;
    const expand = url.searchParams.get('$expand');
    if (expand && Array.isArray(resource.Members)) {
      body = { ...resource, Members: (resource.Members as Resource[]).map((member) => this.resolve(normalizePath(String(member['@odata.id']))) ?? member) };
    }
    if (this.faults.malformedJson) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"@odata.id": "${String(resource['@odata.id'])}", "Name": `);
      return;
    }
    if (this.faults.truncatedBody) {
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      res.socket?.destroy();
      return;
    }
    if (body === resource && this.resources.isShared(resource)) return this.sendShared(res, resource);
    this.send(res, 200, body, { etag: etagOf(resource) });
  }

  /** A resource no lab BMC changed is serialized once for all of them. */
  private sendShared(res: ServerResponse, resource: Resource): void {
    let answer = sharedAnswers.get(resource);
    if (!answer) {
      answer = { text: JSON.stringify(resource), etag: etagOf(resource) };
      sharedAnswers.set(resource, answer);
    }
    this.sendText(res, 200, answer.text, { etag: answer.etag });
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let credentials: { UserName?: string; Password?: string };
    try {
      credentials = JSON.parse((await readBody(req)).toString('utf8')) as { UserName?: string; Password?: string };
    } catch {
      return this.error(res, 400, 'The request body is not JSON');
    }
    if (!credentials.UserName || !this.checkPassword(credentials.UserName, credentials.Password)) return this.error(res, 401, 'Invalid user name or password');
    const token = randomBytes(16).toString('hex');
    const id = String(++this.counter);
    const path = `${ROOT}/SessionService/Sessions/${id}`;
    this.sessions.set(token, { user: credentials.UserName, path });
    const session = { '@odata.id': path, Id: id, UserName: credentials.UserName };
    this.resources.set(path, session);
    this.send(res, 201, session, { 'x-auth-token': token, location: path });
  }

  /** The account's password as the BMC holds it now (tests check what EdgeCab stored against it). */
  passwordOf(user: string): string | undefined {
    return this.users.get(user);
  }

  /** Sets an account's password from outside, as a technician at the console would; its sessions end. */
  setPassword(user: string, password: string): void {
    this.users.set(user, password);
    this.dropSessionsOf(user);
  }

  /** Sessions currently open. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Drops every session, as a BMC does on timeout or reboot. */
  expireSessions(): void {
    for (const session of this.sessions.values()) this.resources.delete(session.path);
    this.sessions.clear();
  }

  /** Ends every session of a user, as BMCs do when the account's password changes. */
  private dropSessionsOf(user: string): void {
    for (const [token, session] of this.sessions) {
      if (session.user === user) {
        this.sessions.delete(token);
        this.resources.delete(session.path);
      }
    }
  }

  private async patch(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const resource = this.resources.get(path);
    if (!resource) return this.error(res, 404, `No resource at ${path}`);
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== etagOf(resource)) return this.error(res, 412, 'ETag does not match');
    let patch: Resource;
    try {
      patch = JSON.parse((await readBody(req)).toString('utf8')) as Resource;
    } catch {
      return this.error(res, 400, 'The request body is not JSON');
    }
    if (path.startsWith(`${ROOT}/AccountService/Accounts/`) && typeof patch.Password === 'string') {
      if (this.faults.refusePasswordChange) {
        return this.send(res, 400, {
          error: {
            code: 'Base.1.8.PropertyValueFormatError',
            message: 'The password was refused: it does not meet the password policy of this BMC',
            '@Message.ExtendedInfo': [{ MessageId: 'Base.1.8.PropertyValueFormatError', Message: 'The value for the property Password is not in a format that the service supports.' }],
          },
        });
      }
      const userName = String(resource.UserName);
      const ending = this.faults.passwordChange;
      if (ending === '503-not-applied') return this.error(res, 503, 'The service is busy; try again');
      this.users.set(userName, patch.Password);
      this.dropSessionsOf(userName);
      delete patch.Password;
      if (ending === 'no-content') return this.send(res, 204);
      if (ending === 'applied-then-503') return this.error(res, 503, 'Internal error after the account was updated');
      if (ending === 'applied-then-drop') {
        req.socket.destroy();
        return;
      }
      if (ending === 'applied-then-hang') return;
    }
    const isObject = (value: unknown): value is Resource => Boolean(value) && typeof value === 'object' && !Array.isArray(value);
    const merge = (target: Resource, source: Resource) => {
      for (const [key, value] of Object.entries(source)) {
        const current = target[key];
        if (isObject(value) && isObject(current)) merge(current, value);
        else if (Array.isArray(value) && Array.isArray(current) && value.length > 0 && value.every((each) => isObject(each) || each === null)) {
          // As DSP0266 has it for arrays of objects: member by member, {} leaves one as it is, null removes it.
          value.forEach((each, index) => {
            if (each === null) current[index] = undefined;
            else if (isObject(current[index])) merge(current[index] as Resource, each as Resource);
            else current[index] = each;
          });
          target[key] = current.filter((each) => each !== undefined);
        } else target[key] = value;
      }
    };
    merge(resource, patch);
    this.holdToPowerLimit();
    this.emit('ResourceEvent.1.0.ResourceChanged', `${path} changed`, path);
    this.send(res, 200, resource, { etag: etagOf(resource) });
  }

  private remove(res: ServerResponse, path: string): void {
    if (path.startsWith(`${ROOT}/SessionService/Sessions/`)) {
      for (const [token, session] of this.sessions) if (session.path === path) this.sessions.delete(token);
    } else if (!path.startsWith(`${ROOT}/EventService/Subscriptions/`) && !path.startsWith(`${ROOT}/AccountService/Accounts/`)) {
      return this.error(res, 405, `${path} cannot be deleted`);
    }
    if (!this.resources.delete(path)) return this.error(res, 404, `No resource at ${path}`);
    this.send(res, 204);
  }

  private async post(req: IncomingMessage, res: ServerResponse, path: string, user: string): Promise<void> {
    const raw = await readBody(req, path === `${ROOT}/UpdateService/upload` ? (this.updates.behaviour.uploadBytesPerSecond ?? 0) : 0);
    const json = (): Resource | null => {
      try {
        return JSON.parse(raw.toString('utf8')) as Resource;
      } catch {
        return null;
      }
    };
    if (path.endsWith('/Actions/ComputerSystem.Reset')) return this.resetSystem(res, path.replace('/Actions/ComputerSystem.Reset', ''), json());
    if (path.endsWith('/Actions/Manager.Reset')) {
      this.updates.reset();
      this.emit('Base.1.0.Success', 'Manager reset', path);
      return this.send(res, 204);
    }
    if (path === `${ROOT}/AccountService/Accounts`) {
      const body = json();
      if (!body || typeof body.UserName !== 'string' || typeof body.Password !== 'string') return this.error(res, 400, 'UserName and Password are required');
      if (this.users.has(body.UserName)) return this.error(res, 409, `Account ${body.UserName} exists`);
      const id = String(++this.counter);
      const account = { '@odata.id': `${path}/${id}`, Id: id, UserName: body.UserName, RoleId: body.RoleId ?? 'ReadOnly', Enabled: true };
      this.resources.set(`${path}/${id}`, account);
      this.addMember(path, `${path}/${id}`);
      this.users.set(body.UserName, body.Password);
      return this.send(res, 201, account, { location: `${path}/${id}` });
    }
    if (path === `${ROOT}/EventService/Subscriptions`) {
      const body = json();
      if (!body || typeof body.Destination !== 'string') return this.error(res, 400, 'Destination is required');
      const id = String(++this.counter);
      const subscription = { '@odata.id': `${path}/${id}`, Id: id, Destination: body.Destination, Protocol: body.Protocol ?? 'Redfish', EventTypes: body.EventTypes ?? [], ...(typeof body.Context === 'string' ? { Context: body.Context } : {}) };
      this.resources.set(`${path}/${id}`, subscription);
      this.addMember(path, `${path}/${id}`);
      return this.send(res, 201, subscription, { location: `${path}/${id}` });
    }
    if (path === `${ROOT}/UpdateService/upload`) {
      const parts = parseMultipart(raw, req.headers['content-type'] ?? '');
      const parametersPart = parts.find((part) => part.name === 'UpdateParameters');
      const file = parts.find((part) => part.name === 'UpdateFile');
      if (!parametersPart || !file) return this.error(res, 400, 'UpdateParameters and UpdateFile parts are required');
      const parameters = JSON.parse(parametersPart.data.toString('utf8')) as Resource;
      return this.startTask(res, file.data, parameters, user);
    }
    if (path === `${ROOT}/UpdateService/Actions/UpdateService.SimpleUpdate`) {
      const body = json();
      if (!body || typeof body.ImageURI !== 'string') return this.error(res, 400, 'ImageURI is required');
      if (!this.updates.behaviour.pullImages) return this.startTask(res, Buffer.from(body.ImageURI), body, user);
      // As a BMC does: the image is downloaded first, then the update runs as a task.
      let image: Buffer;
      this.updates.pulled.push(body.ImageURI);
      try {
        image = await downloadImage(body.ImageURI);
      } catch (error) {
        return this.send(res, 400, { error: { code: 'Update.1.0.TransferFailed', message: `The image could not be downloaded from ${body.ImageURI}: ${(error as Error).message}`, '@Message.ExtendedInfo': [{ MessageId: 'Update.1.0.TransferFailed', Message: `The image could not be downloaded: ${(error as Error).message}` }] } });
      }
      return this.startTask(res, image, body, user);
    }
    if (path === `${ROOT}/UpdateService/Actions/UpdateService.StartUpdate` && this.updates.applyTimes.includes('OnStartUpdateRequest')) {
      this.updates.startUpdate();
      return this.send(res, 204);
    }
    if (path === `${ROOT}/EventService/Actions/EventService.SubmitTestEvent`) {
      this.emit('TestEvent', 'Test event', path);
      return this.send(res, 204);
    }
    this.error(res, 405, `POST to ${path} is not supported`);
  }

  private addMember(collectionPath: string, memberPath: string): void {
    const collection = this.resources.get(collectionPath) ?? synthesizeCollection(this.resources, collectionPath);
    if (!collection) return;
    const members = Array.isArray(collection.Members) ? (collection.Members as Resource[]) : [];
    if (!members.some((member) => member['@odata.id'] === memberPath)) members.push({ '@odata.id': memberPath });
    collection.Members = members;
    collection['Members@odata.count'] = members.length;
    this.resources.set(collectionPath, collection);
  }

  private resetSystem(res: ServerResponse, systemPath: string, body: Resource | null): void {
    const system = this.resources.get(systemPath);
    if (!system) return this.error(res, 404, `No system at ${systemPath}`);
    const type = typeof body?.ResetType === 'string' ? body.ResetType : '';
    const action = ((system.Actions as Resource | undefined)?.['#ComputerSystem.Reset'] ?? {}) as Resource;
    const allowed = action['ResetType@Redfish.AllowableValues'];
    if (!RESET_RESULT[type] || (Array.isArray(allowed) && !allowed.includes(type))) return this.error(res, 400, `ResetType ${type || '(none)'} is not allowed`);
    system.PowerState = RESET_RESULT[type];
    this.updates.reset();
    this.emit('ResourceEvent.1.0.ResourceChanged', `System reset (${type}); power ${system.PowerState}`, systemPath);
    this.send(res, 204);
  }

  private startTask(res: ServerResponse, image: Buffer, parameters: Resource, user: string): void {
    let task: Resource;
    try {
      task = this.updates.start(image, parameters, user);
    } catch (error) {
      if (!(error instanceof LabUpdateError)) throw error;
      return this.send(res, 400, { error: { code: error.messageId, message: error.message, '@Message.ExtendedInfo': [{ MessageId: error.messageId, Message: error.message }] } });
    }
    this.send(res, 202, task, { location: String(task['@odata.id']) });
  }

  private openSse(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': EdgeCab lab BMC event stream\n\n');
    this.sseClients.add(res);
    res.on('close', () => this.sseClients.delete(res));
  }
}

/**
 * A server held to a power limit draws no more than it: its readings (the
 * legacy PowerControl and the Control's own sensor) follow the limit at
 * once, whichever of the two the limit was set through.
 */
function holdToPowerLimit(resources: ResourceStore, paths: { controls: string[]; powers: string[] }): void {
  const limits: number[] = [];
  for (const path of paths.controls) {
    const control = resources.peek(path);
    if (control && control.ControlMode !== 'Disabled' && typeof control.SetPoint === 'number') limits.push(control.SetPoint);
  }
  for (const path of paths.powers) {
    for (const control of (resources.peek(path)?.PowerControl as Resource[] | undefined) ?? []) {
      const limit = (control.PowerLimit as Resource | undefined)?.LimitInWatts;
      if (typeof limit === 'number') limits.push(limit);
    }
  }
  if (limits.length === 0) return;
  const limit = Math.min(...limits);
  // Only what is over the limit is changed (and so copied from the shared mockup).
  for (const path of paths.powers) {
    const over = ((resources.peek(path)?.PowerControl as Resource[] | undefined) ?? []).some((control) => typeof control.PowerConsumedWatts === 'number' && control.PowerConsumedWatts > limit);
    if (!over) continue;
    for (const control of resources.get(path)!.PowerControl as Resource[]) {
      if (typeof control.PowerConsumedWatts === 'number' && control.PowerConsumedWatts > limit) control.PowerConsumedWatts = limit;
    }
  }
  for (const path of paths.controls) {
    const reading = (resources.peek(path)?.Sensor as Resource | undefined)?.Reading;
    if (typeof reading === 'number' && reading > limit) (resources.get(path)!.Sensor as Resource).Reading = limit;
  }
}
