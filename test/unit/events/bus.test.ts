/**
 * The event bus gives each subscriber a bounded queue: a slow reader
 * within the bound loses nothing, one that stalls past it is dropped (its
 * stream ends, its queue is freed) instead of holding memory without end.
 */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/core/services/events/bus.js';
import type { AppEvent } from '../../../shared/domain/events.js';

const event = (n: number): AppEvent => ({ type: 'region.changed', change: 'updated', regionId: n, at: new Date(0).toISOString() });

describe('the event bus', () => {
  it('keeps every event for a reader that is slow but within the bound', async () => {
    const bus = new EventBus(10);
    const stream = bus.subscribe();
    const first = stream.next();
    bus.publish(event(0));
    expect((await first).value).toEqual(event(0));
    for (let n = 1; n <= 10; n += 1) bus.publish(event(n));
    const read: number[] = [];
    for (let n = 1; n <= 10; n += 1) read.push(((await stream.next()).value as { regionId: number }).regionId);
    expect(read).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await stream.return(undefined);
    expect(bus.listenerCount()).toBe(0);
  });

  it('drops a stalled reader once it is more than the bound behind: its stream ends and it no longer counts', async () => {
    const bus = new EventBus(10);
    const stalled = bus.subscribe();
    const live = bus.subscribe();
    // Subscribed once their generators run.
    const firstStalled = stalled.next();
    const firstLive = live.next();
    bus.publish(event(0));
    await Promise.all([firstStalled, firstLive]);
    expect(bus.listenerCount()).toBe(2);
    const liveRead: number[] = [];
    // The live reader keeps up; the stalled one reads nothing while 25 events go by.
    for (let n = 1; n <= 25; n += 1) {
      bus.publish(event(n));
      liveRead.push(((await live.next()).value as { regionId: number }).regionId);
    }
    expect(bus.listenerCount()).toBe(1);
    expect(await stalled.next()).toEqual({ done: true, value: undefined });
    expect(liveRead).toHaveLength(25);
    await live.return(undefined);
  });

  it('ends a subscription when its signal aborts, also while it waits', async () => {
    const bus = new EventBus();
    const abort = new AbortController();
    const stream = bus.subscribe(abort.signal);
    const waiting = stream.next();
    await Promise.resolve();
    abort.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(bus.listenerCount()).toBe(0);
  });
});
