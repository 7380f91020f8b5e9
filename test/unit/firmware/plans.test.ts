/**
 * Plan arithmetic: maintenance windows in the sites' local time (one that
 * runs past midnight, another time zone), and the apply time chosen from
 * what a BMC declares.
 */
import { describe, expect, it } from 'vitest';
import { currentWindowStart, insideWindow, nextWindowStart, windowEnd } from '../../../shared/domain/firmware-plans.js';
import { chooseApplyTime, isStagedApplyTime } from '../../../main/core/services/firmware/planner.js';

const shanghai = (local: string) => new Date(`${local}+08:00`);

describe('maintenance windows', () => {
  const night = { start: '23:30', minutes: 120, timeZone: 'Asia/Shanghai' };

  it('a window past midnight is open from its start to its end, local time, and closed outside', () => {
    expect(insideWindow(night, shanghai('2026-12-04T23:29:00'))).toBe(false);
    expect(insideWindow(night, shanghai('2026-12-04T23:30:00'))).toBe(true);
    expect(insideWindow(night, shanghai('2026-12-05T01:29:00'))).toBe(true);
    expect(insideWindow(night, shanghai('2026-12-05T01:30:00'))).toBe(false);
    expect(insideWindow(null, shanghai('2026-12-05T12:00:00'))).toBe(true);
  });

  it('says when it opens next, when the open one began and when it ends', () => {
    expect(nextWindowStart(night, shanghai('2026-12-04T12:00:00')).toISOString()).toBe(shanghai('2026-12-04T23:30:00').toISOString());
    expect(nextWindowStart(night, shanghai('2026-12-05T02:00:00')).toISOString()).toBe(shanghai('2026-12-05T23:30:00').toISOString());
    expect(currentWindowStart(night, shanghai('2026-12-05T00:45:00')).toISOString()).toBe(shanghai('2026-12-04T23:30:00').toISOString());
    expect(windowEnd(night, shanghai('2026-12-05T00:45:00')).toISOString()).toBe(shanghai('2026-12-05T01:30:00').toISOString());
  });

  it('follows the time zone it is given', () => {
    const berlin = { start: '02:00', minutes: 60, timeZone: 'Europe/Berlin' };
    expect(insideWindow(berlin, new Date('2026-12-04T01:30:00Z'))).toBe(true);
    expect(insideWindow(berlin, new Date('2026-12-04T02:30:00Z'))).toBe(false);
  });
});

describe('apply times', () => {
  it('stages where the BMC can wait (OnReset, then StartUpdate); never stages an Immediate-only or window-only BMC', () => {
    expect(chooseApplyTime(['Immediate', 'OnReset'], true)).toBe('OnReset');
    expect(chooseApplyTime(['Immediate', 'OnStartUpdateRequest'], true)).toBe('OnStartUpdateRequest');
    expect(chooseApplyTime(['Immediate'], true)).toBe('Immediate');
    expect(chooseApplyTime(['AtMaintenanceWindowStart'], true)).toBe('AtMaintenanceWindowStart');
    expect([isStagedApplyTime('OnReset'), isStagedApplyTime('OnStartUpdateRequest'), isStagedApplyTime('Immediate'), isStagedApplyTime('AtMaintenanceWindowStart')]).toEqual([true, true, false, false]);
  });

  it('by hand (no window): at once where the BMC can, else staged and activated now', () => {
    expect(chooseApplyTime(['Immediate', 'OnReset'], false)).toBe('Immediate');
    expect(chooseApplyTime(['OnReset'], false)).toBe('OnReset');
  });
});
