import { createHash } from 'node:crypto';
import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import {
  authKeyLength,
  decodeKeyChange,
  encodeKeyChange,
  localizedAuthKey,
  localizedPrivKey,
  localizeKey,
  passwordToKey,
  PRIV_KEY_LENGTH,
  type AuthProtocol,
  type PrivProtocol,
} from '../../../main/core/protocols/snmp/admin/keys.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
// RFC 3414 A.3: password "maplesyrup", snmpEngineID '00 00 00 00 00 00 00 00 00 00 00 02'.
const RFC_ENGINE = hex('000000000000000000000002');

describe('RFC 3414 A.3 password-to-key test vectors', () => {
  it('MD5 (A.3.1)', () => {
    const ku = passwordToKey('md5', 'maplesyrup');
    expect(ku.toString('hex')).toBe('9faf3283884e92834ebc9847d8edd963');
    expect(localizeKey('md5', ku, RFC_ENGINE).toString('hex')).toBe('526f5eed9fcce26f8964c2930787d82b');
  });
  it('SHA-1 (A.3.2)', () => {
    const ku = passwordToKey('sha', 'maplesyrup');
    expect(ku.toString('hex')).toBe('9fb5cc0381497b3793528939ff788d5d79145211');
    expect(localizeKey('sha', ku, RFC_ENGINE).toString('hex')).toBe('6695febc9288e36282235fc7151f128497b38f3f');
  });
});

const AUTH: AuthProtocol[] = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'];
const NPM_PRIV: Record<PrivProtocol, snmp.PrivProtocols> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256: snmp.PrivProtocols.aes256b,
  aes256c: snmp.PrivProtocols.aes256r,
};
const ENGINE = hex('80001f8880e0ff2a50294c0f6b00000000');

describe('localized keys match net-snmp (npm), which EdgeCab polls with', () => {
  it.each(AUTH)('auth key, %s', (protocol) => {
    const expected = snmp.Authentication.passwordToKey(snmp.AuthProtocols[protocol] as Exclude<snmp.AuthProtocols, snmp.AuthProtocols.none>, 'auth-pass-phrase', ENGINE);
    expect(localizedAuthKey(protocol, 'auth-pass-phrase', ENGINE).equals(expected)).toBe(true);
    expect(expected.length).toBe(authKeyLength(protocol));
  });

  // DES keeps its pre-IV in bytes 8..16 of the same key; net-snmp reads it from there.
  it.each(AUTH.flatMap((auth) => (['des', 'aes', 'aes256', 'aes256c'] as PrivProtocol[]).map((priv) => [auth, priv] as const)))('priv key, %s + %s', (auth, priv) => {
    const ours = localizedPrivKey(auth, priv, 'priv-pass-phrase', ENGINE);
    expect(ours.length).toBe(PRIV_KEY_LENGTH[priv]);
    const algorithm = snmp.Encryption.algorithms[NPM_PRIV[priv] as snmp.PrivProtocols.aes];
    const npmAuth = snmp.AuthProtocols[auth];
    if (priv === 'des') {
      const full = snmp.Authentication.passwordToKey(npmAuth as Exclude<snmp.AuthProtocols, snmp.AuthProtocols.none>, 'priv-pass-phrase', ENGINE);
      expect(ours.equals(full.subarray(0, 16))).toBe(true);
    } else {
      const npm = algorithm.localizationAlgorithm(algorithm, npmAuth, 'priv-pass-phrase', ENGINE);
      expect(ours.equals(npm)).toBe(true);
    }
  });
});

