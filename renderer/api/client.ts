import { createORPCClient } from '@orpc/client';
import { RPCLink as FetchRPCLink } from '@orpc/client/fetch';
import { RPCLink as PortRPCLink } from '@orpc/client/message-port';
import type { EdgecabClient } from '../../shared/contract/index.js';

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

export const DESKTOP_PORT_MESSAGE = 'edgecab:core-port';

export type Transport = 'desktop' | 'server';

export function currentTransport(): Transport {
  return window.edgecabDesktop?.host === 'desktop' ? 'desktop' : 'server';
}

/** The desktop preload forwards a MessagePort to the core; it may arrive before or after this runs. */
function waitForDesktopPort(): Promise<MessagePort> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== window || event.data !== DESKTOP_PORT_MESSAGE || !event.ports[0]) return;
      window.removeEventListener('message', onMessage);
      const port = event.ports[0];
      port.start();
      resolve(port);
    };
    window.addEventListener('message', onMessage);
  });
}

/**
 * One typed client for both hosts: a MessagePort to the core's utility
 * process on desktop, HTTP to the server otherwise. Calls made before the
 * port arrives wait for it.
 */
export function createEdgecabClient(): EdgecabClient {
  if (currentTransport() === 'server') {
    return createORPCClient<EdgecabClient>(new FetchRPCLink({ url: new URL('/rpc', window.location.origin).href }));
  }
  const portLink = waitForDesktopPort().then((port) => new PortRPCLink({ port }));
  return createORPCClient<EdgecabClient>({
    call: async (path, input, options) => (await portLink).call(path, input, options),
  });
}
