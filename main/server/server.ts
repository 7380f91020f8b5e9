import { OpenAPIHandler } from '@orpc/openapi/node';
import { ORPCError } from '@orpc/server';
import { RPCHandler } from '@orpc/server/node';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Core, CoreContext } from '../core/index.js';
import { answerTile, isTilePath } from '../core/services/tiles/tile-path.js';
import { bodyLimitFor, bodyLimitPlugins, refusedByLength } from './body-limits.js';
import { buildOpenApiDocument } from './openapi.js';
import { Gate } from './gate.js';
import { answerClientError, labelErrorsAsProblems, problemFromError, sendProblem } from './problem.js';
import { serveRenderer } from './static-files.js';
import { stageMultipartBody } from './uploads.js';

export const API_PREFIX = '/api/v1';
export const RPC_PREFIX = '/rpc';

export interface ServerOptions {
  core: Core;
  host: string;
  port: number;
  rendererDir: string;
  /** Host names clients use to reach this server, besides its bind address (checked against the Host header). */
  publicNames?: readonly string[];
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /**
   * Serves another certificate (PEM, with its chain) and key from now on,
   * without a restart: new connections get it, open ones keep theirs (a
   * renewed certificate). Refused when the server does not serve TLS.
   */
  setCertificate(tls: { cert: string; key: string }): void;
  close(): Promise<void>;
}

const TLS_OPTIONS = { minVersion: 'TLSv1.2' } as const;

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


export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { core } = options;
  const openApiHandler = new OpenAPIHandler(core.router, {
    clientInterceptors: [...core.interceptors],
    interceptors: [logUnexpected],
    customErrorResponseBodyEncoder: (error) => problemFromError(error),
    plugins: bodyLimitPlugins(),
  });
  const rpcHandler = new RPCHandler(core.router, { clientInterceptors: [...core.interceptors], interceptors: [logUnexpected], plugins: bodyLimitPlugins() });
  // Made at the first request for it, not at every start (tens of milliseconds of schema conversion).
  let openApiDocument: Promise<string> | null = null;

  const gate = new Gate(core, { bindHost: options.host, publicNames: options.publicNames ?? [], secure: Boolean(options.tls) });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const isApi = pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`);
    const isRpc = pathname.startsWith(`${RPC_PREFIX}/`);
    const isOpenApi = pathname === `${API_PREFIX}/openapi.json` && req.method === 'GET';
    const admitted = await gate.admit(req, res, pathname, isOpenApi ? 'public' : isApi ? 'api' : isRpc ? 'rpc' : isTilePath(pathname) ? 'tile' : 'public');
    if (admitted === null) return;
    const context: CoreContext | null = admitted === 'public' ? null : admitted;
    // Bodies are bounded whatever their framing (body-limits.ts); multipart file parts are streamed to disk (uploads.ts).
    const limit = bodyLimitFor(pathname);
    if ((isApi || isRpc) && refusedByLength(req, res, limit)) return;
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
      openApiDocument ??= buildOpenApiDocument()
        .then((document) => JSON.stringify(document))
        .catch((error: unknown) => {
          openApiDocument = null;
          throw error;
        });
      const body = await openApiDocument;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    if ((isApi || isRpc) && !(await stageMultipartBody(core, context!, req, pathname, res, limit))) return;
    if (isApi) {
      labelErrorsAsProblems(res);
      const { matched } = await openApiHandler.handle(req, res, { prefix: API_PREFIX, context: context! });
      if (!matched) sendProblem(res, 404, 'NOT_FOUND', `No API route ${req.method ?? ''} ${pathname}; see ${API_PREFIX}/openapi.json`);
      return;
    }
    if (isRpc) {
      const { matched } = await rpcHandler.handle(req, res, { prefix: RPC_PREFIX, context: context! });
      if (!matched) sendProblem(res, 404, 'NOT_FOUND', `No RPC procedure at ${pathname}`);
      return;
    }
    serveRenderer(options.rendererDir, req, res);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      console.error('edgecab: request failed', error);
      if (!res.headersSent) sendProblem(res, 500, 'INTERNAL_SERVER_ERROR', 'The server failed to handle the request');
      else res.destroy();
    });
  };
  const secure = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, ...TLS_OPTIONS }, onRequest) : null;
  const server: Server = secure ?? createServer(onRequest);
  server.keepAliveTimeout = 30_000;
  server.on('clientError', answerClientError);

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  // Bound to every interface: the URL to print is this machine's own loopback, which the Host check accepts.
  const shown = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const hostForUrl = shown.includes(':') ? `[${shown}]` : shown;
  return {
    server,
    url: `${options.tls ? 'https' : 'http'}://${hostForUrl}:${address.port}/`,
    setCertificate: (tls) => {
      if (!secure) throw new Error('this server does not serve TLS');
      // The whole context is rebuilt from these options: the minimum version is given again, not inherited.
      secure.setSecureContext({ cert: tls.cert, key: tls.key, ...TLS_OPTIONS });
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
