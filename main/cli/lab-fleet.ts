import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LAB_FAULTS, type LabFault } from '../../shared/domain/monitoring.js';
import { createCore } from '../core/index.js';
import { loadTemplates } from '../core/services/cabinets/templates.js';
import { DEFAULT_TRAP_PORT } from '../core/protocols/snmp/traps.js';
import { LabFleet } from '../lab/fleet.js';
import { expandRanges } from '../../shared/domain/wizard.js';
import { catchBackgroundFailures } from '../core/services/system/safety-net.js';
import { serveCore, stopOnSignals } from './serving.js';
import { addIntakeOptions, startMonitoring, type IntakeCliOptions } from './monitoring.js';
import { defaultDataDir, labMockupDir } from './paths.js';
import { parseHostPort } from './probe-snmp.js';

interface FleetCliOptions extends IntakeCliOptions {
  sites: number;
  seed: number;
  template: string;
  engines: number;
  dataDir?: string;
  port: number;
  fleetOnly?: boolean;
  trapTo?: { host: string; port: number };
  addresses?: string;
  linkDown?: 'refuse' | 'silent';
  json?: boolean;
}

function whole(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new InvalidArgumentError(`${min} to ${max}`);
    return number;
  };
}

/** `<site-code> <fault> on|off`, as typed on stdin. */
export function parseFaultLine(line: string): { code: string; fault: LabFault; active: boolean } | string {
  const [code, fault, state] = line.trim().split(/\s+/);
  if (!code || !fault || !state) return `expected "<site-code> <fault> on|off", e.g. "LAB-001 ups-on-battery on"`;
  if (!(LAB_FAULTS as readonly string[]).includes(fault)) return `unknown fault "${fault}"; use ${LAB_FAULTS.join(', ')}`;
  if (state !== 'on' && state !== 'off') return `say "on" or "off", not "${state}"`;
  return { code: code.toUpperCase(), fault: fault as LabFault, active: state === 'on' };
}

function readCommands(apply: (line: string) => Promise<string>): void {
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (!line.trim()) return;
    apply(line).then(
      (result) => console.log(JSON.stringify({ event: 'fault', line: line.trim(), result })),
      (error: unknown) => console.log(JSON.stringify({ event: 'fault', line: line.trim(), result: (error as Error).message })),
    );
  });
}

