/**
 * The only bridge between the sandboxed renderer and the rest; its whole
 * behaviour is in preload-bridge.ts (tested without Electron). This file only
 * plugs in Electron's contextBridge and ipcRenderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { installPreloadBridge } from './preload-bridge.js';

// main/ compiles without DOM types; the preload needs only this much of the page's window.
declare const window: {
  postMessage(message: unknown, targetOrigin: string, transfer?: readonly unknown[]): void;
  location: { origin: string };
};

installPreloadBridge<Electron.IpcRendererEvent['ports'][number]>({
  exposeInMainWorld: (key, api) => contextBridge.exposeInMainWorld(key, api),
  onMainMessage: (channel, listener) => ipcRenderer.on(channel, (event, data: unknown) => listener(data, event.ports)),
  postToPage: (message, ports) => window.postMessage(message, window.location.origin, ports),
  electronVersion: process.versions.electron ?? '',
});
