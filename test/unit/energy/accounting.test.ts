/**
 * Energy from power samples and from counters, per clock hour; counters that
 * reset, wrap or jump; tariff bands that must cover the day exactly once,
 * across midnight and in the site's own time zone.
 */
import { describe, expect, it } from 'vitest';
import { bandHours, costOf, counterEnergy, hourBalance, integratePower, localDay, runtimeWithCap, siteBalance, Tariff, type Sample } from '../../../shared/domain/energy.js';
import { SHANGHAI_TARIFF } from '../../support/tariffs.js';

const T0 = Date.parse('2026-12-01T00:00:00Z') / 1000;
const every = (seconds: number, count: number, value: (index: number) => number, from = T0): Sample[] => Array.from({ length: count }, (_, index) => [from + index * seconds, value(index)] as const);

const CHINA: Tariff = Tariff.parse(SHANGHAI_TARIFF);

describe('energy from power samples', () => {
  it('integrates a steady 1 kW into 1 kWh per clock hour, split at the hour', () => {
    const hours = integratePower(every(60, 121, () => 1000, T0 + 1800));
    expect(hours.map((hour) => [hour.hour - T0, Math.round(hour.kwh * 1000) / 1000, hour.coveredSeconds])).toEqual([
      [0, 0.5, 1800],
      [3600, 1, 3600],
      [7200, 0.5, 1800],
    ]);
  });

  it('counts nothing across a gap longer than 15 minutes (missing, not guessed)', () => {
    const samples: Sample[] = [...every(60, 11, () => 600), ...every(60, 11, () => 600, T0 + 3000)];
    const [hour] = integratePower(samples);
    expect(hour!.coveredSeconds).toBe(1200);
    expect(hour!.kwh).toBeCloseTo(0.2, 6);
  });
});

describe('energy from a counter', () => {
  it('takes the steps of a counter, per hour', () => {
    const { hours, problems } = counterEnergy(every(600, 13, (index) => 100 + index * 0.2), { maxKw: 10 });
    expect(problems).toEqual([]);
    expect(hours.map((hour) => Math.round(hour.kwh * 1000) / 1000)).toEqual([1.2, 1.2]);
  });

  it('counts a reset as what the counter shows since, never negative and never twice', () => {
    const samples: Sample[] = [[T0, 1951.6], [T0 + 600, 1951.8], [T0 + 1200, 0.1], [T0 + 1800, 0.3]];
    const { hours, problems } = counterEnergy(samples, { maxKw: 10 });
    expect(hours).toHaveLength(1);
    expect(hours[0]!.kwh).toBeCloseTo(0.2 + 0.1 + 0.2, 6);
    expect(problems.map((problem) => problem.reason)).toEqual(['the counter went back from 1951.8 to 0.1 kWh: counted as reset (0.1 kWh since)']);
  });

  it('follows a counter that wraps at its width, and refuses a jump beyond what the device can draw', () => {
    const wrap = counterEnergy([[T0, 429496.7], [T0 + 600, 0.2]], { maxKw: 10, wrapKwh: 429496.72 });
    expect(wrap.problems).toEqual([]);
    expect(wrap.hours[0]!.kwh).toBeCloseTo(0.22, 6);
    const jump = counterEnergy([[T0, 100], [T0 + 600, 5100], [T0 + 1200, 5100.2]], { maxKw: 10 });
    expect(jump.hours[0]!.kwh).toBeCloseTo(0.2, 6);
    expect(jump.problems[0]!.reason).toMatch(/jumped by 5000 kWh in 600 s \(more than 10 kW\): not counted/);
    const back = counterEnergy([[T0, 100], [T0 + 600, 90]], { maxKw: 10 });
    expect(back.hours).toEqual([]);
    expect(back.problems[0]!.reason).toMatch(/went back from 100 to 90 kWh: not counted/);
  });
});

