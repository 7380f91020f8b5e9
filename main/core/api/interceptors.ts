import { ORPCError, ValidationError } from '@orpc/server';
import type { ProcedureClientInterceptorOptions } from '@orpc/server';
import { toFieldIssues } from '../../../shared/domain/validation.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import type { AuditLog } from '../services/audit/audit-log.js';
import type { CoreContext } from './router.js';
import { redact } from '../../../shared/domain/redact.js';

type InterceptorOptions = ProcedureClientInterceptorOptions<CoreContext, Record<never, never>, Record<never, never>> & {
  next: () => Promise<unknown>;
};

const MAX_DETAIL = 2000;

/** Maps input validation failures and the services' errors to the contract's typed errors. */
export async function mapErrors({ next }: InterceptorOptions): Promise<unknown> {
  try {
    return await next();
  } catch (error) {
    if (error instanceof ORPCError && error.code === 'BAD_REQUEST' && error.cause instanceof ValidationError) {
      const issues = toFieldIssues(error.cause.issues);
      throw new ORPCError('BAD_REQUEST', {
        status: 400,
        message: `The input is not valid: ${issues.map((issue) => `${issue.field || 'input'}: ${issue.message}`).join('; ')}`,
        data: { issues },
        cause: error,
      });
    }
    if (error instanceof InvalidInputError) {
      throw new ORPCError('BAD_REQUEST', { status: 400, message: error.message, data: { issues: error.issues }, cause: error });
    }
    if (error instanceof NotFoundError) {
      throw new ORPCError('NOT_FOUND', {
        status: 404,
        message: error.message,
        data: { resource: error.resource, id: error.id },
        cause: error,
      });
    }
    if (error instanceof ConflictError) {
      throw new ORPCError('CONFLICT', {
        status: 409,
        message: error.message,
        data: { field: error.field, reason: error.message },
        cause: error,
      });
    }
    if (!(error instanceof ORPCError) || (error.status >= 500 && !error.defined)) console.error('edgecab core: unexpected error', error, error instanceof Error ? error.cause : undefined);
    throw error;
  }
}

/** The input as the audit log keeps it: secrets hidden by the contract's marks, bulk texts and files by size. */
function describeInput(schema: unknown, input: unknown): string | null {
  if (input === undefined || input === null) return null;
  let text: string;
  try {
    text = JSON.stringify(redact(schema as Parameters<typeof redact>[0], input));
  } catch {
    // Input nested deeper than JSON.stringify can recurse (JSON.parse is not recursive, so a request can carry it): the call is still recorded.
    text = '"<input not recorded: nested too deep>"';
  }
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

function targetOf(input: unknown, output: unknown): string | null {
  for (const value of [output, input]) {
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.id === 'string' || typeof record.id === 'number') return String(record.id);
    }
  }
  if (input && typeof input === 'object' && typeof (input as Record<string, unknown>).code === 'string') {
    return String((input as Record<string, unknown>).code);
  }
  return null;
}

/** Writes every mutating call (any route but GET) to the audit log with its outcome. */
export function auditMutations(audit: AuditLog) {
  return async (options: InterceptorOptions): Promise<unknown> => {
    const method = options.procedure['~orpc'].route.method ?? 'POST';
    if (method === 'GET') return options.next();
    const operation = options.path.join('.');
    const base = { actor: options.context.actor, via: options.context.via, operation, detail: describeInput(options.procedure['~orpc'].inputSchema, options.input) };
    try {
      const output = await options.next();
      audit.record({ ...base, target: targetOf(options.input, output), outcome: 'ok', errorCode: null });
      return output;
    } catch (error) {
      const code = error instanceof ORPCError ? String(error.code) : 'INTERNAL_SERVER_ERROR';
      const message = error instanceof Error ? error.message : String(error);
      audit.record({
        ...base,
        target: targetOf(options.input, undefined),
        outcome: 'error',
        errorCode: code,
        detail: `${message}${base.detail ? ` — input ${base.detail}` : ''}`.slice(0, MAX_DETAIL),
      });
      throw error;
    }
  };
}
