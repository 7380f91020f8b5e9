/**
 * The wizard's plan per step is an estimate from the work found and the time
 * this run measured per item, not a constant: more addresses or devices
 * make a step longer, measured slowness shows in the next steps, and a
 * large search pushes the projection past the two-hour budget.
 */
import { describe, expect, it } from 'vitest';
import { STEP_ESTIMATE_SECONDS, WIZARD_BUDGET_SECONDS, WIZARD_STEPS } from '../../../shared/domain/wizard.js';
import { stepPlan } from '../../../main/core/services/wizard/budget.js';

const total = (plan: Record<number, number>) => WIZARD_STEPS.reduce((sum, step) => sum + plan[step]!, 0);
const cabinet = { addresses: 254, bmcs: 4, snmpDevices: 4 };

describe('the wizard\'s plan per step', () => {
  it('is the generic estimate until something was found, and fits the budget for one cabinet on a /24', () => {
    expect(stepPlan(null, {})).toEqual(STEP_ESTIMATE_SECONDS);
    expect(total(stepPlan(cabinet, {}))).toBeLessThan(WIZARD_BUDGET_SECONDS);
  });

  it('grows with the work found: addresses for the search, BMCs and SNMP devices for securing', () => {
    const base = stepPlan(cabinet, {});
    const wider = stepPlan({ ...cabinet, addresses: 254 * 16 }, {});
    expect(wider[2]).toBeGreaterThan(base[2]);
    expect(wider[3]).toBe(base[3]);
    const more = stepPlan({ ...cabinet, bmcs: 40 }, {});
    expect(more[3]).toBeGreaterThan(base[3]);
    expect(more[4]).toBeGreaterThan(base[4]);
  });

  it('follows the time this run measured per item', () => {
    const base = stepPlan(cabinet, {});
    // Securing took 120 s per BMC here (a slow BMC), not the 15 s assumed: step 3 and the projection grow by that.
    const slow = stepPlan(cabinet, { timings: { secure: { count: 2, seconds: 240 } } });
    expect(slow[3] - base[3]).toBe(Math.ceil(4 / 8) * (120 - 15));
    const fast = stepPlan(cabinet, { timings: { discover: { count: 254, seconds: 254 * 0.1 } } });
    expect(fast[2]).toBeLessThan(base[2]);
  });

  it('passes the two-hour budget for a /16 searched at the pace measured', () => {
    const plan = stepPlan({ addresses: 65_536, bmcs: 4, snmpDevices: 4 }, { timings: { discover: { count: 100, seconds: 250 } } });
    expect(total(plan)).toBeGreaterThan(WIZARD_BUDGET_SECONDS);
  });
});
