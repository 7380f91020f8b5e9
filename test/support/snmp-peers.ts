import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnmpSession } from '../../main/core/protocols/snmp/session.js';
import { sharedPath } from './shared-dir.js';

export const RECORDINGS_DIR = sharedPath('snmp-recordings');
export const V3 = { user: 'edgev3', authKey: 'authpass123', privKey: 'privpass123' } as const;

export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface Peer {
  port: number;
  stop(): Promise<void>;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Waits until a v2c GET of sysDescr answers, or fails with what the peer printed. */
async function waitForAgent(port: number, community: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`SNMP peer exited (${child.exitCode}): ${output()}`);
    const session = new SnmpSession({ host: '127.0.0.1', port, version: '2c', community, timeoutMs: 300, retries: 0 });
    try {
      const [varbind] = await session.get(['1.3.6.1.2.1.1.1.0']);
      if (varbind?.value !== null) return;
    } catch {
      // not up yet
    } finally {
      session.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`SNMP peer on port ${port} did not answer: ${output()}`);
}

/** Recordings of real devices kept with the project's tests (snmpsim-data, BSD-2-Clause; see its README). */
// Two folders up from test/support, and from the benchmarks' bundles in .cache/bench, is the repository.
export const FIXTURE_RECORDINGS_DIR = join(import.meta.dirname, '../..', 'test/fixtures/snmp-recordings');

