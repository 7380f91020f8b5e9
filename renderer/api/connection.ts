import { useSyncExternalStore } from 'react';
import type { AppEvent } from '../../shared/domain/events.js';
import type { EdgecabClient } from '../../shared/contract/index.js';

export type ConnectionState = 'connecting' | 'online' | 'offline';

/** An event from the core, or the local notice that the stream came back and views should refetch. */
export type LiveEvent = AppEvent | { type: 'connection.restored' };

type Listener<T> = (value: T) => void;

const RETRY_DELAYS_MS = [500, 1000, 2000, 5000];

/**
 * Keeps the core's event stream open, reports the connection state, and
 * reconnects with backoff; the same stream feeds every live view.
 */
export class LiveConnection {
  private state: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<Listener<ConnectionState>>();
  private readonly eventListeners = new Set<Listener<LiveEvent>>();
  private abort = new AbortController();
  private running = false;

  constructor(private readonly client: EdgecabClient) {}

  /** Starts (or restarts after stop) following the event stream. */
  start(): void {
    if (this.running) return;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.running = true;
    void this.pump(this.abort.signal);
  }

  stop(): void {
    this.running = false;
    this.abort.abort();
  }

  getState = (): ConnectionState => this.state;

  onState = (listener: Listener<ConnectionState>): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  onEvent(listener: Listener<LiveEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.eventListeners) listener(event);
  }

  private async pump(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const stream = await this.client.events.subscribe(undefined, { signal });
        this.setState('online');
        // Also on the first connection: what a screen loaded before the stream was listening (a site created meanwhile) is only seen by loading again.
        this.emit({ type: 'connection.restored' });
        attempt = 0;
        for await (const event of stream) this.emit(event);
      } catch {
        // The stream failed or the core is unreachable: fall through to retry.
      }
      if (signal.aborted) return;
      this.setState('offline');
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 5000;
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export function useConnectionState(connection: LiveConnection): ConnectionState {
  return useSyncExternalStore(connection.onState, connection.getState);
}
