import snmp from 'net-snmp';
import type { SnmpSession, Varbind } from '../session.js';
import { ROW_STATUS, SECURITY_LEVEL, SECURITY_MODEL, STORAGE_TYPE, VACM_ACCESS, VACM_ACCESS_ENTRY, VACM_GROUP, VACM_SECURITY_TO_GROUP_ENTRY, column, indexParts, octetsIndex, readOctets } from './oids.js';

/**
 * SNMP-VIEW-BASED-ACM-MIB (RFC 3415): which group a security name (a USM
 * user, or the security name a community maps to) belongs to, and what each
 * group may read, write and be notified of. Net-SNMP needs both a
 * vacmSecurityToGroupTable row and a vacmAccessTable row for the group
 * before a new user may do anything; the views the access row names must exist.
 */

const T = snmp.ObjectType;

export interface GroupMember {
  model: number;
  securityName: string;
  group: string;
  storageType: number | null;
  index: string;
}

export interface AccessEntry {
  group: string;
  context: string;
  model: number;
  level: number;
  readView: string;
  writeView: string;
  notifyView: string;
  storageType: number | null;
  status: number | null;
}

export interface Views {
  readView: string;
  writeView: string;
  notifyView: string;
}

const text = (varbind: Varbind | undefined) => (Buffer.isBuffer(varbind?.value) ? varbind.value.toString('utf8') : typeof varbind?.value === 'string' ? varbind.value : '');
const number = (varbind: Varbind | undefined) => (typeof varbind?.value === 'number' ? varbind.value : null);

export function memberIndex(model: number, securityName: string): string {
  return `${model}.${octetsIndex(securityName)}`;
}

function accessIndex(group: string, context: string, model: number, level: number): string {
  return `${octetsIndex(group)}.${octetsIndex(context)}.${model}.${level}`;
}

/** Every security name the agent maps to a group. */
export async function listGroupMembers(session: SnmpSession): Promise<GroupMember[]> {
  const columns = [VACM_GROUP.groupName, VACM_GROUP.storageType].map((number) => `${VACM_SECURITY_TO_GROUP_ENTRY}.${number}`);
  const table = await session.walkColumns(columns);
  const storage = table.get(columns[1]!)!;
  const members: GroupMember[] = [];
  for (const [index, varbind] of table.get(columns[0]!)!) {
    const parts = indexParts(index);
    const name = readOctets(parts, 1);
    if (parts[0] === undefined || !name) continue;
    members.push({ model: parts[0], securityName: name.value.toString('utf8'), group: text(varbind), storageType: number(storage.get(index)), index });
  }
  return members;
}

export async function groupOf(session: SnmpSession, model: number, securityName: string): Promise<GroupMember | null> {
  const index = memberIndex(model, securityName);
  const [group, storage] = await session.get([column(VACM_SECURITY_TO_GROUP_ENTRY, VACM_GROUP.groupName, index), column(VACM_SECURITY_TO_GROUP_ENTRY, VACM_GROUP.storageType, index)]);
  if (group?.value === null || group?.value === undefined) return null;
  return { model, securityName, group: text(group), storageType: number(storage), index };
}

/** A new row mapping the security name to the group, kept across agent restarts (nonVolatile). */
export async function addGroupMember(session: SnmpSession, model: number, securityName: string, group: string): Promise<void> {
  const index = memberIndex(model, securityName);
  await session.set([
    { oid: column(VACM_SECURITY_TO_GROUP_ENTRY, VACM_GROUP.groupName, index), type: T.OctetString, value: group },
    { oid: column(VACM_SECURITY_TO_GROUP_ENTRY, VACM_GROUP.storageType, index), type: T.Integer, value: STORAGE_TYPE.nonVolatile },
    { oid: column(VACM_SECURITY_TO_GROUP_ENTRY, VACM_GROUP.status, index), type: T.Integer, value: ROW_STATUS.createAndGo },
  ]);
}

