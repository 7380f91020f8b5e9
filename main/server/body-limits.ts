import type { Context } from '@orpc/server';
import { BodyLimitPlugin } from '@orpc/server/node';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CSV_IMPORT_MAX_BYTES } from '../../shared/domain/site.js';
import { MAX_RELEASE_UPLOAD_BYTES } from '../../shared/domain/apps.js';
import { MAX_FIRMWARE_CATALOG_BYTES, MAX_FIRMWARE_DESCRIPTION_BYTES, MAX_FIRMWARE_IMAGE_BYTES } from '../../shared/domain/firmware-repository.js';
import { sendProblem } from './problem.js';

/**
 * How much of a request body the server reads. Two guards, so the limit
 * holds whatever the framing: a declared Content-Length over the limit is
 * refused before anything is read, and oRPC's BodyLimitPlugin counts the
 * bytes as they arrive, so a chunked body (no length) is cut off with 413 as
 * soon as it passes the limit. Multipart bodies are read by uploads.ts,
 * which counts the same way and keeps file parts on disk.
 */

/** A CSV at the import limit, JSON-escaped, plus the envelope. */
export const MAX_BODY_BYTES = CSV_IMPORT_MAX_BYTES * 2 + 64 * 1024;
/** A tile package (the contract allows 512 MiB) plus the multipart envelope. */
export const MAX_TILE_UPLOAD_BYTES = 512 * 1024 * 1024 + 64 * 1024;

/** An app release bundle (the contract allows 4 GiB) plus the multipart envelope. */
export const MAX_RELEASE_UPLOAD_BYTES_WITH_ENVELOPE = MAX_RELEASE_UPLOAD_BYTES + 64 * 1024;

/** A firmware image and its description (2 GiB + 1 MiB), or a catalog, plus the envelope. */
const MAX_FIRMWARE_UPLOAD_BYTES = MAX_FIRMWARE_IMAGE_BYTES + MAX_FIRMWARE_DESCRIPTION_BYTES + 64 * 1024;
const MAX_CATALOG_UPLOAD_BYTES = MAX_FIRMWARE_CATALOG_BYTES + 64 * 1024;

/** The routes that take a file, REST and the web UI's RPC endpoint, and how large a body they read. */
const UPLOAD_LIMITS = new Map([
  ['/api/v1/tiles/packages', MAX_TILE_UPLOAD_BYTES],
  ['/rpc/tiles/import', MAX_TILE_UPLOAD_BYTES],
  ['/api/v1/apps/releases', MAX_RELEASE_UPLOAD_BYTES_WITH_ENVELOPE],
  ['/rpc/apps/push', MAX_RELEASE_UPLOAD_BYTES_WITH_ENVELOPE],
  ['/api/v1/firmware/packages', MAX_FIRMWARE_UPLOAD_BYTES],
  ['/rpc/firmware/upload', MAX_FIRMWARE_UPLOAD_BYTES],
  ['/api/v1/firmware/catalogs', MAX_CATALOG_UPLOAD_BYTES],
  ['/rpc/firmware/importCatalog', MAX_CATALOG_UPLOAD_BYTES],
]);

export function bodyLimitFor(pathname: string): number {
  return UPLOAD_LIMITS.get(pathname) ?? MAX_BODY_BYTES;
}

/** The body limit for oRPC's node handlers (JSON, text, forms; multipart never reaches them unread). */
export function bodyLimitPlugins<T extends Context>(): BodyLimitPlugin<T>[] {
  return [new BodyLimitPlugin<T>({ maxBodySize: MAX_BODY_BYTES })];
}

/**
 * Answers 413 and closes the connection, so the rest of the body is never
 * read (Node would otherwise read and discard it to keep the connection).
 */
export function refuseTooLarge(res: ServerResponse, limit: number): void {
  if (!res.headersSent) {
    res.setHeader('connection', 'close');
    sendProblem(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`);
  } else res.destroy();
}

/** The fast path: a declared length over the limit is refused before a byte of the body is read. True when refused. */
export function refusedByLength(req: IncomingMessage, res: ServerResponse, limit: number): boolean {
  if (Number(req.headers['content-length'] ?? 0) <= limit) return false;
  refuseTooLarge(res, limit);
  return true;
}
