import { setMaxListeners } from 'node:events';

export interface Deadline {
  /** Aborts at the deadline (a TimeoutError, as AbortSignal.timeout's) or when the parent aborts (with its reason). */
  signal: AbortSignal;
  /** Lets go of the timer and of the parent: call it when the work settled. */
  release(): void;
}

/**
 * A signal that aborts after `ms` or with `parent`: one controller and one
 * timer, released when the work is done. AbortSignal.any over
 * AbortSignal.timeout did the same at several times the cost, and its
 * timers stayed until they fired: at two hundred polls a second, of a
 * dozen requests each, that was a tenth of the monitor's time.
 */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  timer.unref?.();
  const onParent = () => controller.abort(parent!.reason);
  if (parent) {
    if (parent.aborted) onParent();
    else {
      // A poll's signal is shared by all its requests: more than the default ten listeners at once is expected.
      setMaxListeners(0, parent);
      parent.addEventListener('abort', onParent, { once: true });
    }
  }
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
