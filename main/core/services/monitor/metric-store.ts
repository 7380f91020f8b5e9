import { readSetting, writeSetting } from '../../db/settings.js';
import type { Database, Statement } from 'better-sqlite3';
import type { MetricSeries } from '../../../../shared/domain/monitoring.js';

/** How long each resolution is kept, in seconds. */
export const RETENTION = { raw: 48 * 3600, fiveMinute: 30 * 86_400, hourly: 366 * 86_400 } as const;

const WATERMARK_5M = 'monitor.rollup.5m';
const WATERMARK_1H = 'monitor.rollup.1h';

/**
 * Metric history: raw samples for 48 hours, 5-minute buckets (avg/min/max)
 * for 30 days, hourly buckets for a year. Series are numbered so each sample
 * row is three numbers.
 */
export class MetricStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly insertSample: Statement;
  private readonly findSeries: Statement;
  private readonly insertSeries: Statement;

  constructor(private readonly db: Database) {
    this.insertSample = db.prepare('INSERT OR REPLACE INTO metric_raw (series_id, t, v) VALUES (?, ?, ?)');
    this.findSeries = db.prepare('SELECT id FROM metric_series WHERE device_id = ? AND key = ?').pluck();
    this.insertSeries = db.prepare('INSERT INTO metric_series (device_id, key, label, unit) VALUES (?, ?, ?, ?)');
  }

  /** Must run inside the caller's transaction. */
  record(deviceId: string, key: string, label: string, unit: string, epochSeconds: number, value: number): void {
    const cacheKey = `${deviceId}\u0000${key}`;
    let id = this.seriesIds.get(cacheKey);
    if (id === undefined) {
      id = (this.findSeries.get(deviceId, key) as number | undefined) ?? Number(this.insertSeries.run(deviceId, key, label, unit).lastInsertRowid);
      this.seriesIds.set(cacheKey, id);
    }
    this.insertSample.run(id, epochSeconds, value);
  }

  forgetDevice(deviceId: string): void {
    for (const key of this.seriesIds.keys()) if (key.startsWith(`${deviceId}\u0000`)) this.seriesIds.delete(key);
  }

  /**
   * Rolls closed raw samples into 5-minute buckets and closed 5-minute buckets
   * into hours, then drops what is past retention. Idempotent: watermarks say
   * what was rolled up already.
   */
  compact(nowSeconds: number): { rolled5m: number; rolled1h: number; deleted: number } {
    return this.db.transaction(() => {
      const setting = (key: string) => Number(readSetting(this.db, key) ?? 0);
      const save = (key: string, value: number) => writeSetting(this.db, key, String(value), new Date());
      const closed5m = Math.floor(nowSeconds / 300) * 300;
      const from5m = setting(WATERMARK_5M);
      const rolled5m = this.db
        .prepare(
          `INSERT OR REPLACE INTO metric_5m (series_id, t, avg, min, max, n)
           SELECT series_id, (t / 300) * 300, avg(v), min(v), max(v), count(*) FROM metric_raw WHERE t >= ? AND t < ? GROUP BY series_id, t / 300`,
        )
        .run(from5m, closed5m).changes;
      save(WATERMARK_5M, closed5m);
      const closed1h = Math.floor(nowSeconds / 3600) * 3600;
      const from1h = setting(WATERMARK_1H);
      const rolled1h = this.db
        .prepare(
          `INSERT OR REPLACE INTO metric_1h (series_id, t, avg, min, max, n)
           SELECT series_id, (t / 3600) * 3600, sum(avg * n) / sum(n), min(min), max(max), sum(n) FROM metric_5m WHERE t >= ? AND t < ? GROUP BY series_id, t / 3600`,
        )
        .run(from1h, closed1h).changes;
      save(WATERMARK_1H, closed1h);
      let deleted = this.db.prepare('DELETE FROM metric_raw WHERE t < ?').run(nowSeconds - RETENTION.raw).changes;
      deleted += this.db.prepare('DELETE FROM metric_5m WHERE t < ?').run(nowSeconds - RETENTION.fiveMinute).changes;
      deleted += this.db.prepare('DELETE FROM metric_1h WHERE t < ?').run(nowSeconds - RETENTION.hourly).changes;
      return { rolled5m, rolled1h, deleted };
    })();
  }

  /** A device's series over the last `hours`, at the finest resolution still kept for that span. */
  series(deviceId: string, hours: number, nowSeconds: number): MetricSeries[] {
    const since = nowSeconds - hours * 3600;
    const resolution: MetricSeries['resolution'] = hours * 3600 <= RETENTION.raw ? 'raw' : hours * 3600 <= RETENTION.fiveMinute ? '5m' : '1h';
    const table = resolution === 'raw' ? 'metric_raw' : resolution === '5m' ? 'metric_5m' : 'metric_1h';
    const column = resolution === 'raw' ? 'v' : 'avg';
    const points = this.db.prepare(`SELECT t, ${column} FROM ${table} WHERE series_id = ? AND t >= ? ORDER BY t`).raw();
    const series = this.db.prepare('SELECT id, key, label, unit FROM metric_series WHERE device_id = ? ORDER BY key').all(deviceId) as { id: number; key: string; label: string; unit: string }[];
    return series.map((each) => ({ key: each.key, label: each.label, unit: each.unit, resolution, points: points.all(each.id, since) as [number, number][] }));
  }
}
