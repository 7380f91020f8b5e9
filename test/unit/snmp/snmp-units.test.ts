import { describe, expect, it } from 'vitest';
import { parseHostPort } from '../../../main/cli/probe-snmp.js';
import { bundledProfiles, parseProfile, ProfileError } from '../../../main/core/protocols/snmp/profiles.js';
import { fieldValue } from '../../../main/core/protocols/snmp/values.js';
import { counterRate } from '../../../shared/domain/snmp.js';

describe('counterRate', () => {
  it('is the plain difference over time when the counter grew', () => {
    expect(counterRate('1000', '3000', 10, 32)).toBe(200);
  });
  it('survives a Counter32 wrap', () => {
    expect(counterRate(String(2 ** 32 - 100), '400', 5, 32)).toBe(100);
  });
  it('survives a Counter64 wrap with exact big integers', () => {
    expect(counterRate((2n ** 64n - 1000n).toString(), '1000', 2, 64)).toBe(1000);
  });
  it('gives null for a drop no single wrap explains (a reset after reboot), and for no time', () => {
    expect(counterRate('100', '50', 10, 32)).toBeNull();
    expect(counterRate('1', '2', 0, 32)).toBeNull();
  });
});

describe('profile data', () => {
  it('every bundled profile is valid and ids are unique', () => {
    const ids = bundledProfiles().map((profile) => profile.id);
    expect(ids.length).toBeGreaterThanOrEqual(7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['no match rule', { id: 'x', description: 'd', match: {}, sections: [] }, /must say when it applies/],
    ['a bad OID', { id: 'x', description: 'd', match: { whenOidExists: '1.3.x' }, sections: [] }, /match.whenOidExists: Not a numeric OID/],
    [
      'an enum without values',
      { id: 'x', description: 'd', match: { always: true }, sections: [{ target: 'ups', scalars: { a: { oid: '1.3.6.1.0', type: 'enum' } } }] },
      /An enum field needs "enum"/,
    ],
    ['an unknown target', { id: 'x', description: 'd', match: { always: true }, sections: [{ target: 'toaster' }] }, /sections.0.target/],
  ])('refuses %s with a clear error', (_label, data, message) => {
    expect(() => parseProfile(data, 'bad.json')).toThrow(ProfileError);
    expect(() => parseProfile(data, 'bad.json')).toThrow(message);
  });
});

describe('field values', () => {
  it('decodes text, scaled numbers, counters, enums, MACs and timeticks', () => {
    const varbind = (value: unknown) => ({ oid: '1.3', type: 'x', value: value as never });
    expect(fieldValue({ oid: '1.3', type: 'string' }, varbind(Buffer.from('Rack PDU\u0000')))).toBe('Rack PDU');
    expect(fieldValue({ oid: '1.3', type: 'string' }, varbind(Buffer.from([0x00, 0xff, 0x10])))).toBe('00ff10');
    expect(fieldValue({ oid: '1.3', type: 'number', scale: 0.1 }, varbind(5213))).toBe(521.3);
    expect(fieldValue({ oid: '1.3', type: 'counter' }, varbind(2n ** 63n))).toBe('9223372036854775808');
    expect(fieldValue({ oid: '1.3', type: 'enum', enum: { '1': 'up' } }, varbind(1))).toBe('up');
    expect(fieldValue({ oid: '1.3', type: 'enum', enum: { '1': 'up' } }, varbind(99))).toBeNull();
    expect(fieldValue({ oid: '1.3', type: 'mac' }, varbind(Buffer.from([0x54, 0x10, 0xec, 0xa1, 0x3c, 0x3f])))).toBe('54:10:ec:a1:3c:3f');
    expect(fieldValue({ oid: '1.3', type: 'timeticks' }, varbind(12_345))).toBe(123.45);
    expect(fieldValue({ oid: '1.3', type: 'number' }, varbind(null))).toBeNull();
    expect(fieldValue({ oid: '1.3', type: 'number' }, varbind(Buffer.from('NaN')))).toBeNull();
  });
});

describe('host:port', () => {
  it('parses names, IPv4 and bracketed IPv6, with the default port', () => {
    expect(parseHostPort('10.0.0.5', 161)).toEqual({ host: '10.0.0.5', port: 161 });
    expect(parseHostPort('ups-1.branch:1161', 161)).toEqual({ host: 'ups-1.branch', port: 1161 });
    expect(parseHostPort('[::1]:1161', 161)).toEqual({ host: '::1', port: 1161 });
    expect(() => parseHostPort('a:70000', 161)).toThrow(/not host or host:port/);
    expect(() => parseHostPort('a b', 161)).toThrow(/not host or host:port/);
  });
});
