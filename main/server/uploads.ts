import busboy from 'busboy';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ORPCError } from '@orpc/server';
import type { Core, CoreContext } from '../core/index.js';
import { stagedFile } from '../core/services/tiles/staged-uploads.js';
import { refuseTooLarge } from './body-limits.js';
import { problemFromError, sendProblem } from './problem.js';

/**
 * Multipart bodies (a tile package, up to 512 MiB; an app release, up to 4 GiB) are read here
 * as they arrive instead of by oRPC, which would hold the whole body in
 * memory: every file part goes straight to a temporary file in the data
 * directory while the bytes are counted against the route's limit, and the
 * fields are kept as text. The request then carries the parsed FormData
 * (oRPC's node adapter takes `req.body` when it is set), whose files are
 * disk-backed Files the core recognises and takes over by path. The call
 * still runs through the core's handler with its interceptors (validation,
 * audit, permission checks), exactly like any other.
 *
 * A staged file the core did not take (the call was refused, failed, or the
 * client went away) is removed when the response closes.
 */

const LIMITS = { fields: 16, fieldSize: 64 * 1024, fieldNameSize: 200, files: 2, parts: 24, headerPairs: 64 } as const;
/** Uploads being received at once; each takes disk (up to its route's limit) until it is checked. */
const MAX_CONCURRENT_UPLOADS = 2;
let uploadsInFlight = 0;

type Entry = [string, string | File];

/** The routes that take a file, and the operation whose permission an upload to them needs (REST and the web UI's RPC). */
const UPLOAD_OPERATIONS = new Map([
  ['/api/v1/tiles/packages', 'tiles.import'],
  ['/rpc/tiles/import', 'tiles.import'],
  ['/api/v1/apps/releases', 'apps.push'],
  ['/rpc/apps/push', 'apps.push'],
  ['/api/v1/firmware/packages', 'firmware.upload'],
  ['/rpc/firmware/upload', 'firmware.upload'],
  ['/api/v1/firmware/catalogs', 'firmware.importCatalog'],
  ['/rpc/firmware/importCatalog', 'firmware.importCatalog'],
]);

/** A body this small is read and dropped when refused, so that the client is done sending and reads the answer. */
const DRAIN_REFUSED_UP_TO_BYTES = 1024 * 1024;

/**
 * Before a refusal: a small body of declared length is read and thrown away
 * (a client still writing into a closed connection gets EPIPE instead of the
 * answer); a larger or undeclared one is never read, and the connection
 * closes after the answer.
 */
function beforeRefusing(req: IncomingMessage, res: ServerResponse): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isInteger(declared) && declared >= 0 && declared <= DRAIN_REFUSED_UP_TO_BYTES) req.resume();
  else res.setHeader('connection', 'close');
}

/**
 * Reads a multipart request body to disk. Returns true when the request
 * should go on to oRPC (also for any body that is not multipart, left
 * untouched), false when it was answered here (403 or 404 before reading
 * when the caller may not upload there, 415 for a route that takes no file,
 * 413, 400, 503) or the client went away.
 */