export async function setMemberGroup(session: SnmpSession, member: GroupMember, group: string): Promise<void> {
  await session.set([{ oid: column(VACM_SECURITY_TO_GROUP_ENTRY, VACM_GROUP.groupName, member.index), type: T.OctetString, value: group }]);
}

export async function destroyGroupMember(session: SnmpSession, member: GroupMember): Promise<void> {
  await session.set([{ oid: column(VACM_SECURITY_TO_GROUP_ENTRY, VACM_GROUP.status, member.index), type: T.Integer, value: ROW_STATUS.destroy }]);
}

/** The access rows of one group (all groups when none is named). */
export async function listAccess(session: SnmpSession, group?: string): Promise<AccessEntry[]> {
  const numbers = [VACM_ACCESS.readView, VACM_ACCESS.writeView, VACM_ACCESS.notifyView, VACM_ACCESS.storageType, VACM_ACCESS.status];
  // The group name leads the index, so one group's rows are a subtree of each column.
  const prefix = group === undefined ? '' : `.${octetsIndex(group)}`;
  const columns = numbers.map((each) => `${VACM_ACCESS_ENTRY}.${each}${prefix}`);
  const table = await session.walkColumns(columns);
  const entries: AccessEntry[] = [];
  for (const [rest, read] of table.get(columns[0]!)!) {
    const index = prefix ? `${prefix.slice(1)}.${rest}` : rest;
    const parts = indexParts(index);
    const groupName = readOctets(parts, 0);
    const context = groupName && readOctets(parts, groupName.next);
    if (!groupName || !context || parts.length !== context.next + 2) continue;
    const at = (position: number) => table.get(columns[position]!)!.get(rest);
    entries.push({
      group: groupName.value.toString('utf8'),
      context: context.value.toString('utf8'),
      model: parts[context.next]!,
      level: parts[context.next + 1]!,
      readView: text(read),
      writeView: text(at(1)),
      notifyView: text(at(2)),
      storageType: number(at(3)),
      status: number(at(4)),
    });
  }
  return entries;
}

/** The access row RFC 3415 §4 would pick for this group at this model and level in the default context. */
export function bestAccess(entries: readonly AccessEntry[], model: number, level: number): AccessEntry | null {
  const candidates = entries.filter((entry) => entry.context === '' && (entry.model === model || entry.model === SECURITY_MODEL.any) && entry.level <= level && entry.status === ROW_STATUS.active);
  candidates.sort((a, b) => Number(b.model === model) - Number(a.model === model) || b.level - a.level);
  return candidates[0] ?? null;
}

/** An access row for the group: USM, authPriv only, default context, kept across restarts. */
export async function addAccess(session: SnmpSession, group: string, views: Views): Promise<void> {
  const index = accessIndex(group, '', SECURITY_MODEL.usm, SECURITY_LEVEL.authPriv);
  const cell = (number: number) => column(VACM_ACCESS_ENTRY, number, index);
  await session.set([
    { oid: cell(VACM_ACCESS.status), type: T.Integer, value: ROW_STATUS.createAndGo },
    // exact(1): this row covers the default context only.
    { oid: cell(VACM_ACCESS.contextMatch), type: T.Integer, value: 1 },
    { oid: cell(VACM_ACCESS.readView), type: T.OctetString, value: views.readView },
    { oid: cell(VACM_ACCESS.writeView), type: T.OctetString, value: views.writeView },
    { oid: cell(VACM_ACCESS.notifyView), type: T.OctetString, value: views.notifyView },
    { oid: cell(VACM_ACCESS.storageType), type: T.Integer, value: STORAGE_TYPE.nonVolatile },
  ]);
}

export async function destroyAccess(session: SnmpSession, entry: AccessEntry): Promise<void> {
  const index = accessIndex(entry.group, entry.context, entry.model, entry.level);
  await session.set([{ oid: column(VACM_ACCESS_ENTRY, VACM_ACCESS.status, index), type: T.Integer, value: ROW_STATUS.destroy }]);
}
