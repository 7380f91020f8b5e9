import { EventEmitter, on } from 'node:events';
import type { AppEvent } from '../../../../shared/domain/events.js';

/** In-process fan-out of the contract's events to every subscriber (UI, REST SSE, later: webhooks). */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: AppEvent): void {
    this.emitter.emit('event', event);
  }

  /** Events from now on, until the signal aborts. Buffered per subscriber so a slow reader loses nothing. */
  async *subscribe(signal?: AbortSignal): AsyncGenerator<AppEvent> {
    try {
      for await (const [event] of on(this.emitter, 'event', { signal })) {
        yield event as AppEvent;
      }
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }

  listenerCount(): number {
    return this.emitter.listenerCount('event');
  }
}
