import { Command, InvalidArgumentError } from 'commander';
import type { Core } from '../core/index.js';
import { DEFAULT_TRAP_PORT } from '../core/protocols/snmp/traps.js';
import { DEFAULT_EVENTS_PORT } from '../core/services/monitor/intake/redfish-push.js';
import { startMonitoringWithLab } from '../lab/host.js';
import { labMockupDir } from './paths.js';


/** "off" (0: commander turns a parser's null into ""), or a port. */
export function parseTrapPort(value: string): number {
  if (value === 'off') return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError('a port from 1 to 65535, or "off"');
  return port;
}

function parseAddress(value: string): string {
  if (!/^[0-9A-Fa-f.:]+$/.test(value)) throw new InvalidArgumentError('an IP address of this machine (0.0.0.0: every interface)');
  return value;
}

export interface IntakeCliOptions {
  /** 0: off (see parseTrapPort). */
  trapPort: number;
  trapAddress: string;
  /** 0: off. */
  eventsPort: number;
  eventsAddress: string;
}

/** The options of the intake of traps and pushed events, the same for `serve` and `lab`. */
export function addIntakeOptions(command: Command): Command {
  return command
    .option('--trap-port <port>', 'UDP port to receive SNMP traps and informs on, or "off"', parseTrapPort, DEFAULT_TRAP_PORT)
    .option('--trap-address <ip>', 'the interface that faces the sites, for traps (0.0.0.0: every interface)', parseAddress, '0.0.0.0')
    .option('--events-port <port>', 'HTTPS port BMCs push Redfish events to, or "off"', parseTrapPort, DEFAULT_EVENTS_PORT)
    .option('--events-address <ip>', 'the interface that faces the sites, for pushed events (0.0.0.0: every interface)', parseAddress, '0.0.0.0');
}

export function startMonitoring(core: Core, options: IntakeCliOptions, quiet = false): Promise<void> {
  return startMonitoringWithLab(core, {
    trapPort: options.trapPort || null,
    trapAddress: options.trapAddress,
    eventsPort: options.eventsPort || null,
    eventsAddress: options.eventsAddress,
    labMockupDir: labMockupDir(),
    ...(quiet ? {} : { warn: (message: string) => console.error(`edgecab: ${message}`) }),
  });
}
