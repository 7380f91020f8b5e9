import snmp from 'net-snmp';
import { SnmpTarget } from '../../../../shared/domain/snmp.js';
import { toNetSnmpUser } from './users.js';

export type SnmpErrorCode =
  | 'timeout'
  | 'auth_failure'
  | 'unknown_user'
  | 'decryption_error'
  | 'unsupported_security_level'
  | 'not_in_time_window'
  | 'unknown_engine'
  | 'error_status'
  | 'malformed_response'
  | 'socket_error'
  | 'aborted'
  | 'invalid_target';

/** One failed exchange with an agent, with a reason a person can act on. */
export class SnmpError extends Error {
  constructor(
    readonly code: SnmpErrorCode,
    message: string,
    /** For 'error_status': what the agent answered, e.g. { status: 'wrongValue', index: 2, oid } (index 1-based, 0 = none). */
    readonly answer?: { status: string; index: number; oid: string | null },
  ) {
    super(message);
    this.name = 'SnmpError';
  }
}

/** A value to SET: net-snmp's type tag, and a number, text/bytes or a dotted OID. */
export interface SetVarbind {
  oid: string;
  type: snmp.ObjectType;
  value: number | string | Buffer;
}

/** A value as read: numbers for integer types, bigint for Counter64, text or bytes otherwise. */
export interface Varbind {
  oid: string;
  type: string;
  value: number | bigint | string | Buffer | null;
}

export interface SessionOptions {
  /** Requests in flight at once to this agent; small agents drop bursts. */
  maxInFlight?: number;
  maxRepetitions?: number;
  /** Ends the session and fails its requests at once (a poll that ran out of time, monitoring stopping). */
  signal?: AbortSignal;
}

const USM_ERRORS: Record<string, SnmpErrorCode> = {
  'Unknown User Name': 'unknown_user',
  'Wrong Digest (incorrect password, community or key)': 'auth_failure',
  'Decryption Error': 'decryption_error',
  'Unsupported Security Level': 'unsupported_security_level',
  'Not In Time Window': 'not_in_time_window',
  'Unknown Engine ID': 'unknown_engine',
};

function classify(error: unknown, target: string, timeoutMs: number, encrypted: boolean): SnmpError {
  if (error instanceof SnmpError) return error;
  const err = error as { name?: string; message?: string; code?: number };
  const message = err.message ?? String(error);
  if (err.name === 'RequestTimedOutError' || /timed out/i.test(message)) {
    // Agents silently drop what they cannot decrypt, so a wrong privacy key looks like silence.
    const hint = encrypted ? 'wrong address or port, agent down, or a wrong privacy key or protocol' : 'wrong address, port or community, or agent down';
    return new SnmpError('timeout', `no answer from ${target} within ${timeoutMs} ms (${hint})`);
  }
  const usm = USM_ERRORS[message];
  if (usm === 'unknown_user') return new SnmpError(usm, `${target}: the agent does not know this SNMPv3 user`);
  if (usm === 'auth_failure') return new SnmpError(usm, `${target}: authentication failed (wrong auth key or protocol)`);
  if (usm === 'decryption_error') return new SnmpError(usm, `${target}: the agent could not decrypt the request (wrong privacy key or protocol)`);
  if (usm) return new SnmpError(usm, `${target}: ${message}`);
  if (err.name === 'ResponseInvalidError') {
    if (err.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) {
      return new SnmpError('decryption_error', `${target}: could not decrypt the answer (wrong privacy key or protocol)`);
    }
    if (err.code === snmp.ResponseInvalidCode.EAuthFailure) {
      return new SnmpError('auth_failure', `${target}: the answer failed authentication (wrong auth key or protocol)`);
    }
    return new SnmpError('malformed_response', `${target}: invalid answer: ${message}`);
  }
  if (err.name === 'RequestFailedError') return new SnmpError('error_status', `${target}: ${message}`);
  return new SnmpError('socket_error', `${target}: ${message}`);
}

function toVarbind(raw: snmp.Varbind): Varbind {
  const type = raw.type === undefined ? 'unknown' : (snmp.ObjectType[raw.type] ?? String(raw.type));
  if (raw.type === snmp.ObjectType.Counter64 && Buffer.isBuffer(raw.value)) {
    return { oid: raw.oid, type, value: raw.value.length ? BigInt(`0x${raw.value.toString('hex')}`) : 0n };
  }
  if (snmp.isVarbindError(raw)) return { oid: raw.oid, type, value: null };
  return { oid: raw.oid, type, value: raw.value as Varbind['value'] };
}