async function runFleet(options: FleetCliOptions): Promise<void> {
  const template = loadTemplates().get(options.template);
  if (!template) throw new Error(`no cabinet template "${options.template}"`);
  if (options.fleetOnly) {
    // A device that fails in the background is a line on stderr; the other devices keep answering.
    catchBackgroundFailures({ log: (line) => console.error(`edgecab lab: ${line}`) });
    const addresses = options.addresses ? expandRanges(options.addresses, 65_536) : null;
    if (addresses?.error) throw new Error(`--addresses: ${addresses.error}`);
    const fleet = await LabFleet.start({ sites: options.sites, seed: options.seed, template, mockupDir: labMockupDir(), ...(options.trapTo ? { trapTo: options.trapTo } : {}), ...(addresses ? { addresses: addresses.addresses } : {}), ...(options.linkDown ? { linkDown: options.linkDown } : {}) });
    for (const site of fleet.sites) {
      const { devices, faults: _faults, ...rest } = site;
      console.log(JSON.stringify({ event: 'site', ...rest, devices: devices.map(({ lab: _lab, ...device }) => device) }));
    }
    console.log(JSON.stringify({ event: 'ready', sites: fleet.sites.length, devices: fleet.deviceCount }));
    readCommands(async (line) => {
      const parsed = parseFaultLine(line);
      if (typeof parsed === 'string') return parsed;
      const site = fleet.site(parsed.code);
      if (!site) return `no lab site ${parsed.code}`;
      await fleet.fault(site, parsed.fault, parsed.active);
      return 'ok';
    });
    const stop = () => void fleet.stop().finally(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const core = createCore({ dataDir, host: 'server', servingAs: 'edgecab lab' });
  // As in `edgecab serve`: a failure of background work is a problem of EdgeCab and a line on stderr; the lab goes on.
  catchBackgroundFailures({ log: (line) => console.error(`edgecab lab: ${line}`), health: () => core.services.health });
  const { running, setupUrl } = await serveCore(core, { host: '127.0.0.1', port: options.port });
  await startMonitoring(core, options);
  const status = await core.services.lab.start({ sites: options.sites, seed: options.seed, templateId: template.id, language: 'en', engines: options.engines });
  const idByCode = new Map(status.sites.map((site) => [site.code, site.siteId]));
  if (options.json) {
    console.log(JSON.stringify({ event: 'listening', url: running.url, dataDir, sites: status.sites, setupUrl }));
  } else {
    console.log(`EdgeCab lab: ${status.sites.length} cabinets (${status.sites.reduce((sum, site) => sum + site.devices, 0)} devices) on loopback, monitored`);
    console.log(`  open   ${setupUrl ?? running.url}`);
    if (setupUrl) console.log('         (a one-time link: it creates the first administrator)');
    console.log(`  data   ${dataDir}`);
    const withEngine = status.sites.filter((site) => site.engine === 'podman').map((site) => site.code);
    if (withEngine.length) console.log(`  apps   ${withEngine.join(', ')} run a Podman workload engine; the sample app "lab-web" is in the app repository`);
    console.log(`Inject faults by typing "<site-code> <fault> on|off", e.g. "LAB-001 ups-on-battery on". Faults: ${LAB_FAULTS.join(', ')}.`);
  }
  readCommands(async (line) => {
    const parsed = parseFaultLine(line);
    if (typeof parsed === 'string') return parsed;
    const siteId = idByCode.get(parsed.code);
    if (!siteId) return `no lab site ${parsed.code}`;
    await core.services.lab.fault({ siteId, fault: parsed.fault, active: parsed.active });
    return 'ok';
  });
  // The lab's engines are Podman services of their own: stopped with the lab, never left running.
  stopOnSignals(running, core, () => core.services.lab.stop());
}

/** `edgecab lab --sites N`: the lab fleet, registered and monitored, with the web UI. */
export function addFleetOptions(lab: Command): Command {
  return addIntakeOptions(lab)
    .option('-s, --sites <n>', 'start N simulated cabinets (lab BMCs, switch, UPS, PDU, environment monitor each), register them as sites and monitor them', whole(1, 1000))
    .option('--seed <n>', 'seed for positions and readings', whole(0, 2 ** 31), 1)
    .option('--template <id>', 'cabinet template the lab cabinets follow', 'edge-24u')
    .option('--engines <n>', 'how many of the first lab cabinets get a real Podman service as their workload engine, with the sample app in the repository (where Podman is installed)', whole(0, 10), 3)
    .option('-d, --data-dir <dir>', 'database to register the sites in (default: as edgecab serve)')
    .option('-p, --port <port>', 'web UI and REST API port', whole(0, 65535), 4780)
    .option('--fleet-only', 'only run the simulated devices; print them as JSON lines (for benchmarks and other EdgeCab instances)')
    .option('--trap-to <host:port>', 'with --fleet-only: where the devices send traps', (value) => {
      try {
        return parseHostPort(value, DEFAULT_TRAP_PORT);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    })
    .option('--link-down <how>', 'with --fleet-only: how a site with its link down behaves: "refuse" (its devices stop listening, as on a LAN where they are gone) or "silent" (BMCs take connections and never answer, as behind a WAN that drops everything)', (value) => {
      if (value !== 'refuse' && value !== 'silent') throw new InvalidArgumentError('"refuse" or "silent"');
      return value;
    })
    .option('--addresses <ranges>', 'with --fleet-only: the addresses of this machine the devices listen on, in order (CIDR, a-b ranges); default 127.100.<site>.<slot>')
    .option('--json', 'print JSON lines')
    .action(async (options: FleetCliOptions, command: Command) => {
      if (options.sites === undefined) {
        command.help();
        return;
      }
      await runFleet(options);
    });
}
