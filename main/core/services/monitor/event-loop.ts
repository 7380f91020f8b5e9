import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Disposable } from '../../lib/disposable.js';

const WINDOW_MS = 60_000;

/** The event loop's delay, measured while monitoring runs, per minute: what a REST call or the UI waits behind the polls. */
export class EventLoopDelay {
  private histogram: IntervalHistogram | null = null;
  private lastMinuteP99: number | null = null;

  start(): Disposable {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    this.lastMinuteP99 = null;
    this.histogram = histogram;
    const timer = setInterval(() => {
      this.lastMinuteP99 = histogram.percentile(99) / 1e6;
      histogram.reset();
    }, WINDOW_MS);
    timer.unref?.();
    return {
      dispose: () => {
        clearInterval(timer);
        histogram.disable();
        if (this.histogram === histogram) {
          this.histogram = null;
          this.lastMinuteP99 = null;
        }
      },
    };
  }

  /** The last full minute's 99th percentile in ms; in the first minute, what was measured so far; null when not measuring. */
  p99Ms(): number | null {
    if (!this.histogram) return null;
    const value = this.lastMinuteP99 ?? (this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : null);
    return value === null ? null : Math.round(value * 10) / 10;
  }
}
