/**
 * secureAgent against Debian's snmpd set up as a factory Net-SNMP device
 * (test/support/snmp-peers.ts startFactorySnmpd): the site's SNMPv3 user is
 * created over SNMP-USER-BASED-SM-MIB, given VACM access, made the trap
 * destination, the factory communities and the factory admin are turned off,
 * and every claim is checked against snmpd itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localizedAuthKey, localizedPrivKey } from '../../main/core/protocols/snmp/admin/keys.js';
import { probeCommunity, probeUser } from '../../main/core/protocols/snmp/admin/probe.js';
import { secureAgent, type AdminAccess, type SecurePlan, type SecureStep } from '../../main/core/protocols/snmp/admin/secure-agent.js';
import { TrapReceiver } from '../../main/core/protocols/snmp/traps.js';
import type { SnmpTrapEvent } from '../../shared/domain/snmp.js';
import { FACTORY_ADMIN, FACTORY_COMMUNITIES, FACTORY_READER, freeUdpPort, startFactorySnmpd, type FactorySnmpd } from '../support/snmp-peers.js';

const SITE = { user: 'edgecab-site', authKey: 'site-auth-Q3v9LmT2xw', privKey: 'site-priv-Z8k1RbN4pe' };
/** A clone keeps its source's protocols: the factory admin's SHA-1 / AES-128. */
const SITE_V3 = { ...SITE, authProtocol: 'sha', privProtocol: 'aes' } as const;
const endpoint = (port: number) => ({ host: '127.0.0.1', port, timeoutMs: 1000, retries: 0 });
const access = (port: number, admin: AdminAccess['admin'] = { ...FACTORY_ADMIN }): AdminAccess => ({ host: '127.0.0.1', port, timeoutMs: 1000, retries: 1, admin });
const names = (steps: readonly SecureStep[]) => steps.map((step) => step.step);
const step = (steps: readonly SecureStep[], name: SecureStep['step']) => steps.find((each) => each.step === name);

async function until<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The usmUser line snmpd saved for a user: its localized keys as snmpd holds them. */
function savedKeys(state: string, user: string): { auth: string; priv: string } | null {
  // snmpd writes a name as "text", or as hex when it has characters such as '-'.
  const name = `0x${Buffer.from(user).toString('hex')}`;
  const line = state.split('\n').find((each) => each.startsWith('usmUser ') && (each.includes(` "${user}" "${user}" `) || each.includes(` ${name} ${name} `)));
  // usmUser <status> <storage> <engineID> <name> <securityName> <cloneFrom> <authProtocol> <authKey> <privProtocol> <privKey> <public>
  const fields = line?.split(' ');
  return fields ? { auth: fields[8]!.replace(/^0x/, ''), priv: fields[10]!.replace(/^0x/, '') } : null;
}

