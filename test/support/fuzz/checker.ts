import type { Core } from '../../../main/core/index.js';
import { DatabaseSnapshots, type Snapshot } from './db-snapshot.js';
import { send, type RawRequest, type RawResponse } from './http.js';
import type { Route } from './routes.js';
import { leaks } from './secrets.js';

export interface RouteStats {
  group: string;
  cases: number;
  /** 4xx answers: input (or caller) refused. */
  rejected: number;
  /** 5xx answers the contract declares for the route (an unreachable device, no lab). */
  declaredServerErrors: number;
  /** Any other 5xx: a bug. */
  serverErrors: number;
  statuses: Map<number, number>;
  /** Time spent on the route's cases, checks included. */
  ms: number;
}

interface AuditRow {
  id: number;
  [column: string]: unknown;
}

/** What a case expects beyond the common properties; a message when it is not met. */
export type Expectation = (response: RawResponse, problem: Record<string, unknown> | null) => string | null;

const PROBLEM_FIELDS = ['type', 'title', 'detail', 'code'] as const;

/**
 * Sends fuzz requests and checks the properties every answer must have:
 * no 5xx beyond those the contract declares for the route; every non-2xx
 * answer an RFC 9457 problem document; a refused request (4xx) changes
 * nothing but the audit log; no secret, planted earlier or carried by the
 * request itself, in the answer or in the audit rows the request added; no
 * prototype polluted in the server process (it runs in this one).
 */
export class FuzzChecker {
  private snapshot: Snapshot;
  private lastAuditId: number;
  readonly stats = new Map<string, RouteStats>();
  /** Secrets planted through the API before the fuzz. */
  readonly planted: string[] = [];

  constructor(
    private readonly core: Core,
    private readonly snapshots: DatabaseSnapshots,
    private readonly origin: URL,
    /** Waits for work a request left running (a wizard search in the background), so its writes are not blamed on the next request. */
    private readonly settle: () => Promise<void>,
  ) {
    this.snapshot = snapshots.take();
    this.lastAuditId = this.maxAuditId();
  }

  private maxAuditId(): number {
    return (this.core.db.prepare('SELECT coalesce(max(id), 0) FROM audit_log').pluck().get() as number) ?? 0;
  }

  /** After the test itself changed state (planting, undoing a policy): the new state is the baseline. */
  async resync(): Promise<void> {
    await this.settle();
    this.snapshot = this.snapshots.take();
    this.lastAuditId = this.maxAuditId();
  }

  private statsOf(route: Route, group: string): RouteStats {
    const key = `${group} ${route.operationId}`;
    let stats = this.stats.get(key);
    if (!stats) {
      stats = { group, cases: 0, rejected: 0, declaredServerErrors: 0, serverErrors: 0, statuses: new Map(), ms: 0 };
      this.stats.set(key, stats);
    }
    return stats;
  }

  /** The 5xx statuses a route's contract declares (the errors of unreachable devices and missing labs). */
  static declared5xx(route: Route): number[] {
    return route.statuses.filter((status) => status >= 500);
  }

