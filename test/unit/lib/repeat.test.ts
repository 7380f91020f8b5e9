import { afterEach, describe, expect, it, vi } from 'vitest';
import { repeat, type Disposable } from '../../../main/core/lib/disposable.js';
import { SystemHealth } from '../../../main/core/services/system/system-health.js';

/**
 * repeat() is how the core's timers run: what a run throws or rejects with
 * becomes a problem of EdgeCab itself (here a real SystemHealth, without a
 * database) instead of an uncaught exception, and the timer goes on. Fake
 * timers move time; vitest fails the file on any uncaught exception or
 * unhandled rejection, so one that escaped would show.
 */
describe('repeat()', () => {
  const running: Disposable[] = [];
  afterEach(() => {
    running.splice(0).forEach((each) => void each.dispose());
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  function health() {
    const lines: string[] = [];
    return { health: new SystemHealth(null, () => new Date(), (line) => lines.push(line)), lines };
  }

  it('reports a run that throws as a problem, and keeps running', async () => {
    vi.useFakeTimers();
    const { health: problems, lines } = health();
    let runs = 0;
    running.push(
      repeat(
        'test.throws',
        100,
        () => {
          runs += 1;
          throw new Error(`run ${runs} broke`);
        },
        (what, error) => problems.report(what, error),
        (what) => problems.cleared(what),
      ),
    );
    await vi.advanceTimersByTimeAsync(350);
    expect(runs).toBe(3);
    expect(problems.problems()).toEqual([expect.objectContaining({ key: 'test.throws', message: 'run 3 broke', count: 3 })]);
    // Logged once (then at most once a minute), not once per run.
    expect(lines).toEqual(['edgecab core: test.throws failed: run 1 broke']);
  });

  it('reports a run that rejects as a problem, and keeps running', async () => {
    vi.useFakeTimers();
    const { health: problems } = health();
    let runs = 0;
    running.push(
      repeat(
        'test.rejects',
        100,
        async () => {
          runs += 1;
          await Promise.resolve();
          throw new Error(`run ${runs} rejected`);
        },
        (what, error) => problems.report(what, error),
      ),
    );
    await vi.advanceTimersByTimeAsync(250);
    expect(problems.problems()).toEqual([expect.objectContaining({ key: 'test.rejects', message: 'run 2 rejected', count: 2 })]);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(3);
    expect(problems.problems()[0]!.count).toBe(3);
  });

  it('clears the problem at the first run that works again', async () => {
    vi.useFakeTimers();
    const { health: problems } = health();
    const recovered = vi.fn((what: string) => problems.cleared(what));
    let failing = true;
    running.push(
      repeat(
        'test.flaky',
        100,
        () => {
          if (failing) return Promise.reject(new Error('not now'));
          return Promise.resolve();
        },
        (what, error) => problems.report(what, error),
        recovered,
      ),
    );
    await vi.advanceTimersByTimeAsync(200);
    expect(problems.problems()).toHaveLength(1);
    failing = false;
    await vi.advanceTimersByTimeAsync(300);
    expect(problems.problems()).toEqual([]);
    expect(recovered).toHaveBeenCalledTimes(1);
  });

  it('skips a run while the previous one is still going, and stops on dispose', async () => {
    vi.useFakeTimers();
    let started = 0;
    const work = () => {
      started += 1;
      return new Promise<void>((resolve) => setTimeout(resolve, 250));
    };
    const timer = repeat('test.slow', 100, work, (what, error) => expect.fail(`${what}: ${String(error)}`));
    await vi.advanceTimersByTimeAsync(300);
    // Started at 100 ms; the ticks at 200 and 300 found it still running (it ends at 350).
    expect(started).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(2);
    timer.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(2);
  });

  it("never keeps the process alive, unless asked to (work someone awaits)", () => {
    const timers: NodeJS.Timeout[] = [];
    const original = globalThis.setInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((...args: Parameters<typeof setInterval>) => {
      const timer = original(...args);
      timers.push(timer);
      return timer;
    }) as typeof setInterval);
    const fail = (what: string, error: unknown) => expect.fail(`${what}: ${String(error)}`);
    running.push(repeat('test.background', 60_000, () => undefined, fail));
    running.push(repeat('test.awaited', 60_000, () => undefined, fail, undefined, { keepAlive: true }));
    expect(timers.map((timer) => timer.hasRef())).toEqual([false, true]);
  });
});
