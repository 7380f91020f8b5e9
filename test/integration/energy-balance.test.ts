/**
 * A site's energy hour by hour, from samples as the monitor stores them:
 * an hour is counted once however often the rollup runs (the timer's way
 * and a direct call racing it too); a PDU counter read only on either side
 * of a long polling gap still gives the hour its share; a UPS meter that
 * starts reporting in the middle of a day bills only the hours it measured,
 * the PDU the hours before, each at its own hour's price; and a cabinet
 * whose IT load is only partly metered shows no efficiency, rather than one
 * far too high, until a meter that sees all of it (the PDU) stands for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { MetricStore } from '../../main/core/services/monitor/metric-store.js';
import { tempCore } from '../support/core.js';
import { SHANGHAI_TARIFF } from '../support/tariffs.js';

const HOUR = 3600;
// 2026-12-02 00:00 in Shanghai (UTC+8): the day runs from 16:00Z the day before.
const DAY_START = Date.parse('2026-12-01T16:00:00Z') / 1000;

describe('a site’s energy, hour by hour', () => {
  let clock = 0;
  let core: Core | undefined;
  let cleanup: (() => void) | undefined;
  afterEach(async () => {
    await core?.close();
    cleanup?.();
    core = undefined;
  });

  /** An edge-12u cabinet (UPS, PDU, two servers, a fan unit, a switch) at a site in a region with the tariff. */
  async function site() {
    ({ core, cleanup } = tempCore(() => new Date(clock * 1000)));
    const client = core.client('test');
    const region = await client.regions.create({ name: 'Jiangsu' });
    await client.energy.setTariff({ regionId: region.id, tariff: SHANGHAI_TARIFF });
    const created = await client.sites.create({ name: 'Balance branch', code: 'EB-1', latitude: 31, longitude: 120, regionId: region.id });
    const cabinet = await client.cabinets.create({ siteId: created.id, templateId: 'edge-12u' });
    const of = (kind: string) => cabinet.devices.filter((device) => device.kind === kind).map((device) => device.id);
    const metrics = new MetricStore(core.db);
    const draw = (deviceId: string, key: string, watts: number, from: number, to: number, step = 60) =>
      core!.db.transaction(() => {
        for (let t = from; t <= to; t += step) metrics.record(deviceId, key, key, 'W', t, watts);
      })();
    const count = (deviceId: string, readings: [number, number][]) =>
      core!.db.transaction(() => {
        for (const [t, kwh] of readings) metrics.record(deviceId, 'pdu-energy', 'Energy', 'kWh', t, kwh);
      })();
    // Rolled as of the start of that day: nothing before it is due.
    core.db.prepare("INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('energy.rollup.hour', ?, 'now')").run(String(DAY_START - HOUR));
    return { siteId: created.id, core, ups: of('ups')[0]!, pdu: of('pdu')[0]!, servers: of('server'), draw, count };
  }
  const day = (siteId: string) => core!.services.energy.site(siteId, 2).days.find((each) => each.day === '2026-12-02')!;

  it('counts an hour once, however often the rollup runs, the timer’s way and a direct call at the same time', async () => {
    const { siteId, pdu, draw } = await site();
    draw(pdu, 'pdu-power', 1000, DAY_START - 600, DAY_START + 2 * HOUR + 600);
    clock = DAY_START + 2 * HOUR + 301;
    const racing = core!.services.energy.rollDueHoursInTurns();
    const direct = core!.services.energy.rollClosedHours();
    const turns = await racing;
    expect(direct.hours + turns.hours).toBe(2);
    // Ticks of the timer before the next hour closes: nothing more is due.
    expect(core!.services.energy.rollClosedHours()).toEqual({ hours: 0, rows: 0 });
    expect(await core!.services.energy.rollDueHoursInTurns()).toEqual({ hours: 0, rows: 0 });
    clock += 10 * 60;
    expect(core!.services.energy.rollClosedHours().hours).toBe(0);
    const today = day(siteId);
    // 1 kW for two valley hours (00–02 Shanghai time): 2 kWh at 0.3.
    expect(today.inputKwh).toBeCloseTo(2, 6);
    expect(today.valleyKwh).toBeCloseTo(2, 6);
    expect(today.cost).toBeCloseTo(0.6, 6);
    expect(today.hours).toBe(2);
  });

  it('rolls nothing again when the clock steps back behind the last hour rolled (days ago, as a box booting before its time is set), and says so', async () => {
    const { siteId, pdu, draw } = await site();
    draw(pdu, 'pdu-power', 1000, DAY_START - 600, DAY_START + 2 * HOUR + 600);
    clock = DAY_START + 2 * HOUR + 301;
    expect(core!.services.energy.rollClosedHours().hours).toBe(2);
    clock -= 3 * 86_400;
    expect(core!.services.energy.rollClosedHours()).toEqual({ hours: 0, rows: 0 });
    expect(await core!.services.energy.rollDueHoursInTurns()).toEqual({ hours: 0, rows: 0 });
    expect(core!.services.health.problems().some((problem) => problem.key === 'energy.rollup' && /behind the last hour rolled/.test(problem.message))).toBe(true);
    clock += 3 * 86_400 + 600;
    core!.services.energy.rollClosedHours();
    expect(day(siteId).inputKwh).toBeCloseTo(2, 6);
  });

  it('keeps a PDU counter’s energy across a polling gap of 110 minutes: the hours rolled during the gap take none, the hour its end is read in takes all the gap owes', async () => {
    const { siteId, pdu, count } = await site();
    const at = (minutes: number) => DAY_START + minutes * 60;
    const hourKwh = () =>
      core!.db.prepare('SELECT e.t, e.kwh, e.covered FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id WHERE f.device_id = ? ORDER BY e.t').all(pdu) as { t: number; kwh: number; covered: number }[];
    // Read at 00:00 and 00:50, then the WAN is down: the hours are rolled as the timer rolls them, at 01:05 and 02:05.
    count(pdu, [[at(0), 100], [at(50), 101]]);
    clock = at(65) + 1;
    expect(core!.services.energy.rollClosedHours().hours).toBe(1);
    clock = at(125) + 1;
    expect(core!.services.energy.rollClosedHours().hours).toBe(1);
    expect(hourKwh().map((hour) => [hour.t, Math.round(hour.kwh * 1000) / 1000, hour.covered])).toEqual([[DAY_START, 1, 50 * 60]]);
    // Back at 02:40 (the counter moved 2.2 kWh in 110 minutes: 1.2 kW throughout), read again at 03:00.
    count(pdu, [[at(160), 103.2], [at(180), 103.6]]);
    clock = at(185) + 1;
    core!.services.energy.rollClosedHours();
    const hours = hourKwh();
    // 02–03: its 40 minutes of the gap and the 20 after (1.2 kWh), and the 70 minutes of the gap in hours already rolled (1.4 kWh).
    expect(hours.map((hour) => hour.t)).toEqual([DAY_START, DAY_START + 2 * HOUR]);
    expect(hours[1]!.kwh).toBeCloseTo(2.6, 6);
    expect(day(siteId).inputKwh).toBeCloseTo(3.6, 6);
    // Nothing more is counted when the next hour is rolled from the same readings.
    clock = at(245) + 1;
    core!.services.energy.rollClosedHours();
    expect(day(siteId).inputKwh).toBeCloseTo(3.6, 6);
  });

  it('spreads the same gap over its hours when its end is already read when they are rolled', async () => {
    const { siteId, pdu, count } = await site();
    const at = (minutes: number) => DAY_START + minutes * 60;
    count(pdu, [[at(0), 100], [at(50), 101], [at(160), 103.2], [at(180), 103.6]]);
    clock = DAY_START + 3 * HOUR + 301;
    core!.services.energy.rollClosedHours();
    const hours = core!.db
      .prepare('SELECT e.t, e.kwh, e.covered, e.counter FROM energy_hourly e JOIN energy_feeds f ON f.id = e.feed_id WHERE f.device_id = ? ORDER BY e.t')
      .all(pdu) as { t: number; kwh: number; covered: number; counter: number }[];
    expect(hours.map((hour) => hour.t)).toEqual([DAY_START, DAY_START + HOUR, DAY_START + 2 * HOUR]);
    // 00–01: 1 kWh to 00:50, then 10 of the gap's 110 minutes: 0.2; 01–02: 60 of them, 1.2; 02–03: 40 of them and the last 20 minutes.
    expect(hours.map((hour) => Math.round(hour.kwh * 1000) / 1000)).toEqual([1.2, 1.2, 1.2]);
    expect(hours.every((hour) => hour.covered === HOUR && hour.counter === 1)).toBe(true);
    expect(day(siteId).inputKwh).toBeCloseTo(3.6, 6);
  });

  it('bills each hour from the best meter that measured it: the PDU until the UPS reports, the UPS input after, each at its hour’s price', async () => {
    const { siteId, ups, pdu, draw } = await site();
    // 06:00–10:00 Shanghai time: the PDU all along at 1 kW; the UPS input from 08:00 at 1.25 kW (its losses are now seen).
    draw(pdu, 'pdu-power', 1000, DAY_START + 6 * HOUR, DAY_START + 10 * HOUR + 600);
    draw(ups, 'ups-input-power', 1250, DAY_START + 8 * HOUR, DAY_START + 10 * HOUR + 600);
    clock = DAY_START + 10 * HOUR + 301;
    core!.services.energy.rollClosedHours();
    const today = day(siteId);
    // 06–07 valley and 07–08 flat from the PDU (1 kWh each); 08–10 peak from the UPS input (1.25 kWh each).
    expect(today.valleyKwh).toBeCloseTo(1, 6);
    expect(today.flatKwh).toBeCloseTo(1, 6);
    expect(today.peakKwh).toBeCloseTo(2.5, 6);
    expect(today.inputKwh).toBeCloseTo(4.5, 6);
    expect(today.cost).toBeCloseTo(0.3 + 0.7 + 2.5 * 1.2, 6);
    // The UPS against the PDU (all of the IT load behind it) only for the hours both measured.
    expect(today.comparedHours).toBe(2);
    expect(today.efficiency).toBeCloseTo(1.25, 6);
    expect(today.lossKwh).toBeCloseTo(0.5, 6);
  });

  it('shows no efficiency while one server of two is metered, and the UPS against the PDU once the PDU reports', async () => {
    const { siteId, ups, pdu, servers, draw } = await site();
    // 00–02: the UPS input (1.2 kW) and one server (400 W): 1.2 ÷ 0.4 would read 3.0.
    draw(ups, 'ups-input-power', 1200, DAY_START - 600, DAY_START + 4 * HOUR + 600);
    draw(servers[0]!, 'power-1U', 400, DAY_START - 600, DAY_START + 4 * HOUR + 600);
    // 02–04: the PDU reports too (1.05 kW: both servers, the switch and the fan).
    draw(pdu, 'pdu-power', 1050, DAY_START + 2 * HOUR - 600, DAY_START + 4 * HOUR + 600);
    clock = DAY_START + 2 * HOUR + 301;
    core!.services.energy.rollClosedHours();
    expect(day(siteId)).toMatchObject({ hours: 2, comparedHours: 0, efficiency: null, lossKwh: null });
    expect(day(siteId).inputKwh).toBeCloseTo(2.4, 6);
    clock = DAY_START + 4 * HOUR + 301;
    core!.services.energy.rollClosedHours();
    const today = day(siteId);
    expect(today).toMatchObject({ hours: 4, comparedHours: 2 });
    expect(today.efficiency).toBeCloseTo(1.2 / 1.05, 6);
    expect(today.lossKwh).toBeCloseTo(2 * 0.15, 6);
    const fleet = core!.services.energy.fleet('all', 2).sites.find((each) => each.siteId === siteId)!;
    expect(fleet.efficiency).toBeCloseTo(1.2 / 1.05, 6);
    expect(fleet.kwh).toBeCloseTo(4.8, 6);
  });
});
