import type { Core, MonitorOptions } from '../core/index.js';
import { createLabController } from './controller.js';

/**
 * What every host does at start: offer the lab fleet through the API and
 * start monitoring. A trap or event port in use only costs that intake
 * (reported through `warn`), never the monitoring.
 */
export async function startMonitoringWithLab(core: Core, options: MonitorOptions & { labMockupDir: string; warn?: (message: string) => void }): Promise<void> {
  const { labMockupDir, warn, ...monitor } = options;
  core.services.lab = createLabController(core.services, {
    mockupDir: labMockupDir,
    trapTo: () => (core.services.monitor.trapPort ? { host: '127.0.0.1', port: core.services.monitor.trapPort } : null),
  });
  const { warnings } = await core.startMonitoring(monitor);
  for (const warning of warnings) warn?.(warning);
}
