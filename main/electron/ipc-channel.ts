/**
 * The one IPC channel between the main process and a window: main → preload
 * only, carrying a fresh MessagePort to the core (with how often the core
 * has been restarted) or the notice that the core stopped. Nothing is ever
 * sent renderer → main over IPC; the renderer's only way out is the
 * MessagePort, where the core answers the contract's operations and nothing
 * else. The renderer keeps a copy of these shapes in renderer/api/desktop-link.ts
 * (it may not import main/); test/unit/electron checks that they agree.
 */
export const CORE_PORT_CHANNEL = 'edgecab:core-port';

export type CoreNotice =
  /** Sent with exactly one MessagePort: talk to the core through it from now on. */
  | { readonly kind: 'connect'; readonly restarts: number }
  /** Sent with none: the core process exited; calls on the old port will never be answered. */
  | { readonly kind: 'stopped'; readonly restarts: number };

/** What the preload posts to the page (window.postMessage, to its own origin): the notice, tagged. */
export type PageCoreNotice = CoreNotice & { readonly type: typeof CORE_PORT_CHANNEL };

function isRestartCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates a notice and how many ports came with it; anything else is dropped. */
export function parseCoreNotice(value: unknown, portCount: number): CoreNotice | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, restarts } = value as { kind?: unknown; restarts?: unknown };
  if (!isRestartCount(restarts)) return null;
  if (kind === 'connect' && portCount === 1) return { kind, restarts };
  if (kind === 'stopped' && portCount === 0) return { kind, restarts };
  return null;
}