describe('tariffs', () => {
  it('covers every hour of the day exactly once, or names what is wrong', () => {
    expect(bandHours(CHINA.periods).problems).toEqual([]);
    const overlapping = Tariff.safeParse({ periods: [{ band: 'flat', from: 0, to: 24, price: 0.7 }, { band: 'peak', from: 8, to: 9, price: 1 }] });
    expect(overlapping.success).toBe(false);
    expect(overlapping.error!.issues.map((issue) => issue.message)).toEqual(['08:00–09:00 is in period 1 and period 2']);
    const gap = Tariff.safeParse({ periods: [{ band: 'valley', from: 23, to: 7, price: 0.3 }, { band: 'flat', from: 7, to: 22, price: 0.7 }] });
    expect(gap.error!.issues.map((issue) => issue.message)).toEqual(['22:00–23:00 is in no period']);
    expect(Tariff.safeParse({ timeZone: 'Mars/Olympus', periods: [{ band: 'flat', from: 0, to: 24, price: 1 }] }).success).toBe(false);
  });

  it('prices each hour in the tariff\'s own time zone, across midnight', () => {
    // 1 kWh in each UTC hour of 1 December: in Shanghai (UTC+8) 00:00Z is 08:00, a peak hour; 15:00Z is 23:00, valley.
    const day = Array.from({ length: 24 }, (_, index) => ({ hour: T0 + index * 3600, kwh: 1 }));
    const { cost, kwh } = costOf(day, CHINA);
    expect(kwh).toEqual({ peak: 8, flat: 8, valley: 8 });
    expect(cost).toBeCloseTo(8 * 1.2 + 8 * 0.7 + 8 * 0.3, 6);
    const utc = costOf([{ hour: T0, kwh: 1 }], { ...CHINA, timeZone: 'UTC' });
    expect(utc.kwh.valley).toBe(1);
    expect(localDay(T0 + 15 * 3600, 'Asia/Shanghai')).toBe('2026-12-01');
    expect(localDay(T0 + 16 * 3600, 'Asia/Shanghai')).toBe('2026-12-02');
  });
});

describe('a site\'s balance', () => {
  it('is input ÷ IT load where both are metered, and no ratio from one meter alone', () => {
    expect(siteBalance({ it: 10, 'ups-input': 12, pdu: 10.5 })).toEqual({ itKwh: 10, inputKwh: 12, lossKwh: 2, coolingKwh: null, efficiency: 1.2 });
    expect(siteBalance({ pdu: 10 })).toMatchObject({ itKwh: 10, inputKwh: 10, lossKwh: null, efficiency: null });
    expect(siteBalance({ pdu: 10, 'ups-output': 10.4 })).toMatchObject({ itKwh: 10, inputKwh: 10.4, efficiency: 1.04 });
    expect(siteBalance({})).toMatchObject({ itKwh: null, inputKwh: null, efficiency: null });
  });
});

describe('a site\'s balance, hour by hour', () => {
  const complete = (kwh: number) => ({ kwh, complete: true });
  const partial = (kwh: number) => ({ kwh, complete: false });

  it('bills the most upstream meter that measured the whole hour, and compares it with an IT load measured whole', () => {
    expect(hourBalance({ 'ups-input': complete(1.2), pdu: complete(1.05), it: complete(1) })).toEqual({ inputRole: 'ups-input', inputKwh: 1.2, itKwh: 1, compared: true });
    // One UPS of two not read: the PDUs bill the hour, and they cannot also stand for the IT load they are the input of.
    expect(hourBalance({ 'ups-input': partial(0.6), pdu: complete(1.05), it: complete(1) })).toEqual({ inputRole: 'pdu', inputKwh: 1.05, itKwh: 1, compared: true });
  });

  it('gives no ratio when part of the IT load was not metered, rather than one that is too high', () => {
    // One server of three reports power: 0.4 kWh of IT against 1.2 kWh in would read 3.0.
    expect(hourBalance({ 'ups-input': complete(1.2), it: partial(0.4) })).toEqual({ inputRole: 'ups-input', inputKwh: 1.2, itKwh: 0.4, compared: false });
    // The PDU outlets see all of it: they stand for the IT load.
    expect(hourBalance({ 'ups-input': complete(1.2), pdu: complete(1.05), it: partial(0.4) })).toEqual({ inputRole: 'ups-input', inputKwh: 1.2, itKwh: 1.05, compared: true });
  });

  it('makes no ratio from one meter, and bills a partly measured hour from what there is', () => {
    expect(hourBalance({ pdu: complete(1) })).toEqual({ inputRole: 'pdu', inputKwh: 1, itKwh: 1, compared: false });
    expect(hourBalance({ it: partial(0.3) })).toEqual({ inputRole: 'it', inputKwh: 0.3, itKwh: 0.3, compared: false });
    expect(hourBalance({ 'ups-output': partial(0.5), pdu: partial(0.45) })).toEqual({ inputRole: 'ups-output', inputKwh: 0.5, itKwh: 0.45, compared: false });
    expect(hourBalance({ cooling: complete(0.2) })).toEqual({ inputRole: null, inputKwh: null, itKwh: null, compared: false });
  });
});

describe('the UPS runtime with a cap', () => {
  it('scales the runtime by the load the cap leaves; servers under the cap change nothing', () => {
    // 2 kW on the UPS, 20 min; two servers at 600 W and one at 250 W, capped at 300 W: 600 W less.
    expect(runtimeWithCap({ minutes: 20, loadWatts: 2000 }, [600, 600, 250], 300)).toEqual({ cappedLoadWatts: 1400, minutesWithCap: 20 * (2000 / 1400) });
    expect(runtimeWithCap({ minutes: 20, loadWatts: 2000 }, [250], 300)).toEqual({ cappedLoadWatts: 2000, minutesWithCap: 20 });
  });
});
