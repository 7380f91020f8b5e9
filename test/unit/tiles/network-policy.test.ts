import { describe, expect, it } from 'vitest';
import { formatNetwork, isAllowedAddress, NetworkPolicy, parseIp, parseNetwork } from '../../../shared/domain/network.js';
import { tempCore } from '../../support/core.js';

describe('networks EdgeCab may reach', () => {
  it('parses IPv4 and IPv6 networks into canonical form', () => {
    expect(formatNetwork(parseNetwork('10.20.30.40/16')!)).toBe('10.20.0.0/16');
    expect(formatNetwork(parseNetwork('192.168.1.7')!)).toBe('192.168.1.7/32');
    expect(formatNetwork(parseNetwork('FD00:0:0::1/8')!)).toBe('fd00::/8');
    expect(formatNetwork(parseNetwork('2001:db8::1')!)).toBe('2001:db8::1/128');
    expect(formatNetwork(parseNetwork('::ffff:10.0.0.0/104')!)).toBe('10.0.0.0/8');
    for (const bad of ['10.0.0.0/33', '10.0.0', '010.0.0.1', '1.2.3.4/8/9', 'fe80::1%eth0', '::1::2', 'example.com', '2001:db8::/129', '']) expect(parseNetwork(bad), bad).toBeNull();
  });

  it('matches addresses of either family, IPv4-mapped IPv6 as the IPv4 address it carries', () => {
    const networks = ['10.0.0.0/8', 'fd00::/8'].map((text) => parseNetwork(text)!);
    expect(isAllowedAddress(networks, '10.1.2.3')).toBe(true);
    expect(isAllowedAddress(networks, '::ffff:10.1.2.3')).toBe(true);
    expect(isAllowedAddress(networks, '11.0.0.1')).toBe(false);
    expect(isAllowedAddress(networks, 'fd12::5')).toBe(true);
    expect(isAllowedAddress(networks, 'fe80::1')).toBe(false);
    expect(isAllowedAddress(networks, 'not-an-address')).toBe(false);
    expect(isAllowedAddress([], '203.0.113.9')).toBe(true);
    expect(parseIp('[::1]')).toEqual({ family: 6, value: 1n });
  });

  it('refuses more than 256 networks and names a bad one', () => {
    expect(NetworkPolicy.safeParse({ allowedNetworks: Array.from({ length: 257 }, (_, index) => `10.0.${index % 256}.0/24`) }).success).toBe(false);
    const bad = NetworkPolicy.safeParse({ allowedNetworks: ['10.0.0.0/8', 'nowhere'] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['allowedNetworks', 1]);
  });

  it('stores the policy, checks literals and names, and refuses with the rules named', async () => {
    const { core, cleanup } = tempCore();
    try {
      const network = core.services.network;
      expect(await network.check('203.0.113.9')).toEqual([]);
      expect(network.set({ allowedNetworks: ['127.0.0.0/8', '127.1.2.3/8', '::1'] })).toEqual({ allowedNetworks: ['127.0.0.0/8', '::1/128'] });
      expect(await network.check('127.0.0.1')).toEqual(['127.0.0.1']);
      expect(await network.check('[::1]')).toEqual(['::1']);
      await expect(network.check('192.0.2.1')).rejects.toThrow(/may not reach 192\.0\.2\.1: it is outside the networks EdgeCab may reach \(127\.0\.0\.0\/8, ::1\/128\)/);
      // localhost resolves to loopback only: allowed, and the URL is pinned to a checked address.
      expect((await network.reachableUrl('https://localhost:8443/')).hostname).toMatch(/^(127\.0\.0\.1|\[::1\])$/);
      await expect(network.check('no-such-host.invalid')).rejects.toThrow(/did not resolve/);
      const client = core.client('t');
      expect(await client.network.policy()).toEqual({ allowedNetworks: ['127.0.0.0/8', '::1/128'] });
      expect(await client.network.setPolicy({ allowedNetworks: [] })).toEqual({ allowedNetworks: [] });
      expect(network.restricted).toBe(false);
    } finally {
      cleanup();
    }
  });
});
