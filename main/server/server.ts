import { OpenAPIHandler } from '@orpc/openapi/node';
import { ORPCError } from '@orpc/server';
import { RPCHandler } from '@orpc/server/node';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CSV_IMPORT_MAX_BYTES } from '../../shared/domain/site.js';
import type { Core, CoreContext } from '../core/index.js';
import { answerTile, isTilePath } from '../core/services/tiles/tile-path.js';
import { buildOpenApiDocument } from './openapi.js';
import { labelErrorsAsProblems, problemFromError, sendProblem } from './problem.js';
import { serveRenderer } from './static-files.js';

export const API_PREFIX = '/api/v1';
export const RPC_PREFIX = '/rpc';
/** A CSV at the import limit, JSON-escaped, plus the envelope. */
const MAX_BODY_BYTES = CSV_IMPORT_MAX_BYTES * 2 + 64 * 1024;

export interface ServerOptions {
  core: Core;
  host: string;
  port: number;
  rendererDir: string;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

const MAX_TILE_UPLOAD_BYTES = 512 * 1024 * 1024 + 64 * 1024;
/** Failures outside any procedure (decoding, encoding) would otherwise vanish into a bare 500. */
async function logUnexpected<T>({ next }: { next: () => Promise<T> }): Promise<T> {
  try {
    return await next();
  } catch (error) {
    // A body that is not JSON is the client's mistake: oRPC answers it with a 400.
    const clientFault = error instanceof SyntaxError || (error instanceof ORPCError && (error.status < 500 || error.defined));
    if (!clientFault) console.error('edgecab server: request failed', error);
    throw error;
  }
}

function actorOf(req: IncomingMessage): CoreContext {
  return { actor: `http:${req.socket.remoteAddress ?? 'unknown'}` };
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { core } = options;
  const openApiHandler = new OpenAPIHandler(core.router, {
    clientInterceptors: [...core.interceptors],
    interceptors: [logUnexpected],
    customErrorResponseBodyEncoder: (error) => problemFromError(error),
  });
  const rpcHandler = new RPCHandler(core.router, { clientInterceptors: [...core.interceptors], interceptors: [logUnexpected] });
  const openApiDocument = JSON.stringify(await buildOpenApiDocument());

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const isApi = pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`);
    const isRpc = pathname.startsWith(`${RPC_PREFIX}/`);
    const limit = pathname.endsWith('/tiles/packages') || pathname.endsWith('/tiles/import') ? MAX_TILE_UPLOAD_BYTES : MAX_BODY_BYTES;
    if ((isApi || isRpc) && Number(req.headers['content-length'] ?? 0) > limit) {
      sendProblem(res, 413, 'CONTENT_TOO_LARGE', `The request body is larger than ${limit} bytes`);
      return;
    }
    if (isTilePath(pathname) && req.method === 'GET') {
      const tile = await answerTile(core.services, pathname);
      if (tile.status === 200) {
        res.writeHead(200, {
          'content-type': tile.contentType,
          'content-length': tile.data.length,
          'cache-control': tile.cache === null ? 'public, max-age=86400' : 'no-cache',
          ...(tile.cache ? { 'x-edgecab-cache': tile.cache } : {}),
        });
        res.end(tile.data);
      } else if (tile.status === 204) {
        res.writeHead(204);
        res.end();
      } else sendProblem(res, 404, 'NOT_FOUND', 'No such tile package or tile path');
      return;
    }
    if (pathname === `${API_PREFIX}/openapi.json` && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(openApiDocument);
      return;
    }
    if (isApi) {
      labelErrorsAsProblems(res);
      const { matched } = await openApiHandler.handle(req, res, { prefix: API_PREFIX, context: actorOf(req) });
      if (!matched) sendProblem(res, 404, 'NOT_FOUND', `No API route ${req.method ?? ''} ${pathname}; see ${API_PREFIX}/openapi.json`);
      return;
    }
    if (isRpc) {
      const { matched } = await rpcHandler.handle(req, res, { prefix: RPC_PREFIX, context: actorOf(req) });
      if (!matched) sendProblem(res, 404, 'NOT_FOUND', `No RPC procedure at ${pathname}`);
      return;
    }
    serveRenderer(options.rendererDir, req, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('edgecab: request failed', error);
      if (!res.headersSent) sendProblem(res, 500, 'INTERNAL_SERVER_ERROR', 'The server failed to handle the request');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${hostForUrl}:${address.port}/`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
