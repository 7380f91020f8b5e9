import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectDevice } from '../../main/core/protocols/snmp/collect.js';
import { SnmpSession } from '../../main/core/protocols/snmp/session.js';
import type { SnmpV3Credentials } from '../../shared/domain/snmp.js';
import { startSnmpd, V3 } from '../support/snmp-peers.js';

describe("Debian's snmpd", () => {
  let snmpd: Awaited<ReturnType<typeof startSnmpd>>;
  const v3 = (overrides: Partial<SnmpV3Credentials> = {}) => ({
    host: '127.0.0.1',
    port: snmpd.port,
    version: '3' as const,
    timeoutMs: 1500,
    retries: 0,
    v3: { user: V3.user, authProtocol: 'sha256', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey, ...overrides } satisfies SnmpV3Credentials,
  });
  beforeAll(async () => {
    snmpd = await startSnmpd();
  }, 30_000);
  afterAll(async () => snmpd?.stop());

  it('answers v2c with system, interfaces and host resources', async () => {
    const device = await collectDevice({ host: '127.0.0.1', port: snmpd.port, version: '2c', community: snmpd.community });
    // A plain Linux host is none of a cabinet's kinds: the only problem is that, naming its sysObjectID.
    expect(device.problems).toEqual([{ section: 'recognition', oid: '1.3.6.1.4.1.8072.3.2.10', message: expect.stringMatching(/^no profile recognizes this device: sysObjectID 1\.3\.6\.1\.4\.1\.8072\.3\.2\.10 \(enterprise 8072\)/) }]);
    expect(device.system.location).toBe('EdgeCab test bench');
    expect(device.system.descr).toMatch(/Linux/);
    expect(device.interfaces.find((entry) => entry.descr === 'lo')).toMatchObject({ operStatus: 'up', adminStatus: 'up' });
    expect(device.interfaces[0]?.inOctets).toMatch(/^\d+$/);
    expect(device.host?.memoryKb).toBeGreaterThan(0);
    expect(device.profiles).toEqual(expect.arrayContaining(['standard-mib2', 'host-resources']));
  });

  it('answers v3 authPriv with SHA-256 and AES-128', async () => {
    const device = await collectDevice(v3());
    expect(device.system.location).toBe('EdgeCab test bench');
    expect(device.target.version).toBe('3');
  });

  it('answers v3 authPriv with SHA-512 and AES-256', async () => {
    const device = await collectDevice(v3({ user: `${V3.user}-256`, authProtocol: 'sha512', privProtocol: 'aes256' }));
    expect(device.system.location).toBe('EdgeCab test bench');
  });

  it.each([
    ['an unknown user', { user: 'nobody-here' }, 'unknown_user', /does not know this SNMPv3 user/],
    ['a wrong auth key', { authKey: 'wrong-auth-key' }, 'auth_failure', /authentication failed/],
    // Net-SNMP drops what it cannot decrypt (as the snmpget CLI shows), so this is a timeout that names the key.
    ['a wrong privacy key', { privKey: 'wrong-priv-key' }, 'timeout', /wrong privacy key/],
  ])('refuses %s with a one-line reason', async (_label, overrides, code, message) => {
    await expect(collectDevice(v3(overrides))).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('walks a table in bounded GETBULK rounds and returns each row once', async () => {
    const session = new SnmpSession({ host: '127.0.0.1', port: snmpd.port, version: '2c', community: snmpd.community }, { maxRepetitions: 2 });
    try {
      const columns = ['1.3.6.1.2.1.25.2.3.1.3', '1.3.6.1.2.1.25.2.3.1.5'];
      const walked = await session.walkColumns(columns);
      const descr = walked.get(columns[0]!)!;
      expect(descr.size).toBeGreaterThan(2);
      expect([...descr.keys()]).toEqual([...new Set(descr.keys())]);
      expect(walked.get(columns[1]!)!.size).toBe(descr.size);
    } finally {
      session.close();
    }
  });

  it('reports missing objects as null, not as errors', async () => {
    const session = new SnmpSession({ host: '127.0.0.1', port: snmpd.port, version: '2c', community: snmpd.community });
    try {
      const [present, missing] = await session.get(['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.33.1.2.1.0']);
      expect(present?.value).not.toBeNull();
      expect(missing?.value).toBeNull();
      expect(await session.has('1.3.6.1.2.1.33.1')).toBe(false);
    } finally {
      session.close();
    }
  });
});
