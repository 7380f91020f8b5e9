import { ORPCError, type ClientContext, type ClientLink, type ClientOptions } from '@orpc/client';
import { RPCLink as PortRPCLink } from '@orpc/client/message-port';

/**
 * The desktop transport: an oRPC link over the MessagePort the preload hands
 * the page. The core's process can exit and be restarted by the desktop host;
 * each start brings a new port. Calls in flight on the old port then fail at
 * once with a clear error (instead of waiting forever for an answer that
 * cannot come), calls made while the core is down wait for the next port,
 * and later calls use it.
 *
 * The message shapes mirror main/electron/ipc-channel.ts (the renderer may
 * not import main/); test/unit/electron/ipc.test.ts checks that they agree.
 */
export const DESKTOP_PORT_MESSAGE = 'edgecab:core-port';

export type DesktopNotice = { readonly kind: 'connect'; readonly restarts: number } | { readonly kind: 'stopped'; readonly restarts: number };

export interface DesktopCoreStatus {
  /** How often the desktop host has restarted the core since the app started. */
  readonly restarts: number;
  /** connecting: no port yet (the app is starting); stopped: between the core exiting and its next port. */
  readonly state: 'connecting' | 'running' | 'stopped';
}

export const CORE_RESTARTED_CODE = 'CORE_RESTARTED';

/** The error a call gets when the core stopped before it answered. */
export function coreStoppedError(): ORPCError<typeof CORE_RESTARTED_CODE, undefined> {
  return new ORPCError(CORE_RESTARTED_CODE, {
    status: 503,
    message: 'The EdgeCab core stopped before answering; it is being restarted. Check whether the action took effect, then try again.',
  });
}

/** A message the preload posted to the page, or null for anything else on window 'message'. */
export function parsePageNotice(data: unknown): DesktopNotice | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, kind, restarts } = data as { type?: unknown; kind?: unknown; restarts?: unknown };
  if (type !== DESKTOP_PORT_MESSAGE || typeof restarts !== 'number' || !Number.isSafeInteger(restarts) || restarts < 0) return null;
  return kind === 'connect' || kind === 'stopped' ? { kind, restarts } : null;
}

interface Generation {
  readonly link: ClientLink<ClientContext>;
  readonly port: MessagePort;
  /** Aborted (with coreStoppedError) when this port's core is gone. */
  readonly retired: AbortController;
}

type Listener = (status: DesktopCoreStatus) => void;

/** Rejects with the signal's reason as soon as it aborts; the listener is removed once `promise` settles. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> & AsyncIterator<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value && 'next' in value;
}

/** An event stream (events.subscribe) on a port whose core died ends with coreStoppedError, like a call would. */
async function* guardStream(stream: AsyncIterator<unknown>, generation: Generation): AsyncGenerator<unknown, unknown, undefined> {
  try {
    for (;;) {
      const result = await untilAborted(stream.next(), generation.retired.signal);
      if (generation.retired.signal.aborted) throw generation.retired.signal.reason as Error;
      if (result.done) return result.value;
      yield result.value;
    }
  } finally {
    void stream.return?.()?.catch(() => undefined);
  }
}

export class DesktopCoreLink implements ClientLink<ClientContext> {
  private current: Generation | null = null;
  private waiting: ((generation: Generation) => void)[] = [];
  private status: DesktopCoreStatus = { restarts: 0, state: 'connecting' };
  private readonly listeners = new Set<Listener>();

  constructor(private readonly makeLink: (port: MessagePort) => ClientLink<ClientContext> = (port) => new PortRPCLink({ port })) {}

  getStatus = (): DesktopCoreStatus => this.status;

  onStatus = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A port to a (re)started core: it replaces the old one. */
  attach(port: MessagePort, restarts: number): void {
    this.retire();
    port.start();
    const generation: Generation = { link: this.makeLink(port), port, retired: new AbortController() };
    this.current = generation;
    for (const resolve of this.waiting.splice(0)) resolve(generation);
    this.setStatus({ restarts, state: 'running' });
  }

  /** The core stopped: calls in flight fail now, new ones wait for the next port. */
  detach(restarts: number): void {
    this.retire();
    this.setStatus({ restarts, state: 'stopped' });
  }

  /** Applies what the preload posted. */
  receive(notice: DesktopNotice, ports: readonly MessagePort[]): void {
    const port = ports[0];
    if (notice.kind === 'connect' && port && ports.length === 1) this.attach(port, notice.restarts);
    else if (notice.kind === 'stopped') this.detach(notice.restarts);
  }

  async call(path: readonly string[], input: unknown, options: ClientOptions<ClientContext>): Promise<unknown> {
    const generation = this.current ?? (await this.nextGeneration(options.signal));
    const retired = generation.retired.signal;
    // The caller's abort and the port's retirement both end the call; oRPC tells the core about either.
    const signal = options.signal ? AbortSignal.any([options.signal, retired]) : retired;
    try {
      const output = await untilAborted(generation.link.call(path, input, { ...options, signal }), retired);
      return isAsyncIterable(output) ? guardStream(output, generation) : output;
    } catch (error) {
      if (retired.aborted && !options.signal?.aborted) throw retired.reason as Error;
      throw error;
    }
  }

  private nextGeneration(signal: AbortSignal | undefined): Promise<Generation> {
    const next = new Promise<Generation>((resolve) => this.waiting.push(resolve));
    return signal ? untilAborted(next, signal) : next;
  }

  private retire(): void {
    const previous = this.current;
    this.current = null;
    if (!previous) return;
    previous.retired.abort(coreStoppedError());
    previous.port.close();
  }

  private setStatus(status: DesktopCoreStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }
}

/** Feeds the preload's notices (posted to this window, from its own origin) into the link. */
export function listenForDesktopCore(target: Window, link: DesktopCoreLink): void {
  target.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== target || event.origin !== target.location.origin) return;
    const notice = parsePageNotice(event.data);
    if (notice) link.receive(notice, event.ports);
  });
}