describe('RFC 3414 A.5 keyChange test vectors ("maplesyrup" to "newsyrup", random all zeros)', () => {
  it('MD5 (A.5.1)', () => {
    const newKey = localizedAuthKey('md5', 'newsyrup', RFC_ENGINE);
    expect(passwordToKey('md5', 'newsyrup').toString('hex')).toBe('01add273107c4e596b4b00f82b1d42a7');
    expect(newKey.toString('hex')).toBe('87021d7bd9d101ba05ea6e3bf9d9bd4a');
    const value = encodeKeyChange('md5', localizedAuthKey('md5', 'maplesyrup', RFC_ENGINE), newKey, Buffer.alloc(16));
    expect(value.toString('hex')).toBe('00000000000000000000000000000000' + '8805615141676cc9196174e742a32551');
  });
  it('SHA-1 (A.5.2), authentication key', () => {
    const newKey = localizedAuthKey('sha', 'newsyrup', RFC_ENGINE);
    expect(newKey.toString('hex')).toBe('78e2dcce79d59403b58c1bbaa5bff46391f1cd25');
    const value = encodeKeyChange('sha', localizedAuthKey('sha', 'maplesyrup', RFC_ENGINE), newKey, Buffer.alloc(20));
    expect(value.toString('hex')).toBe('0000000000000000000000000000000000000000' + '9c1017f4fd483d2de8d5fadbf84392cb06457051');
  });
  it('SHA-1 (A.5.2), privacy key cut to 16 bytes for DES', () => {
    const oldKey = localizedPrivKey('sha', 'des', 'maplesyrup', RFC_ENGINE);
    const newKey = localizedPrivKey('sha', 'des', 'newsyrup', RFC_ENGINE);
    expect(newKey.toString('hex')).toBe('78e2dcce79d59403b58c1bbaa5bff463');
    const value = encodeKeyChange('sha', oldKey, newKey, Buffer.alloc(16));
    expect(value.toString('hex')).toBe('00000000000000000000000000000000' + '7ef8d8a4c9cdb26b47591cd852ff88b5');
    expect(decodeKeyChange('sha', oldKey, value)?.equals(newKey)).toBe(true);
  });
});

describe('KeyChange (RFC 3414 §5)', () => {
  it('is random || delta, where the first delta block is H(old || random) XOR new', () => {
    const oldKey = localizedAuthKey('sha', 'old-pass-phrase', ENGINE);
    const newKey = localizedAuthKey('sha', 'new-pass-phrase', ENGINE);
    const random = Buffer.alloc(20, 7);
    const value = encodeKeyChange('sha', oldKey, newKey, random);
    expect(value.length).toBe(40);
    expect(value.subarray(0, 20).equals(random)).toBe(true);
    const temp = createHash('sha1').update(oldKey).update(random).digest();
    const first = Buffer.from(temp.map((byte, index) => byte ^ newKey[index]!));
    expect(value.subarray(20).equals(first)).toBe(true);
  });

  it.each([
    ['md5', 16],
    ['sha', 20],
    ['sha256', 32],
    ['sha512', 64],
  ] as const)('round-trips %s auth keys (%i bytes → %i-byte value)', (protocol, length) => {
    const oldKey = localizedAuthKey(protocol, 'old-pass-phrase', ENGINE);
    const newKey = localizedAuthKey(protocol, 'new-pass-phrase', ENGINE);
    const value = encodeKeyChange(protocol, oldKey, newKey);
    expect(value.length).toBe(length * 2);
    expect(decodeKeyChange(protocol, oldKey, value)?.equals(newKey)).toBe(true);
  });

  // A key longer than one hash block (AES-256 under SHA-1: 32 > 20) takes two rounds of the hash chain.
  it('spans several hash blocks when the key is longer than the hash', () => {
    const oldKey = localizedPrivKey('sha', 'aes256', 'old-pass-phrase', ENGINE);
    const newKey = localizedPrivKey('sha', 'aes256', 'new-pass-phrase', ENGINE);
    const value = encodeKeyChange('sha', oldKey, newKey);
    expect(value.length).toBe(64);
    expect(decodeKeyChange('sha', oldKey, value)?.equals(newKey)).toBe(true);
    expect(decodeKeyChange('sha', oldKey, value.subarray(0, 40))).toBeNull();
  });

  it('refuses keys of different lengths', () => {
    expect(() => encodeKeyChange('sha', Buffer.alloc(20), Buffer.alloc(16))).toThrow(/one length/);
  });
});
