/**
 * Runs in an Electron utilityProcess, never in the main process: polling and
 * database work must not stall window events. Each MessagePort the main
 * process hands over becomes one renderer's connection to the core.
 */
import { RPCHandler } from '@orpc/server/message-port';
import { createCore } from '../core/index.js';

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

try {
  const core = createCore({ dataDir, host: 'desktop', ...(sqliteNativeBinding ? { sqliteNativeBinding } : {}) });
  const handler = new RPCHandler(core.router, { clientInterceptors: [...core.interceptors] });
  const actor = `desktop:${process.env.USER ?? process.env.USERNAME ?? 'user'}`;
  parentPort.on('message', (event) => {
    const port = event.ports[0];
    if (event.data !== 'connect' || !port) return;
    handler.upgrade(port, { context: { actor } });
    port.start();
  });
  process.on('exit', () => core.close());
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
