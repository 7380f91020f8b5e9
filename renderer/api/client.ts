import { createORPCClient, ORPCError } from '@orpc/client';
import { csrfToken, sessionEnded } from '../features/auth/session.js';
import { RPCLink as FetchRPCLink } from '@orpc/client/fetch';
import type { EdgecabClient } from '../../shared/contract/index.js';
import { DesktopCoreLink, listenForDesktopCore } from './desktop-link.js';

/** What the desktop preload exposes; absent in a browser (server mode). */
export interface DesktopBridge {
  readonly host: 'desktop';
  readonly version: string;
}

declare global {
  interface Window {
    edgecabDesktop?: DesktopBridge;
  }
}

export { DESKTOP_PORT_MESSAGE } from './desktop-link.js';

export type Transport = 'desktop' | 'server';

export function currentTransport(): Transport {
  return window.edgecabDesktop?.host === 'desktop' ? 'desktop' : 'server';
}

let desktopLink: DesktopCoreLink | null = null;

/** The desktop link (and the core's status: restarts, state), or null in server mode. */
export function desktopCore(): DesktopCoreLink | null {
  return desktopLink;
}

/**
 * One typed client for both hosts: a MessagePort to the core's utility
 * process on desktop, HTTP to the server otherwise. On desktop, calls made
 * before the port arrives wait for it, and a new port (the core was
 * restarted) replaces the old one; see desktop-link.ts.
 */
export function createEdgecabClient(): EdgecabClient {
  if (currentTransport() === 'server') {
    return createORPCClient<EdgecabClient>(
      new FetchRPCLink({
        url: new URL('/rpc', window.location.origin).href,
        // Cookie sessions need the session's CSRF token on every RPC call (the server refuses them without).
        headers: () => {
          const token = csrfToken();
          return token ? { 'x-edgecab-csrf': token } : {};
        },
        interceptors: [
          async ({ next }) => {
            try {
              return await next();
            } catch (error) {
              if (error instanceof ORPCError && error.status === 401) sessionEnded();
              throw error;
            }
          },
        ],
      }),
    );
  }
  if (!desktopLink) {
    desktopLink = new DesktopCoreLink();
    listenForDesktopCore(window, desktopLink);
  }
  return createORPCClient<EdgecabClient>(desktopLink);
}
