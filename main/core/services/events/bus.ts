import type { AppEvent } from '../../../../shared/domain/events.js';

/**
 * Events a subscriber may have waiting. A reader this far behind (a stalled
 * SSE client whose socket does not drain) is dropped instead of holding an
 * ever longer queue; clients reconnect and refetch what they show.
 */
export const MAX_QUEUED_EVENTS = 5_000;

interface Subscriber {
  queue: AppEvent[];
  /** Wakes the subscriber's generator when it waits for the next event. */
  wake: (() => void) | null;
  overflowed: boolean;
}

/** In-process fan-out of the contract's events to every subscriber (UI, REST SSE, later: webhooks). */
export class EventBus {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly maxQueued = MAX_QUEUED_EVENTS) {}

  publish(event: AppEvent): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.queue.length >= this.maxQueued) {
        // Dropped at once: its queue is freed now, not when (if ever) it reads again.
        subscriber.overflowed = true;
        subscriber.queue.length = 0;
        this.subscribers.delete(subscriber);
      } else subscriber.queue.push(event);
      subscriber.wake?.();
    }
  }

  /**
   * Events from now on, until the signal aborts or the subscriber falls
   * more than `maxQueued` events behind (the stream then ends; a slower
   * reader within that loses nothing).
   */
  async *subscribe(signal?: AbortSignal): AsyncGenerator<AppEvent> {
    if (signal?.aborted) return;
    const subscriber: Subscriber = { queue: [], wake: null, overflowed: false };
    this.subscribers.add(subscriber);
    const onAbort = () => subscriber.wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal?.aborted || subscriber.overflowed) return;
        const event = subscriber.queue.shift();
        if (event) {
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => (subscriber.wake = resolve));
        subscriber.wake = null;
      }
    } finally {
      this.subscribers.delete(subscriber);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  listenerCount(): number {
    return this.subscribers.size;
  }
}
