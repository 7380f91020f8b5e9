/**
 * Messages between the main process and the core's utility process (its
 * parentPort). Both sides check what they receive: the core process is
 * trusted code, but a shape mistake should be a logged drop, not a crash.
 */

/** main → core */
export type ToCore =
  /**
   * First message, before the core opens its database. `vaultKey`: the
   * credential key from safeStorage (raw 32 bytes), or null to let the core
   * use its plain key file. It travels here rather than on the command line
   * or in the environment, which other local processes can read.
   */
  | { readonly type: 'start'; readonly vaultKey: Uint8Array | null }
  /** Comes with one MessagePort: a window's connection to the core. */
  | { readonly type: 'connect' }
  /** A map tile for the app:// protocol. */
  | { readonly type: 'tile'; readonly requestId: number; readonly pathname: string };

/** core → main */
export type FromCore =
  | { readonly type: 'ready' }
  /** The core could not start (database too new, invalid cabinet models…); restarting will not help. */
  | { readonly type: 'fatal'; readonly message: string }
  /** Background work failed (an uncaught exception or unhandled rejection); the core keeps running. */
  | { readonly type: 'background-error'; readonly kind: 'uncaughtException' | 'unhandledRejection'; readonly message: string }
  | TileReply;

export interface TileReply {
  readonly type: 'tile';
  readonly requestId: number;
  readonly status: 200 | 204 | 404;
  readonly data?: Uint8Array;
  readonly contentType?: string;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

export function parseToCore(value: unknown): ToCore | null {
  const message = record(value);
  if (!message) return null;
  switch (message.type) {
    case 'start':
      if (message.vaultKey === null) return { type: 'start', vaultKey: null };
      return message.vaultKey instanceof Uint8Array ? { type: 'start', vaultKey: message.vaultKey } : null;
    case 'connect':
      return { type: 'connect' };
    case 'tile':
      return typeof message.requestId === 'number' && typeof message.pathname === 'string'
        ? { type: 'tile', requestId: message.requestId, pathname: message.pathname }
        : null;
    default:
      return null;
  }
}

export function parseFromCore(value: unknown): FromCore | null {
  const message = record(value);
  if (!message) return null;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'fatal':
      return { type: 'fatal', message: typeof message.message === 'string' ? message.message : 'The core failed to start.' };
    case 'background-error':
      return message.kind === 'uncaughtException' || message.kind === 'unhandledRejection'
        ? { type: 'background-error', kind: message.kind, message: typeof message.message === 'string' ? message.message : String(message.message) }
        : null;
    case 'tile': {
      if (typeof message.requestId !== 'number' || (message.status !== 200 && message.status !== 204 && message.status !== 404)) return null;
      return {
        type: 'tile',
        requestId: message.requestId,
        status: message.status,
        ...(message.data instanceof Uint8Array ? { data: message.data } : {}),
        ...(typeof message.contentType === 'string' ? { contentType: message.contentType } : {}),
      };
    }
    default:
      return null;
  }
}