export async function stageMultipartBody(core: Core, context: CoreContext, req: IncomingMessage, pathname: string, res: ServerResponse, limit: number): Promise<boolean> {
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return true;
  // Who may send it is settled before a byte reaches the disk or an upload slot is taken: a viewer's
  // half-gigabyte is refused unread, and the connection closed so that it is not read to be thrown away (beforeRefusing).
  const operation = UPLOAD_OPERATIONS.get(pathname);
  if (!operation) {
    beforeRefusing(req, res);
    sendProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Only a tile package, app release or firmware upload takes a multipart body; send JSON');
    return false;
  }
  try {
    core.authorize(operation, context.principal);
  } catch (error) {
    if (!(error instanceof ORPCError)) throw error;
    beforeRefusing(req, res);
    res.writeHead(error.status, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify(problemFromError(error)));
    return false;
  }
  if (uploadsInFlight >= MAX_CONCURRENT_UPLOADS) {
    res.setHeader('retry-after', '10');
    beforeRefusing(req, res);
    sendProblem(res, 503, 'UPLOADS_BUSY', `${MAX_CONCURRENT_UPLOADS} uploads are being received already; try again shortly`);
    return false;
  }
  uploadsInFlight += 1;
  const staged: string[] = [];
  const outputs: WriteStream[] = [];
  let settle: (goOn: boolean) => void = () => undefined;
  const settled = new Promise<boolean>((resolve) => {
    let done = false;
    settle = (goOn) => {
      if (done) return;
      done = true;
      resolve(goOn);
    };
  });
  res.once('close', () => {
    uploadsInFlight -= 1;
    staged.forEach((path, index) => {
      const out = outputs[index];
      // A stream destroyed before its file was opened still opens (creates) it afterwards: remove the file once the stream has closed.
      if (out && !out.closed) {
        out.once('close', () => rmSync(path, { force: true }));
        out.destroy();
      } else rmSync(path, { force: true });
    });
    settle(false);
  });

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { ...LIMITS, fileSize: limit } });
  } catch (error) {
    res.setHeader('connection', 'close');
    sendProblem(res, 400, 'BAD_REQUEST', `The multipart body cannot be read: ${(error as Error).message}`);
    return false;
  }

  let received = 0;
  let stopped = false;
  const count = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > limit) stop(() => refuseTooLarge(res, limit));
  };
  /** Stops reading (the rest of the body is never read: the answer closes the connection) and answers. */
  const stop = (answer: () => void): void => {
    if (stopped) return;
    stopped = true;
    req.off('data', count);
    req.unpipe(parser);
    req.pause();
    parser.removeAllListeners();
    parser.on('error', () => undefined);
    // Not from inside busboy's own callback (a 'limit' or 'error' event): it is still using its state.
    setImmediate(() => parser.destroy());
    for (const out of outputs) out.destroy();
    answer();
    settle(false);
  };
  const malformed = (detail: string): void =>
    stop(() => {
      res.setHeader('connection', 'close');
      sendProblem(res, 400, 'BAD_REQUEST', detail);
    });

  // Entries in the order they came, each resolved once its file (if any) is on disk.
  const entries: Promise<Entry>[] = [];
  parser.on('file', (name, stream, info) => {
    const path = core.services.tiles.stagingFile();
    staged.push(path);
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    outputs.push(out);
    stream.on('limit', () => stop(() => refuseTooLarge(res, limit)));
    const entry = pipeline(stream, out).then(async (): Promise<Entry> => [name, await stagedFile(path, info.filename || 'upload', info.mimeType)]);
    // Handled here as well: after a stop, nobody awaits the entry.
    entry.catch(() => undefined);
    entries.push(entry);
  });
  parser.on('field', (name, value, info) => {
    if (info.nameTruncated || info.valueTruncated) return malformed(`The form field "${name.slice(0, 40)}" is longer than ${LIMITS.fieldSize} bytes`);
    entries.push(Promise.resolve<Entry>([name, value]));
  });
  parser.on('filesLimit', () => malformed(`At most ${LIMITS.files} files per request`));
  parser.on('fieldsLimit', () => malformed(`At most ${LIMITS.fields} form fields per request`));
  parser.on('partsLimit', () => malformed(`At most ${LIMITS.parts} parts per request`));
  parser.on('error', (error: Error) => malformed(`The multipart body is malformed: ${error.message}`));
  parser.on('close', () => {
    Promise.all(entries).then(
      (list) => {
        if (stopped) return;
        const form = new FormData();
        for (const [name, value] of list) form.append(name, value);
        (req as IncomingMessage & { body?: unknown }).body = form;
        settle(true);
      },
      (error: unknown) => stop(() => sendProblem(res, 500, 'INTERNAL_SERVER_ERROR', `The upload could not be kept: ${(error as Error).message}`)),
    );
  });
  req.pipe(parser);
  req.on('data', count);
  return settled;
}
