/**
 * A site drawing well beyond its own normal for that hour and weekday raises
 * an alarm through the alarm engine, in both languages' terms, and the alarm
 * clears when the site is back to normal. The baseline is the same hour of
 * the 4 weeks before (kept as rolled hours); the hours under test are rolled
 * from power samples as the monitor stores them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { EnergyStore } from '../../main/core/services/energy/energy-store.js';
import { MetricStore } from '../../main/core/services/monitor/metric-store.js';
import { tempCore } from '../support/core.js';

const WEEK = 7 * 86_400;

describe('energy anomalies', () => {
  let clock = Date.parse('2026-12-03T10:00:00Z');
  let core: Core;
  let cleanup: () => void;
  let siteId = '';
  let serverId = '';
  const hour = Date.parse('2026-12-03T08:00:00Z') / 1000;

  beforeAll(async () => {
    ({ core, cleanup } = tempCore(() => new Date(clock)));
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Anomaly branch', code: 'AN-1', latitude: 31, longitude: 121 });
    siteId = site.id;
    const cabinet = await client.cabinets.create({ siteId, templateId: 'edge-12u' });
    serverId = cabinet.devices.find((device) => device.kind === 'server')!.id;
    // Four weeks of the same hour at about 0.4 kWh (a 400 W server), as earlier rollups left them.
    const store = new EnergyStore(core.db);
    for (const [weeks, kwh] of [[1, 0.41], [2, 0.38], [3, 0.4], [4, 0.43]] as const) store.putHour({ deviceId: serverId, role: 'it', t: hour - weeks * WEEK, kwh, covered: 3600, counter: false });
    // The watermark: everything before the hour under test is done.
    core.db.prepare("INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('energy.rollup.hour', ?, 'now')").run(String(hour - 3600));
  });
  afterAll(async () => {
    await core?.close();
    cleanup?.();
  });

  const drawFor = (from: number, to: number, watts: number) => {
    const metrics = new MetricStore(core.db);
    core.db.transaction(() => {
      for (let t = from; t <= to; t += 60) metrics.record(serverId, 'power-1U', 'power', 'W', t, watts);
    })();
  };
  const anomaly = () => core.services.alarms.list({ siteId, state: 'active', includeMuted: true, rootsOnly: false }).alarms.filter((alarm) => alarm.messageKey === 'energyAnomaly');

  it('raises an alarm when the site draws three times its usual for that hour and weekday', () => {
    drawFor(hour - 600, hour + 3600 + 600, 1200);
    clock = (hour + 3600 + 301) * 1000;
    expect(core.services.energy.rollClosedHours()).toMatchObject({ hours: 1, rows: 1 });
    const [alarm] = anomaly();
    expect(alarm).toMatchObject({ severity: 'warning', category: 'power', params: { kwh: 1.2, baseline: 0.4, percent: 196, hour: '08:00Z' } });
    expect(alarm!.message).toBe('The site drew 1.2 kWh in the hour from 08:00Z, 196% above its usual 0.4 kWh for that hour and weekday');
  });

  it('clears it when the next hour is back to normal (its own baseline: the same hour of earlier weeks)', () => {
    const store = new EnergyStore(core.db);
    for (const weeks of [1, 2, 3]) store.putHour({ deviceId: serverId, role: 'it', t: hour + 3600 - weeks * WEEK, kwh: 0.4, covered: 3600, counter: false });
    drawFor(hour + 3600 + 660, hour + 7200 + 600, 420);
    clock = (hour + 7200 + 301) * 1000;
    expect(core.services.energy.rollClosedHours()).toMatchObject({ hours: 1 });
    expect(anomaly()).toEqual([]);
    expect(core.services.alarms.list({ siteId, state: 'cleared', includeMuted: true, rootsOnly: false }).alarms.some((alarm) => alarm.messageKey === 'energyAnomaly')).toBe(true);
  });
});
