import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { createCore, DatabaseTooNewError, EDGECAB_VERSION } from '../core/index.js';
import { EngineError } from '../core/protocols/engine/client.js';
import { RedfishError } from '../core/protocols/redfish/client.js';
import { SnmpError } from '../core/protocols/snmp/session.js';
import { catchBackgroundFailures } from '../core/services/system/safety-net.js';
import { serveCore, stopOnSignals, type ServingOptions } from './serving.js';
import { tokensCommand, usersCommand, vaultCommand } from './users.js';
import { labCommand } from './lab.js';
import { appsCommand } from './apps.js';
import { firmwareCommand } from './firmware.js';
import { addIntakeOptions, startMonitoring, type IntakeCliOptions } from './monitoring.js';
import { defaultDataDir } from './paths.js';
import { probeCommand } from './probe-snmp.js';
import { profileCommand } from './profile.js';

export const DEFAULT_PORT = 4780;

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0: any free port)');
  return port;
}

function parseHost(value: string): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(value)) throw new InvalidArgumentError('not a host name or IP address');
  return value.replace(/^\[(.*)\]$/, '$1');
}

interface ServeOptions extends Omit<ServingOptions, 'host' | 'port'>, IntakeCliOptions {
  port: number;
  host: string;
  dataDir?: string;
  json?: boolean;
}

async function serve(options: ServeOptions): Promise<void> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const core = createCore({ dataDir, host: 'server', servingAs: 'edgecab serve' });
  // From here on, a failure of background work is a problem of EdgeCab (GET /system/problems) and a line on stderr; serving goes on.
  catchBackgroundFailures({ log: (line) => console.error(`edgecab: ${line}`), health: () => core.services.health });
  let serving;
  try {
    serving = await serveCore(core, options);
    await startMonitoring(core, options, options.json);
  } catch (error) {
    core.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${options.port} on ${options.host} is already in use; choose another with --port`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`${options.host} is not an address of this machine; check --host`);
    if (code === 'EACCES') throw new Error(`not allowed to listen on port ${options.port}; use a port of 1024 or above`);
    throw error;
  }
  const { running, setupUrl, tls } = serving;
  for (const warning of serving.warnings) console.error(`edgecab: warning: ${warning}`);
  if (options.json) {
    console.log(JSON.stringify({ event: 'listening', url: running.url, api: `${running.url}api/v1`, dataDir, version: EDGECAB_VERSION, setupUrl, tls }));
  } else {
    console.log(`EdgeCab ${EDGECAB_VERSION} server mode`);
    console.log(`  open      ${setupUrl ?? running.url}`);
    if (setupUrl) console.log('            (a one-time link: it creates the first administrator; a restart makes a new one)');
    console.log(`  REST API  ${running.url}api/v1  (OpenAPI: ${running.url}api/v1/openapi.json)`);
    if (tls) console.log(`  TLS       certificate SHA-256 ${tls.fingerprint}${tls.source === 'edgecab-ca' ? " (from EdgeCab's own CA: compare it when the browser asks)" : ''}`);
    console.log(`  data      ${dataDir}`);
    console.log('Press Ctrl+C to stop.');
  }
  stopOnSignals(running, core);
}

export function buildProgram(): Command {
  const program = new Command('edgecab')
    .description('EdgeCab — manage smart edge all-in-one cabinets across many branch sites')
    .version(EDGECAB_VERSION, '-v, --version', 'print the version')
    .showHelpAfterError('(run edgecab --help for usage)');
  const serveCommand = program
    .command('serve')
    .description('run the server: REST API under /api/v1, event stream, and the web UI')
    .option('-p, --port <port>', 'TCP port (0: any free port)', parsePort, DEFAULT_PORT)
    .option('-H, --host <host>', 'address to bind; anything but loopback exposes EdgeCab to the network', parseHost, '127.0.0.1')
    .option('-d, --data-dir <dir>', 'where the database lives (default: $EDGECAB_DATA_DIR or the per-user data folder)')
    .option('--json', 'print one JSON line {"event":"listening","url",...} once listening')
    .option('--tls', "serve HTTPS with a certificate from EdgeCab's own CA (made once, kept; its fingerprint is printed)")
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM, with its chain)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--public-name <name>', 'a host name clients use to reach this server (checked against the Host header); repeatable', (value: string, previous: string[] = []) => [...previous, parseHost(value)])
    .action((options: ServeOptions) => serve(options));
  addIntakeOptions(serveCommand);
  program.addCommand(probeCommand());
  program.addCommand(usersCommand());
  program.addCommand(tokensCommand());
  program.addCommand(vaultCommand());
  program.addCommand(labCommand());
  program.addCommand(appsCommand());
  program.addCommand(firmwareCommand());
  program.addCommand(profileCommand());
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof SnmpError || error instanceof RedfishError || (error instanceof EngineError && error.code !== 'address' && error.code !== 'cleartext')) {
      console.error(`edgecab: ${error.message}`);
      return 4;
    }
    if (error instanceof DatabaseTooNewError) {
      console.error(`edgecab: ${error.message}`);
      return 3;
    }
    console.error(`edgecab: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
