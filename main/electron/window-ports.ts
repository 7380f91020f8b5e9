import type { BrowserWindow, MessagePortMain, UtilityProcess } from 'electron';
import type { ToCore } from './core-messages.js';
import { CORE_PORT_CHANNEL, type CoreNotice } from './ipc-channel.js';

export interface PortPair {
  port1: MessagePortMain;
  port2: MessagePortMain;
}

/**
 * Hands each window's page a MessagePort to the current core: when the page
 * has loaded (a reload is a new page that needs a new port), and again after
 * every restart of the core; tells the pages when the core stopped, so that
 * their calls on the old port fail instead of hanging.
 */
export class WindowPorts {
  private readonly windows = new Set<BrowserWindow>();

  constructor(private readonly createChannel: () => PortPair) {}

  track(window: BrowserWindow, current: () => { core: UtilityProcess; restarts: number } | null): void {
    this.windows.add(window);
    window.webContents.on('did-finish-load', () => {
      const running = current();
      if (running) this.connect(window, running.core, running.restarts);
    });
    window.on('closed', () => this.windows.delete(window));
  }

  /** A (re)started core: every page gets a port to it; a page still loading gets its own on did-finish-load. */
  connectAll(core: UtilityProcess, restarts: number): void {
    for (const window of this.pages()) this.connect(window, core, restarts);
  }

  stoppedAll(restarts: number): void {
    for (const window of this.pages()) this.send(window, { kind: 'stopped', restarts }, []);
  }

  /** Windows showing a loaded page, i.e. whose preload listens. */
  private pages(): BrowserWindow[] {
    return [...this.windows].filter((window) => !window.isDestroyed() && !window.webContents.isLoadingMainFrame());
  }

  private connect(window: BrowserWindow, core: UtilityProcess, restarts: number): void {
    const { port1, port2 } = this.createChannel();
    core.postMessage({ type: 'connect' } satisfies ToCore, [port1]);
    this.send(window, { kind: 'connect', restarts }, [port2]);
  }

  private send(window: BrowserWindow, notice: CoreNotice, ports: MessagePortMain[]): void {
    if (window.isDestroyed()) return;
    window.webContents.postMessage(CORE_PORT_CHANNEL, notice, ports);
  }
}
