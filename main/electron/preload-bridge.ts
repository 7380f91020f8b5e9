import { CORE_PORT_CHANNEL, parseCoreNotice, type PageCoreNotice } from './ipc-channel.js';

/** What the page sees as `window.edgecabDesktop`: two strings, no functions, nothing to call. */
export interface DesktopBridge {
  readonly host: 'desktop';
  readonly version: string;
}

export const BRIDGE_KEY = 'edgecabDesktop';

/** The few Electron and page facilities the preload uses, passed in so that tests can run it without Electron. */
export interface PreloadDeps<Port> {
  exposeInMainWorld(key: string, api: DesktopBridge): void;
  /** Subscribes to one IPC channel from the main process. */
  onMainMessage(channel: string, listener: (data: unknown, ports: readonly Port[]) => void): void;
  /** window.postMessage to the page's own origin (MessagePorts cannot cross contextBridge; postMessage transfers them). */
  postToPage(message: PageCoreNotice, ports: readonly Port[]): void;
  electronVersion: string;
}

/**
 * The preload's whole surface: a constant descriptor of the host, and the
 * core's port (or the core-stopped notice) forwarded to the page after
 * checking its shape. No ipcRenderer, no Node, nothing callable is exposed.
 */
export function installPreloadBridge<Port>(deps: PreloadDeps<Port>): void {
  deps.exposeInMainWorld(BRIDGE_KEY, Object.freeze({ host: 'desktop', version: deps.electronVersion }));
  deps.onMainMessage(CORE_PORT_CHANNEL, (data, ports) => {
    const notice = parseCoreNotice(data, ports.length);
    if (!notice) return;
    deps.postToPage({ type: CORE_PORT_CHANNEL, ...notice }, ports);
  });
}
