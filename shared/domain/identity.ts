import { z } from 'zod';
import { Grant, ROLES } from './access.js';
import { secret } from './secret.js';

export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export const UserName = z.string().trim().regex(USER_NAME_PATTERN, { error: 'Letters, digits and . _ @ - (up to 64), starting with a letter or digit' });
export const Password = secret(z.string().min(1, { error: 'A password is required' }).max(256, { error: 'At most 256 characters' }));

export const UserView = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string().nullable(),
  disabled: z.boolean(),
  grants: z.array(Grant),
  createdAt: z.string(),
  passwordChangedAt: z.string(),
});
export type UserView = z.infer<typeof UserView>;

const Grants = z.array(Grant).max(64).refine((grants) => new Set(grants.map((grant) => `${grant.role}:${grant.regionId}`)).size === grants.length, { error: 'A grant is listed twice' });

export const UserCreate = z.object({
  name: UserName,
  displayName: z.string().trim().max(80).nullable().default(null),
  password: Password,
  grants: Grants.min(1, { error: 'Give the user at least one role' }),
});

export const UserUpdate = z.object({
  id: z.string().uuid({ error: 'Not a user' }),
  displayName: z.string().trim().max(80).nullable().optional(),
  disabled: z.boolean().optional(),
  grants: Grants.optional(),
});

export const PasswordChange = z.object({
  id: z.string().uuid({ error: 'Not a user' }),
  password: Password,
  /** Needed when users change their own password. */
  currentPassword: Password.optional(),
});

export const TokenView = z.object({
  id: z.string(),
  userId: z.string(),
  userName: z.string(),
  name: z.string(),
  scope: z.enum(ROLES),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenView>;

export const TokenCreate = z.object({
  name: z.string().trim().min(1, { error: 'Name the token after what uses it' }).max(80),
  /** The most the token may do; never more than its user may. */
  scope: z.enum(ROLES).default('viewer'),
  /** Null: until revoked. */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
});

/** The token itself is shown once, in this answer, and stored only as a hash. */
export const TokenCreated = TokenView.extend({ token: secret(z.string()) });

export const SignInInput = z.object({ name: z.string().trim().min(1).max(64), password: Password });
export const SetupInput = z.object({ token: secret(z.string().min(1).max(200)), name: UserName, password: Password });

/** The browser's view of its session (server mode). */
export const SessionView = z.object({
  signedIn: z.boolean(),
  /** True while no user exists: the setup link printed at start creates the first administrator. */
  setupRequired: z.boolean(),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string().nullable() }).nullable(),
  csrfToken: z.string().nullable(),
});
export type SessionView = z.infer<typeof SessionView>;
