import type { IncomingMessage } from 'node:http';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** A small JSON body, cut off at `limit` bytes whatever its framing (Content-Length or chunked). */
export async function readJsonBody(req: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new BodyError(415, 'Send JSON (Content-Type: application/json)');
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyError(413, `The request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.destroy();
      throw new BodyError(413, `The request body is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'The request body is not valid JSON');
  }
}