  async exchange(route: Route, group: string, raw: RawRequest, options: { describe: string; caseSecrets?: readonly string[]; expect?: Expectation }): Promise<RawResponse> {
    const stats = this.statsOf(route, group);
    stats.cases += 1;
    const started = performance.now();
    const before = this.snapshot;
    let response: RawResponse;
    try {
      response = await send(this.origin, raw);
    } catch (error) {
      // A reset while a large body was still going out is the server refusing it early (413 and close); anything else is a failure.
      const code = (error as NodeJS.ErrnoException).code;
      const large = (raw.body?.length ?? 0) > 1_000_000;
      if (!(large && (code === 'EPIPE' || code === 'ECONNRESET'))) throw new Error(`no answer (${(error as Error).message}) to ${options.describe}`);
      response = { status: 413, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify({ type: 'urn:edgecab:problem:payload-too-large', title: 'reset', status: 413, detail: 'reset while sending', code: 'PAYLOAD_TOO_LARGE' }), ms: 0 };
    }
    await this.settle();
    let after = this.snapshots.take();
    if (response.status >= 400 && response.status < 500) {
      // A refused upload's staged file is removed when the server's response closes, which may be just after the client has read it.
      for (let wait = 0; wait < 50 && DatabaseSnapshots.diff(before, after).some((key) => key.startsWith('file tiles/incoming/')); wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        after = this.snapshots.take();
      }
    }
    const newAudit = this.core.db.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id').all(this.lastAuditId) as AuditRow[];
    this.snapshot = after;
    this.lastAuditId = newAudit.at(-1)?.id ?? this.lastAuditId;

    const { status } = response;
    stats.ms += performance.now() - started;
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    const failures: string[] = [];
    let problem: Record<string, unknown> | null = null;
    const inApi = new URL(raw.path, 'http://fuzz').pathname.startsWith('/api/v1/');
    if (status >= 400) {
      const type = String(response.headers['content-type'] ?? '');
      try {
        problem = JSON.parse(response.body) as Record<string, unknown>;
      } catch {
        problem = null;
      }
      if (inApi) {
        if (!type.startsWith('application/problem+json')) failures.push(`a ${status} answer labelled "${type}", not application/problem+json`);
        if (!problem || typeof problem !== 'object') failures.push(`a ${status} answer that is no JSON problem document: ${response.body.slice(0, 200)}`);
        else {
          const missing = PROBLEM_FIELDS.filter((field) => typeof problem![field] !== 'string');
          if (missing.length > 0 || problem.status !== status) failures.push(`a problem document without ${missing.join(', ') || `status ${status} (says ${String(problem.status)})`}: ${response.body.slice(0, 200)}`);
          const errors = problem.errors;
          if (errors !== undefined && (!Array.isArray(errors) || errors.some((issue) => typeof (issue as { field?: unknown }).field !== 'string' || typeof (issue as { message?: unknown }).message !== 'string'))) {
            failures.push(`a problem document whose errors are not a list of {field, message}: ${JSON.stringify(errors).slice(0, 200)}`);
          }
        }
      }
    }
    if (status >= 500) {
      const declared = FuzzChecker.declared5xx(route).includes(status) && typeof problem?.code === 'string' && ['DEVICE_UNREACHABLE', 'LAB_UNAVAILABLE'].includes(problem.code);
      if (declared) stats.declaredServerErrors += 1;
      else {
        stats.serverErrors += 1;
        failures.push(`server error ${status}: ${response.body.slice(0, 300)}`);
      }
    } else if (status >= 400) {
      stats.rejected += 1;
      const changed = DatabaseSnapshots.diff(before, after);
      if (changed.length > 0) failures.push(`refused with ${status}, yet it changed ${changed.join(', ')}`);
    }
    const secrets = [...this.planted, ...(options.caseSecrets ?? [])];
    const leakedInAnswer = leaks(response.body, secrets);
    if (leakedInAnswer.length > 0) failures.push(`the answer holds secret(s) ${leakedInAnswer.map((secret) => JSON.stringify(secret.slice(0, 40))).join(', ')}`);
    const auditText = JSON.stringify(newAudit);
    const leakedInAudit = leaks(auditText, secrets);
    if (leakedInAudit.length > 0) failures.push(`the audit log holds secret(s) ${leakedInAudit.map((secret) => JSON.stringify(secret.slice(0, 40))).join(', ')}`);
    if (Object.prototype.hasOwnProperty.call(Object.prototype, 'fuzzPolluted')) {
      delete (Object.prototype as Record<string, unknown>).fuzzPolluted;
      failures.push('Object.prototype was polluted (fuzzPolluted)');
    }
    const expected = options.expect?.(response, problem);
    if (expected) failures.push(expected);
    if (failures.length > 0) throw new Error(`${failures.join('; ')}\n    request: ${options.describe}\n    answer: ${status} ${response.body.slice(0, 300)}`);
    return response;
  }

  /** The server still answers: a request after a failure tells a crash from a refusal. */
  async alive(headers: readonly (readonly [string, string])[]): Promise<boolean> {
    try {
      return (await send(this.origin, { method: 'GET', path: '/api/v1/system', headers }, 5000)).status === 200;
    } catch {
      return false;
    }
  }
}
