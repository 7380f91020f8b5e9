import { Command, InvalidArgumentError, Option } from 'commander';
import { SnmpTarget, bypassVoltages, upsShownSource, type SnmpDevice } from '../../shared/domain/snmp.js';
import { collectDevice } from '../core/protocols/snmp/collect.js';
import { SnmpSession } from '../core/protocols/snmp/session.js';
import { snmprec } from '../core/protocols/snmp/snmprec.js';
import { addEngineProbe } from './probe-engine.js';
import { addRedfishProbe } from './probe-redfish.js';

/** "host", "host:port", "[v6]:port" → host and port (161 by default). */
export function parseHostPort(value: string, defaultPort: number): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(value.trim());
  const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
  if (!match || port < 1 || port > 65535) throw new Error(`"${value}" is not host or host:port (e.g. 10.0.0.5 or 10.0.0.5:1161)`);
  return { host: (match[1] ?? match[2])!, port };
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 0) throw new InvalidArgumentError('a whole number');
  return number;
}

interface ProbeOptions {
  community?: string;
  v3User?: string;
  authProtocol?: 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  authKey?: string;
  privProtocol?: 'des' | 'aes' | 'aes256' | 'aes256c';
  privKey?: string;
  context?: string;
  timeout: number;
  retries: number;
  human?: boolean;
  raw?: boolean;
}

function duration(seconds: number | null): string {
  if (seconds === null) return '?';
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days > 0 ? `${days}d ${hours}h` : `${hours}h ${minutes}m`;
}

const show = (value: string | number | null | undefined, unit = '') => (value === null || value === undefined ? '?' : `${value}${unit}`);

/** A few lines a person reads at a glance; the JSON has everything. */
export function humanSummary(device: SnmpDevice): string {
  const lines = [
    `${device.kind.toUpperCase()}  ${device.system.descr?.split(/\r?\n/)[0]?.trim() ?? '(no sysDescr)'}`,
    `  target      ${device.target.host}:${device.target.port} v${device.target.version}${device.vendor ? `, vendor ${device.vendor}` : ''}, profiles ${device.profiles.join(', ')}`,
    `  system      name ${show(device.system.name)}, location ${show(device.system.location)}, up ${duration(device.system.uptimeSeconds)}`,
  ];
  if (device.identity && (device.identity.model || device.identity.serial || device.identity.firmware)) {
    lines.push(`  identity    model ${show(device.identity.model)}, serial ${show(device.identity.serial)}, firmware ${show(device.identity.firmware)}`);
  }
  if (device.interfaces.length > 0) {
    const up = device.interfaces.filter((entry) => entry.operStatus === 'up').length;
    lines.push(`  interfaces  ${device.interfaces.length} (${up} up, ${device.interfaces.length - up} not up)`);
  }
  if (device.entities.length > 0) {
    const chassis = device.entities.find((entity) => entity.class === 'chassis');
    lines.push(`  inventory   ${device.entities.length} entities${chassis ? `, chassis ${show(chassis.model ?? chassis.name)} serial ${show(chassis.serial)}` : ''}`);
  }
  if (device.sensors.length > 0) lines.push(`  sensors     ${device.sensors.length}`);
  if (device.ups) {
    const { battery } = device.ups;
    lines.push(`  battery     ${show(battery.status)}, ${show(battery.chargePercent, ' %')}, ${show(battery.minutesRemaining, ' min left')}, ${show(battery.voltageV, ' V')}, ${show(battery.temperatureC, ' °C')}`);
    lines.push(`  output      ${show(upsShownSource(device.ups))}, ${show(device.ups.outputFrequencyHz, ' Hz')}, alarms ${show(device.ups.alarmsPresent)}`);
    const bypassVolts = bypassVoltages(device.ups).map((volts) => `${volts} V`);
    if (bypassVolts.length > 0 || (device.ups.bypassFrequencyHz ?? null) !== null) {
      lines.push(`  bypass      ${bypassVolts.join(' / ') || '?'}, ${show(device.ups.bypassFrequencyHz, ' Hz')}`);
    }
  }
  if (device.pdu) {
    const on = device.pdu.outlets.filter((outlet) => outlet.state === 'on').length;
    lines.push(`  pdu         ${show(device.pdu.powerKw, ' kW')}, load ${show(device.pdu.loadState)}, outlets ${device.pdu.outlets.length} (${on} on)`);
  }
  if (device.environment) {
    const env = device.environment;
    lines.push(`  climate     ${env.temperatures.map((reading) => `${show(reading.celsius, ' °C')}`).join(', ') || 'no temperature'}; ${env.humidities.map((reading) => show(reading.percent, ' %RH')).join(', ') || 'no humidity'}`);
    lines.push(`  contacts    door ${env.door}, smoke ${env.smoke}, water ${env.waterLeak}`);
  }
  lines.push(`  problems    ${device.problems.length === 0 ? 'none' : device.problems.map((problem) => `${problem.section}: ${problem.message}`).join('; ')}`);
  return lines.join('\n');
}

