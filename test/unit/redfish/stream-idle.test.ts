/**
 * How long a Redfish event stream may stay silent: the client's limit until
 * the BMC's heartbeat cadence is known, then three heartbeats' worth (never
 * under 5 s, never over the client's limit).
 */
import { describe, expect, it } from 'vitest';
import { StreamIdle } from '../../../main/core/protocols/redfish/client.js';

const DEFAULT_MS = 300_000;

function beats(...atMs: number[]): StreamIdle {
  let now = 0;
  const idle = new StreamIdle(() => now);
  for (const at of atMs) {
    now = at;
    idle.heartbeat();
  }
  return idle;
}

describe('an event stream\'s idle limit', () => {
  it('is the client\'s own limit until two gaps between heartbeats were seen', () => {
    expect(beats().limitMs(DEFAULT_MS)).toBe(DEFAULT_MS);
    expect(beats(0).limitMs(DEFAULT_MS)).toBe(DEFAULT_MS);
    expect(beats(0, 30_000).limitMs(DEFAULT_MS)).toBe(DEFAULT_MS);
  });

  it('is three heartbeats once the cadence is known, taken from the longer of the last two gaps', () => {
    expect(beats(0, 30_000, 60_000).limitMs(DEFAULT_MS)).toBe(90_000);
    expect(beats(0, 20_000, 50_000).limitMs(DEFAULT_MS)).toBe(90_000);
    // Only the last two gaps count: a BMC that sped its heartbeat up is followed.
    expect(beats(0, 60_000, 70_000, 80_000).limitMs(DEFAULT_MS)).toBe(30_000);
  });

  it('never goes under 5 s (a burst of comments is no cadence) nor over the client\'s limit', () => {
    expect(beats(0, 10, 20).limitMs(DEFAULT_MS)).toBe(5_000);
    expect(beats(0, 200_000, 400_000).limitMs(DEFAULT_MS)).toBe(DEFAULT_MS);
  });
});