describe('secureAgent against Debian snmpd', () => {
  let snmpd: FactorySnmpd;
  let receiver: TrapReceiver;
  const traps: SnmpTrapEvent[] = [];
  let plan: SecurePlan;
  let engineId = Buffer.alloc(0);

  beforeAll(async () => {
    snmpd = await startFactorySnmpd();
    const trapPort = await freeUdpPort();
    receiver = await TrapReceiver.start({ port: trapPort, communities: [], users: [SITE_V3] });
    receiver.on('trap', (event) => traps.push(event));
    plan = { ...SITE, destination: { host: '127.0.0.1', port: trapPort, kind: 'trap' }, communities: [...FACTORY_COMMUNITIES] };
  });
  afterAll(async () => {
    await receiver?.close();
    await snmpd?.stop();
  });

  it('creates the site user, sends traps to EdgeCab, turns the communities and the factory admin off, and proves each', async () => {
    for (const community of FACTORY_COMMUNITIES) expect((await probeCommunity(endpoint(snmpd.port), community)).state).toBe('works');
    const result = await secureAgent(access(snmpd.port), plan);
    expect(result.steps.filter((each) => !each.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(names(result.steps)).toEqual(['engine', 'user-create', 'user-clone', 'user-keys', 'user-activate', 'user', 'access', 'verify-user', 'notify', 'communities', 'factory-user', 'verify']);
    expect(result.credentials).toEqual(SITE_V3);
    engineId = Buffer.from(result.engineId!, 'hex');

    // What snmpd itself says now.
    expect((await probeUser(endpoint(snmpd.port), SITE_V3)).state).toBe('works');
    expect((await probeUser(endpoint(snmpd.port), FACTORY_ADMIN)).state).toBe('unknown-user');
    for (const community of FACTORY_COMMUNITIES) expect((await probeCommunity(endpoint(snmpd.port), community)).state).toBe('no-answer');
    // Communities come from snmpd.conf: Net-SNMP keeps those rows permanent, so the change ends with a restart, and says so.
    expect(step(result.steps, 'communities')).toMatchObject({ ok: true, lasting: false });

  });

  it('gets snmpd to send its SNMPv3 authenticationFailure trap to EdgeCab as the site user', async () => {
    traps.length = 0;
    expect((await probeCommunity(endpoint(snmpd.port), 'not-a-community')).state).toBe('no-answer');
    const trap = await until(() => traps.find((event) => event.trapOid === '1.3.6.1.6.3.1.1.5.5'));
    expect(trap).toMatchObject({ version: '3', securityName: SITE.user, source: { address: '127.0.0.1' } });
    expect(receiver.stats().refused).toBe(0);
  });

  it('a second run changes nothing', async () => {
    const result = await secureAgent(access(snmpd.port), plan);
    expect(result.ok).toBe(true);
    expect(names(result.steps)).toEqual(['engine', 'user', 'access', 'verify-user', 'notify', 'communities', 'factory-user', 'verify']);
    expect(step(result.steps, 'engine')?.detail).toContain(`managed as "${SITE.user}"`);
    expect(step(result.steps, 'user')?.detail).toContain('reused');
    expect(step(result.steps, 'notify')?.detail).toMatch(/unchanged$/);
    expect(step(result.steps, 'communities')?.detail).not.toContain('moved');
    expect(step(result.steps, 'factory-user')?.detail).toContain('already gone');
  });

  it('after a restart the user and the removal last; the configured communities are back until it runs again', async () => {
    await snmpd.restart();
    expect((await probeUser(endpoint(snmpd.port), SITE_V3)).state).toBe('works');
    expect((await probeUser(endpoint(snmpd.port), FACTORY_ADMIN)).state).toBe('unknown-user');
    expect((await probeCommunity(endpoint(snmpd.port), 'public')).state).toBe('works');
    // snmpd saved what it holds on the way down: the keys it decoded from our KeyChange values are the site passphrases localized to its engine.
    const saved = savedKeys(snmpd.persistentState(), SITE.user);
    expect(saved?.auth).toBe(localizedAuthKey('sha', SITE.authKey, engineId).toString('hex'));
    expect(saved?.priv).toBe(localizedPrivKey('sha', 'aes', SITE.privKey, engineId).toString('hex'));
    expect(savedKeys(snmpd.persistentState(), FACTORY_ADMIN.user)).toBeNull();

    const result = await secureAgent(access(snmpd.port), plan);
    expect(result.ok).toBe(true);
    expect(step(result.steps, 'communities')?.detail).toContain('moved');
    expect(step(result.steps, 'notify')?.detail).toMatch(/unchanged$/);
    expect((await probeCommunity(endpoint(snmpd.port), 'public')).state).toBe('no-answer');
  });
});

describe('secureAgent pointing snmpd at EdgeCab with informs', () => {
  let snmpd: FactorySnmpd;
  let receiver: TrapReceiver;
  const events: SnmpTrapEvent[] = [];

  beforeAll(async () => {
    snmpd = await startFactorySnmpd();
    receiver = await TrapReceiver.start({ port: await freeUdpPort(), communities: [], users: [SITE_V3] });
    receiver.on('trap', (event) => events.push(event));
  });
  afterAll(async () => {
    await receiver?.close();
    await snmpd?.stop();
  });

  it("keys the site user for the receiver's engine (found by discovery), and snmpd's informs arrive", async () => {
    const plan: SecurePlan = { ...SITE, destination: { host: '127.0.0.1', port: receiver.port, kind: 'inform' }, communities: [...FACTORY_COMMUNITIES] };
    const result = await secureAgent(access(snmpd.port), plan);
    expect(result.steps.filter((each) => !each.ok)).toEqual([]);
    expect(names(result.steps).filter((name) => name === 'inform-user')).toHaveLength(4);
    expect(step(result.steps, 'notify')?.detail).toMatch(/^informs to/);
    expect((await probeCommunity(endpoint(snmpd.port), 'not-a-community')).state).toBe('no-answer');
    const inform = await until(() => events.find((event) => event.trapOid === '1.3.6.1.6.3.1.1.5.5'));
    expect(inform).toMatchObject({ version: '3', securityName: SITE.user });

    const again = await secureAgent(access(snmpd.port), plan);
    expect(again.ok).toBe(true);
    expect(again.steps.filter((each) => each.step === 'inform-user').map((each) => each.detail)).toEqual([expect.stringMatching(/already keyed$/)]);
  });
});

describe('secureAgent against a snmpd that refuses, and across crashes', () => {
  let snmpd: FactorySnmpd;
  const plan: SecurePlan = { ...SITE, destination: null, communities: [...FACTORY_COMMUNITIES] };

  beforeAll(async () => {
    snmpd = await startFactorySnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it("records snmpd's own refusal when the admin user may not write", async () => {
    const result = await secureAgent(access(snmpd.port, { ...FACTORY_READER }), plan);
    expect(result.ok).toBe(false);
    expect(result.credentials).toBeNull();
    const failed = result.steps.find((each) => !each.ok)!;
    expect(failed.step).toBe('user-create');
    expect(failed.deviceError).toMatch(/refused the SET: \w+/);
    // Nothing changed: the communities still work.
    expect((await probeCommunity(endpoint(snmpd.port), 'public')).state).toBe('works');
  });

  it('finishes the job after a crash right after creating the user, and after one before the communities', async () => {
    const crashAt = (name: SecureStep['step']) => (each: SecureStep) => {
      if (each.step === name) throw new Error(`simulated crash after ${name}`);
    };
    await expect(secureAgent(access(snmpd.port), plan, { onStep: crashAt('user-create') })).rejects.toThrow(/simulated crash/);
    // The half-made user is not active, so it does not authenticate.
    expect((await probeUser(endpoint(snmpd.port), SITE_V3)).state).toBe('unknown-user');

    await expect(secureAgent(access(snmpd.port), plan, { onStep: crashAt('verify-user') })).rejects.toThrow(/simulated crash/);
    expect((await probeUser(endpoint(snmpd.port), SITE_V3)).state).toBe('works');
    expect((await probeCommunity(endpoint(snmpd.port), 'public')).state).toBe('works');

    const result = await secureAgent(access(snmpd.port), plan);
    expect(result.ok).toBe(true);
    expect(names(result.steps)).toEqual(['engine', 'user', 'access', 'verify-user', 'communities', 'factory-user', 'verify']);
    expect((await probeCommunity(endpoint(snmpd.port), 'public')).state).toBe('no-answer');
    expect((await probeUser(endpoint(snmpd.port), FACTORY_ADMIN)).state).toBe('unknown-user');
  });
});