export function probeCommand(): Command {
  const probe = new Command('probe').description('read a device with its real protocol and print what EdgeCab makes of it');
  addRedfishProbe(probe);
  addEngineProbe(probe);
  probe
    .command('snmp')
    .description('probe an SNMP agent (v2c or v3) and print the normalized device as JSON')
    .argument('<host[:port]>', 'the agent; port 161 unless given')
    .option('-c, --community <community>', 'SNMP v2c community')
    .option('-u, --v3-user <user>', 'SNMPv3 user (instead of --community)')
    .addOption(new Option('--auth-protocol <protocol>', 'SNMPv3 authentication').choices(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha'))
    .option('--auth-key <key>', 'SNMPv3 authentication key (authNoPriv / authPriv)')
    .addOption(new Option('--priv-protocol <protocol>', 'SNMPv3 privacy').choices(['des', 'aes', 'aes256', 'aes256c']).default('aes'))
    .option('--priv-key <key>', 'SNMPv3 privacy key (authPriv)')
    .option('--context <name>', 'SNMPv3 context name')
    .option('--timeout <ms>', 'per-request timeout in milliseconds', positiveInt, 2000)
    .option('--retries <n>', 'retries per request', positiveInt, 1)
    .option('--human', 'print a readable summary instead of JSON')
    .option('--raw', "print everything the agent answers under 1.3.6.1 as a recording (snmpsim's .snmprec), to send for a device EdgeCab does not know yet")
    .action(async (address: string, options: ProbeOptions) => {
      const { host, port } = parseHostPort(address, 161);
      if (!options.community === !options.v3User) throw new Error('give either --community (v2c) or --v3-user (v3)');
      if (options.privKey && !options.authKey) throw new Error('--priv-key needs --auth-key too (authPriv)');
      const common = { host, port, timeoutMs: options.timeout, retries: options.retries };
      const target: SnmpTarget = options.community
        ? { ...common, version: '2c', community: options.community }
        : {
            ...common,
            version: '3',
            v3: {
              user: options.v3User!,
              ...(options.authKey ? { authProtocol: options.authProtocol, authKey: options.authKey } : {}),
              ...(options.privKey ? { privProtocol: options.privProtocol, privKey: options.privKey } : {}),
              ...(options.context ? { context: options.context } : {}),
            },
          };
      if (options.raw) {
        const session = new SnmpSession(SnmpTarget.parse(target));
        try {
          const walked = (await session.walkColumns(['1.3.6.1'])).get('1.3.6.1')!;
          process.stdout.write(`${snmprec([...walked.values()])}\n`);
        } finally {
          session.close();
        }
        return;
      }
      const device = await collectDevice(target);
      process.stdout.write(options.human ? `${humanSummary(device)}\n` : `${JSON.stringify(device, null, 2)}\n`);
    });
  return probe;
}
