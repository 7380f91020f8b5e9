import snmp from 'net-snmp';
import { SnmpError, type SnmpSession, type Varbind } from '../session.js';
import { NO_AUTH_OID, NO_PRIV_OID, authProtocolFromOid, encodeKeyChange, privProtocolFromOid, type AuthProtocol, type LocalizedKeys, type PrivProtocol } from './keys.js';
import { ROW_STATUS, SNMP_ENGINE_ID, USM, USM_USER_ENTRY, USM_USER_SPIN_LOCK, column, usmUserIndex } from './oids.js';

/**
 * SNMP-USER-BASED-SM-MIB usmUserTable, as Net-SNMP's snmpusm drives it:
 * a user is created by cloning an existing one (createAndWait, CloneFrom),
 * given its own keys by KeyChange from the clone source's, then activated.
 * An agent never learns a passphrase, only localized keys.
 */

export interface UsmUser {
  engineId: Buffer;
  name: string;
}

export interface UsmUserRow {
  status: number | null;
  /** null when the agent names a protocol EdgeCab does not know; 'none' for usmNo*Protocol. */
  authProtocol: AuthProtocol | 'none' | null;
  privProtocol: PrivProtocol | 'none' | null;
  public: string;
  storageType: number | null;
}

const T = snmp.ObjectType;
const cell = (user: UsmUser, number: number) => column(USM_USER_ENTRY, number, usmUserIndex(user.engineId, user.name));

function asNumber(varbind: Varbind | undefined): number | null {
  return typeof varbind?.value === 'number' ? varbind.value : null;
}

function asText(varbind: Varbind | undefined): string {
  const value = varbind?.value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : '';
}

/** snmpEngineID.0: the ID every localized key of this agent depends on. */
export async function readEngineId(session: SnmpSession): Promise<Buffer> {
  const [varbind] = await session.get([SNMP_ENGINE_ID]);
  const value = varbind?.value;
  // RFC 3411: 5 to 32 octets.
  if (!Buffer.isBuffer(value) || value.length < 5 || value.length > 32) {
    throw new SnmpError('malformed_response', `${session.target}: snmpEngineID.0 is not a 5- to 32-byte engine ID (${varbind?.type ?? 'missing'})`);
  }
  return value;
}

/** The user's row, or null when the agent has none. */
export async function readUser(session: SnmpSession, user: UsmUser): Promise<UsmUserRow | null> {
  const [status, auth, priv, publicValue, storage] = await session.get([
    cell(user, USM.status),
    cell(user, USM.authProtocol),
    cell(user, USM.privProtocol),
    cell(user, USM.public),
    cell(user, USM.storageType),
  ]);
  if (asNumber(status) === null) return null;
  const protocol = <P extends string>(varbind: Varbind | undefined, none: string, lookup: (oid: string) => P | null): P | 'none' | null => {
    if (typeof varbind?.value !== 'string') return null;
    return varbind.value === none ? 'none' : lookup(varbind.value);
  };
  return {
    status: asNumber(status),
    authProtocol: protocol(auth, NO_AUTH_OID, authProtocolFromOid),
    privProtocol: protocol(priv, NO_PRIV_OID, privProtocolFromOid),
    public: asText(publicValue),
    storageType: asNumber(storage),
  };
}

/** Step 1: a new row, not ready until it is cloned. */
export async function createUserRow(session: SnmpSession, user: UsmUser): Promise<void> {
  await session.set([{ oid: cell(user, USM.status), type: T.Integer, value: ROW_STATUS.createAndWait }]);
}

/** Step 2: copy protocols and keys from an active user (the RowPointer names any column of its row). */
export async function cloneUser(session: SnmpSession, user: UsmUser, from: UsmUser): Promise<void> {
  await session.set([{ oid: cell(user, USM.cloneFrom), type: T.OID, value: cell(from, USM.securityName) }]);
}

/**
 * Step 3: both keys in one PDU, so the agent takes both or neither. The old
 * keys are what the row holds now (the clone source's); the KeyChange hash
 * is the row's authentication protocol's. usmUserPublic goes in the same PDU
 * as RFC 3414 intends, so reading it later tells whether this change was made.
 */
export async function changeUserKeys(session: SnmpSession, user: UsmUser, authProtocol: AuthProtocol, oldKeys: LocalizedKeys, newKeys: LocalizedKeys, publicValue: string): Promise<void> {
  await session.set([
    { oid: cell(user, USM.authKeyChange), type: T.OctetString, value: encodeKeyChange(authProtocol, oldKeys.auth, newKeys.auth) },
    { oid: cell(user, USM.privKeyChange), type: T.OctetString, value: encodeKeyChange(authProtocol, oldKeys.priv, newKeys.priv) },
    { oid: cell(user, USM.public), type: T.OctetString, value: publicValue },
  ]);
}

/** Step 4: the user may now authenticate. */
export async function activateUser(session: SnmpSession, user: UsmUser): Promise<void> {
  await session.set([{ oid: cell(user, USM.status), type: T.Integer, value: ROW_STATUS.active }]);
}

export async function destroyUser(session: SnmpSession, user: UsmUser): Promise<void> {
  await session.set([{ oid: cell(user, USM.status), type: T.Integer, value: ROW_STATUS.destroy }]);
}

/**
 * A harmless write that proves write access to the USM tables: usmUserSpinLock
 * is a TestAndIncr, so setting it to its current value only advances it.
 * Another manager writing at the same moment makes it inconsistentValue: retried once.
 */
export async function proveUsmWrite(session: SnmpSession): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const [lock] = await session.get([USM_USER_SPIN_LOCK]);
    const value = asNumber(lock);
    if (value === null) throw new SnmpError('malformed_response', `${session.target}: usmUserSpinLock.0 is missing`);
    try {
      await session.set([{ oid: USM_USER_SPIN_LOCK, type: T.Integer, value }]);
      return;
    } catch (error) {
      if (attempt > 0 || !(error instanceof SnmpError) || error.answer?.status !== 'inconsistentValue') throw error;
    }
  }
}
