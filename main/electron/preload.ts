/**
 * The only bridge between the sandboxed renderer and the rest: it forwards
 * one MessagePort to the core (which answers only the contract's
 * operations) and exposes the host kind. Nothing else crosses.
 */
import { contextBridge, ipcRenderer } from 'electron';

const PORT_CHANNEL = 'edgecab:core-port';

// main/ compiles without DOM types; the preload needs only this much of the page's window.
declare const window: {
  postMessage(message: unknown, targetOrigin: string, transfer?: readonly unknown[]): void;
  location: { origin: string };
};

contextBridge.exposeInMainWorld('edgecabDesktop', { host: 'desktop', version: process.versions.electron ?? '' });

ipcRenderer.on(PORT_CHANNEL, (event) => {
  // MessagePorts cannot cross contextBridge; window.postMessage transfers it to the page.
  window.postMessage(PORT_CHANNEL, window.location.origin, event.ports);
});
