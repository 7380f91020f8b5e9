/**
 * Discovery's names for what it found: one key per device however its
 * address is written (a secured BMC on the default port 443 is stored as
 * https://host, looked up as host:443), and labels for the community that
 * answered that never carry the community itself.
 */
import { describe, expect, it } from 'vitest';
import { endpointKey } from '../../../main/core/services/devices/endpoint.js';
import { communityLabel } from '../../../main/core/services/wizard/discovery.js';

describe('endpointKey', () => {
  it('gives a BMC on the default port the same key as discovery\'s "address:443"', () => {
    expect(endpointKey('https://10.20.0.11')).toBe('10.20.0.11:443');
    expect(endpointKey('https://10.20.0.11:443')).toBe('10.20.0.11:443');
    expect(endpointKey('10.20.0.11:443')).toBe('10.20.0.11:443');
    expect(endpointKey('https://10.20.0.11:8443')).toBe('10.20.0.11:8443');
    expect(endpointKey('http://10.20.0.11')).toBe('10.20.0.11:80');
  });

  it('keeps SNMP endpoints and IPv6 addresses apart', () => {
    expect(endpointKey('10.20.0.12:161')).toBe('10.20.0.12:161');
    expect(endpointKey('https://[fd00::11]')).toBe('fd00::11:443');
    expect(endpointKey('[fd00::11]:443')).toBe('fd00::11:443');
    expect(endpointKey('fd00::11:443')).toBe('fd00::11:443');
  });
});

describe('communityLabel', () => {
  const plan = { factory: ['public', 'private'], userSupplied: ['branch-secret-7'] };
  it('names a factory community by its place in the list, and a community the user gave not at all', () => {
    expect(communityLabel(plan, 'public')).toBe('factory community 1 of 2');
    expect(communityLabel(plan, 'private')).toBe('factory community 2 of 2');
    expect(communityLabel(plan, 'branch-secret-7')).toBe('a community you gave');
    for (const community of [...plan.factory, ...plan.userSupplied]) expect(communityLabel(plan, community)).not.toContain(community);
  });
});
