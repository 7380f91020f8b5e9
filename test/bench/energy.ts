/**
 * Energy benchmark: 910 sites with an edge-42u cabinet each (10,010 metered
 * devices: servers, storage, switches, UPS output and input, PDUs with
 * power and their kWh counter, cooling), their power samples written as the
 * monitor writes them (MetricStore, one every 45 s), and the paths users run:
 *   energy.rollup_ms               one closed hour of raw samples rolled into hourly and daily kWh for every device
 *                                  (counters where they are, integration elsewhere), as the service does each hour (target < 2,000 ms)
 *   energy.rollup_longest_turn_ms  the same hour rolled again as the server's timer rolls it (feeds read a few hundred per turn of the event loop,
 *                                  then written at once): the longest the event loop was held (what polls and requests wait at most)
 *   energy.vs_sql                  rollup_ms ÷ the time of one plain SQL average per series over the same samples (the peer: a floor)
 *   energy.fleet_30d_ms            the fleet view over 30 days of daily kWh and cost of all devices
 *   energy.site_30d_ms             one site's view over 30 days (days, devices, 48 hours)
 *   energy.db_bytes_per_device_day bytes of hourly and daily energy rows per metered device and day
 *   energy.rss_mb                  the process's peak resident memory
 * The suite fails when any hour was not rolled for a device that had samples, or a view is wrong.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createCore } from '../../main/core/index.js';
import { EnergyStore } from '../../main/core/services/energy/energy-store.js';
import { roleOf } from '../../main/core/services/energy/rollup.js';
import { MetricStore } from '../../main/core/services/monitor/metric-store.js';
import { tempDir } from '../support/core.js';
import { SHANGHAI_TARIFF } from '../support/tariffs.js';
import { bench, Failures } from './report.js';

const SITES = 910;
const POLL_SECONDS = 45;
const DAYS = 30;
const failures = new Failures('energy');
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const data = tempDir();
const core = createCore({ dataDir: data.dir, host: 'server' });
try {
  const client = core.client('bench');
  const region = await client.regions.create({ name: 'Bench province' });
  await client.energy.setTariff({ regionId: region.id, tariff: SHANGHAI_TARIFF });
  const devices: { id: string; kind: string }[] = [];
  const siteIds: string[] = [];
  for (let index = 0; index < SITES; index += 1) {
    const site = await client.sites.create({ name: `Bench branch ${index + 1}`, code: `EB-${String(index + 1).padStart(4, '0')}`, latitude: 30 + (index % 90) / 10, longitude: 110 + Math.floor(index / 90), regionId: region.id });
    siteIds.push(site.id);
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
    devices.push(...cabinet.devices.filter((device) => device.kind !== 'environment').map((device) => ({ id: device.id, kind: device.kind })));
  }
  bench('energy.devices', devices.length, 'devices');

  // One hour of samples, and the quarter hours around it that its edge trapezoids need, as the monitor records them.
  const now = Math.floor(Date.now() / 1000);
  const hour = Math.floor(now / 3600) * 3600 - 2 * 3600;
  const metrics = new MetricStore(core.db);
  const seriesOf = (kind: string): { key: string; unit: string; value: (t: number, base: number) => number }[] => {
    const watts = (t: number, base: number) => base + 20 * Math.sin(t / 600);
    switch (kind) {
      case 'ups':
        return [{ key: 'ups-power', unit: 'W', value: (t, base) => watts(t, base * 8) }, { key: 'ups-input-power', unit: 'W', value: (t, base) => watts(t, base * 8.6) }];
      case 'pdu':
        return [{ key: 'pdu-power', unit: 'W', value: (t, base) => watts(t, base * 4) }, { key: 'pdu-energy', unit: 'kWh', value: (t, base) => 1000 + ((base * 4) / 1000) * ((t - hour) / 3600 + 2) }];
      default:
        return [{ key: kind === 'server' ? 'power-1U' : 'power', unit: 'W', value: watts }];
    }
  };
  let samples = 0;
  core.db.transaction(() => {
    devices.forEach((device, index) => {
      const base = 150 + (index % 7) * 40;
      for (const series of seriesOf(device.kind)) {
        if (!roleOf({ kind: device.kind, key: series.key, unit: series.unit })) continue;
        for (let t = hour - 15 * 60; t < hour + 3600 + 15 * 60; t += POLL_SECONDS) {
          metrics.record(device.id, series.key, series.key, series.unit, t, Math.round(series.value(t, base) * 10) / 10);
          samples += 1;
        }
      }
    });
  })();
  bench('energy.samples', samples, 'samples');

  // Only that hour is due: the watermark says the hour before is done.
  core.db.prepare("INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('energy.rollup.hour', ?, ?)").run(String(hour - 3600), new Date().toISOString());
  const rollStart = performance.now();
  const rolled = core.services.energy.rollClosedHours(hour + 3600 + 301);
  const rollupMs = performance.now() - rollStart;
  const expectedRows = devices.reduce((sum, device) => sum + (device.kind === 'ups' ? 2 : 1), 0);
  if (rolled.hours !== 1 || rolled.rows !== expectedRows) failures.add('rollup', `rolled ${rolled.hours} hours and ${rolled.rows} rows, expected 1 and ${expectedRows}`);
  bench('energy.rollup_ms', rollupMs, 'ms');
  // Every device's hour against what its load was (base W plus a sine that averages out over the hour): 2 % at most,
  // or a tenth of a kWh where it comes from a PDU's counter, which counts in tenths.
  const base = new Map(devices.map((device, index) => [device.id, 150 + (index % 7) * 40]));
  const expectedKwh = (kind: string, role: string, watts: number) => (kind === 'ups' ? (role === 'ups-input' ? 8.6 : 8) : kind === 'pdu' ? 4 : 1) * watts / 1000;
  const kinds = new Map(devices.map((device) => [device.id, device.kind]));
  let wrong = 0;
  for (const [deviceId, role, kwh] of core.db.prepare('SELECT f.device_id, f.role, e.kwh FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id WHERE e.t = ?').raw().all(hour) as [string, string, number][]) {
    const expected = expectedKwh(kinds.get(deviceId)!, role, base.get(deviceId)!);
    if (Math.abs(kwh - expected) > Math.max(0.02 * expected, role === 'pdu' ? 0.1 : 0)) wrong += 1;
  }
  if (wrong > 0) failures.add('rollup kWh', `${wrong} devices' hour is more than 2 % from the load they drew`);
  // The timer's way, on the same hour rolled afresh: the event loop's longest hold while it runs.
  core.db.transaction(() => {
    core.db.prepare('DELETE FROM energy_hourly').run();
    core.db.prepare('DELETE FROM energy_daily').run();
    core.db.prepare('DELETE FROM energy_site_daily').run();
    core.db.prepare('DELETE FROM energy_counter_cursors').run();
    core.db.prepare("UPDATE settings SET value = ? WHERE key = 'energy.rollup.hour'").run(String(hour - 3600));
  })();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const inTurns = await core.services.energy.rollDueHoursInTurns();
  delay.disable();
  const rolledAgain = core.db.prepare('SELECT count(*) FROM energy_hourly WHERE t = ?').pluck().get(hour) as number;
  if (inTurns.hours < 1 || rolledAgain !== expectedRows) failures.add('rollup in turns', `rolled ${inTurns.hours} hours, ${rolledAgain} rows of the hour, expected ${expectedRows}`);
  bench('energy.rollup_longest_turn_ms', delay.max / 1e6, 'ms');
  const sqlStart = performance.now();
  const peer = core.db.prepare('SELECT series_id, count(*), avg(v) FROM metric_raw WHERE t >= ? AND t < ? GROUP BY series_id').raw().all(hour - 15 * 60, hour + 3600 + 15 * 60);
  const sqlMs = performance.now() - sqlStart;
  if (peer.length === 0) failures.add('peer', 'the plain SQL average found no samples');
  bench('energy.vs_sql', rollupMs / sqlMs, 'x');

  // 30 days of hours and days, as 30 days of rolled hours leave them (the same statements the rollup writes with).
  const store = new EnergyStore(core.db);
  const roles = core.db.prepare('SELECT f.id, f.device_id, f.role, c.site_id FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id JOIN devices d ON d.id = f.device_id JOIN cabinets c ON c.id = d.cabinet_id WHERE e.t = ?').raw().all(hour) as [number, string, 'it' | 'pdu' | 'ups-output' | 'ups-input' | 'cooling', string][];
  const bytesOf = (tables: string[]) => core.db.prepare(`SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (${tables.map(() => '?').join(', ')})`).pluck().get(...tables) as number;
  const HOURLY = ['energy_hourly', 'energy_hourly_t'];
  const DAILY = ['energy_daily', 'energy_daily_day', 'energy_site_daily', 'energy_site_daily_day'];
  const hourlyBefore = bytesOf(HOURLY);
  const dailyBefore = bytesOf(DAILY);
  // Hours of 3 days (enough to measure a row's size), days of 30 (what the fleet view reads).
  const hourDays = 3;
  core.db.transaction(() => {
    for (let day = 1; day <= DAYS; day += 1) {
      const date = new Date((hour - day * 86_400) * 1000).toISOString().slice(0, 10);
      for (const [, deviceId, role, siteId] of roles) {
        if (day <= hourDays) for (let h = 0; h < 24; h += 1) store.putHour({ deviceId, role, t: hour - day * 86_400 + h * 3600, kwh: 0.3, covered: 3600, counter: role === 'pdu' });
        store.addDay(siteId, role, date, { kwh: 7.2, peak: 2.4, flat: 3.0, valley: 1.8, cost: 5.8, currency: 'CNY', covered: 86_400 });
      }
      for (const siteId of siteIds) {
        store.addSiteDay({ siteId, day: date, inputKwh: 62, peak: 20.6, flat: 25.8, valley: 15.6, cost: 49.9, currency: 'CNY', itKwh: 57.6, comparedInputKwh: 62, comparedItKwh: 57.6, hours: 24, comparedHours: 24 });
      }
    }
  })();
  const hourRow = (bytesOf(HOURLY) - hourlyBefore) / (hourDays * 24 * roles.length);
  const dailyPerDay = (bytesOf(DAILY) - dailyBefore) / DAYS;
  if (!(hourRow > 0 && dailyPerDay > 0)) failures.add('db size', `hour row ${hourRow} bytes, a day of site rows ${dailyPerDay} bytes`);
  // A metered device's day: 24 hourly rows per role (a UPS has two), and its part of its site's daily rows, with their indexes.
  bench('energy.db_bytes_per_device_day', (24 * hourRow * roles.length + dailyPerDay) / devices.length, 'bytes');

  const fleetStart = performance.now();
  const fleet = core.services.energy.fleet('all', DAYS);
  bench('energy.fleet_30d_ms', performance.now() - fleetStart, 'ms');
  if (fleet.sites.length !== SITES || fleet.totalKwh <= 0 || fleet.costs[0]?.currency !== 'CNY') failures.add('fleet view', `${fleet.sites.length} sites, ${fleet.totalKwh} kWh, costs ${JSON.stringify(fleet.costs)}`);
  // The median of five sites' views (one is noise on a shared machine).
  const siteTimes: number[] = [];
  let site = core.services.energy.site(siteIds[0]!, DAYS);
  for (const siteId of siteIds.slice(0, 5)) {
    const siteStart = performance.now();
    site = core.services.energy.site(siteId, DAYS);
    siteTimes.push(performance.now() - siteStart);
  }
  bench('energy.site_30d_ms', siteTimes.sort((a, b) => a - b)[2]!, 'ms');
  if (site.days.length < DAYS || site.devices.length === 0) failures.add('site view', `${site.days.length} days, ${site.devices.length} devices`);
  // maxRSS (KiB) also sees the peak inside the synchronous rollup, when the sampling timer cannot run.
  bench('energy.rss_mb', Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1e6, 'MB');
} catch (error) {
  failures.add('run', error);
} finally {
  clearInterval(rssTimer);
  await core.close();
  data.cleanup();
  failures.report();
}
