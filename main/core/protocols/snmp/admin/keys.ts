import { createHash, randomBytes } from 'node:crypto';
import type { SnmpV3Credentials } from '../../../../../shared/domain/snmp.js';

/**
 * SNMPv3 USM key material (RFC 3414 §2.6, A.2; RFC 7860 for SHA-2), as
 * Net-SNMP (`snmplib/keytools.c`) and net-snmp (npm) compute it, and the
 * KeyChange encoding (RFC 3414 §5) an agent decodes when a manager changes
 * a user's key. Agents only ever hold localized keys (Kul), never passphrases.
 */

export type AuthProtocol = NonNullable<SnmpV3Credentials['authProtocol']>;
export type PrivProtocol = NonNullable<SnmpV3Credentials['privProtocol']>;

const HASHES: Record<AuthProtocol, { algorithm: string; length: number }> = {
  md5: { algorithm: 'md5', length: 16 },
  sha: { algorithm: 'sha1', length: 20 },
  sha224: { algorithm: 'sha224', length: 28 },
  sha256: { algorithm: 'sha256', length: 32 },
  sha384: { algorithm: 'sha384', length: 48 },
  sha512: { algorithm: 'sha512', length: 64 },
};

/** usmUserAuthProtocol values (SNMP-USER-BASED-SM-MIB, RFC 7860). */
export const AUTH_PROTOCOL_OIDS: Record<AuthProtocol, string> = {
  md5: '1.3.6.1.6.3.10.1.1.2',
  sha: '1.3.6.1.6.3.10.1.1.3',
  sha224: '1.3.6.1.6.3.10.1.1.4',
  sha256: '1.3.6.1.6.3.10.1.1.5',
  sha384: '1.3.6.1.6.3.10.1.1.6',
  sha512: '1.3.6.1.6.3.10.1.1.7',
};
export const NO_AUTH_OID = '1.3.6.1.6.3.10.1.1.1';

/**
 * usmUserPrivProtocol values. "aes256" is Blumenthal's key extension
 * (draft-blumenthal-aes-usm-04, Net-SNMP "AES-256"), "aes256c" is Reeder's
 * (Cisco's, Net-SNMP "AES-256-C"): the same cipher, different keys.
 */
export const PRIV_PROTOCOL_OIDS: Record<PrivProtocol, string> = {
  des: '1.3.6.1.6.3.10.1.2.2',
  aes: '1.3.6.1.6.3.10.1.2.4',
  aes256: '1.3.6.1.4.1.14832.1.4',
  aes256c: '1.3.6.1.4.1.9.12.6.1.2',
};
export const NO_PRIV_OID = '1.3.6.1.6.3.10.1.2.1';

/**
 * Bytes of the localized privacy key an agent stores, hence half the length
 * of a usmUserPrivKeyChange value. DES keeps its pre-IV with the key (8 + 8),
 * as RFC 3414 §8.1.1.1 derives both from it; Net-SNMP checks exactly these
 * lengths (agent/mibgroup/snmpv3/usmUser.c, write_usmUserPrivKeyChange).
 */
export const PRIV_KEY_LENGTH: Record<PrivProtocol, number> = { des: 16, aes: 16, aes256: 32, aes256c: 32 };

function hash(protocol: AuthProtocol, ...parts: Buffer[]): Buffer {
  const digest = createHash(HASHES[protocol].algorithm);
  for (const part of parts) digest.update(part);
  return digest.digest();
}

/** Length of the localized authentication key, hence half the length of a usmUserAuthKeyChange value. */
export function authKeyLength(protocol: AuthProtocol): number {
  return HASHES[protocol].length;
}

export function authProtocolFromOid(oid: string): AuthProtocol | null {
  return (Object.keys(AUTH_PROTOCOL_OIDS) as AuthProtocol[]).find((protocol) => AUTH_PROTOCOL_OIDS[protocol] === oid) ?? null;
}

export function privProtocolFromOid(oid: string): PrivProtocol | null {
  return (Object.keys(PRIV_PROTOCOL_OIDS) as PrivProtocol[]).find((protocol) => PRIV_PROTOCOL_OIDS[protocol] === oid) ?? null;
}

const MEGABYTE = 1024 * 1024;

/** RFC 3414 A.2: the master key Ku, the hash of the passphrase repeated to 1 MiB. */
export function passwordToKey(protocol: AuthProtocol, passphrase: string | Buffer): Buffer {
  const source = Buffer.isBuffer(passphrase) ? passphrase : Buffer.from(passphrase, 'utf8');
  if (source.length === 0) throw new Error('an SNMPv3 passphrase cannot be empty');
  return hash(protocol, Buffer.alloc(MEGABYTE, source));
}

