import { randomUUID } from 'node:crypto';
import snmp from 'net-snmp';
import { authKeyLength, privKeyFromKul, type AuthProtocol, type PrivProtocol } from '../../../core/protocols/snmp/admin/keys.js';

/**
 * Lets net-snmp (npm) authenticate and encrypt with localized keys. An agent
 * that learns keys by KeyChange never knows a passphrase, but net-snmp only
 * takes passphrases: it turns one into a key with
 * Authentication.passwordToKey, which first looks in Authentication.authToKeyCache
 * under protocol + passphrase + engine ID. So each lab user gets a synthetic
 * passphrase (random, never a real one) and the cache gets its localized keys
 * under it, one entry per engine ID the user has a row for (its own agent's,
 * and a receiver's for informs).
 *
 * Privacy keys go through the same door: net-snmp derives them from
 * passwordToKey(authProtocol, privPassphrase, engineID) too, then cuts them
 * to length (DES key + pre-IV, AES-128) or, for AES-256 under a hash shorter
 * than 32 bytes, extends the first hash-length bytes itself (Blumenthal:
 * hashing them; Reeder: localizing them again). So the cache holds those
 * first bytes, and a key whose tail is not that extension cannot be used.
 */

type NpmAuth = Exclude<snmp.AuthProtocols, snmp.AuthProtocols.none>;
const npmAuth = (protocol: AuthProtocol) => snmp.AuthProtocols[protocol] as NpmAuth;

export class LabKeyStore {
  private readonly entries = new Set<string>();
  private readonly passphrases = new Map<string, { auth: string; priv: string }>();

  /** The synthetic passphrases of a user name: stable for the life of this store. */
  passphrasesOf(userName: string): { auth: string; priv: string } {
    let pair = this.passphrases.get(userName);
    if (!pair) {
      const id = randomUUID();
      pair = { auth: `\u0000edgecab-lab-auth:${id}`, priv: `\u0000edgecab-lab-priv:${id}` };
      this.passphrases.set(userName, pair);
    }
    return pair;
  }

  /** Makes `keys` usable for `userName` at `engineId`; returns a problem instead when net-snmp could not use them. */
  register(userName: string, engineId: Buffer, authProtocol: AuthProtocol, privProtocol: PrivProtocol | null, keys: { auth: Buffer; priv: Buffer | null }): string | null {
    const { auth, priv } = this.passphrasesOf(userName);
    const cache = snmp.Authentication.authToKeyCache;
    const authEntry = snmp.Authentication.computeCacheKey(npmAuth(authProtocol), auth, engineId);
    if (keys.auth.length !== authKeyLength(authProtocol)) return `an ${authProtocol} key has ${authKeyLength(authProtocol)} bytes, not ${keys.auth.length}`;
    if (privProtocol && keys.priv) {
      const head = keys.priv.subarray(0, Math.min(keys.priv.length, authKeyLength(authProtocol)));
      if (!privKeyFromKul(authProtocol, privProtocol, head, engineId).equals(keys.priv)) {
        return `this ${privProtocol} key is not the ${privProtocol === 'aes256c' ? 'Reeder' : 'Blumenthal'} extension of its first ${head.length} bytes`;
      }
      const privEntry = snmp.Authentication.computeCacheKey(npmAuth(authProtocol), priv, engineId);
      cache[privEntry] = Buffer.from(head);
      this.entries.add(privEntry);
    }
    cache[authEntry] = Buffer.from(keys.auth);
    this.entries.add(authEntry);
    return null;
  }

  /** net-snmp's user for this name, with the synthetic passphrases. */
  user(userName: string, authProtocol: AuthProtocol, privProtocol: PrivProtocol | null): snmp.User {
    const { auth, priv } = this.passphrasesOf(userName);
    const privacy = privProtocol ? { privProtocol: snmp.PrivProtocols[PRIV[privProtocol]], privKey: priv } : {};
    return { name: userName, level: privProtocol ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv, authProtocol: snmp.AuthProtocols[authProtocol], authKey: auth, ...privacy };
  }

  /** Drops every cache entry this store made (the cache is process-wide). */
  clear(): void {
    for (const entry of this.entries) delete snmp.Authentication.authToKeyCache[entry];
    this.entries.clear();
  }
}

// Net-SNMP's "AES-256" is Blumenthal's key extension, "AES-256-C" Reeder's (as in core/protocols/snmp/users.ts).
const PRIV = { des: 'des', aes: 'aes', aes256: 'aes256b', aes256c: 'aes256r' } as const;
