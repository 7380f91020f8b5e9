/**
 * Object identifiers and table-index encodings (RFC 2578 §7.7) of the
 * administrative MIBs EdgeCab writes: SNMP-FRAMEWORK-MIB, SNMP-USER-BASED-SM-MIB,
 * SNMP-VIEW-BASED-ACM-MIB, SNMP-TARGET-MIB and SNMP-NOTIFICATION-MIB.
 */

export const SNMP_ENGINE_ID = '1.3.6.1.6.3.10.2.1.1.0';
export const SYS_UP_TIME = '1.3.6.1.2.1.1.3.0';

export const USM_USER_SPIN_LOCK = '1.3.6.1.6.3.15.1.2.1.0';
export const USM_USER_ENTRY = '1.3.6.1.6.3.15.1.2.2.1';
export const USM = {
  securityName: 3,
  cloneFrom: 4,
  authProtocol: 5,
  authKeyChange: 6,
  privProtocol: 8,
  privKeyChange: 9,
  public: 11,
  storageType: 12,
  status: 13,
} as const;

export const VACM_SECURITY_TO_GROUP_ENTRY = '1.3.6.1.6.3.16.1.2.1';
export const VACM_GROUP = { groupName: 3, storageType: 4, status: 5 } as const;
export const VACM_ACCESS_ENTRY = '1.3.6.1.6.3.16.1.4.1';
export const VACM_ACCESS = { contextMatch: 4, readView: 5, writeView: 6, notifyView: 7, storageType: 8, status: 9 } as const;

export const TARGET_ADDR_ENTRY = '1.3.6.1.6.3.12.1.2.1';
export const TARGET_ADDR = { domain: 2, address: 3, timeout: 4, retryCount: 5, tagList: 6, params: 7, storageType: 8, status: 9 } as const;
export const TARGET_PARAMS_ENTRY = '1.3.6.1.6.3.12.1.3.1';
export const TARGET_PARAMS = { mpModel: 2, securityModel: 3, securityName: 4, securityLevel: 5, storageType: 6, status: 7 } as const;
export const NOTIFY_ENTRY = '1.3.6.1.6.3.13.1.1.1';
export const NOTIFY = { tag: 2, type: 3, storageType: 4, status: 5 } as const;
/** snmpUDPDomain (SNMPv2-TM): a TAddress of 4 address bytes and 2 port bytes. */
export const SNMP_UDP_DOMAIN = '1.3.6.1.6.1.1';

export const ROW_STATUS = { active: 1, notInService: 2, notReady: 3, createAndGo: 4, createAndWait: 5, destroy: 6 } as const;
export const STORAGE_TYPE = { other: 1, volatile: 2, nonVolatile: 3, permanent: 4, readOnly: 5 } as const;
export const SECURITY_MODEL = { any: 0, v1: 1, v2c: 2, usm: 3 } as const;
export const SECURITY_LEVEL = { noAuthNoPriv: 1, authNoPriv: 2, authPriv: 3 } as const;

const STORAGE_NAMES = ['', 'other', 'volatile', 'nonVolatile', 'permanent', 'readOnly'];
export function storageName(value: number | null): string {
  return (value !== null && STORAGE_NAMES[value]) || `storageType ${value ?? 'unknown'}`;
}

/** A length-prefixed OCTET STRING index component. */
export function octetsIndex(value: Buffer | string): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return [bytes.length, ...bytes].join('.');
}

/** An IMPLIED OCTET STRING index component (the last index of a table, no length). */
export function impliedIndex(value: string): string {
  return [...Buffer.from(value, 'utf8')].join('.');
}

/** Reads a length-prefixed OCTET STRING from the start of an index; null when it does not fit. */
export function readOctets(parts: readonly number[], at = 0): { value: Buffer; next: number } | null {
  const length = parts[at];
  if (length === undefined || at + 1 + length > parts.length) return null;
  const bytes = parts.slice(at + 1, at + 1 + length);
  if (bytes.some((byte) => !Number.isInteger(byte) || byte < 0 || byte > 255)) return null;
  return { value: Buffer.from(bytes), next: at + 1 + length };
}

export function indexParts(index: string): number[] {
  return index === '' ? [] : index.split('.').map(Number);
}

export function usmUserIndex(engineId: Buffer, userName: string): string {
  return `${octetsIndex(engineId)}.${octetsIndex(userName)}`;
}

export function column(entry: string, number: number, index: string): string {
  return `${entry}.${number}.${index}`;
}

/** An IPv4 UDP TAddress: 4 address bytes, 2 port bytes (SNMPv2-TM SnmpUDPAddress). */
export function udpAddress(host: string, port: number): Buffer {
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
    throw new Error(`"${host}" is not an IPv4 address; the notification target needs one (snmpUDPDomain)`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${port} is not a UDP port`);
  const address = Buffer.alloc(6);
  octets.forEach((octet, position) => address.writeUInt8(octet, position));
  address.writeUInt16BE(port, 4);
  return address;
}
