import { InvalidArgumentError } from 'commander';
import type { Core } from '../core/index.js';
import { startMonitoringWithLab } from '../lab/host.js';
import { labMockupDir } from './paths.js';

/** "off" (0: commander turns a parser's null into ""), or a UDP port for SNMP traps. */
export function parseTrapPort(value: string): number {
  if (value === 'off') return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError('a UDP port from 1 to 65535, or "off"');
  return port;
}

/** `trapPort` 0 means traps off, as parseTrapPort gives for "off". */
export function startMonitoring(core: Core, trapPort: number, quiet = false): Promise<void> {
  return startMonitoringWithLab(core, { trapPort: trapPort || null, labMockupDir: labMockupDir(), ...(quiet ? {} : { warn: (message: string) => console.error(`edgecab: ${message}`) }) });
}
