import type { ORPCError } from '@orpc/server';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

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
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
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
 * Node's HTTP parser refuses some requests before any handler sees them
 * (conflicting Content-Length headers, headers over the size limit, a URL
 * too long); its own answer has no body. This answers the same status as a
 * problem document, like every other refusal.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const code = status === 431 ? 'REQUEST_HEADER_FIELDS_TOO_LARGE' : status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
  const title = TITLES[status] ?? code;
  const body = JSON.stringify({ type: problemType(code), title, status, detail: `The HTTP request is malformed (${error.code ?? 'parse error'})`, code } satisfies ProblemDocument);
  socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
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
