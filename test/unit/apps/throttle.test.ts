import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../../main/core/services/apps/site-deploy.js';

/** Pipes `bytes` (in 64 KiB chunks) through the throttle on a fake clock; returns when each byte left, as [ms since start, bytes so far]. */
async function run(bytesPerSecond: number, bytes: number, idleBeforeMs = 0): Promise<[number, number][]> {
  const started = Date.now();
  const gate = throttle(bytesPerSecond);
  // Time passing before the first byte (a transfer slot, the engine's answer) must not become a burst.
  await vi.advanceTimersByTimeAsync(idleBeforeMs);
  const seen: [number, number][] = [];
  let total = 0;
  gate.on('data', (chunk: Buffer) => {
    total += chunk.length;
    seen.push([Date.now() - started - idleBeforeMs, total]);
  });
  const done = new Promise((resolve) => gate.on('end', resolve));
  Readable.from(Array.from({ length: Math.ceil(bytes / 65_536) }, (_, index) => Buffer.alloc(Math.min(65_536, bytes - index * 65_536)))).pipe(gate);
  while (total < bytes) await vi.advanceTimersByTimeAsync(10);
  await done;
  return seen;
}

describe('the bandwidth cap', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('never lets more through by any moment than the rate allows plus a quarter second, and takes as long as the rate says', async () => {
    const rate = 100_000;
    const seen = await run(rate, 1_000_000);
    for (const [ms, total] of seen) expect(total).toBeLessThanOrEqual((rate * ms) / 1000 + rate / 4 + 1);
    const [lastMs] = seen.at(-1)!;
    // 1 MB at 100 kB/s: ten seconds, less what the bucket held at most.
    expect(lastMs).toBeGreaterThanOrEqual(9_700);
    expect(lastMs).toBeLessThanOrEqual(10_100);
  });

  it('saves no burst from idle time before the transfer starts', async () => {
    const rate = 100_000;
    const seen = await run(rate, 500_000, 30_000);
    for (const [ms, total] of seen) expect(total).toBeLessThanOrEqual((rate * ms) / 1000 + rate / 4 + 1);
  });
});
