/** Something that runs on its own (a timer, a stream, a socket, a child) and must be stopped by its owner. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

/** Reports a failure of background work instead of letting it end the process. */
export type FailureReporter = (what: string, error: unknown) => void;

/** Owns disposables and disposes them together, newest first; failures of one do not stop the others. */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      void item.dispose();
      return item;
    }
    this.items.push(item);
    return item;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const items = this.items.splice(0).reverse();
    await Promise.all(items.map(async (item) => {
      try {
        await item.dispose();
      } catch {
        // Disposing is best effort; each item reports its own failures.
      }
    }));
  }

  /** Let this store be used again after dispose (a monitor stopped and started again). */
  reset(): void {
    this.disposed = false;
  }
}

export interface RepeatOptions {
  /** Keep the process alive while it repeats (default: unref'd), for work someone awaits. */
  keepAlive?: boolean;
}

/**
 * Runs `work` every `ms` (unref'd: it never keeps the process alive, unless
 * `keepAlive`); an exception or rejection is reported as a failure of
 * `what`, never thrown into the event loop, and the timer goes on; the
 * first run that works after failures calls `recovered`. A run still going
 * when the next is due is skipped, not stacked.
 */
export function repeat(what: string, ms: number, work: () => unknown, report: FailureReporter, recovered: (what: string) => void = () => undefined, options: RepeatOptions = {}): Disposable {
  let busy = false;
  let failing = false;
  const failed = (error: unknown) => {
    failing = true;
    report(what, error);
  };
  const succeeded = () => {
    if (failing) recovered(what);
    failing = false;
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    try {
      const result = work();
      if (result instanceof Promise) {
        result.then(succeeded, failed).finally(() => {
          busy = false;
        });
        return;
      }
      succeeded();
    } catch (error) {
      failed(error);
    }
    busy = false;
  }, ms);
  if (!options.keepAlive) timer.unref?.();
  return { dispose: () => clearInterval(timer) };
}

/** A promise that resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
