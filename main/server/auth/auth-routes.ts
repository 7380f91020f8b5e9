import type { IncomingMessage, ServerResponse } from 'node:http';
import { toFieldIssues } from '../../../shared/domain/validation.js';
import { SessionView, SetupInput, SignInInput } from '../../../shared/domain/identity.js';
import type { Core } from '../../core/index.js';
import { InvalidInputError, ConflictError } from '../../core/errors.js';
import { SESSION_MAX_MS, SignInRefused } from '../../core/services/identity/identity-service.js';
import { sendProblem } from '../problem.js';
import { authenticate, clientAddress } from './authenticate.js';
import { readCookie, sessionCookie, sessionCookieName } from './cookies.js';
import { BodyError, readJsonBody } from './json-body.js';

export const AUTH_PREFIX = '/api/v1/auth/';
/** The paths the server answers itself (cookies); the rest of /auth is in the contract. */
export const AUTH_ROUTES = new Set([`${AUTH_PREFIX}session`, `${AUTH_PREFIX}setup`]);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function invalid(res: ServerResponse, issues: ReturnType<typeof toFieldIssues>): void {
  res.writeHead(400, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'urn:edgecab:problem:bad-request', title: 'Bad Request', status: 400, detail: issues.map((issue) => `${issue.field || 'input'}: ${issue.message}`).join('; '), code: 'BAD_REQUEST', errors: issues }));
}

/**
 * Sign-in, sign-out, the session's view, and the first administrator's
 * setup: the HTTP-only part of identity (cookies), so it lives in the server
 * host; everything else about users is in the contract.
 */
export async function handleAuthRoute(core: Core, req: IncomingMessage, res: ServerResponse, pathname: string, secure: boolean): Promise<void> {
  const identity = core.services.identity;
  const cookieName = sessionCookieName(secure);
  const address = clientAddress(req);
  const audit = (operation: string, actor: string, outcome: 'ok' | 'error', detail: string | null, errorCode: string | null = null) =>
    core.services.audit.record({ actor, via: `session from ${address}`, operation, target: null, outcome, errorCode, detail });
  const openSession = (token: string, csrfToken: string, user: { id: string; name: string; displayName: string | null }) =>
    sendJson(res, 200, { signedIn: true, setupRequired: false, user: { id: user.id, name: user.name, displayName: user.displayName }, csrfToken } satisfies SessionView, {
      'set-cookie': sessionCookie(cookieName, token, { secure, maxAge: Math.floor(SESSION_MAX_MS / 1000) }),
    });
  try {
    const route = `${req.method ?? 'GET'} ${pathname.slice(AUTH_PREFIX.length)}`;
    switch (route) {
      case 'GET session': {
        const auth = authenticate(req, identity, { secure, rpc: false });
        const view: SessionView = auth.ok && auth.principal.userId
          ? { signedIn: true, setupRequired: false, user: { id: auth.principal.userId, name: auth.principal.name, displayName: identity.user(auth.principal.userId).displayName }, csrfToken: auth.csrfToken }
          : { signedIn: false, setupRequired: !identity.hasUsers(), user: null, csrfToken: null };
        return sendJson(res, 200, view);
      }
      case 'POST session': {
        const parsed = SignInInput.safeParse(await readJsonBody(req));
        if (!parsed.success) return invalid(res, toFieldIssues(parsed.error.issues));
        try {
          const { token, csrfToken, user } = await identity.signIn(parsed.data.name, parsed.data.password, address);
          audit('auth.signIn', user.name, 'ok', null);
          return openSession(token, csrfToken, user);
        } catch (error) {
          if (!(error instanceof SignInRefused)) throw error;
          audit('auth.signIn', parsed.data.name, 'error', error.message, error.reason === 'invalid' ? 'UNAUTHORIZED' : 'TOO_MANY_REQUESTS');
          if (error.reason !== 'invalid') {
            res.setHeader('retry-after', String(error.retryAfterSeconds));
            return sendProblem(res, 429, 'TOO_MANY_REQUESTS', error.message);
          }
          return sendProblem(res, 401, 'UNAUTHORIZED', error.message);
        }
      }
      case 'DELETE session': {
        const token = readCookie(req, cookieName);
        const auth = authenticate(req, identity, { secure, rpc: false });
        if (!auth.ok && auth.status === 403) return sendProblem(res, 403, auth.code, auth.detail);
        if (token) identity.signOut(token);
        if (auth.ok) audit('auth.signOut', auth.principal.name, 'ok', null);
        return sendJson(res, 200, { signedIn: false, setupRequired: false, user: null, csrfToken: null } satisfies SessionView, { 'set-cookie': sessionCookie(cookieName, '', { secure, maxAge: 0 }) });
      }
      case 'POST setup': {
        const parsed = SetupInput.safeParse(await readJsonBody(req));
        if (!parsed.success) return invalid(res, toFieldIssues(parsed.error.issues));
        const wait = identity.throttle.retryAfter('setup', address);
        if (wait > 0) {
          res.setHeader('retry-after', String(wait));
          return sendProblem(res, 429, 'TOO_MANY_REQUESTS', `Too many tries; wait ${wait} s`);
        }
        try {
          const user = await identity.completeSetup(parsed.data.token, parsed.data.name, parsed.data.password);
          audit('auth.setup', user.name, 'ok', 'first administrator created');
          const { token, csrfToken } = await identity.signIn(parsed.data.name, parsed.data.password, address);
          return openSession(token, csrfToken, user);
        } catch (error) {
          if (error instanceof InvalidInputError) {
            if (error.issues.some((issue) => issue.field === 'token')) identity.throttle.failed('setup', address);
            audit('auth.setup', parsed.data.name, 'error', error.message, 'BAD_REQUEST');
            return invalid(res, error.issues);
          }
          if (error instanceof ConflictError) return sendProblem(res, 409, 'CONFLICT', error.message);
          throw error;
        }
      }
      default:
        return sendProblem(res, 404, 'NOT_FOUND', `No route ${req.method ?? ''} ${pathname}`);
    }
  } catch (error) {
    if (error instanceof BodyError) return sendProblem(res, error.status, error.status === 413 ? 'CONTENT_TOO_LARGE' : error.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST', error.message);
    throw error;
  }
}
