import type { z } from 'zod';
import type { LabFaultInput, LabStartInput, LabStatus } from '../../../../shared/domain/monitoring.js';

/**
 * The lab fleet as the core sees it. The fleet itself (simulated BMCs and
 * SNMP devices) lives in main/lab; a host that offers it (server, CLI)
 * passes an implementation in, so the core stays free of simulators.
 */
export interface LabController {
  status(): LabStatus;
  start(input: z.output<typeof LabStartInput>): Promise<LabStatus>;
  fault(input: z.output<typeof LabFaultInput>): Promise<LabStatus>;
  stop(): Promise<LabStatus>;
}

export class LabUnavailableError extends Error {
  constructor() {
    super('This EdgeCab host does not offer a lab; run "edgecab serve" or "edgecab lab" instead');
    this.name = 'LabUnavailableError';
  }
}

export const NO_LAB: LabController = {
  status: () => ({ available: false, running: false, sites: [] }),
  start: () => Promise.reject(new LabUnavailableError()),
  fault: () => Promise.reject(new LabUnavailableError()),
  stop: () => Promise.resolve({ available: false, running: false, sites: [] }),
};
