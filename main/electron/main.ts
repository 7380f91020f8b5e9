/**
 * The Electron main process: windows, the app:// protocol, the session's
 * locks, and the supervisor that keeps the core's utility process running.
 * The security decisions themselves are pure functions in ./security (tested
 * without Electron); this file only plugs them into Electron.
 */
import { app, BrowserWindow, dialog, MessageChannelMain, net, protocol, safeStorage, session, shell, utilityProcess, type UtilityProcess } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_START_URL } from './app-origin.js';
import { parseFromCore, type ToCore } from './core-messages.js';
import { appResponseHeaders, resolveAppFile } from './security/app-files.js';
import { navigationAllowed, windowOpenDecision } from './security/navigation.js';
import { devicePermissionAllowed, permissionCheckAllowed, permissionRequestAllowed } from './security/permissions.js';
import { REMOTE_URL_PATTERNS, requestAllowed } from './security/requests.js';
import { windowOptions } from './security/window-options.js';
import { CoreSupervisor, type SupervisedProcess } from './supervisor/core-supervisor.js';
import { TileRequests } from './tile-requests.js';
import { resolveVaultKey } from './vault-key/safe-key-store.js';
import { WindowPorts } from './window-ports.js';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

interface CoreChild extends SupervisedProcess {
  readonly process: UtilityProcess;
}

const tiles = new TileRequests();
const windowPorts = new WindowPorts(() => new MessageChannelMain());
let supervisor: CoreSupervisor<CoreChild> | null = null;
/** The credential key from safeStorage, handed to every (re)started core; null: the core uses its plain key file. */
let vaultKey: Buffer | null = null;

function log(message: string): void {
  console.error(`edgecab: ${message}`);
}

function runningCore(): { core: UtilityProcess; restarts: number } | null {
  const child = supervisor?.current;
  return child && supervisor ? { core: child.process, restarts: supervisor.restarts } : null;
}

/** Serves the built renderer from app://edgecab/ with the strict CSP (nothing outside that folder), and map tiles from the core. */
function registerAppProtocol(): void {
  const root = join(app.getAppPath(), 'dist', 'renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/tiles/')) {
      const core = runningCore()?.core;
      return tiles.request(core ? (message) => core.postMessage(message) : null, url.pathname);
    }
    const response = await net.fetch(pathToFileURL(resolveAppFile(root, url.pathname)).href);
    return new Response(response.body, { status: response.status, headers: appResponseHeaders(response.headers) });
  });
}

/** Every web contents: no navigation away from app://, no new windows, no <webview>. */
function lockDownContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!navigationAllowed(url)) event.preventDefault();
    });
    contents.on('will-frame-navigate', (event) => {
      if (!navigationAllowed(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!navigationAllowed(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const decision = windowOpenDecision(url);
      if (decision.openExternal) void shell.openExternal(decision.openExternal);
      return { action: decision.action };
    });
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permissionRequestAllowed(permission, details.requestingUrl, details.isMainFrame)));
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionCheckAllowed(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => devicePermissionAllowed());
  ses.webRequest.onBeforeRequest({ urls: [...REMOTE_URL_PATTERNS] }, (details, callback) => {
    const allowed = requestAllowed(details.url);
    if (!allowed) log(`blocked a request to ${details.url}`);
    callback({ cancel: !allowed });
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

function fatal(title: string, message: string): void {
  void supervisor?.stop();
  dialog.showErrorBox(title, message);
  app.quit();
}

function spawnCore(): CoreChild {
  const args = ['--data-dir', app.getPath('userData'), '--lab-mockup', join(app.getAppPath(), 'assets', 'lab', 'redfish-rackmount1'), ...sqliteBindingArgs()];
  const child = utilityProcess.fork(join(__dirname, 'core-process.cjs'), args, { serviceName: 'EdgeCab core', stdio: 'inherit' });
  child.on('message', (raw: unknown) => {
    const message = parseFromCore(raw);
    if (!message) return log('dropped a message of unknown shape from the core');
    switch (message.type) {
      case 'tile':
        return tiles.answer(message);
      case 'fatal':
        // A core that cannot start (database too new, invalid cabinet models…) will not start on a retry either.
        return fatal('EdgeCab cannot start', message.message);
      case 'background-error':
        return log(`the core reported ${message.kind}: ${message.message}`);
      case 'ready':
        return;
    }
  });
  child.on('error', (type, location) => log(`the core process hit a ${type} at ${location}`));
  // Before anything else, and before the core opens its database: the key (over the parent port, not argv or env).
  child.postMessage({ type: 'start', vaultKey } satisfies ToCore);
  return { process: child, onExit: (listener) => child.once('exit', listener), kill: () => void child.kill() };
}

function superviseCore(): CoreSupervisor<CoreChild> {
  return new CoreSupervisor<CoreChild>(spawnCore, {
    started: (child, restarts) => {
      if (restarts > 0) log(`core restarted (${restarts} restart${restarts === 1 ? '' : 's'} so far)`);
      windowPorts.connectAll(child.process, restarts);
    },
    exited: (code, restartInMs) => {
      tiles.failAll();
      windowPorts.stoppedAll(supervisor?.restarts ?? 0);
      log(`the core exited with code ${code}${restartInMs === null ? '' : `; restarting it in ${restartInMs / 1000} s`}`);
    },
    gaveUp: (crashes, lastCode) =>
      fatal(
        'The EdgeCab core keeps stopping',
        `The EdgeCab core stopped ${crashes} times in a row, each time soon after starting (last exit code ${lastCode}), so EdgeCab stopped restarting it and will close. The log holds the reasons it gave.`,
      ),
  });
}

/** The credential key under safeStorage where the OS offers it; see vault-key/safe-key-store.ts. */
function loadVaultKey(): boolean {
  const result = resolveVaultKey(app.getPath('userData'), safeStorage);
  switch (result.kind) {
    case 'safe':
      vaultKey = result.key;
      if (result.migrated) log('moved the credential key into safeStorage and removed the plain credentials.key');
      return true;
    case 'plain':
      log(`the credential key stays in the plain credentials.key (mode 0600): ${result.reason}`);
      return true;
    case 'refuse':
      dialog.showErrorBox('EdgeCab cannot open its credential key', `${result.reason}. EdgeCab does not start, so that no secret is sealed under a second key.`);
      app.quit();
      return false;
  }
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(windowOptions(join(__dirname, 'preload.cjs')));
  window.once('ready-to-show', () => window.show());
  windowPorts.track(window, runningCore);
  void window.loadURL(APP_START_URL);
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  lockDownContents();
  void app.whenReady().then(() => {
    lockDownSession();
    if (!loadVaultKey()) return;
    supervisor = superviseCore();
    supervisor.start();
    registerAppProtocol();
    let window = createWindow();
    app.on('second-instance', () => {
      if (window.isMinimized()) window.restore();
      window.focus();
    });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
    });
  });
  app.on('window-all-closed', () => app.quit());
  // Let the core flush and close its database before the app goes (it gets SIGTERM, then at most 5 s).
  app.on('before-quit', (event) => {
    if (!supervisor || supervisor.stopped) return;
    event.preventDefault();
    void supervisor.stop().then(() => app.quit());
  });
}
