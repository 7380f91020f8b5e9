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

interface TileReply {
  type: 'tile';
  requestId: number;
  status: 200 | 204 | 404;
  data?: Uint8Array;
  contentType?: string;
}

const pendingTiles = new Map<number, (reply: TileReply) => void>();
let nextTileRequest = 0;

/** Asks the core for a tile (it owns the packages and the cache) and answers the protocol request with it. */
function tileFromCore(core: Electron.UtilityProcess, pathname: string): Promise<Response> {
  const requestId = ++nextTileRequest;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pendingTiles.delete(requestId);
      resolve(new Response(null, { status: 504 }));
    }, 10_000);
    pendingTiles.set(requestId, (reply) => {
      clearTimeout(timer);
      resolve(reply.status === 200 && reply.data ? new Response(Buffer.from(reply.data), { status: 200, headers: { 'content-type': reply.contentType ?? 'application/octet-stream' } }) : new Response(null, { status: reply.status }));
    });
    core.postMessage({ type: 'tile', requestId, pathname });
  });
}

/** Serves the built renderer from app://edgecab/ with the strict CSP (nothing outside that folder), and map tiles from the core. */
function registerAppProtocol(core: Electron.UtilityProcess): void {
  const root = rendererRoot();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/tiles/')) return tileFromCore(core, url.pathname);
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
  const args = ['--data-dir', app.getPath('userData'), '--lab-mockup', join(app.getAppPath(), 'assets', 'lab', 'redfish-rackmount1'), ...sqliteBindingArgs()];
  const core = utilityProcess.fork(join(__dirname, 'core-process.cjs'), args, {
    serviceName: 'EdgeCab core',
    stdio: 'inherit',
  });
  core.on('message', (message: { type?: string; message?: string; requestId?: number }) => {
    if (message.type === 'tile' && typeof message.requestId === 'number') {
      pendingTiles.get(message.requestId)?.(message as TileReply);
      pendingTiles.delete(message.requestId);
      return;
    }
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
    const core = startCore();
    registerAppProtocol(core);
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
