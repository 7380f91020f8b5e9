import { describe, expect, it } from 'vitest';
import { expandRanges, inSubnet, proposeSlotMatches, type DiscoveredDevice, type SlotToFill } from '../../../shared/domain/wizard.js';
import { strongPassword } from '../../../main/core/services/credentials/rotation.js';

const found = (address: string, protocol: 'redfish' | 'snmp', kind: string, extra: Partial<DiscoveredDevice> = {}): DiscoveredDevice => ({
  address,
  port: protocol === 'redfish' ? 443 : 161,
  protocol,
  kind,
  vendor: null,
  model: null,
  serial: null,
  firmware: null,
  fingerprint: null,
  credential: 'factory default',
  lockoutThreshold: null,
  note: null,
  ...extra,
});
const slot = (slotId: string, protocol: 'redfish' | 'snmp', kind: string, u: number, extra: Partial<SlotToFill> = {}): SlotToFill => ({
  slotId,
  deviceId: `device-${slotId}`,
  name: slotId,
  kind,
  protocol,
  u,
  model: null,
  serial: null,
  ...extra,
});

describe('matching discovered devices to cabinet slots', () => {
  it('fills SNMP slots by kind and BMC slots in address order, bottom up, and leaves what does not fit empty', () => {
    const matches = proposeSlotMatches(
      [slot('srv2', 'redfish', 'server', 5), slot('ups', 'snmp', 'ups', 1), slot('srv1', 'redfish', 'server', 4), slot('cooling', 'snmp', 'cooling', 8), slot('sw1', 'snmp', 'switch', 10)],
      [found('10.0.0.12', 'redfish', 'server'), found('10.0.0.9', 'redfish', 'server'), found('10.0.0.2', 'snmp', 'switch'), found('10.0.0.1', 'snmp', 'ups')],
    );
    expect(matches.map((match) => `${match.slotId}=${match.endpoint}`)).toEqual(['ups=10.0.0.1:161', 'srv1=10.0.0.9:443', 'srv2=10.0.0.12:443', 'cooling=null', 'sw1=10.0.0.2:161']);
  });

  it('puts a device the slot knows by serial back in its slot, then prefers the same model, and skips devices no credential opened', () => {
    const matches = proposeSlotMatches(
      [slot('srv1', 'redfish', 'server', 4, { serial: 'SN-B' }), slot('storage', 'redfish', 'storage', 6, { model: 'ST-9000' }), slot('srv2', 'redfish', 'server', 5)],
      [
        found('10.0.0.3', 'redfish', 'server', { serial: 'SN-A' }),
        found('10.0.0.4', 'redfish', 'server', { serial: 'SN-B' }),
        found('10.0.0.5', 'redfish', 'server', { model: 'ST-9000' }),
        found('10.0.0.6', 'redfish', 'server', { credential: null }),
      ],
    );
    expect(matches.map((match) => `${match.slotId}=${match.endpoint}`)).toEqual(['srv1=10.0.0.4:443', 'srv2=10.0.0.3:443', 'storage=10.0.0.5:443']);
  });
});

describe('address ranges', () => {
  it('expands CIDR blocks without network and broadcast, ranges and single addresses, once each', () => {
    expect(expandRanges('10.0.0.0/30, 10.0.0.2, 10.0.1.250-10.0.2.1').addresses).toEqual(['10.0.0.1', '10.0.0.2', '10.0.1.250', '10.0.1.251', '10.0.1.252', '10.0.1.253', '10.0.1.254', '10.0.1.255', '10.0.2.0', '10.0.2.1']);
  });

  it('refuses what is not an address, reversed ranges and searches too large', () => {
    expect(expandRanges('10.0.0.300').error).toMatch(/not an IPv4 address/);
    expect(expandRanges('10.0.0.9-10.0.0.1').error).toMatch(/lower to a higher/);
    expect(expandRanges('10.0.0.0/8').error).toMatch(/from \/16 to \/32/);
    expect(expandRanges('10.0.0.0/16').error).toMatch(/More than 4096 addresses/);
  });

  it('tells whether an address is in a subnet', () => {
    expect(inSubnet('127.114.0.7', '127.0.0.0/8')).toBe(true);
    expect(inSubnet('10.20.1.7', '10.20.0.0/24')).toBe(false);
  });
});

describe('generated passwords', () => {
  it('are 20 characters with upper, lower, digit and symbol, and differ each time', () => {
    const passwords = Array.from({ length: 50 }, () => strongPassword());
    for (const password of passwords) {
      expect(password).toHaveLength(20);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[-_.!@#%+=]/);
    }
    expect(new Set(passwords).size).toBe(50);
  });
});
