import { z } from 'zod';

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  operation: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'error']),
  errorCode: z.string().nullable(),
  detail: z.string().nullable(),
  /** Through what the actor came (session and address, token, desktop, CLI); null before this was recorded. */
  via: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  operation: z.string().max(80).optional(),
  outcome: z.enum(['ok', 'error']).optional(),
});

export const AuditPage = z.object({
  items: z.array(AuditEntry),
  total: z.number().int(),
});
