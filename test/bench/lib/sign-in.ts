import { randomBytes } from 'node:crypto';

/** A signed-in session of a bench against `edgecab serve`, as the web UI holds one. */
export interface BenchSession {
  /** The session cookie, name and value (null where the server asks for no sign-in). */
  cookie: { name: string; value: string } | null;
  /** Headers for a request: the cookie, and for anything but a read the session's CSRF token. */
  headers(mutating?: boolean): Record<string, string>;
}

const CSRF_HEADER = 'x-edgecab-csrf';

/**
 * Creates the first administrator through the one-time setup link that
 * `serve --json` prints on a fresh data directory, and keeps the session
 * that answer opens. A server that prints no setup link needs no sign-in.
 */
export async function signInFirstAdministrator(url: string, setupUrl: string | null | undefined): Promise<BenchSession> {
  if (!setupUrl) return { cookie: null, headers: () => ({}) };
  const token = new URLSearchParams(new URL(setupUrl).hash.replace(/^#[^?]*\?/, '')).get('token');
  if (!token) throw new Error(`no token in the setup link ${setupUrl}`);
  const response = await fetch(`${url}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // A fresh random password each run: it is never needed again, and it passes any password policy.
    body: JSON.stringify({ token, name: 'bench-admin', password: `Pw-${randomBytes(18).toString('base64url')}` }),
  });
  const body = (await response.json()) as { csrfToken?: string | null };
  const setCookie = response.headers.get('set-cookie') ?? '';
  const match = /^([^=;\s]+)=([^;]*)/.exec(setCookie);
  if (response.status !== 200 || !match || !body.csrfToken) throw new Error(`first administrator setup answered HTTP ${response.status}: ${JSON.stringify(body)}`);
  const cookie = { name: match[1]!, value: match[2]! };
  const csrfToken = body.csrfToken;
  return {
    cookie,
    headers: (mutating = false) => ({ cookie: `${cookie.name}=${cookie.value}`, ...(mutating ? { [CSRF_HEADER]: csrfToken } : {}) }),
  };
}
