import snmp from 'net-snmp';
import type { SnmpV3Credentials } from '../../../../shared/domain/snmp.js';

// Net-SNMP's "AES-256" is the Blumenthal key extension; "AES-256-C" (Cisco) is Reeder's.
const PRIV_PROTOCOLS = { des: 'des', aes: 'aes', aes256: 'aes256b', aes256c: 'aes256r' } as const;

/** Our SNMPv3 credentials as a net-snmp user; the security level follows from which keys are given. */
export function toNetSnmpUser(credentials: SnmpV3Credentials): snmp.User {
  const level = credentials.privKey ? snmp.SecurityLevel.authPriv : credentials.authKey ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
  const user: snmp.User = { name: credentials.user, level };
  if (credentials.authKey) {
    user.authProtocol = snmp.AuthProtocols[credentials.authProtocol ?? 'sha'];
    user.authKey = credentials.authKey;
  }
  if (credentials.privKey) {
    user.privProtocol = snmp.PrivProtocols[PRIV_PROTOCOLS[credentials.privProtocol ?? 'aes']];
    user.privKey = credentials.privKey;
  }
  return user;
}
