import { describe, expect, it } from 'vitest';
import { CoreSupervisor, DEFAULT_RESTART_POLICY, restartDelay, type SupervisedProcess, type SupervisorClock } from '../../../main/electron/supervisor/core-supervisor.js';

/** A clock whose time moves only when the test says so, running due tasks in order. */
class ManualClock implements SupervisorClock {
  time = 0;
  private tasks: { at: number; task: () => void }[] = [];

  now(): number {
    return this.time;
  }

  schedule(task: () => void, ms: number): () => void {
    const entry = { at: this.time + ms, task };
    this.tasks.push(entry);
    return () => (this.tasks = this.tasks.filter((other) => other !== entry));
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.tasks.filter((entry) => entry.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((entry) => entry !== due);
      this.time = due.at;
      due.task();
    }
    this.time = until;
  }

  get pending(): number {
    return this.tasks.length;
  }
}

class FakeCore implements SupervisedProcess {
  killed = false;
  private exitListener: ((code: number) => void) | null = null;

  constructor(readonly id: number) {}

  onExit(listener: (code: number) => void): void {
    this.exitListener = listener;
  }

  kill(): void {
    this.killed = true;
  }

  exit(code: number): void {
    this.exitListener?.(code);
  }
}

function supervise(policy = DEFAULT_RESTART_POLICY) {
  const clock = new ManualClock();
  const cores: FakeCore[] = [];
  const log: string[] = [];
  const supervisor = new CoreSupervisor<FakeCore>(
    () => {
      const core = new FakeCore(cores.length);
      cores.push(core);
      return core;
    },
    {
      started: (core, restarts) => log.push(`started ${core.id} after ${restarts} restarts`),
      exited: (code, restartInMs) => log.push(`exited ${code}, restart in ${restartInMs}`),
      gaveUp: (crashes, lastCode) => log.push(`gave up after ${crashes} crashes, last code ${lastCode}`),
    },
    policy,
    clock,
  );
  const last = () => cores[cores.length - 1]!;
  return { clock, cores, log, supervisor, last };
}

describe('restart backoff', () => {
  it('doubles from 1 s and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => restartDelay(attempt))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

describe('the core supervisor', () => {
  it('starts the core once and hands it out while it runs', () => {
    const { supervisor, cores, log } = supervise();
    supervisor.start();
    expect(cores).toHaveLength(1);
    expect(supervisor.current).toBe(cores[0]);
    expect(supervisor.restarts).toBe(0);
    expect(log).toEqual(['started 0 after 0 restarts']);
    expect(() => supervisor.start()).toThrow(/already started/);
  });

  it('restarts a core that exits, after 1 s, 2 s, 4 s … while it keeps crashing', () => {
    const { supervisor, cores, clock, last, log } = supervise();
    supervisor.start();
    const delays: number[] = [];
    for (let crash = 0; crash < 4; crash++) {
      clock.advance(500);
      last().exit(1);
      expect(supervisor.current).toBeNull();
      const startedBefore = cores.length;
      let waited = 0;
      while (cores.length === startedBefore) {
        clock.advance(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(supervisor.restarts).toBe(4);
    expect(supervisor.current).toBe(last());
    expect(log.at(-1)).toBe('started 4 after 4 restarts');
  });

  it('starts a new series (1 s again) after the core ran stably', () => {
    const { supervisor, clock, last, log } = supervise();
    supervisor.start();
    for (let crash = 0; crash < 3; crash++) {
      last().exit(1);
      clock.advance(60_000);
    }
    expect(log.filter((line) => line.startsWith('exited'))).toEqual(['exited 1, restart in 1000', 'exited 1, restart in 2000', 'exited 1, restart in 4000']);
    // This one has now been up for longer than stableAfterMs.
    clock.advance(DEFAULT_RESTART_POLICY.stableAfterMs);
    last().exit(1);
    expect(log.at(-1)).toBe('exited 1, restart in 1000');
  });

  it('gives up after maxFastCrashes crashes in a row, each soon after starting', () => {
    const { supervisor, cores, clock, last, log } = supervise();
    supervisor.start();
    for (let crash = 0; crash < DEFAULT_RESTART_POLICY.maxFastCrashes; crash++) {
      clock.advance(2_000);
      last().exit(134);
      clock.advance(DEFAULT_RESTART_POLICY.maxDelayMs);
    }
    expect(cores).toHaveLength(DEFAULT_RESTART_POLICY.maxFastCrashes);
    expect(log.slice(-2)).toEqual(['exited 134, restart in null', `gave up after ${DEFAULT_RESTART_POLICY.maxFastCrashes} crashes, last code 134`]);
    expect(supervisor.stopped).toBe(true);
    clock.advance(600_000);
    expect(cores).toHaveLength(DEFAULT_RESTART_POLICY.maxFastCrashes);
  });

  it('does not count a crash after a stable run towards giving up', () => {
    const { supervisor, cores, clock, last, log } = supervise();
    supervisor.start();
    for (let round = 0; round < 20; round++) {
      clock.advance(DEFAULT_RESTART_POLICY.stableAfterMs + 1);
      last().exit(1);
      clock.advance(1_000);
    }
    expect(cores).toHaveLength(21);
    expect(log.some((line) => line.startsWith('gave up'))).toBe(false);
  });

  it('stop() ends the core (it flushes on SIGTERM), waits for it, and restarts nothing', async () => {
    const { supervisor, cores, clock, log } = supervise();
    supervisor.start();
    const stopped = supervisor.stop();
    expect(cores[0]!.killed).toBe(true);
    let done = false;
    void stopped.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    cores[0]!.exit(0);
    await stopped;
    clock.advance(120_000);
    expect(cores).toHaveLength(1);
    expect(log).toEqual(['started 0 after 0 restarts']);
  });

  it('stop() gives up waiting for a core that does not exit', async () => {
    const { supervisor, clock } = supervise();
    supervisor.start();
    const stopped = supervisor.stop(3_000);
    clock.advance(3_000);
    await expect(stopped).resolves.toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it('stop() while waiting to restart cancels the restart', async () => {
    const { supervisor, cores, clock, last } = supervise();
    supervisor.start();
    last().exit(1);
    await supervisor.stop();
    clock.advance(60_000);
    expect(cores).toHaveLength(1);
  });

  it('ignores a late exit of a core it has already replaced', () => {
    const { supervisor, cores, clock, log } = supervise();
    supervisor.start();
    cores[0]!.exit(1);
    clock.advance(1_000);
    cores[0]!.exit(1);
    expect(supervisor.current).toBe(cores[1]);
    expect(log.filter((line) => line.startsWith('exited'))).toHaveLength(1);
  });
});
