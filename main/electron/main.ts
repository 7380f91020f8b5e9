import { app, BrowserWindow, dialog, MessageChannelMain, net, protocol, session, shell, utilityProcess } from 'electron';
import { existsSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../core/api/content-security-policy.js';

const APP_SCHEME = 'app';
const APP_ORIGIN = `${APP_SCHEME}://edgecab`;
const PORT_CHANNEL = 'edgecab:core-port';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

function rendererRoot(): string {
  return join(app.getAppPath(), 'dist', 'renderer');
}

/** Serves the built renderer from app://edgecab/ with the strict CSP; nothing outside that folder. */
function registerAppProtocol(): void {
  const root = rendererRoot();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const path = normalize(join(root, decodeURIComponent(url.pathname)));
    const file = path.startsWith(root + sep) && !path.endsWith(sep) ? path : join(root, 'index.html');
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

/**
 * In development the installed better-sqlite3 is built for Node; `npm start`
 * builds a copy for this Electron (build/scripts/electron-sqlite.mjs). Packaged
 * apps are rebuilt by electron-builder and need no override.
 */
function sqliteBindingArgs(): string[] {
  const binding = join(app.getAppPath(), '.cache', 'electron-native', process.versions.electron, 'better_sqlite3.node');
  return existsSync(binding) ? ['--sqlite-binding', binding] : [];
}

function startCore(): Electron.UtilityProcess {
  const args = ['--data-dir', app.getPath('userData'), ...sqliteBindingArgs()];
  const core = utilityProcess.fork(join(__dirname, 'core-process.cjs'), args, {
    serviceName: 'EdgeCab core',
    stdio: 'inherit',
  });
  core.on('message', (message: { type?: string; message?: string }) => {
    if (message.type === 'fatal') {
      dialog.showErrorBox('EdgeCab cannot start', message.message ?? 'The core failed to start.');
      app.quit();
    }
  });
  return core;
}

function connectWindowToCore(window: BrowserWindow, core: Electron.UtilityProcess): void {
  const { port1, port2 } = new MessageChannelMain();
  core.postMessage('connect', [port1]);
  window.webContents.postMessage(PORT_CHANNEL, null, [port2]);
}

function createWindow(core: Electron.UtilityProcess): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    title: 'EdgeCab',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  // A reload gets a fresh page that needs a fresh port.
  window.webContents.on('did-finish-load', () => connectWindowToCore(window, core));
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

function lockDownNavigation(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  lockDownNavigation();
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    registerAppProtocol();
    const core = startCore();
    let window = createWindow(core);
    app.on('second-instance', () => {
      if (window.isMinimized()) window.restore();
      window.focus();
    });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) window = createWindow(core);
    });
    app.on('window-all-closed', () => {
      core.kill();
      app.quit();
    });
  });
}
