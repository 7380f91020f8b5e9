import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** A request as sent on the wire: headers in order, duplicates allowed, the path unnormalized. */
export interface RawRequest {
  method: string;
  /** Sent as is: traversal, bad percent-encoding and all. */
  path: string;
  /** Name/value pairs; a name may repeat. A Host header is added unless one is given. */
  headers: readonly (readonly [string, string])[];
  body?: Buffer | string;
  /** Send the body chunked, without a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text; '' for an event stream, which is closed once its headers arrive. */
  body: string;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** The fuzz's own HTTP client (node:http), since fetch normalizes paths, merges duplicate headers and refuses some. */
export function send(origin: URL, raw: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const started = performance.now();
  const flat: string[] = [];
  if (!raw.headers.some(([name]) => name.toLowerCase() === 'host')) flat.push('Host', origin.host);
  for (const [name, value] of raw.headers) flat.push(name, value);
  const body = raw.body === undefined ? undefined : Buffer.isBuffer(raw.body) ? raw.body : Buffer.from(raw.body, 'utf8');
  if (body && !raw.chunked && !raw.headers.some(([name]) => name.toLowerCase() === 'content-length')) flat.push('Content-Length', String(body.length));
  if (body && raw.chunked) flat.push('Transfer-Encoding', 'chunked');
  return new Promise((resolve, reject) => {
    const req = request({ host: origin.hostname, port: origin.port, method: raw.method, path: raw.path, headers: flat, agent, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        // An event stream never ends: its status and headers are the answer.
        res.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', ms: performance.now() - started });
        return;
      }
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${raw.method} ${raw.path.slice(0, 120)} within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body && raw.chunked) {
      // Two chunks, so the server sees a body whose length it learns only by reading it.
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else req.end(body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}
