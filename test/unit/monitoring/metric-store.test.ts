import { afterEach, describe, expect, it } from 'vitest';
import { RETENTION } from '../../../main/core/services/monitor/metric-store.js';
import { tempCore } from '../../support/core.js';

describe('metric history', () => {
  let env: ReturnType<typeof tempCore>;
  afterEach(async () => {
    await env.core.close();
    env.cleanup();
  });

  it('rolls raw samples into 5-minute and hourly buckets, keeps each for its retention, and picks the resolution by span', () => {
    env = tempCore();
    const { services, db } = env.core;
    const site = services.sites.create({ name: 'Branch', code: 'M1', latitude: 30, longitude: 120, regionId: null, address: null, contact: null });
    const deviceId = services.cabinets.createForSite(site.id, 'edge-12u').devices[0]!.id;
    const metrics = services.monitor.metrics;
    const start = Date.parse('2026-11-20T00:00:00Z') / 1000;
    // Three days of one sample every 30 s: value = minutes since start, so bucket averages are easy to check.
    db.transaction(() => {
      for (let t = start; t < start + 3 * 86_400; t += 30) metrics.record(deviceId, 'power', 'Power', 'W', t, (t - start) / 60);
    })();
    const now = start + 3 * 86_400;
    const first = metrics.compact(now);
    expect(first.rolled5m).toBe((3 * 86_400) / 300);
    expect(first.rolled1h).toBe(72);
    const rawLeft = db.prepare('SELECT count(*) FROM metric_raw').pluck().get() as number;
    expect(rawLeft).toBe(RETENTION.raw / 30);
    const bucket = db.prepare('SELECT avg, min, max, n FROM metric_5m WHERE t = ?').get(start) as { avg: number; min: number; max: number; n: number };
    expect(bucket).toEqual({ avg: 2.25, min: 0, max: 4.5, n: 10 });
    const hour = db.prepare('SELECT avg, n FROM metric_1h WHERE t = ?').get(start) as { avg: number; n: number };
    expect(hour).toEqual({ avg: 29.75, n: 120 });
    // Running again adds nothing twice.
    expect(metrics.compact(now)).toEqual({ rolled5m: 0, rolled1h: 0, deleted: 0 });

    expect(metrics.series(deviceId, 1, now)[0]).toMatchObject({ resolution: 'raw', key: 'power', unit: 'W' });
    expect(metrics.series(deviceId, 1, now)[0]!.points).toHaveLength(120);
    expect(metrics.series(deviceId, 72, now)[0]!.resolution).toBe('5m');
    expect(metrics.series(deviceId, 72, now)[0]!.points).toHaveLength(864);
    expect(metrics.series(deviceId, 24 * 60, now)[0]!.resolution).toBe('1h');

    // A month and a half later the 5-minute buckets are gone, the hourly ones stay.
    const later = metrics.compact(now + 45 * 86_400);
    expect(later.deleted).toBeGreaterThan(0);
    expect(db.prepare('SELECT count(*) FROM metric_5m').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM metric_1h').pluck().get()).toBe(72);
  });
});
