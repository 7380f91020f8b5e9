import snmp from 'net-snmp';
import { NO_AUTH_OID, NO_PRIV_OID } from '../../../core/protocols/snmp/admin/keys.js';
import {
  NOTIFY,
  NOTIFY_ENTRY,
  TARGET_ADDR,
  TARGET_ADDR_ENTRY,
  TARGET_PARAMS,
  TARGET_PARAMS_ENTRY,
  USM,
  USM_USER_ENTRY,
  VACM_ACCESS,
  VACM_ACCESS_ENTRY,
  VACM_GROUP,
  VACM_SECURITY_TO_GROUP_ENTRY,
  readOctets,
} from '../../../core/protocols/snmp/admin/oids.js';
import type { TableSpec } from './table.js';

/** The administrative tables a lab agent serves, as their MIBs define them. */

const T = snmp.ObjectType;
const empty = Buffer.alloc(0);

/** Index = OCTET STRING (min..max) followed by more, or nothing. */
function octetsAt(parts: number[], at: number, min: number, max: number): number | null {
  const read = readOctets(parts, at);
  return read && read.value.length >= min && read.value.length <= max ? read.next : null;
}

const implied = (parts: number[]) => parts.length >= 1 && parts.length <= 32 && parts.every((part) => Number.isInteger(part) && part >= 0 && part <= 255);

export const USM_TABLE: TableSpec = {
  name: 'usmUserTable',
  entry: USM_USER_ENTRY,
  columns: [
    { number: USM.securityName, name: 'usmUserSecurityName', type: T.OctetString, writable: false },
    // Reads as zeroDotZero (RFC 3414); the clone source is remembered elsewhere.
    { number: USM.cloneFrom, name: 'usmUserCloneFrom', type: T.OID, writable: true, initial: '0.0' },
    { number: USM.authProtocol, name: 'usmUserAuthProtocol', type: T.OID, writable: true, initial: NO_AUTH_OID },
    { number: USM.authKeyChange, name: 'usmUserAuthKeyChange', type: T.OctetString, writable: true, initial: empty },
    { number: 7, name: 'usmUserOwnAuthKeyChange', type: T.OctetString, writable: false, initial: empty },
    { number: USM.privProtocol, name: 'usmUserPrivProtocol', type: T.OID, writable: true, initial: NO_PRIV_OID },
    { number: USM.privKeyChange, name: 'usmUserPrivKeyChange', type: T.OctetString, writable: true, initial: empty },
    { number: 10, name: 'usmUserOwnPrivKeyChange', type: T.OctetString, writable: false, initial: empty },
    { number: USM.public, name: 'usmUserPublic', type: T.OctetString, writable: true, initial: empty },
    { number: USM.storageType, name: 'usmUserStorageType', type: T.Integer, writable: true },
    { number: USM.status, name: 'usmUserStatus', type: T.Integer, writable: true },
  ],
  statusColumn: USM.status,
  storageColumn: USM.storageType,
  validIndex: (parts) => {
    const next = octetsAt(parts, 0, 5, 32);
    return next !== null && octetsAt(parts, next, 1, 32) === parts.length;
  },
  required: [],
};

export const GROUP_TABLE: TableSpec = {
  name: 'vacmSecurityToGroupTable',
  entry: VACM_SECURITY_TO_GROUP_ENTRY,
  columns: [
    { number: VACM_GROUP.groupName, name: 'vacmGroupName', type: T.OctetString, writable: true },
    { number: VACM_GROUP.storageType, name: 'vacmSecurityToGroupStorageType', type: T.Integer, writable: true },
    { number: VACM_GROUP.status, name: 'vacmSecurityToGroupStatus', type: T.Integer, writable: true },
  ],
  statusColumn: VACM_GROUP.status,
  storageColumn: VACM_GROUP.storageType,
  validIndex: (parts) => parts[0] !== undefined && parts[0] >= 1 && parts[0] <= 3 && octetsAt(parts, 1, 1, 32) === parts.length,
  required: [VACM_GROUP.groupName],
};

export const ACCESS_TABLE: TableSpec = {
  name: 'vacmAccessTable',
  entry: VACM_ACCESS_ENTRY,
  columns: [
    { number: VACM_ACCESS.contextMatch, name: 'vacmAccessContextMatch', type: T.Integer, writable: true, initial: 1 },
    { number: VACM_ACCESS.readView, name: 'vacmAccessReadViewName', type: T.OctetString, writable: true, initial: empty },
    { number: VACM_ACCESS.writeView, name: 'vacmAccessWriteViewName', type: T.OctetString, writable: true, initial: empty },
    { number: VACM_ACCESS.notifyView, name: 'vacmAccessNotifyViewName', type: T.OctetString, writable: true, initial: empty },
    { number: VACM_ACCESS.storageType, name: 'vacmAccessStorageType', type: T.Integer, writable: true },
    { number: VACM_ACCESS.status, name: 'vacmAccessStatus', type: T.Integer, writable: true },
  ],
  statusColumn: VACM_ACCESS.status,
  storageColumn: VACM_ACCESS.storageType,
  validIndex: (parts) => {
    const context = octetsAt(parts, 0, 1, 32);
    const model = context === null ? null : octetsAt(parts, context, 0, 32);
    return model !== null && parts.length === model + 2 && parts[model]! <= 3 && parts[model + 1]! >= 1 && parts[model + 1]! <= 3;
  },
  required: [],
};

