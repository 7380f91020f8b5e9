import type { Core } from '../../main/core/index.js';
import type { Grant } from '../../shared/domain/access.js';

export const TEST_PASSWORD = 'correct horse battery 7';

/** A user with these grants and an API token for them, made directly in the core. */
export async function userWithToken(core: Core, name: string, grants: Grant[], scope: Grant['role'] = 'administrator'): Promise<{ userId: string; token: string }> {
  const existing = core.services.identity.userByName(name);
  const user = existing ?? (await core.services.identity.createUser({ name, displayName: null, password: TEST_PASSWORD, grants }));
  const { token } = core.services.identity.createToken(user.id, { name: `${name}-test`, scope, expiresInDays: 1 });
  return { userId: user.id, token };
}

/** An administrator of every region and its token's Authorization header. */
export async function adminHeaders(core: Core): Promise<Record<string, string>> {
  const { token } = await userWithToken(core, 'test-admin', [{ role: 'administrator', regionId: null }]);
  return { authorization: `Bearer ${token}` };
}

/** Creates the first administrator through the setup link `edgecab serve` printed; answers the session cookie and CSRF token. */
export async function completeSetup(setupUrl: string, user: { name: string; password: string } = { name: 'admin', password: TEST_PASSWORD }): Promise<{ cookie: string; csrf: string }> {
  const url = new URL(setupUrl);
  const token = new URLSearchParams(url.hash.split('?')[1] ?? '').get('token') ?? '';
  const response = await fetch(new URL('/api/v1/auth/setup', url).href, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, ...user }) });
  if (response.status !== 200) throw new Error(`setup failed: ${response.status} ${await response.text()}`);
  const cookie = /edgecab_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('setup answered no session cookie');
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}