/** snmpsim serving ../shared/snmp-recordings and the project's own fixtures (or the folders given): each recording is the community named after its file. */
export async function startSnmpsim(dirs: readonly string[] = [RECORDINGS_DIR, FIXTURE_RECORDINGS_DIR]): Promise<Peer> {
  const work = mkdtempSync(join(tmpdir(), 'edgecab-snmpsim-'));
  const data = join(work, 'data');
  const cache = join(work, 'cache');
  mkdirSync(data);
  mkdirSync(cache);
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.snmprec'))) copyFileSync(join(dir, file), join(data, file));
  }
  // snmpsim refuses to run as root and drops to nobody, who must read the data and write the cache.
  for (const path of [work, data, cache, ...readdirSync(data).map((file) => join(data, file))]) {
    chmodSync(path, 0o777);
    chownSync(path, 65534, 65534);
  }
  const port = await freeUdpPort();
  const child = spawn(
    'snmpsimd',
    [
      `--data-dir=${data}`,
      `--cache-dir=${cache}`,
      `--agent-udpv4-endpoint=127.0.0.1:${port}`,
      '--process-user=nobody',
      '--process-group=nogroup',
      `--v3-user=${V3.user}`,
      `--v3-auth-key=${V3.authKey}`,
      '--v3-auth-proto=SHA',
      `--v3-priv-key=${V3.privKey}`,
      '--v3-priv-proto=AES',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const first = readdirSync(data).find((file) => file.endsWith('.snmprec'));
  if (!first) throw new Error(`no .snmprec recording in ${dirs.join(', ')}`);
  await waitForAgent(port, first.replace(/\.snmprec$/, ''), child, () => output);
  return {
    port,
    stop: async () => {
      await stopProcess(child);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Debian's snmpd with a v2c community and an authPriv v3 user (SHA-256 / AES-128). */
export async function startSnmpd(options: { trapSinkPort?: number } = {}): Promise<Peer & { community: string }> {
  const work = mkdtempSync(join(tmpdir(), 'edgecab-snmpd-'));
  const port = await freeUdpPort();
  const community = 'edgecab-ro';
  const config = [
    `rocommunity ${community} 127.0.0.1`,
    `createUser ${V3.user} SHA-256 ${V3.authKey} AES ${V3.privKey}`,
    `rouser ${V3.user} priv`,
    `createUser ${V3.user}-256 SHA-512 ${V3.authKey} AES-256 ${V3.privKey}`,
    `rouser ${V3.user}-256 priv`,
    'sysLocation EdgeCab test bench',
    'sysContact ops@example.invalid',
    ...(options.trapSinkPort ? [`trap2sink 127.0.0.1:${options.trapSinkPort} ${community}`] : []),
  ].join('\n');
  writeFileSync(join(work, 'snmpd.conf'), `${config}\n`);
  const child = spawn(
    '/usr/sbin/snmpd',
    ['-f', '-Lo', '-C', '-c', join(work, 'snmpd.conf'), '-p', join(work, 'snmpd.pid'), '-M', '/dev/null', `udp:127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SNMP_PERSISTENT_DIR: join(work, 'persist'), MIBS: '' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  await waitForAgent(port, community, child, () => output);
  return {
    port,
    community,
    stop: async () => {
      await stopProcess(child);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** The factory SNMPv3 admin of the test's Net-SNMP device (a "rwuser" that may create users), and a read-only one. */
export const FACTORY_ADMIN = { user: 'factoryadmin', authProtocol: 'sha', authKey: 'factory-auth-1', privProtocol: 'aes', privKey: 'factory-priv-1' } as const;
export const FACTORY_READER = { user: 'factoryro', authProtocol: 'sha', authKey: 'factory-ro-auth', privProtocol: 'aes', privKey: 'factory-ro-priv' } as const;
export const FACTORY_COMMUNITIES = ['public', 'private'] as const;

export interface FactorySnmpd extends Peer {
  /** Stops snmpd (which saves its persistent state, as on a clean reboot) and starts it again on the same port and files. */
  restart(): Promise<void>;
  /** The persistent state file snmpd writes (usmUser lines with localized keys, nonVolatile VACM and target rows). */
  persistentState(): string;
}

/**
 * Debian's snmpd set up as a Net-SNMP-based device leaves the factory: the
 * read-only configuration (here SNMPCONFPATH, /etc/snmp on a device) has the
 * factory communities (rocommunity public, rwcommunity private) and grants
 * the factory users (rwuser, rouser); the users themselves are createUser
 * lines in the persistent state file, which snmpd turns into usmUser lines
 * with localized keys at its first start — exactly what Debian's
 * net-snmp-create-v3-user does. SETs to USM, VACM and the target tables are
 * saved to that file, so they survive a restart; the configuration does not
 * change, so its communities come back after one.
 */
export async function startFactorySnmpd(): Promise<FactorySnmpd> {
  const work = mkdtempSync(join(tmpdir(), 'edgecab-snmpd-factory-'));
  const config = join(work, 'etc');
  const persist = join(work, 'var');
  mkdirSync(config);
  mkdirSync(persist);
  const port = await freeUdpPort();
  writeFileSync(
    join(config, 'snmpd.conf'),
    [
      `rocommunity ${FACTORY_COMMUNITIES[0]} 127.0.0.1`,
      `rwcommunity ${FACTORY_COMMUNITIES[1]} 127.0.0.1`,
      `rwuser ${FACTORY_ADMIN.user} priv`,
      `rouser ${FACTORY_READER.user} priv`,
      // RFC 3418 snmpEnableAuthenTraps: a request with a wrong community sends authenticationFailure.
      'authtrapenable 1',
      'sysLocation EdgeCab factory bench',
      'sysContact ops@example.invalid',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(persist, 'snmpd.conf'),
    [FACTORY_ADMIN, FACTORY_READER].map((user) => `createUser ${user.user} SHA ${user.authKey} AES ${user.privKey}`).join('\n') + '\n',
  );
  let child: ChildProcess;
  let output = '';
  const start = async () => {
    output = '';
    // No -C: snmpd must read its persistent file, which lives in SNMP_PERSISTENT_DIR and is on SNMPCONFPATH.
    child = spawn('/usr/sbin/snmpd', ['-f', '-Lo', '-p', join(work, 'snmpd.pid'), '-M', '/dev/null', `udp:127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SNMPCONFPATH: `${config}:${persist}`, SNMP_PERSISTENT_DIR: persist, MIBS: '' },
    });
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    await waitForAgent(port, FACTORY_COMMUNITIES[0], child, () => output);
  };
  await start();
  return {
    port,
    restart: async () => {
      await stopProcess(child);
      await start();
    },
    persistentState: () => readFileSync(join(persist, 'snmpd.conf'), 'utf8'),
    stop: async () => {
      await stopProcess(child);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
