import { describe, expect, it } from 'vitest';
import { discoveryRequest, engineIdOf } from '../../../main/core/protocols/snmp/admin/engine-discovery.js';
import { LAB_SNMP_V3_ADMIN } from '../../../main/lab/fleet.js';
import { loadFactoryCredentials } from '../../../main/core/services/wizard/discovery.js';

describe('SNMPv3 engine discovery (RFC 3414 §4)', () => {
  it('asks with an empty engine ID, no user, reportable and noAuthNoPriv', () => {
    const request = discoveryRequest(0x1234, 0x5678);
    // version 3, msgID, msgMaxSize 65507, msgFlags 04, USM (3)
    expect(request.toString('hex')).toContain('020103' + '300f' + '02021234' + '020300ffe3' + '040104' + '020103');
    expect(engineIdOf(request)).toBeNull();
  });

  it("reads the authoritative engine ID from snmpd's Report (captured from Debian's snmpd 5.9.3)", () => {
    const report = Buffer.from(
      '306b020103300e020107020300ffe30401000201030421301f041180001f888019e7831ee2550f6b000000000201010201050400040004003033041180001f888019e7831ee2550f6b000000000400a81c0201090201000201003011300f060a2b060106030f01010400410101',
      'hex',
    );
    expect(engineIdOf(report)?.toString('hex')).toBe('80001f888019e7831ee2550f6b00000000');
  });

  it.each([
    ['nothing', ''],
    ['a truncated message', '3082ffff0201'],
    ['an SNMPv2c message', '302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500'],
    ['a length that runs past the end', '30050201030410'],
  ])('gives null, never throws, for %s', (_, hex) => {
    expect(engineIdOf(Buffer.from(hex, 'hex'))).toBeNull();
  });
});

describe('factory SNMPv3 admin users', () => {
  it('are loaded and checked from assets/wizard/factory-credentials.json, the lab admin among them', () => {
    const { snmpV3 } = loadFactoryCredentials();
    expect(snmpV3.length).toBeGreaterThanOrEqual(2);
    expect(snmpV3).toContainEqual({ vendor: 'EdgeCab Lab', ...LAB_SNMP_V3_ADMIN });
  });
});