const DOT = 46;
const ZERO = 48;

/**
 * Compares dotted OIDs numerically, component by component, without
 * splitting them: every varbind of a walk is compared, and splitting two
 * strings per varbind was a tenth of an SNMP poll's time.
 */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let left = 0;
    for (; i < a.length && a.charCodeAt(i) !== DOT; i += 1) left = left * 10 + (a.charCodeAt(i) - ZERO);
    let right = 0;
    for (; j < b.length && b.charCodeAt(j) !== DOT; j += 1) right = right * 10 + (b.charCodeAt(j) - ZERO);
    if (left !== right) return left - right;
    i += 1;
    j += 1;
  }
  // Equal as far as the shorter one goes: the one with components left is after it.
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

const GET_BATCH = 24;
const MAX_WALK_ROUNDS = 10_000;

/**
 * A promise API over one net-snmp session, with a per-agent cap on requests
 * in flight and errors turned into SnmpError codes.
 */
export class SnmpSession {
  private readonly session: snmp.Session;
  private readonly label: string;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  readonly maxRepetitions: number;
  private readonly encrypted: boolean;
  private inFlight = 0;
  private readonly queue: (() => void)[] = [];
  private closed = false;
  /** Requests waiting for an answer: an abort fails them all at once. */
  private readonly waiting = new Set<(error: SnmpError) => void>();
  private readonly onAbort = () => this.abort();
  private readonly signal: AbortSignal | undefined;

