/**
 * secureAgent against lab devices, which implement the same tables as
 * Net-SNMP's snmpd (USM by cloning and KeyChange, VACM, SNMP-TARGET-MIB and
 * SNMP-NOTIFICATION-MIB, communities from their factory configuration).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCommunity, probeUser } from '../../main/core/protocols/snmp/admin/probe.js';
import { secureAgent, type AdminAccess, type SecurePlan, type SecureStep } from '../../main/core/protocols/snmp/admin/secure-agent.js';
import { TrapReceiver } from '../../main/core/protocols/snmp/traps.js';
import { LAB_SNMP_V3_ADMIN } from '../../main/lab/fleet.js';
import { LabEnvironmentMonitor, LabPdu, LabSwitch, LabUps } from '../../main/lab/snmp/devices.js';
import type { SnmpTrapEvent, SnmpV3Credentials } from '../../shared/domain/snmp.js';
import packageJson from '../../package.json' with { type: 'json' };
import { freeUdpPort } from '../support/snmp-peers.js';

const SITE = { user: 'edgecab-site', authKey: 'site-auth-Lq83nVx0Ps', privKey: 'site-priv-Ww5cYt1mKd' };
const COMMUNITIES = ['public', 'private'];
const endpoint = (port: number) => ({ host: '127.0.0.1', port, timeoutMs: 600, retries: 0 });
const access = (port: number, admin: SnmpV3Credentials = { ...LAB_SNMP_V3_ADMIN }): AdminAccess => ({ host: '127.0.0.1', port, timeoutMs: 600, retries: 1, admin });
const names = (steps: readonly SecureStep[]) => steps.map((step) => step.step);
const step = (steps: readonly SecureStep[], name: SecureStep['step']) => steps.find((each) => each.step === name);
const device = (name: string, extra: { adminUsers?: SnmpV3Credentials[]; users?: SnmpV3Credentials[] } = { adminUsers: [{ ...LAB_SNMP_V3_ADMIN }] }) => ({
  name,
  port: 0,
  community: 'public',
  writeCommunity: 'private',
  ...extra,
});

async function until<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('secureAgent against a lab switch', () => {
  let labSwitch: LabSwitch;
  let receiver: TrapReceiver;
  const traps: SnmpTrapEvent[] = [];
  let plan: SecurePlan;
  const site = { ...SITE, authProtocol: LAB_SNMP_V3_ADMIN.authProtocol, privProtocol: LAB_SNMP_V3_ADMIN.privProtocol };

  beforeAll(async () => {
    labSwitch = await new LabSwitch(device('lab-sw-secure')).start();
    receiver = await TrapReceiver.start({ port: await freeUdpPort(), communities: [], users: [site] });
    receiver.on('trap', (event) => traps.push(event));
    plan = { ...SITE, destination: { host: '127.0.0.1', port: receiver.port, kind: 'trap' }, communities: COMMUNITIES };
  });
  afterAll(async () => {
    await receiver?.close();
    await labSwitch?.stop();
  });

  it('binds a free port and reports it', () => {
    expect(labSwitch.port).toBeGreaterThan(0);
  });

  it('rotates every factory credential and proves each', async () => {
    for (const community of COMMUNITIES) expect((await probeCommunity(endpoint(labSwitch.port), community)).state).toBe('works');
    const result = await secureAgent(access(labSwitch.port), plan);
    expect(result.steps.filter((each) => !each.ok)).toEqual([]);
    expect(names(result.steps)).toEqual(['engine', 'user-create', 'user-clone', 'user-keys', 'user-activate', 'user', 'access', 'verify-user', 'notify', 'communities', 'factory-user', 'verify']);
    expect(result).toMatchObject({ ok: true, engineId: labSwitch.agent.engineId.toString('hex'), credentials: site });
    expect(step(result.steps, 'communities')).toMatchObject({ lasting: false });
    expect((await probeUser(endpoint(labSwitch.port), site)).state).toBe('works');
    expect((await probeUser(endpoint(labSwitch.port), LAB_SNMP_V3_ADMIN)).state).toBe('unknown-user');
    for (const community of COMMUNITIES) expect((await probeCommunity(endpoint(labSwitch.port), community)).state).toBe('no-answer');
    // Step details become findings and the acceptance report: the communities are named by position, never by value.
    expect(step(result.steps, 'verify')?.detail).toContain('old community 1 of 2 refused');
    for (const each of result.steps) for (const community of COMMUNITIES) expect(`${each.detail} ${each.deviceError ?? ''}`).not.toMatch(new RegExp(`\\b${community}\\b`));
  });

  it('sends its traps to EdgeCab as the site user, SNMPv3 authPriv', async () => {
    traps.length = 0;
    await labSwitch.setLink(3, false);
    const trap = await until(() => traps.find((event) => event.kind === 'linkDown'));
    expect(trap).toMatchObject({ version: '3', securityName: SITE.user, ifIndex: '3' });
    await labSwitch.setLink(3, true);
  });

  it('a second run changes nothing', async () => {
    const result = await secureAgent(access(labSwitch.port), plan);
    expect(result.ok).toBe(true);
    expect(names(result.steps)).toEqual(['engine', 'user', 'access', 'verify-user', 'notify', 'communities', 'factory-user', 'verify']);
    expect(step(result.steps, 'notify')?.detail).toMatch(/unchanged$/);
    expect(step(result.steps, 'factory-user')?.detail).toContain('already gone');
  });

  it('a restart keeps the user and the removal; the configured communities come back until it runs again', async () => {
    await labSwitch.stop();
    await labSwitch.start();
    expect((await probeUser(endpoint(labSwitch.port), site)).state).toBe('works');
    expect((await probeUser(endpoint(labSwitch.port), LAB_SNMP_V3_ADMIN)).state).toBe('unknown-user');
    expect((await probeCommunity(endpoint(labSwitch.port), 'public')).state).toBe('works');
    const result = await secureAgent(access(labSwitch.port), plan);
    expect(result.ok).toBe(true);
    expect(step(result.steps, 'communities')?.detail).toContain('moved');
    expect((await probeCommunity(endpoint(labSwitch.port), 'public')).state).toBe('no-answer');
  });
});

describe('secureAgent pointing a lab UPS at EdgeCab with informs', () => {
  it("keys the site user for the receiver's engine, and the UPS's informs arrive", async () => {
    const site = { ...SITE, authProtocol: LAB_SNMP_V3_ADMIN.authProtocol, privProtocol: LAB_SNMP_V3_ADMIN.privProtocol };
    const receiver = await TrapReceiver.start({ port: await freeUdpPort(), communities: [], users: [site] });
    const events: SnmpTrapEvent[] = [];
    receiver.on('trap', (event) => events.push(event));
    const ups = await new LabUps(device('lab-ups-inform')).start();
    try {
      const result = await secureAgent(access(ups.port), { ...SITE, destination: { host: '127.0.0.1', port: receiver.port, kind: 'inform' }, communities: COMMUNITIES });
      expect(result.steps.filter((each) => !each.ok)).toEqual([]);
      await ups.setOnBattery(true);
      expect(await until(() => events.find((event) => event.kind === 'upsOnBattery'))).toMatchObject({ version: '3', securityName: SITE.user });
    } finally {
      await ups.stop();
      await receiver.close();
    }
  });
});

describe('secureAgent against lab devices that refuse, crash midway, or use other protocols', () => {
  const plan: SecurePlan = { ...SITE, destination: null, communities: COMMUNITIES };
  const started: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(started.map((each) => each.stop()));
  });

  it('an environment monitor that speaks only v2c is a finding with its own answer', async () => {
    const env = await new LabEnvironmentMonitor(device('lab-env-secure', {})).start();
    started.push(env);
    const result = await secureAgent(access(env.port), plan);
    expect(result.ok).toBe(false);
    expect(result.credentials).toBeNull();
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ step: 'engine', ok: false, deviceError: expect.stringMatching(/does not know this SNMPv3 user/) });
    expect((await probeCommunity(endpoint(env.port), 'public')).state).toBe('works');
  });

  it('a factory user that may only read gets the refusal snmpd gives', async () => {
    const ups = await new LabUps(device('lab-ups-readonly', { users: [{ ...LAB_SNMP_V3_ADMIN }] })).start();
    started.push(ups);
    const result = await secureAgent(access(ups.port), plan);
    const failed = result.steps.find((each) => !each.ok);
    expect(failed).toMatchObject({ step: 'user-create', deviceError: expect.stringMatching(/refused the SET: noAccess \(error-index 1: 1\.3\.6\.1\.6\.3\.15\.1\.2\.2\.1\.13\./) });
  });

  it('finishes after a crash between creating the user and giving it its keys', async () => {
    const ups = await new LabUps(device('lab-ups-crash')).start();
    started.push(ups);
    const crash = (each: SecureStep) => {
      if (each.step === 'user-clone') throw new Error('simulated crash after user-clone');
    };
    await expect(secureAgent(access(ups.port), plan, { onStep: crash })).rejects.toThrow(/simulated crash/);
    const result = await secureAgent(access(ups.port), plan);
    expect(result.ok).toBe(true);
    expect(names(result.steps).slice(0, 3)).toEqual(['engine', 'user-remove', 'user-create']);
  });

  it.each([
    ['sha256', 'aes256'],
    ['sha512', 'aes256c'],
    ['md5', 'aes256'],
  ] as const)('a clone inherits a %s / %s factory admin, and its keys work', async (authProtocol, privProtocol) => {
    const admin = { user: 'vendor-admin', authProtocol, authKey: 'vendor-auth-key', privProtocol, privKey: 'vendor-priv-key' };
    const pdu = await new LabPdu(device(`lab-pdu-${authProtocol}`, { adminUsers: [admin] })).start();
    started.push(pdu);
    const result = await secureAgent(access(pdu.port, admin), plan);
    expect(result.steps.filter((each) => !each.ok)).toEqual([]);
    expect(result.credentials).toEqual({ ...SITE, authProtocol, privProtocol });
  });
});

describe('edgecab lab snmp', () => {
  it('binds free ports (skipping one in use from --base-port), prints them, and its devices can be secured', async () => {
    // Something already holds the base port: the first device must move on, not fail.
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, '127.0.0.1', resolve));
    const taken = squatter.address().port;
    const child = spawn(process.execPath, [packageJson.bin.edgecab, 'lab', 'snmp', '--kinds', 'switch,environment', '--base-port', String(taken), '--tick', '60'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const lines: { event: string; kind?: string; port?: number }[] = [];
      const reader = createInterface({ input: child.stdout! });
      await new Promise<void>((resolve, reject) => {
        reader.on('line', (line) => {
          lines.push(JSON.parse(line) as (typeof lines)[number]);
          if (lines.at(-1)?.event === 'ready') resolve();
        });
        child.once('exit', (code) => reject(new Error(`edgecab lab snmp exited (${code})`)));
      });
      const devices = lines.filter((line) => line.event === 'device');
      expect(devices.map((line) => line.kind)).toEqual(['switch', 'environment']);
      expect(devices[0]!.port).toBeGreaterThan(taken);
      expect(devices[1]!.port).toBeGreaterThan(devices[0]!.port!);
      const result = await secureAgent(access(devices[0]!.port!), { ...SITE, destination: null, communities: ['public'] });
      expect(result.ok).toBe(true);
      expect((await secureAgent(access(devices[1]!.port!), { ...SITE, destination: null, communities: ['public'] })).steps[0]).toMatchObject({ step: 'engine', ok: false });
    } finally {
      child.kill('SIGTERM');
      await exited;
      squatter.close();
    }
  });
});