/** vacmViewTreeFamilyTable, read-only here: views come from the factory configuration. */
export const VIEW_TABLE: TableSpec = {
  name: 'vacmViewTreeFamilyTable',
  entry: '1.3.6.1.6.3.16.1.5.2.1',
  columns: [
    { number: 3, name: 'vacmViewTreeFamilyMask', type: T.OctetString, writable: false, initial: empty },
    { number: 4, name: 'vacmViewTreeFamilyType', type: T.Integer, writable: false, initial: 1 },
    { number: 5, name: 'vacmViewTreeFamilyStorageType', type: T.Integer, writable: false },
    { number: 6, name: 'vacmViewTreeFamilyStatus', type: T.Integer, writable: false },
  ],
  statusColumn: 6,
  storageColumn: 5,
  validIndex: () => false,
  required: [],
};

export const TARGET_ADDR_TABLE: TableSpec = {
  name: 'snmpTargetAddrTable',
  entry: TARGET_ADDR_ENTRY,
  columns: [
    { number: TARGET_ADDR.domain, name: 'snmpTargetAddrTDomain', type: T.OID, writable: true },
    { number: TARGET_ADDR.address, name: 'snmpTargetAddrTAddress', type: T.OctetString, writable: true },
    { number: TARGET_ADDR.timeout, name: 'snmpTargetAddrTimeout', type: T.Integer, writable: true, initial: 1500 },
    { number: TARGET_ADDR.retryCount, name: 'snmpTargetAddrRetryCount', type: T.Integer, writable: true, initial: 3 },
    { number: TARGET_ADDR.tagList, name: 'snmpTargetAddrTagList', type: T.OctetString, writable: true, initial: empty },
    { number: TARGET_ADDR.params, name: 'snmpTargetAddrParams', type: T.OctetString, writable: true },
    { number: TARGET_ADDR.storageType, name: 'snmpTargetAddrStorageType', type: T.Integer, writable: true },
    { number: TARGET_ADDR.status, name: 'snmpTargetAddrRowStatus', type: T.Integer, writable: true },
  ],
  statusColumn: TARGET_ADDR.status,
  storageColumn: TARGET_ADDR.storageType,
  validIndex: implied,
  required: [TARGET_ADDR.domain, TARGET_ADDR.address, TARGET_ADDR.params],
  lockedWhenActive: [TARGET_ADDR.domain, TARGET_ADDR.address],
};

export const TARGET_PARAMS_TABLE: TableSpec = {
  name: 'snmpTargetParamsTable',
  entry: TARGET_PARAMS_ENTRY,
  columns: [
    { number: TARGET_PARAMS.mpModel, name: 'snmpTargetParamsMPModel', type: T.Integer, writable: true },
    { number: TARGET_PARAMS.securityModel, name: 'snmpTargetParamsSecurityModel', type: T.Integer, writable: true },
    { number: TARGET_PARAMS.securityName, name: 'snmpTargetParamsSecurityName', type: T.OctetString, writable: true },
    { number: TARGET_PARAMS.securityLevel, name: 'snmpTargetParamsSecurityLevel', type: T.Integer, writable: true },
    { number: TARGET_PARAMS.storageType, name: 'snmpTargetParamsStorageType', type: T.Integer, writable: true },
    { number: TARGET_PARAMS.status, name: 'snmpTargetParamsRowStatus', type: T.Integer, writable: true },
  ],
  statusColumn: TARGET_PARAMS.status,
  storageColumn: TARGET_PARAMS.storageType,
  validIndex: implied,
  required: [TARGET_PARAMS.mpModel, TARGET_PARAMS.securityModel, TARGET_PARAMS.securityName, TARGET_PARAMS.securityLevel],
};

export const NOTIFY_TABLE: TableSpec = {
  name: 'snmpNotifyTable',
  entry: NOTIFY_ENTRY,
  columns: [
    { number: NOTIFY.tag, name: 'snmpNotifyTag', type: T.OctetString, writable: true, initial: empty },
    { number: NOTIFY.type, name: 'snmpNotifyType', type: T.Integer, writable: true, initial: 1 },
    { number: NOTIFY.storageType, name: 'snmpNotifyStorageType', type: T.Integer, writable: true },
    { number: NOTIFY.status, name: 'snmpNotifyRowStatus', type: T.Integer, writable: true },
  ],
  statusColumn: NOTIFY.status,
  storageColumn: NOTIFY.storageType,
  validIndex: implied,
  required: [],
};

export const ADMIN_TABLES = [USM_TABLE, GROUP_TABLE, ACCESS_TABLE, VIEW_TABLE, TARGET_ADDR_TABLE, TARGET_PARAMS_TABLE, NOTIFY_TABLE];