  constructor(input: SnmpTarget, options: SessionOptions = {}) {
    const parsed = SnmpTarget.safeParse(input);
    if (!parsed.success) throw new SnmpError('invalid_target', parsed.error.issues.map((issue) => issue.message).join('; '));
    const target = parsed.data;
    this.label = `${target.host}:${target.port}`;
    this.encrypted = Boolean(target.v3?.privKey);
    this.timeoutMs = target.timeoutMs;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxRepetitions = options.maxRepetitions ?? 25;
    const common = { port: target.port, timeout: target.timeoutMs, retries: target.retries, transport: 'udp4' as const, idBitsSize: 32 as const };
    if (target.version === '2c') {
      this.session = snmp.createSession(target.host, target.community!, { ...common, version: snmp.Version2c });
    } else {
      const v3 = target.v3!;
      this.session = snmp.createV3Session(target.host, toNetSnmpUser(v3), { ...common, version: snmp.Version3, context: v3.context ?? '' });
    }
    // Socket errors arrive as events; without a listener they would crash the process.
    this.session.on('error', () => undefined);
    this.signal = options.signal;
    if (this.signal?.aborted) this.abort();
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private abort(): void {
    const error = new SnmpError('aborted', `${this.label}: cancelled (the poll ran out of time or monitoring stopped)`);
    for (const fail of this.waiting) fail(error);
    this.waiting.clear();
    this.close();
  }

  get target(): string {
    return this.label;
  }

  private async slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new SnmpError(this.signal?.aborted ? 'aborted' : 'socket_error', `${this.label}: session ${this.signal?.aborted ? 'cancelled' : 'closed'}`);
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.queue.push(resolve));
    if (this.closed) throw new SnmpError(this.signal?.aborted ? 'aborted' : 'socket_error', `${this.label}: session ${this.signal?.aborted ? 'cancelled' : 'closed'}`);
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      this.queue.shift()?.();
    }
  }

  private call<T>(run: (done: (error: Error | null, value?: T) => void) => void): Promise<T> {
    return this.slot(
      () =>
        new Promise<T>((resolve, reject) => {
          const fail = (error: SnmpError) => reject(error);
          this.waiting.add(fail);
          try {
            run((error, value) => {
              this.waiting.delete(fail);
              if (error) reject(classify(error, this.label, this.timeoutMs, this.encrypted));
              else resolve(value as T);
            });
          } catch (error) {
            this.waiting.delete(fail);
            reject(classify(error, this.label, this.timeoutMs, this.encrypted));
          }
        }),
    );
  }

  /** GETs the OIDs, batched; missing objects come back with value null. */
  async get(oids: readonly string[]): Promise<Varbind[]> {
    const batches: string[][] = [];
    for (let start = 0; start < oids.length; start += GET_BATCH) batches.push(oids.slice(start, start + GET_BATCH));
    const results = await Promise.all(
      batches.map((batch) => this.call<snmp.Varbind[]>((done) => this.session.get(batch, (error, varbinds) => done(error, varbinds)))),
    );
    return results.flat().map(toVarbind);
  }

  /** True when the agent has any object below `oid`. */
  async has(oid: string): Promise<boolean> {
    const [next] = await this.call<snmp.Varbind[]>((done) => this.session.getNext([oid], (error, varbinds) => done(error, varbinds)));
    return Boolean(next && !snmp.isVarbindError(next) && next.oid.startsWith(`${oid}.`));
  }

  /**
   * Walks several table columns at once with GETBULK, one request per
   * `maxRepetitions` rows; returns column OID → (row index → varbind).
   */
  async walkColumns(columns: readonly string[], maxRepetitions = this.maxRepetitions): Promise<Map<string, Map<string, Varbind>>> {
    const result = new Map(columns.map((column) => [column, new Map<string, Varbind>()]));
    let cursors = columns.map((column) => ({ column, next: column }));
    for (let round = 0; cursors.length > 0; round += 1) {
      if (round > MAX_WALK_ROUNDS) throw new SnmpError('malformed_response', `${this.label}: table walk did not end`);
      const current = cursors;
      // net-snmp groups a GETBULK answer per requested OID: answer[slot] lists that column's next rows.
      const answer = await this.call<(snmp.Varbind | snmp.Varbind[])[]>((done) =>
        this.session.getBulk(
          current.map((cursor) => cursor.next),
          0,
          maxRepetitions,
          (error, grouped) => done(error, grouped ?? []),
        ),
      );
      const finished = new Set<number>();
      let received = 0;
      current.forEach((cursor, slot) => {
        const group = answer[slot];
        const varbinds = Array.isArray(group) ? group : group ? [group] : [];
        if (varbinds.length === 0) finished.add(slot);
        for (const raw of varbinds) {
          if (snmp.isVarbindError(raw) || !raw.oid.startsWith(`${cursor.column}.`)) {
            finished.add(slot);
            break;
          }
          if (compareOids(raw.oid, cursor.next) <= 0) {
            throw new SnmpError('malformed_response', `${this.label}: the agent returned OIDs out of order at ${raw.oid}`);
          }
          result.get(cursor.column)!.set(raw.oid.slice(cursor.column.length + 1), toVarbind(raw));
          cursor.next = raw.oid;
          received += 1;
        }
      });
      if (received === 0) break;
      cursors = current.filter((_, slot) => !finished.has(slot));
    }
    return result;
  }

  /**
   * SETs the varbinds in one PDU (the agent applies all or none). A refusal
   * is an 'error_status' SnmpError whose `answer` names the agent's error
   * status (RFC 3416 names, e.g. wrongValue) and the 1-based index it blamed.
   */
  async set(varbinds: readonly SetVarbind[]): Promise<Varbind[]> {
    const answer = await this.slot(
      () =>
        new Promise<snmp.Varbind[]>((resolve, reject) => {
          const aborted = (error: SnmpError) => reject(error);
          this.waiting.add(aborted);
          const fail = (error: unknown) => {
            this.waiting.delete(aborted);
            reject(this.refusal(error, varbinds));
          };
          try {
            this.session.set(varbinds.map((varbind) => ({ ...varbind })), (error, result) => {
              this.waiting.delete(aborted);
              if (error) fail(error);
              else resolve(result ?? []);
            });
          } catch (error) {
            fail(error);
          }
        }),
    );
    return answer.map(toVarbind);
  }

  private refusal(error: unknown, varbinds: readonly SetVarbind[]): SnmpError {
    const err = error as { name?: string; message?: string; status?: number };
    if (err.name !== 'RequestFailedError' || typeof err.status !== 'number') return classify(error, this.label, this.timeoutMs, this.encrypted);
    // net-snmp says "WrongValue: <oid of the varbind at error-index>"; the agent echoes our varbinds, so the OID gives the index.
    const name = String(snmp.ErrorStatus[err.status] ?? 'GeneralError');
    const status = name.charAt(0).toLowerCase() + name.slice(1);
    const oid = /: ([\d.]+)$/.exec(err.message ?? '')?.[1] ?? null;
    const index = oid ? varbinds.findIndex((varbind) => varbind.oid === oid) + 1 : 0;
    const at = index ? ` (error-index ${index}: ${oid})` : '';
    return new SnmpError('error_status', `${this.label}: the agent refused the SET: ${status}${at}`, { status, index, oid });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const wake of this.queue.splice(0)) wake();
    try {
      this.session.close();
    } catch {
      // already closed by a socket error
    }
  }
}
