/**
 * Runs in an Electron utilityProcess, never in the main process: polling and
 * database work must not stall window events. Each MessagePort the main
 * process hands over becomes one renderer's connection to the core.
 */
import { RPCHandler } from '@orpc/server/message-port';
import { createCore } from '../core/index.js';
import { answerTile } from '../core/services/tiles/tile-path.js';
import { DEFAULT_TRAP_PORT } from '../core/protocols/snmp/traps.js';
import { startMonitoringWithLab } from '../lab/host.js';

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

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const dataDir = flag('--data-dir');
if (!dataDir) throw new Error('core-process needs --data-dir');
const sqliteNativeBinding = flag('--sqlite-binding');
const labMockupDir = flag('--lab-mockup');

try {
  const core = createCore({ dataDir, host: 'desktop', ...(sqliteNativeBinding ? { sqliteNativeBinding } : {}) });
  const handler = new RPCHandler(core.router, { clientInterceptors: [...core.interceptors] });
  const actor = `desktop:${process.env.USER ?? process.env.USERNAME ?? 'user'}`;
  parentPort.on('message', (event) => {
    const message = event.data as { type?: string; requestId?: number; pathname?: string } | string;
    // Tiles for the app:// protocol: the main process asks, the core answers from its packages and cache.
    if (typeof message === 'object' && message.type === 'tile' && typeof message.requestId === 'number' && typeof message.pathname === 'string') {
      const requestId = message.requestId;
      void answerTile(core.services, message.pathname).then(
        (answer) => parentPort.postMessage({ type: 'tile', requestId, ...answer }),
        () => parentPort.postMessage({ type: 'tile', requestId, status: 404 }),
      );
      return;
    }
    const port = event.ports[0];
    if (message !== 'connect' || !port) return;
    handler.upgrade(port, { context: { actor } });
    port.start();
  });
  process.on('exit', () => void core.close());
  void startMonitoringWithLab(core, { trapPort: DEFAULT_TRAP_PORT, labMockupDir: labMockupDir ?? '', warn: (message) => console.error(`edgecab core: ${message}`) });
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
