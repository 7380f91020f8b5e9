import type { ORPCError } from '@orpc/server';
import type { ServerResponse } from 'node:http';

/** RFC 9457 problem details, with the contract's error code and each rejected field. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { field: string; code: string; message: string }[];
  data?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function problemType(code: string): string {
  return `urn:edgecab:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problemFromError(error: ORPCError<string, unknown>): ProblemDocument {
  const data = error.data as { issues?: ProblemDocument['errors'] } | undefined;
  const problem: ProblemDocument = {
    type: problemType(error.code),
    title: TITLES[error.status] ?? error.code,
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (data?.issues) problem.errors = data.issues;
  else if (data !== undefined) problem.data = data;
  return problem;
}

export function sendProblem(res: ServerResponse, status: number, code: string, detail: string): void {
  const body: ProblemDocument = { type: problemType(code), title: TITLES[status] ?? code, status, detail, code };
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify(body));
}

/**
 * oRPC's node adapter always labels JSON as application/json; error bodies
 * are problem documents, so relabel them as the RFC asks.
 */
export function labelErrorsAsProblems(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status >= 400) {
      const headers = rest.find((arg) => arg && typeof arg === 'object') as Record<string, unknown> | undefined;
      if (headers && String(headers['content-type'] ?? '').startsWith('application/json')) {
        headers['content-type'] = 'application/problem+json';
      }
    }
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}
