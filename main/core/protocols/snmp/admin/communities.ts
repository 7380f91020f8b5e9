import type { SnmpSession } from '../session.js';
import { SECURITY_MODEL, STORAGE_TYPE, storageName } from './oids.js';
import { destroyGroupMember, listAccess, listGroupMembers, setMemberGroup, type GroupMember } from './vacm.js';

/**
 * Turns off SNMPv1/v2c access through VACM. Net-SNMP (5.9) implements no
 * SNMP-COMMUNITY-MIB: a community maps to a security name only in its
 * configuration (rocommunity, rwcommunity, com2sec), which no SET can reach
 * or read. What SNMP can reach is the vacmSecurityToGroupTable row of that
 * security name, so every v1/v2c row is cut:
 * - a row created over SNMP (volatile, nonVolatile) is destroyed, for good;
 * - a row from the configuration is permanent: Net-SNMP refuses to destroy it
 *   (wrongValue) and ignores notInService, but lets its vacmGroupName change.
 *   It is moved to OFF_GROUP, which has no access rows: requests with the
 *   community are then dropped. The agent re-reads its configuration when it
 *   restarts, and the community comes back, so this change is not lasting;
 * - a readOnly row cannot be changed at all.
 * Every v1/v2c security name is cut, not only the factory ones: the agent
 * does not say which community a name stands for, and once the site user
 * works nothing should reach the device without it.
 */

export const OFF_GROUP = 'edgecab-off';

export interface CommunitiesOff {
  /** What was done to each security name, for the report. */
  changes: string[];
  /** False when a change ends with the agent's next restart. */
  lasting: boolean;
  /** Rows the agent does not let anyone change. */
  stuck: GroupMember[];
}

const isCommunityModel = (member: GroupMember) => member.model === SECURITY_MODEL.v1 || member.model === SECURITY_MODEL.v2c;

/** "comm1 (v1, v2c), comm2 (v2c)": the security names an action touched, with their models. */
function list(members: readonly GroupMember[]): string {
  const models = new Map<string, string[]>();
  for (const member of members) models.set(member.securityName, [...(models.get(member.securityName) ?? []), member.model === SECURITY_MODEL.v1 ? 'v1' : 'v2c']);
  return [...models].map(([name, each]) => `${name} (${each.join(', ')})`).join(', ');
}

export async function turnOffCommunities(session: SnmpSession): Promise<CommunitiesOff> {
  // A group named OFF_GROUP that grants anything would defeat the point.
  const leaks = await listAccess(session, OFF_GROUP);
  if (leaks.length > 0) throw new Error(`the agent already has access rows for group "${OFF_GROUP}", so moving communities there would not turn them off`);
  const members = (await listGroupMembers(session)).filter(isCommunityModel);
  const moved: GroupMember[] = [];
  const removed: GroupMember[] = [];
  const already: GroupMember[] = [];
  const stuck: GroupMember[] = [];
  for (const member of members) {
    if (member.group === OFF_GROUP) already.push(member);
    else if (member.storageType === STORAGE_TYPE.readOnly) stuck.push(member);
    else if (member.storageType === STORAGE_TYPE.permanent) {
      await setMemberGroup(session, member, OFF_GROUP);
      moved.push(member);
    } else {
      await destroyGroupMember(session, member);
      removed.push(member);
    }
  }
  const changes = [
    moved.length ? `moved to group "${OFF_GROUP}" (no access) until the agent restarts, being ${storageName(STORAGE_TYPE.permanent)} rows of its configuration: ${list(moved)}` : '',
    removed.length ? `removed from their groups: ${list(removed)}` : '',
    already.length ? `already in group "${OFF_GROUP}": ${list(already)}` : '',
    members.length === 0 ? 'no SNMPv1/v2c security names in VACM' : '',
  ].filter(Boolean);
  const lasting = ![...moved, ...already].some((member) => member.storageType === STORAGE_TYPE.permanent);
  return { changes, lasting, stuck };
}
