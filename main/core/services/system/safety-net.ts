import type { Disposable } from '../../lib/disposable.js';
import { FailureBudget } from '../../lib/failure-budget.js';
import type { SystemHealth } from './system-health.js';

export type BackgroundFailureKind = 'uncaughtException' | 'unhandledRejection';

/** The problem of EdgeCab itself an escaped failure is kept as (GET /system/problems). */
export const backgroundProblemKey = (kind: BackgroundFailureKind): string => `process.${kind}`;

/** A one-line description of anything thrown (with its stack, when it has one), for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export interface SafetyNetOptions {
  /** One line per failure, with its stack (stderr). */
  log: (line: string) => void;
  /** The core's problems, once there is a core (null before it opens: the log line is then all there is). */
  health?: () => SystemHealth | null;
  /** Also told of each failure (the desktop's core tells its main process). */
  notify?: (kind: BackgroundFailureKind, description: string) => void;
  /**
   * More than `limit` uncaught exceptions within `windowMs`: the process is
   * likely in a bad state, and `then` is called once (the desktop's core
   * closes its database and exits, for its supervisor to start a fresh
   * one). Without it the process keeps running whatever comes.
   */
  storm?: { limit: number; windowMs: number; act: () => void };
}

/**
 * The last catch of a process that runs background work (timers, sockets,
 * pollers): an exception nothing caught or a rejection nobody awaited is
 * logged and kept as a problem of EdgeCab itself, and the process keeps
 * running, instead of Node ending it. Work that can fail should catch and
 * report its own failures (repeat() does, for timers); this is for what
 * slipped through. Disposing removes it; `failed` reports one such failure
 * by hand (a start-up task nobody else awaits).
 */
export function catchBackgroundFailures(options: SafetyNetOptions): Disposable & { failed(kind: BackgroundFailureKind, error: unknown): void } {
  const storm = options.storm ? { ...options.storm, budget: new FailureBudget(options.storm.limit, options.storm.windowMs), seen: false } : null;
  const failed = (kind: BackgroundFailureKind, error: unknown) => {
    // Nothing here may throw: a throw inside an 'uncaughtException' listener ends the process.
    const description = describeError(error);
    try {
      options.log(`${kind}: ${description}`);
    } catch {
      // No stderr (a closed pipe): the problem below still shows.
    }
    try {
      options.health?.()?.report(backgroundProblemKey(kind), error);
    } catch {
      // SystemHealth.report does not throw; a core being closed may.
    }
    try {
      options.notify?.(kind, description);
    } catch {
      // The one told is gone (the desktop's main process quitting): the log line is all there is.
    }
    if (kind === 'uncaughtException' && storm && !storm.budget.record(Date.now()) && !storm.seen) {
      storm.seen = true;
      storm.act();
    }
  };
  const onException = (error: Error) => failed('uncaughtException', error);
  const onRejection = (reason: unknown) => failed('unhandledRejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    failed,
    dispose: () => {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}
