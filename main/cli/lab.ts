import { Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { repeat } from '../core/lib/disposable.js';
import { catchBackgroundFailures, describeError } from '../core/services/system/safety-net.js';
import { startLabBmcs } from '../lab/redfish/start.js';
import { LAB_SNMP_V3_ADMIN } from '../lab/fleet.js';
import { LabEnvironmentMonitor, LabPdu, LabSwitch, LabUps, type AnyLabDevice } from '../lab/snmp/devices.js';
import { startLabDevices } from '../lab/snmp/start.js';
import { addFleetOptions } from './lab-fleet.js';
import { parseHostPort } from './probe-snmp.js';

const KINDS = ['switch', 'ups', 'pdu', 'environment'] as const;

/** What the lab says on stderr: a failure of a device's background work, which does not stop the others. */
const labLog = (line: string) => console.error(`edgecab lab: ${line}`);

/** A commander parser for a whole number within [min, max]. */
function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new InvalidArgumentError(`${min} to ${max}`);
    return number;
  };
}
type Kind = (typeof KINDS)[number];

interface LabSnmpOptions {
  count: number;
  basePort?: number;
  kinds: Kind[];
  community: string;
  trapTo?: { host: string; port: number };
  tick: number;
}

function createDevice(kind: Kind, options: { name: string; port: number; community: string; trapTo?: { host: string; port: number } }): AnyLabDevice {
  const common = {
    name: options.name,
    port: options.port,
    community: options.community,
    // Like the fleet's: a factory SNMPv3 admin on all but the environment monitor, for the Secure step to rotate.
    adminUsers: kind === 'environment' ? [] : [{ ...LAB_SNMP_V3_ADMIN }],
    trapDestinations: options.trapTo ? [{ ...options.trapTo, community: options.community }] : [],
  };
  switch (kind) {
    case 'switch':
      return new LabSwitch(common);
    case 'ups':
      return new LabUps(common);
    case 'pdu':
      return new LabPdu(common);
    case 'environment':
      return new LabEnvironmentMonitor(common);
  }
}

/** State changes typed on stdin, one per line: `<port> link <ifIndex> up|down`, `<port> battery on|off`, `<port> outlet <n> on|off`, `<port> door|smoke|water on|off`. */
async function applyCommand(devices: Map<number, AnyLabDevice>, line: string): Promise<string> {
  const [portText, action, ...rest] = line.trim().split(/\s+/);
  const device = devices.get(Number(portText));
  if (!device) return `no lab device on port ${portText}`;
  const flag = rest.at(-1) === 'up' || rest.at(-1) === 'on' || rest.at(-1) === 'open';
  if (action === 'link' && device instanceof LabSwitch) await device.setLink(Number(rest[0]), flag);
  else if (action === 'battery' && device instanceof LabUps) await device.setOnBattery(flag);
  else if (action === 'outlet' && device instanceof LabPdu) device.setOutlet(Number(rest[0]), flag);
  else if ((action === 'door' || action === 'smoke' || action === 'water') && device instanceof LabEnvironmentMonitor) await device.setContact(action, flag);
  else return `cannot "${line.trim()}" on a ${device.constructor.name}`;
  return 'ok';
}

