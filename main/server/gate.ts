import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core, CoreContext } from '../core/index.js';
import { authenticate } from './auth/authenticate.js';
import { AUTH_ROUTES, handleAuthRoute } from './auth/auth-routes.js';
import { hostAllowed, hostPolicy, type HostPolicy } from './auth/host-check.js';
import { sendProblem } from './problem.js';

export interface GateOptions {
  bindHost: string;
  /** Names clients use to reach this server (Host header), besides its bind address. */
  publicNames: readonly string[];
  secure: boolean;
}

/**
 * Every request passes here first: the Host header must be one of ours (so
 * a DNS-rebinding page cannot pose as EdgeCab's origin), the sign-in routes
 * are answered, and the API, the RPC endpoint and the tiles need a signed-in
 * session or an API token. Only the UI's files and the OpenAPI document are
 * public.
 */
export class Gate {
  private readonly hosts: HostPolicy;

  constructor(
    private readonly core: Core,
    private readonly options: GateOptions,
  ) {
    this.hosts = hostPolicy(options.bindHost, options.publicNames);
  }

  /** Headers every answer carries. */
  securityHeaders(res: ServerResponse): void {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    if (this.options.secure) res.setHeader('strict-transport-security', 'max-age=31536000');
  }

  /**
   * The caller's context when the request may go on to the API, RPC or tiles;
   * 'public' for what needs no sign-in; null when an answer was already sent.
   */
  async admit(req: IncomingMessage, res: ServerResponse, pathname: string, kind: 'api' | 'rpc' | 'tile' | 'public'): Promise<CoreContext | 'public' | null> {
    this.securityHeaders(res);
    if (!hostAllowed(this.hosts, req.headers.host)) {
      sendProblem(res, 421, 'MISDIRECTED_REQUEST', `This EdgeCab does not answer to the host name "${req.headers.host ?? ''}"; add it with --public-name if it is one of its names`);
      return null;
    }
    if (AUTH_ROUTES.has(pathname)) {
      await handleAuthRoute(this.core, req, res, pathname, this.options.secure);
      return null;
    }
    if (kind === 'public') return 'public';
    const auth = authenticate(req, this.core.services.identity, { secure: this.options.secure, rpc: kind === 'rpc' });
    if (!auth.ok) {
      if (auth.status === 401) res.setHeader('www-authenticate', 'Bearer realm="EdgeCab"');
      // A refused request's body is not wanted: close rather than read and discard it (it may be half a gigabyte).
      if (req.headers['content-length'] !== '0' && (req.headers['content-length'] || req.headers['transfer-encoding'])) res.setHeader('connection', 'close');
      sendProblem(res, auth.status, auth.code, auth.detail);
      return null;
    }
    return { actor: auth.principal.name, principal: auth.principal, via: auth.via, recheck: auth.recheck };
  }
}
