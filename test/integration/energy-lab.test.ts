/**
 * Energy on a lab PDU (a real SNMP agent, PowerNet-MIB), polled by the
 * monitor on a clock the test moves (90 s a step, as the lab's readings
 * move): the kWh its own counter gives and the kWh integrated from its power
 * readings agree within 2 % over 12 hours; a counter reset in the middle
 * counts what the counter shows since, so no hour is negative and no day
 * doubled, and the reset is named; a tariff prices each hour in its band.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { LabPdu } from '../../main/lab/snmp/devices.js';
import { integratePower, type Sample } from '../../shared/domain/energy.js';
import { tempCore } from '../support/core.js';
import { SHANGHAI_TARIFF } from '../support/tariffs.js';

const START = Date.parse('2026-12-01T00:00:00Z');
const STEP_SECONDS = 90;
const HOURS = 12;

describe('energy of a lab PDU over half a day', () => {
  let clock = START;
  let core: Core;
  let cleanup: () => void;
  let pdu: LabPdu;
  let siteId = '';
  let deviceId = '';

  beforeAll(async () => {
    ({ core, cleanup } = tempCore(() => new Date(clock)));
    pdu = await new LabPdu({ name: 'energy-pdu', port: 0, address: '127.0.0.1', community: 'public', seed: 7 }).start();
    const client = core.client('test');
    const region = await client.regions.create({ name: 'Energy region' });
    const site = await client.sites.create({ name: 'Energy branch', code: 'EN-1', latitude: 31, longitude: 121, regionId: region.id });
    siteId = site.id;
    await client.energy.setTariff({
      regionId: region.id,
      tariff: SHANGHAI_TARIFF,
    });
    const cabinet = await client.cabinets.create({ siteId, templateId: 'edge-12u' });
    deviceId = cabinet.devices.find((device) => device.kind === 'pdu')!.id;
    await client.devices.connect({ id: deviceId, protocol: 'snmp', host: '127.0.0.1', port: pdu.port, version: '2c', community: 'public' });
    core.services.monitor.refreshTargets();

    for (let step = 0; step <= (HOURS * 3600) / STEP_SECONDS; step += 1) {
      if (step === (HOURS * 3600) / STEP_SECONDS / 2) pdu.resetEnergy();
      if (step > 0) pdu.tick(STEP_SECONDS);
      clock = START + step * STEP_SECONDS * 1000;
      await core.services.monitor.pollSite(siteId);
      core.services.monitor.flush();
    }
    clock += 10 * 60_000;
    core.services.energy.rollClosedHours();
  }, 240_000);
  afterAll(async () => {
    await core?.close();
    await pdu?.stop();
    cleanup?.();
  });

  const samples = (key: string): Sample[] =>
    core.db.prepare('SELECT r.t, r.v FROM metric_raw r JOIN metric_series s ON s.id = r.series_id WHERE s.device_id = ? AND s.key = ? ORDER BY r.t').raw().all(deviceId, key) as [number, number][];

  it('reads the counter and the power at every step', () => {
    expect(samples('pdu-energy').length).toBe((HOURS * 3600) / STEP_SECONDS + 1);
    expect(samples('pdu-power').length).toBe((HOURS * 3600) / STEP_SECONDS + 1);
  });

  it('takes each hour from the counter, and agrees with the power integrated within 2 %', () => {
    const hours = core.db.prepare('SELECT e.t, e.kwh, e.counter FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id WHERE f.device_id = ? ORDER BY e.t').all(deviceId) as { t: number; kwh: number; counter: number }[];
    expect(hours.map((hour) => hour.t)).toEqual(Array.from({ length: HOURS }, (_, index) => START / 1000 + index * 3600));
    expect(hours.every((hour) => hour.counter === 1 && hour.kwh > 0)).toBe(true);
    const fromCounter = hours.reduce((sum, hour) => sum + hour.kwh, 0);
    const integrated = integratePower(samples('pdu-power')).reduce((sum, hour) => sum + hour.kwh, 0);
    expect(fromCounter).toBeGreaterThan(5);
    expect(Math.abs(fromCounter / integrated - 1)).toBeLessThan(0.02);
    // Hour by hour too, the reset hour included: never negative, never doubled.
    const integratedHours = integratePower(samples('pdu-power'));
    for (const hour of hours) {
      const other = integratedHours.find((each) => each.hour === hour.t)!;
      expect(Math.abs(hour.kwh / other.kwh - 1), new Date(hour.t * 1000).toISOString()).toBeLessThan(0.06);
    }
  });

  it('names the reset, and the site view shows the day, its bands and its cost', () => {
    const energy = core.services.energy.site(siteId, 2);
    expect(energy.problems.map((problem) => problem.reason)).toEqual([expect.stringMatching(/^the counter went back from [\d.]+ to [\d.]+ kWh: counted as reset/)]);
    expect(energy.tariff).toMatchObject({ currency: 'CNY', timeZone: 'Asia/Shanghai' });
    const total = energy.days.reduce((sum, day) => sum + (day.inputKwh ?? 0), 0);
    const hourly = (core.db.prepare('SELECT sum(e.kwh) FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id WHERE f.device_id = ?').pluck().get(deviceId) as number);
    expect(total).toBeCloseTo(hourly, 6);
    // 00:00–12:00 UTC is 08:00–20:00 in Shanghai: 3 peak hours, 7 flat, 2 peak again.
    const day = energy.days[0]!;
    expect(day.day).toBe('2026-12-01');
    expect(day.valleyKwh).toBe(0);
    expect(day.peakKwh + day.flatKwh).toBeCloseTo(total, 6);
    expect(day.cost).toBeGreaterThan(day.flatKwh * 0.7);
    expect(energy.devices).toEqual([expect.objectContaining({ deviceId, role: 'pdu', source: 'counter' })]);
    // One meter only: no efficiency ratio is made up from it.
    expect(energy.totals.efficiency).toBeNull();
  });

  it('shows the site in the fleet view and the CSV export', async () => {
    const fleet = core.services.energy.fleet('all', 30);
    const site = fleet.sites.find((each) => each.siteId === siteId)!;
    expect(site.kwh).toBeGreaterThan(5);
    expect(site.currency).toBe('CNY');
    const { csv, filename } = core.services.energy.exportCsv('all', 30);
    expect(filename).toMatch(/^edgecab-energy-.*\.csv$/);
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('site_code,site_name,day,it_kwh,input_kwh,loss_kwh,efficiency,peak_kwh,flat_kwh,valley_kwh,cost,currency,hours,compared_hours');
    // The PDU alone: its hours measured, none compared (one meter).
    expect(lines[1]).toMatch(/^EN-1,Energy branch,2026-12-01,[\d.]+,[\d.]+,,,[\d.]+,[\d.]+,0,[\d.]+,CNY,12,0$/);
    // A site name a spreadsheet would run as a formula goes out defused; numbers stay numbers.
    await core.client('test').sites.update({ id: siteId, name: '-2+3+cmd|\' /C calc\'!A0' });
    const defused = core.services.energy.exportCsv('all', 30).csv.split('\r\n')[1]!;
    expect(defused.startsWith("EN-1,'-2+3+cmd|' /C calc'!A0,2026-12-01,")).toBe(true);
  });
});

describe('energy of a lab server from its BMC\'s own counter (Redfish EnvironmentMetrics.EnergykWh)', () => {
  let clock = START;
  let core: Core;
  let cleanup: () => void;
  let bmc: LabBmc;
  let deviceId = '';
  const HOURS_HERE = 3;

  beforeAll(async () => {
    ({ core, cleanup } = tempCore(() => new Date(clock)));
    bmc = await new LabBmc({ mockupDir: 'assets/lab/redfish-rackmount1', host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Server energy branch', code: 'EN-2', latitude: 31, longitude: 121 });
    const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
    deviceId = cabinet.devices.find((device) => device.kind === 'server')!.id;
    await client.devices.connect({ id: deviceId, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
    core.services.monitor.refreshTargets();
    const control = (bmc.resource('/redfish/v1/Chassis/1U/Power')!.PowerControl as { PowerConsumedWatts: number }[])[0]!;
    for (let step = 0; step <= (HOURS_HERE * 3600) / STEP_SECONDS; step += 1) {
      if (step > 0) {
        // The load moves between polls: the counter counts what was drawn, the readings see it at each poll.
        control.PowerConsumedWatts = Math.round(340 + 60 * Math.sin(step / 7));
        bmc.drawPower(STEP_SECONDS);
      }
      clock = START + step * STEP_SECONDS * 1000;
      await core.services.monitor.pollSite(site.id);
      core.services.monitor.flush();
    }
    clock += 10 * 60_000;
    core.services.energy.rollClosedHours();
  }, 240_000);
  afterAll(async () => {
    await core?.close();
    await bmc?.stop();
    cleanup?.();
  });

  it('counts the IT load from the chassis counter, agreeing with its power readings integrated within 2 %', () => {
    const hours = core.db.prepare('SELECT e.t, e.kwh, e.counter, f.role FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id WHERE f.device_id = ? ORDER BY e.t').all(deviceId) as { t: number; kwh: number; counter: number; role: string }[];
    expect(hours).toHaveLength(HOURS_HERE);
    expect(hours.every((hour) => hour.role === 'it' && hour.counter === 1)).toBe(true);
    const power = core.db.prepare("SELECT r.t, r.v FROM metric_raw r JOIN metric_series s ON s.id = r.series_id WHERE s.device_id = ? AND s.key LIKE 'power-%' ORDER BY r.t").raw().all(deviceId) as [number, number][];
    const integrated = integratePower(power).reduce((sum, hour) => sum + hour.kwh, 0);
    const counted = hours.reduce((sum, hour) => sum + hour.kwh, 0);
    expect(counted).toBeGreaterThan(0.9);
    expect(Math.abs(counted / integrated - 1)).toBeLessThan(0.02);
  });
});
