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
