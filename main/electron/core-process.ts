/**
 * Runs in an Electron utilityProcess, never in the main process: polling and
 * database work must not stall window events. Each MessagePort the main
 * process hands over becomes one renderer's connection to the core.
 *
 * The core is created only when the main process says 'start' (with the
 * credential key from safeStorage, if any), so the key reaches the vault
 * before the database is opened; windows' ports that arrive earlier wait.
 */
import { RPCHandler } from '@orpc/server/message-port';
import { createCore, systemContext, type Core, type CoreContext } from '../core/index.js';
import { answerTile } from '../core/services/tiles/tile-path.js';
import { DEFAULT_TRAP_PORT } from '../core/protocols/snmp/traps.js';
import { DEFAULT_EVENTS_PORT } from '../core/services/monitor/intake/redfish-push.js';
import { catchBackgroundFailures, describeError } from '../core/services/system/safety-net.js';
import { startMonitoringWithLab } from '../lab/host.js';
import { parseToCore, type FromCore } from './core-messages.js';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortLike[] }) => void): void;
  postMessage(message: unknown): void;
}
interface MessagePortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  postMessage(data: unknown): void;
  start(): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('core-process must be started with Electron utilityProcess.fork');
const parent: ParentPort = parentPort;

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function requiredFlag(name: string): string {
  const value = flag(name);
  if (!value) throw new Error(`core-process needs ${name}`);
  return value;
}

const dataDir = requiredFlag('--data-dir');
const sqliteNativeBinding = flag('--sqlite-binding');
const labMockupDir = flag('--lab-mockup');
/** The host passes none (the default port); tests pass "off" so as not to hold a shared UDP port. */
const trapPortFlag = flag('--trap-port');
const trapPort = trapPortFlag === 'off' ? null : trapPortFlag ? Number(trapPortFlag) : DEFAULT_TRAP_PORT;
/** BMCs push Redfish events here (HTTPS); "off" as for traps. */
const eventsPortFlag = flag('--events-port');
const eventsPort = eventsPortFlag === 'off' ? null : eventsPortFlag ? Number(eventsPortFlag) : DEFAULT_EVENTS_PORT;
/**
 * Whoever runs the desktop app owns its data folder and signs in to nothing:
 * the local user acts with every right, named in the audit log.
 */
const context: CoreContext = systemContext(`desktop:${process.env.USER ?? process.env.USERNAME ?? 'user'}`, 'desktop');

function send(message: FromCore): void {
  parent.postMessage(message);
}

function log(message: string): void {
  console.error(`edgecab core: ${message}`);
}

let core: Core | null = null;
let handler: RPCHandler<CoreContext> | null = null;
let starting = false;
const waitingPorts: MessagePortLike[] = [];

function connect(port: MessagePortLike): void {
  if (!handler) {
    waitingPorts.push(port);
    return;
  }
  handler.upgrade(port, { context });
  port.start();
}

// Flushing and closing happen once, whichever of SIGTERM, a fatal storm or exit comes first.
let closing: Promise<void> | null = null;
function closeCore(): Promise<void> {
  if (!core) return Promise.resolve();
  const closingCore = core;
  closing ??= closingCore.close().catch((error: unknown) => log(`closing the core failed: ${describeError(error)}`));
  return closing;
}

/**
 * Background work (timers, sockets, pollers) that throws must not end the
 * core silently: each failure is logged, kept as a problem of EdgeCab
 * itself and reported to the main process, and the core keeps serving (the
 * same net as `edgecab serve`). Only a storm of uncaught exceptions — the
 * process is then likely in a bad state — makes it close the database and
 * exit, so that the main process's supervisor starts a clean one.
 */
const safetyNet = catchBackgroundFailures({
  log,
  health: () => core?.services.health ?? null,
  notify: (kind, message) => send({ type: 'background-error', kind, message }),
  storm: {
    limit: 10,
    windowMs: 60_000,
    act: () => {
      log('too many uncaught exceptions in a minute; closing the database and exiting so that a fresh core is started');
      void closeCore().finally(() => process.exit(70));
    },
  },
});

// The supervisor stops the core with SIGTERM (UtilityProcess.kill): flush and close the database, then go.
process.on('SIGTERM', () => {
  // The database is closed synchronously first thing; the network clean-up gets a few seconds, no more.
  setTimeout(() => process.exit(0), 4_000);
  void closeCore().finally(() => process.exit(0));
});
// Any other exit: the database closes synchronously inside close(); exit handlers cannot wait for the rest.
process.on('exit', () => void closeCore());

function startCore(vaultKey: Uint8Array | null): void {
  if (starting) return;
  starting = true;
  try {
    const created = createCore({
      dataDir,
      host: 'desktop',
      // Held while the desktop's core runs, so `edgecab vault rotate` refuses to change the key under it.
      servingAs: 'EdgeCab desktop',
      ...(sqliteNativeBinding ? { sqliteNativeBinding } : {}),
      // The key from safeStorage: the vault then uses it and never reads or writes credentials.key.
      ...(vaultKey ? { vaultKey: Buffer.from(vaultKey) } : {}),
    });
    core = created;
    handler = new RPCHandler(created.router, { clientInterceptors: [...created.interceptors] });
    for (const port of waitingPorts.splice(0)) connect(port);
    void startMonitoringWithLab(created, { trapPort, eventsPort, labMockupDir: labMockupDir ?? '', warn: log }).catch((error: unknown) => safetyNet.failed('unhandledRejection', error));
    send({ type: 'ready' });
  } catch (error) {
    log(`cannot start: ${describeError(error)}`);
    send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    // Give the message time to reach the main process, which ends this process itself; exit anyway if it does not.
    setTimeout(() => process.exit(1), 5_000);
  }
}

parent.on('message', (event) => {
  const message = parseToCore(event.data);
  if (!message) {
    log('dropped a message of unknown shape from the main process');
    return;
  }
  switch (message.type) {
    case 'start':
      startCore(message.vaultKey);
      return;
    case 'connect': {
      const port = event.ports[0];
      if (port) connect(port);
      return;
    }
    case 'tile': {
      // Tiles for the app:// protocol: the main process asks, the core answers from its packages and cache.
      const { requestId, pathname } = message;
      if (!core) {
        send({ type: 'tile', requestId, status: 404 });
        return;
      }
      void answerTile(core.services, pathname).then(
        (answer) => send(answer.status === 200 ? { type: 'tile', requestId, status: 200, data: answer.data, contentType: answer.contentType } : { type: 'tile', requestId, status: answer.status }),
        () => send({ type: 'tile', requestId, status: 404 }),
      );
      return;
    }
  }
});
