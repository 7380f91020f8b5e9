/**
 * Keeps the core's utility process running: when it exits without being
 * asked to, it is started again after a delay that doubles with each crash
 * in a row (1 s, 2 s, 4 s … up to a cap). A core that ran stably for a
 * while before exiting starts a new series. After too many crashes in a row,
 * each soon after starting, restarting is pointless (a broken install, a
 * disk that refuses writes…), so the supervisor gives up and says so.
 *
 * Pure: the process, the clock and the timers are passed in, so the policy is
 * unit-tested without Electron.
 */

export interface RestartPolicy {
  /** Delay before the first restart of a series. */
  readonly initialDelayMs: number;
  /** The delay doubles per crash in a row up to this. */
  readonly maxDelayMs: number;
  /** A core that ran at least this long before exiting was stable: its exit starts a new series. */
  readonly stableAfterMs: number;
  /** Give up once this many exits in a row each came sooner than stableAfterMs after a start. */
  readonly maxFastCrashes: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  maxFastCrashes: 5,
};

/** The delay before restart number `attempt` (0-based) of a series. */
export function restartDelay(attempt: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  return Math.min(policy.initialDelayMs * 2 ** Math.max(0, attempt), policy.maxDelayMs);
}

export interface SupervisedProcess {
  /** Registers the one exit listener (Electron's UtilityProcess 'exit'). */
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface SupervisorClock {
  now(): number;
  /** Runs `task` after `ms`; returns a function that cancels it. */
  schedule(task: () => void, ms: number): () => void;
}

export const SYSTEM_CLOCK: SupervisorClock = {
  now: () => Date.now(),
  schedule: (task, ms) => {
    const timer = setTimeout(task, ms);
    return () => clearTimeout(timer);
  },
};

export interface SupervisorEvents<P> {
  /** A core process was started; `restarts` counts the restarts so far (0 for the first start). */
  started(process: P, restarts: number): void;
  /** The running core exited unasked; it is started again in `restartInMs`, or never (null) when giving up. */
  exited(code: number, restartInMs: number | null): void;
  /** Too many fast crashes in a row: no more restarts. */
  gaveUp(crashes: number, lastCode: number): void;
}

type State = 'idle' | 'running' | 'waiting' | 'stopped';

export class CoreSupervisor<P extends SupervisedProcess> {
  private state: State = 'idle';
  private process: P | null = null;
  private startedAt = 0;
  private restartCount = 0;
  /** Restarts in the current series (since the last stable run); indexes the backoff. */
  private attempt = 0;
  private fastCrashes = 0;
  private cancelRestart: (() => void) | null = null;
  private readonly exitWaiters = new Set<() => void>();

  constructor(
    private readonly spawn: () => P,
    private readonly events: SupervisorEvents<P>,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
    private readonly clock: SupervisorClock = SYSTEM_CLOCK,
  ) {}

  /** How many times the core has been restarted since the app started. */
  get restarts(): number {
    return this.restartCount;
  }

  /** The running core, or null while waiting to restart or once stopped. */
  get current(): P | null {
    return this.state === 'running' ? this.process : null;
  }

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  start(): void {
    if (this.state !== 'idle') throw new Error('the core supervisor was already started');
    this.launch();
  }

  /**
   * Stops supervising and ends the running core (SIGTERM: it flushes and
   * closes its database). Resolves when it has exited, or after `timeoutMs`
   * if it does not.
   */
  stop(timeoutMs = 5_000): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    this.cancelRestart?.();
    this.cancelRestart = null;
    const child = this.process;
    if (!wasRunning || !child) return Promise.resolve();
    return new Promise((resolve) => {
      let cancelTimeout = (): void => undefined;
      const done = () => {
        cancelTimeout();
        this.exitWaiters.delete(done);
        resolve();
      };
      this.exitWaiters.add(done);
      cancelTimeout = this.clock.schedule(done, timeoutMs);
      child.kill();
    });
  }

  private launch(): void {
    const child = this.spawn();
    this.process = child;
    this.state = 'running';
    this.startedAt = this.clock.now();
    child.onExit((code) => this.onExit(child, code));
    this.events.started(child, this.restartCount);
  }

  private onExit(child: P, code: number): void {
    if (child !== this.process) return;
    this.process = null;
    for (const waiter of [...this.exitWaiters]) waiter();
    if (this.state !== 'running') return;
    const ranFor = this.clock.now() - this.startedAt;
    if (ranFor >= this.policy.stableAfterMs) {
      this.attempt = 0;
      this.fastCrashes = 0;
    } else {
      this.fastCrashes += 1;
    }
    if (this.fastCrashes >= this.policy.maxFastCrashes) {
      this.state = 'stopped';
      this.events.exited(code, null);
      this.events.gaveUp(this.fastCrashes, code);
      return;
    }
    const delay = restartDelay(this.attempt, this.policy);
    this.attempt += 1;
    this.state = 'waiting';
    this.events.exited(code, delay);
    this.cancelRestart = this.clock.schedule(() => {
      this.cancelRestart = null;
      if (this.state !== 'waiting') return;
      this.restartCount += 1;
      this.launch();
    }, delay);
  }
}
