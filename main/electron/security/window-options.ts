import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The one BrowserWindow configuration. The renderer is an ordinary sandboxed
 * web page: no Node, its own JavaScript world apart from the preload's, the
 * same-origin policy on, no <webview>, no experimental or insecure features.
 */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    title: 'EdgeCab',
    show: false,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}