export function labCommand(): Command {
  const lab = addFleetOptions(new Command('lab').description('simulated cabinets on loopback, for demos, training and tests: edgecab lab --sites N, or single devices with lab snmp / lab redfish'));
  lab
    .command('snmp')
    .description('start SNMP lab devices on free UDP ports; prints one JSON line per device with its port, then reads state changes from stdin')
    .option('-n, --count <n>', 'devices per kind', wholeNumber(1, 2000), 1)
    .option('--base-port <port>', 'look for free UDP ports from here upwards (default: any free port)', wholeNumber(1024, 65000))
    .option('--kinds <list>', `comma-separated: ${KINDS.join(',')}`, (value) => {
      const kinds = value.split(',').map((kind) => kind.trim());
      const bad = kinds.filter((kind) => !(KINDS as readonly string[]).includes(kind));
      if (bad.length) throw new InvalidArgumentError(`unknown kind(s) ${bad.join(', ')}; use ${KINDS.join(',')}`);
      return kinds as Kind[];
    }, [...KINDS])
    .option('--community <community>', 'v2c community of every device', 'public')
    .option('--trap-to <host:port>', 'send the devices\' traps there', (value) => {
      try {
        return parseHostPort(value, 10162);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    })
    .option('--tick <seconds>', 'how often readings move', (value) => Number(value), 5)
    .action(async (options: LabSnmpOptions) => {
      catchBackgroundFailures({ log: labLog });
      const devices = new Map<number, AnyLabDevice>();
      const entries = Array.from({ length: options.count }, (_, index) => options.kinds.map((kind) => ({ kind, name: `lab-${kind}-${String(index + 1).padStart(3, '0')}` }))).flat();
      // Each device binds a port that is free when it binds it; its line says which.
      await startLabDevices({
        devices: entries,
        ...(options.basePort === undefined ? {} : { basePort: options.basePort }),
        create: ({ kind, name }, port) => createDevice(kind, { name, port, community: options.community, ...(options.trapTo ? { trapTo: options.trapTo } : {}) }),
        onStarted: (device, { kind, name }) => {
          devices.set(device.port, device);
          console.log(JSON.stringify({ event: 'device', kind, name, host: '127.0.0.1', port: device.port, community: options.community }));
        },
      });
      console.log(JSON.stringify({ event: 'ready', devices: devices.size }));
      // Kept alive as before; a device whose readings fail to move is said on stderr, and the others still move.
      const timer = repeat('moving the readings', options.tick * 1000, () => {
        for (const device of devices.values()) device.tick(options.tick);
      }, (what, error) => labLog(`${what} failed: ${describeError(error)}`), () => undefined, { keepAlive: true });
      const input = createInterface({ input: process.stdin });
      input.on('line', (line) => {
        if (!line.trim()) return;
        applyCommand(devices, line).then(
          (result) => console.log(JSON.stringify({ event: 'command', line: line.trim(), result })),
          (error: unknown) => console.log(JSON.stringify({ event: 'command', line: line.trim(), result: (error as Error).message })),
        );
      });
      const stop = () => {
        timer.dispose();
        input.close();
        void Promise.all([...devices.values()].map((device) => device.stop())).finally(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  lab
    .command('redfish')
    .description('start lab BMCs serving a Redfish mockup folder over HTTPS, each with its own certificate, on free TCP ports; prints one JSON line per BMC with its port')
    .requiredOption('-m, --mockup <dir>', 'a mockup folder (a DMTF mockup tree, or captured payloads)')
    .option('-n, --count <n>', 'how many BMCs', wholeNumber(1, 2000), 1)
    .option('--base-port <port>', 'look for free TCP ports from here upwards (default: any free port)', wholeNumber(1024, 65000))
    .option('--user <user>', 'BMC user', 'admin')
    .option('--password <password>', 'BMC password', 'password')
    .action(async (options: { mockup: string; count: number; basePort?: number; user: string; password: string }) => {
      if (!existsSync(options.mockup)) throw new Error(`no mockup folder at ${options.mockup}`);
      catchBackgroundFailures({ log: labLog });
      // Each BMC makes its own certificate and binds a port that is free when it binds it; the line says which.
      const bmcs = await startLabBmcs({
        mockupDir: options.mockup,
        count: options.count,
        ...(options.basePort === undefined ? {} : { basePort: options.basePort }),
        users: { [options.user]: options.password },
        onStarted: (bmc) => console.log(JSON.stringify({ event: 'bmc', url: bmc.url, port: bmc.port, fingerprint: bmc.fingerprint })),
      });
      console.log(JSON.stringify({ event: 'ready', bmcs: bmcs.length }));
      const stop = () => void Promise.all(bmcs.map((bmc) => bmc.stop())).finally(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  return lab;
}
