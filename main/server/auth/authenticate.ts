import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PrincipalView } from '../../../shared/domain/access.js';
import type { IdentityService } from '../../core/services/identity/identity-service.js';
import { readCookie, sessionCookieName } from './cookies.js';
import { hostOf } from './host-check.js';

export const CSRF_HEADER = 'x-edgecab-csrf';

export type Authentication =
  | {
      ok: true;
      principal: PrincipalView;
      via: string;
      sessionToken: string | null;
      csrfToken: string | null;
      /** Who the session or token stands for now (null once it has ended), for calls that outlive the request's check. */
      recheck: () => PrincipalView | null;
    }
  | { ok: false; status: 401 | 403; code: string; detail: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** An Origin header that names another site (a cross-site form or fetch) is refused outright. */
function crossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return hostOf(new URL(origin).host) !== hostOf(req.headers.host);
  } catch {
    return true;
  }
}

/**
 * Who sent a request: a Bearer API token, or a session cookie. Cookie
 * sessions also need the session's CSRF token in a header for anything but
 * a plain read, and no foreign Origin: SameSite=Strict already keeps the
 * cookie off cross-site requests; these are the second and third lock.
 * `rpc` requests (the web UI's transport, all POST) always need the header.
 */
export function authenticate(req: IncomingMessage, identity: IdentityService, options: { secure: boolean; rpc: boolean }): Authentication {
  const address = clientAddress(req);
  const authorization = req.headers.authorization;
  if (authorization) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const principal = token ? identity.tokenPrincipal(token) : null;
    if (!token || !principal) return { ok: false, status: 401, code: 'UNAUTHORIZED', detail: 'The API token is unknown, revoked or expired' };
    return { ok: true, principal, via: `token from ${address}`, sessionToken: null, csrfToken: null, recheck: () => identity.tokenPrincipal(token, { touch: false }) };
  }
  const token = readCookie(req, sessionCookieName(options.secure));
  const session = token ? identity.session(token) : null;
  if (!token || !session) return { ok: false, status: 401, code: 'UNAUTHORIZED', detail: token ? 'The session has ended; sign in again' : 'Sign in first' };
  const needsCsrf = options.rpc || !SAFE_METHODS.has(req.method ?? 'GET');
  if (needsCsrf) {
    if (crossSite(req)) return { ok: false, status: 403, code: 'CROSS_SITE', detail: 'Cross-site requests are refused' };
    if (!sameSecret(req.headers[CSRF_HEADER], session.csrfToken)) return { ok: false, status: 403, code: 'CSRF', detail: `The ${CSRF_HEADER} header is missing or does not match this session` };
  }
  return { ok: true, principal: session.principal, via: `session from ${address}`, sessionToken: token, csrfToken: session.csrfToken, recheck: () => identity.session(token, { touch: false })?.principal ?? null };
}

/** Compares a header with the session's CSRF token in constant time (how much of a guess matched is not told by the time taken). */
function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