/** RFC 3414 §2.6: Kul = H(Ku || engineID || Ku), the key one engine holds. */
export function localizeKey(protocol: AuthProtocol, masterKey: Buffer, engineId: Buffer): Buffer {
  return hash(protocol, masterKey, engineId, masterKey);
}

export function localizedAuthKey(protocol: AuthProtocol, passphrase: string, engineId: Buffer): Buffer {
  return localizeKey(protocol, passwordToKey(protocol, passphrase), engineId);
}

/**
 * The localized privacy key as the agent stores it: derived with the user's
 * authentication hash, then cut to the cipher's length, or extended for
 * AES-256 when the hash is shorter than 32 bytes (Blumenthal: Kul || H(Kul);
 * Reeder: Kul || localize(Ku(Kul))), as Net-SNMP's netsnmp_extend_kul does.
 */
export function localizedPrivKey(authProtocol: AuthProtocol, privProtocol: PrivProtocol, passphrase: string, engineId: Buffer): Buffer {
  return privKeyFromKul(authProtocol, privProtocol, localizedAuthKey(authProtocol, passphrase, engineId), engineId);
}

/** The stored privacy key made from a localized key: cut to length, or extended first (AES-256 under a short hash). */
export function privKeyFromKul(authProtocol: AuthProtocol, privProtocol: PrivProtocol, kul: Buffer, engineId: Buffer): Buffer {
  const length = PRIV_KEY_LENGTH[privProtocol];
  if (privProtocol === 'des' && kul.length < length) throw new Error('DES needs a 16-byte key: use at least MD5');
  let key = kul;
  while (key.length < length) {
    const next = privProtocol === 'aes256c' ? localizeKey(authProtocol, passwordToKey(authProtocol, key), engineId) : hash(authProtocol, key);
    key = Buffer.concat([key, next]);
  }
  return key.subarray(0, length);
}

/** Both localized keys of one user at one engine. */
export interface LocalizedKeys {
  auth: Buffer;
  priv: Buffer;
}

export function localizedKeys(authProtocol: AuthProtocol, privProtocol: PrivProtocol, authPassphrase: string, privPassphrase: string, engineId: Buffer): LocalizedKeys {
  return { auth: localizedAuthKey(authProtocol, authPassphrase, engineId), priv: localizedPrivKey(authProtocol, privProtocol, privPassphrase, engineId) };
}

/**
 * The delta of RFC 3414 §5 KeyChange: temp starts as the old key; for each
 * hash-sized block, temp = H(temp || random), and that block of the new key
 * is XOR-ed with temp. Used both ways (XOR is its own inverse).
 */
function delta(protocol: AuthProtocol, oldKey: Buffer, random: Buffer, key: Buffer): Buffer {
  const out = Buffer.alloc(key.length);
  let temp = oldKey;
  for (let offset = 0; offset < key.length; offset += temp.length) {
    temp = hash(protocol, temp, random);
    for (let index = 0; index < temp.length && offset + index < key.length; index += 1) {
      out[offset + index] = temp[index]! ^ key[offset + index]!;
    }
  }
  return out;
}

/**
 * A KeyChange value (random || delta) that turns `oldKey` into `newKey` at
 * the agent. Both keys have the stored length; the random part has that
 * length too, as Net-SNMP's encode_keychange uses and its decoder requires.
 */
export function encodeKeyChange(protocol: AuthProtocol, oldKey: Buffer, newKey: Buffer, random: Buffer = randomBytes(newKey.length)): Buffer {
  if (oldKey.length !== newKey.length) throw new Error(`KeyChange needs keys of one length (${oldKey.length} and ${newKey.length} bytes)`);
  if (random.length !== newKey.length) throw new Error(`KeyChange needs ${newKey.length} random bytes, not ${random.length}`);
  return Buffer.concat([random, delta(protocol, oldKey, random, newKey)]);
}

/** What an agent does with a KeyChange value: the new key, or null if the value cannot apply to this key. */
export function decodeKeyChange(protocol: AuthProtocol, oldKey: Buffer, keyChange: Buffer): Buffer | null {
  if (keyChange.length !== oldKey.length * 2) return null;
  const random = keyChange.subarray(0, oldKey.length);
  return delta(protocol, oldKey, random, keyChange.subarray(oldKey.length));
}
