import type { Core } from '../core/index.js';
import { createLabController } from './controller.js';

/**
 * What every host does at start: offer the lab fleet through the API and
 * start monitoring. A trap port in use only costs the traps (reported through
 * `warn`), never the monitoring.
 */
export async function startMonitoringWithLab(core: Core, options: { trapPort: number | null; labMockupDir: string; warn?: (message: string) => void }): Promise<void> {
  core.services.lab = createLabController(core.services, {
    mockupDir: options.labMockupDir,
    trapTo: () => (core.services.monitor.trapPort ? { host: '127.0.0.1', port: core.services.monitor.trapPort } : null),
  });
  try {
    await core.startMonitoring({ trapPort: options.trapPort });
  } catch (error) {
    options.warn?.(`SNMP traps are off: ${(error as Error).message}`);
    await core.startMonitoring({ trapPort: null });
  }
}
