import type { SessionView } from '../../../shared/domain/identity.js';

const SESSION_URL = '/api/v1/auth/session';
const SETUP_URL = '/api/v1/auth/setup';

export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds: number,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

let current: SessionView | null = null;
const listeners = new Set<(session: SessionView) => void>();

/** The CSRF token of the signed-in session; the RPC client sends it with every call. */
export function csrfToken(): string | null {
  return current?.csrfToken ?? null;
}

export function currentSession(): SessionView | null {
  return current;
}

function update(session: SessionView): SessionView {
  current = session;
  for (const listener of listeners) listener(session);
  return session;
}

export function onSessionChange(listener: (session: SessionView) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function answer(response: Response): Promise<SessionView> {
  if (response.ok) return update((await response.json()) as SessionView);
  const problem = (await response.json().catch(() => ({}))) as { detail?: string; errors?: { field: string; message: string }[] };
  const fields = Object.fromEntries((problem.errors ?? []).map((issue) => [issue.field, issue.message]));
  throw new AuthError(response.status, problem.detail ?? `HTTP ${response.status}`, Number(response.headers.get('retry-after') ?? 0), fields);
}

export async function loadSession(): Promise<SessionView> {
  return answer(await fetch(SESSION_URL, { credentials: 'same-origin', cache: 'no-store' }));
}

export async function signIn(name: string, password: string): Promise<SessionView> {
  return answer(await fetch(SESSION_URL, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) }));
}

export async function completeSetup(token: string, name: string, password: string): Promise<SessionView> {
  return answer(await fetch(SETUP_URL, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name, password }) }));
}

export async function signOut(): Promise<void> {
  const token = csrfToken();
  await fetch(SESSION_URL, { method: 'DELETE', credentials: 'same-origin', headers: token ? { 'x-edgecab-csrf': token } : {} });
  update({ signedIn: false, setupRequired: false, user: null, csrfToken: null });
}

/** A call answered 401: the session ended elsewhere (expiry, password change, disabled); the app asks to sign in again. */
export function sessionEnded(): void {
  if (current?.signedIn) update({ signedIn: false, setupRequired: false, user: null, csrfToken: null });
}
