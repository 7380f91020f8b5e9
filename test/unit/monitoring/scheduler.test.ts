import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_PLAN } from '../../../shared/domain/monitoring.js';
import { PollScheduler, type PollKind, type PollTarget } from '../../../main/core/services/monitor/scheduler.js';

interface Call {
  target: PollTarget;
  kind: PollKind;
  at: number;
  finish: (ok: boolean) => void;
}

/** A scheduler on a hand-moved clock; polls stay open until the test finishes them. */
function harness(plan = DEFAULT_POLL_PLAN) {
  let now = 0;
  const calls: Call[] = [];
  const scheduler = new PollScheduler(
    plan,
    (target, kind) => new Promise<boolean>((resolve) => calls.push({ target, kind, at: now, finish: resolve })),
    () => now,
    () => 0.5,
  );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    scheduler,
    calls,
    advance: async (ms: number) => {
      now += ms;
      scheduler.tick();
      await settle();
    },
    settle,
  };
}

const targets = (count: number, site = (index: number) => `site-${index % 10}`) => Array.from({ length: count }, (_, index) => ({ deviceId: `d${index}`, siteId: site(index) }));

describe('the poll scheduler', () => {
  it('spreads first polls over one health interval, then polls each device every interval', async () => {
    const { scheduler, calls, advance } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30 });
    scheduler.setTargets(targets(1));
    await advance(14_000);
    expect(calls).toHaveLength(0);
    await advance(1_000);
    expect(calls.map((call) => call.kind)).toEqual(['inventory']);
    calls[0]!.finish(true);
    await advance(29_000);
    expect(calls).toHaveLength(1);
    await advance(1_000);
    expect(calls.map((call) => call.kind)).toEqual(['inventory', 'health']);
  });

  it('never runs two polls of one device at once, and keeps to the global and per-site caps', async () => {
    const { scheduler, calls, advance } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30, globalConcurrency: 5, siteConcurrency: 2 });
    scheduler.setTargets(targets(20, (index) => `site-${index % 3}`));
    await advance(60_000);
    expect(calls).toHaveLength(5);
    const bySite = new Map<string, number>();
    for (const call of calls) bySite.set(call.target.siteId, (bySite.get(call.target.siteId) ?? 0) + 1);
    expect(Math.max(...bySite.values())).toBeLessThanOrEqual(2);
    await advance(120_000);
    expect(new Set(calls.map((call) => call.target.deviceId)).size).toBe(calls.length);
  });

  it('lets a slow device hold only its own slot: the others keep their times', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30, globalConcurrency: 10, siteConcurrency: 10 });
    scheduler.setTargets(targets(3, () => 'one-site'));
    await advance(15_000);
    expect(calls).toHaveLength(3);
    const slow = calls.find((call) => call.target.deviceId === 'd0')!;
    for (const call of calls) if (call !== slow) call.finish(true);
    await settle();
    await advance(30_000);
    const second = calls.slice(3);
    expect(second.map((call) => call.target.deviceId).sort()).toEqual(['d1', 'd2']);
    expect(second.every((call) => call.at === 45_000)).toBe(true);
    expect(scheduler.lagPercentile(99)).toBe(0);
  });

  it('backs off exponentially from a device that does not answer, and returns to the plan when it does', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30 });
    scheduler.setTargets(targets(1));
    await advance(15_000);
    const starts: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      const call = calls.at(-1)!;
      starts.push(call.at);
      call.finish(false);
      await settle();
      const before = calls.length;
      while (calls.length === before) await advance(1_000);
    }
    const gaps = starts.slice(1).map((at, index) => at - starts[index]!);
    expect(gaps).toEqual([30_000, 60_000, 120_000]);
    expect(scheduler.failuresOf('d0')).toBe(4);
    calls.at(-1)!.finish(true);
    await settle();
    expect(scheduler.failuresOf('d0')).toBe(0);
  });

  it('records poll lag when caps make due polls wait', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30, globalConcurrency: 1 });
    scheduler.setTargets([{ deviceId: 'a', siteId: 's' }, { deviceId: 'b', siteId: 't' }]);
    await advance(15_000);
    expect(calls).toHaveLength(1);
    await advance(2_000);
    calls[0]!.finish(true);
    await settle();
    await advance(0);
    expect(calls).toHaveLength(2);
    expect(scheduler.lagPercentile(99)).toBe(2_000);
  });

  it('runs a poll asked for (refresh, trap, event) after the one running, never beside it, and merges requests made meanwhile', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30 });
    scheduler.setTargets(targets(1));
    await advance(15_000);
    expect(calls).toHaveLength(1);
    const asked = [scheduler.request('d0'), scheduler.request('d0'), scheduler.request('d0', 'inventory')];
    await settle();
    // The device is being polled: nothing starts beside it.
    expect(calls).toHaveLength(1);
    calls[0]!.finish(true);
    await settle();
    await advance(0);
    // One poll for the three requests, of the widest kind asked.
    expect(calls).toHaveLength(2);
    expect(calls[1]!.kind).toBe('inventory');
    calls[1]!.finish(true);
    expect(await Promise.all(asked)).toEqual([true, true, true]);
  });

  it('keeps requested polls within the global and per-site caps too', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 3600, globalConcurrency: 3, siteConcurrency: 2 });
    scheduler.setTargets(targets(6, (index) => (index < 4 ? 'site-a' : 'site-b')));
    const asked = targets(6).map((target) => scheduler.request(target.deviceId));
    await settle();
    expect(calls).toHaveLength(3);
    expect(calls.filter((call) => call.target.siteId === 'site-a')).toHaveLength(2);
    calls[0]!.finish(true);
    await settle();
    await advance(0);
    expect(calls.filter((call) => call.target.siteId === 'site-a').length).toBeLessThanOrEqual(3);
    expect(calls.length - 1).toBeLessThanOrEqual(3);
    for (let round = 0; round < 6 && calls.length < 6; round += 1) {
      for (const call of calls) call.finish(true);
      await settle();
      await advance(0);
    }
    for (const call of calls) call.finish(true);
    expect(await Promise.all(asked)).toEqual([true, true, true, true, true, true]);
  });

  it('after a failed inventory polls health until the device answers, then runs the inventory', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30 });
    scheduler.setTargets(targets(1));
    await advance(15_000);
    expect(calls.map((call) => call.kind)).toEqual(['inventory']);
    calls[0]!.finish(false);
    await settle();
    // Backoff, then health polls while it keeps failing: not the slow inventory every time.
    for (let round = 0; round < 2; round += 1) {
      const before = calls.length;
      while (calls.length === before) await advance(1_000);
      expect(calls.at(-1)!.kind).toBe('health');
      calls.at(-1)!.finish(round === 1);
      await settle();
    }
    // It answered: the inventory that was due runs next.
    await advance(100);
    expect(calls.at(-1)!.kind).toBe('inventory');
  });

  it('gives each kind its own timeout: the signal of a health poll aborts at timeoutSeconds, an inventory at inventoryTimeoutSeconds', async () => {
    const signals: { kind: PollKind; signal: AbortSignal }[] = [];
    const scheduler = new PollScheduler({ ...DEFAULT_POLL_PLAN, timeoutSeconds: 1, inventoryTimeoutSeconds: 5 }, (_target, kind, signal) => {
      signals.push({ kind, signal });
      return new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false)));
    });
    scheduler.setTargets([{ deviceId: 'a', siteId: 's' }, { deviceId: 'b', siteId: 's' }]);
    const health = scheduler.request('a', 'health');
    const inventory = scheduler.request('b', 'inventory');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(signals.find((each) => each.kind === 'health')!.signal.aborted).toBe(true);
    expect(signals.find((each) => each.kind === 'inventory')!.signal.aborted).toBe(false);
    expect(await health).toBe(false);
    scheduler.stop();
    // Stopping aborts what is still running.
    expect(signals.find((each) => each.kind === 'inventory')!.signal.aborted).toBe(true);
    expect(await inventory).toBe(false);
  });

  it('never polls a device removed and added again while its poll runs beside that poll (exclusivity is by device, not by entry)', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30 });
    scheduler.setTargets(targets(1));
    await advance(15_000);
    expect(calls).toHaveLength(1);
    // The device leaves the cabinet and comes back (moved to another slot, reconnected) while its poll still runs.
    scheduler.setTargets([]);
    scheduler.setTargets(targets(1));
    const asked = scheduler.request('d0');
    await advance(60_000);
    expect(calls).toHaveLength(1);
    expect(scheduler.isPolling('d0')).toBe(true);
    calls[0]!.finish(true);
    await settle();
    await advance(0);
    // The old poll has ended: now the asked-for one runs, alone.
    expect(calls).toHaveLength(2);
    calls[1]!.finish(true);
    expect(await asked).toBe(true);
    expect(scheduler.peakInFlight).toBe(1);
  });

  it('runs exclusive work (refresh, integrity read) after the device\'s poll, holds the device meanwhile, and counts it against the caps', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30, globalConcurrency: 2, siteConcurrency: 1 });
    scheduler.setTargets([{ deviceId: 'a', siteId: 's' }, { deviceId: 'b', siteId: 's' }, { deviceId: 'c', siteId: 't' }]);
    const polling = scheduler.request('a');
    await settle();
    expect(calls.map((call) => call.target.deviceId)).toEqual(['a']);
    const log: string[] = [];
    const exclusive = (deviceId: string, siteId: string, label: string) => {
      let finish!: () => void;
      const done = scheduler.exclusive({ deviceId, siteId }, () => {
        log.push(`start ${label}`);
        return new Promise<string>((resolve) => (finish = () => resolve(label)));
      });
      return { done, finish: () => finish() };
    };
    const refreshA = exclusive('a', 's', 'refresh a');
    const checkB = exclusive('b', 's', 'check b');
    const checkC = exclusive('c', 't', 'check c');
    await settle();
    // a is being polled: its refresh waits; b's site is full (cap 1); c takes the second global slot.
    expect(log).toEqual(['start check c']);
    expect(scheduler.busy).toBe(2);
    // The global cap is full: nothing planned starts, whatever is due.
    await advance(60_000);
    expect(calls).toHaveLength(1);
    calls[0]!.finish(true);
    expect(await polling).toBe(true);
    await settle();
    // a's poll ended: a's refresh goes first (it waited longest), b still waits for its site.
    expect(log).toEqual(['start check c', 'start refresh a']);
    // While the refresh holds a, a poll asked for a waits too.
    const again = scheduler.request('a');
    await advance(0);
    expect(calls).toHaveLength(1);
    refreshA.finish();
    expect(await refreshA.done).toBe('refresh a');
    await settle();
    expect(log).toEqual(['start check c', 'start refresh a', 'start check b']);
    checkB.finish();
    checkC.finish();
    await Promise.all([checkB.done, checkC.done]);
    await settle();
    await advance(0);
    // The poll asked for during the refresh ran after it (beside it only c's planned poll, due long ago).
    const ofA = calls.filter((call) => call.target.deviceId === 'a');
    expect(ofA).toHaveLength(2);
    ofA[1]!.finish(true);
    expect(await again).toBe(true);
    expect(scheduler.peakInFlight).toBeLessThanOrEqual(2);
    expect(scheduler.peakSiteInFlight).toBe(1);
  });

  it('runs asked-for work outside monitoring without starting the plan\'s due polls, and releases a device whose exclusive work failed', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30, globalConcurrency: 1 });
    scheduler.setTargets(targets(2));
    const failing = scheduler.exclusive({ deviceId: 'd0', siteId: 'site-0' }, () => Promise.reject(new Error('BMC refused')));
    await expect(failing).rejects.toThrow('BMC refused');
    const asked = scheduler.request('d0');
    await settle();
    expect(calls.map((call) => call.target.deviceId)).toEqual(['d0']);
    calls[0]!.finish(true);
    expect(await asked).toBe(true);
    await settle();
    // Nothing else was asked for: d1's planned poll, due long ago, waits for monitoring's ticks.
    expect(calls).toHaveLength(1);
    await advance(60_000);
    expect(calls).toHaveLength(2);
  });

  it('starts waiting work oldest first: a device asked for over and over (a trap storm, a user on refresh) does not keep its site\'s other devices from their plan', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30, siteConcurrency: 1 });
    scheduler.setTargets([{ deviceId: 'noisy', siteId: 's' }, { deviceId: 'quiet', siteId: 's' }]);
    // Its own ticks never come (the test ticks); a failure of one would be reported here.
    scheduler.start((what, error) => expect.fail(`${what}: ${String(error)}`), { tickMs: 60_000 });
    void scheduler.request('noisy');
    await settle();
    expect(calls.map((call) => call.target.deviceId)).toEqual(['noisy']);
    // Each time the noisy device's poll ends, it has been asked for again (and an exclusive refresh of it waits too).
    for (let round = 0; round < 3; round += 1) {
      await advance(10_000);
      void scheduler.request('noisy');
      void scheduler.exclusive({ deviceId: 'noisy', siteId: 's' }, async () => undefined);
      calls.at(-1)!.finish(true);
      await settle();
      await advance(0);
      if (calls.at(-1)!.target.deviceId === 'quiet') break;
    }
    // The quiet device was due at 15 s, before the noisy one was asked for again: it got the site's slot.
    expect(calls.map((call) => call.target.deviceId)).toEqual(['noisy', 'noisy', 'quiet']);
    scheduler.stop();
  });

  it('polls devices whose event stream is not held every interval × the factor, the others on plan', async () => {
    const { scheduler, calls, advance, settle } = harness({ ...DEFAULT_POLL_PLAN, healthSeconds: 30 });
    scheduler.setTargets(targets(2));
    scheduler.setFaster(new Set(['d1']), 2 / 3);
    await advance(15_000);
    for (const call of calls.splice(0)) call.finish(true);
    await settle();
    await advance(20_000);
    expect(calls.map((call) => call.target.deviceId)).toEqual(['d1']);
    calls.splice(0)[0]!.finish(true);
    await settle();
    await advance(10_000);
    expect(calls.map((call) => call.target.deviceId)).toEqual(['d0']);
  });

  it('at a province\'s scale polls every device once per interval, oldest due first, and keeps each device\'s own rhythm', async () => {
    let now = 0;
    const started: { id: string; at: number }[] = [];
    const random = (() => {
      let seed = 7;
      return () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    })();
    const scheduler = new PollScheduler({ ...DEFAULT_POLL_PLAN, healthSeconds: 45, globalConcurrency: 64, siteConcurrency: 4 }, async (target) => {
      started.push({ id: target.deviceId, at: now });
      return true;
    }, () => now, random);
    scheduler.setTargets(targets(10_000, (index) => `site-${Math.floor(index / 11)}`));
    for (let step = 0; step < 1800; step += 1) {
      now += 100;
      scheduler.tick();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // 180 s: the first round spreads over 45 s, then every 45 s (± 10 % jitter) each device again.
    const perDevice = new Map<string, number[]>();
    for (const poll of started) perDevice.set(poll.id, [...(perDevice.get(poll.id) ?? []), poll.at]);
    expect(perDevice.size).toBe(10_000);
    const counts = [...perDevice.values()].map((times) => times.length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...counts)).toBeLessThanOrEqual(5);
    for (const times of perDevice.values()) {
      for (let index = 1; index < times.length; index += 1) {
        const gap = times[index]! - times[index - 1]!;
        expect(gap).toBeGreaterThanOrEqual(40_500 - 100);
        expect(gap).toBeLessThanOrEqual(49_500 + 200);
      }
    }
    // Each poll started within a tick of when it was due: nothing waited behind the scan.
    expect(scheduler.lagPercentile(100)).toBeLessThanOrEqual(100);
  });
});
