import { STEP_ESTIMATE_SECONDS, WIZARD_STEPS, type WizardStep } from '../../../../shared/domain/wizard.js';
import type { RunData } from './run-store.js';

/** What an item of each kind usually takes, in seconds, before this run has measured any. */
const DEFAULT_ITEM_SECONDS: Record<string, number> = { discover: 2, connect: 1, secure: 15, snmpv3: 10, ntp: 3, dns: 3, hostname: 3, events: 5, baseline: 10, verify: 5 };
/** The time a person needs around the machine's work in each step: typing, comparing fingerprints, reading. */
const PERSON_SECONDS: Record<WizardStep, number> = { 1: 10 * 60, 2: 15 * 60, 3: 3 * 60, 4: 5 * 60, 5: 10 * 60 };
const CONCURRENCY: Record<string, number> = { discover: 32, connect: 1, secure: 8, snmpv3: 8, ntp: 8, dns: 8, hostname: 8, events: 8, baseline: 8, verify: 8 };
const STEP_WORK: Record<WizardStep, readonly string[]> = { 1: [], 2: ['discover', 'connect'], 3: ['secure', 'snmpv3'], 4: ['ntp', 'dns', 'hostname', 'events', 'baseline'], 5: ['verify'] };

export interface WorkFound {
  /** Addresses to search (step 2). */
  addresses: number;
  bmcs: number;
  snmpDevices: number;
}

function perItem(kind: string, data: RunData): number {
  const measured = data.timings?.[kind];
  return measured && measured.count > 0 ? measured.seconds / measured.count : (DEFAULT_ITEM_SECONDS[kind] ?? 5);
}

function items(kind: string, work: WorkFound): number {
  switch (kind) {
    case 'discover':
      return work.addresses;
    case 'connect':
      return work.bmcs + work.snmpDevices;
    case 'secure':
    case 'ntp':
    case 'dns':
    case 'hostname':
    case 'events':
      return work.bmcs;
    case 'snmpv3':
      return work.snmpDevices;
    default:
      return work.bmcs + work.snmpDevices;
  }
}

/**
 * Each step's plan from the work found (addresses to search, BMCs and SNMP
 * devices to secure and configure) and the time measured per item so far in
 * this run; before discovery has found anything, the generic estimates.
 */
export function stepPlan(work: WorkFound | null, data: RunData): Record<WizardStep, number> {
  const plan = { ...STEP_ESTIMATE_SECONDS };
  if (!work) return plan;
  for (const step of WIZARD_STEPS) {
    const machine = STEP_WORK[step].reduce((sum, kind) => sum + Math.ceil(items(kind, work) / (CONCURRENCY[kind] ?? 1)) * perItem(kind, data), 0);
    plan[step] = Math.round(PERSON_SECONDS[step] + machine);
  }
  return plan;
}
