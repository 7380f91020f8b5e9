import snmp from 'net-snmp';
import type { SetVarbind, SnmpSession, Varbind } from '../session.js';
import { NOTIFY, NOTIFY_ENTRY, ROW_STATUS, SECURITY_LEVEL, SECURITY_MODEL, SNMP_UDP_DOMAIN, STORAGE_TYPE, TARGET_ADDR, TARGET_ADDR_ENTRY, TARGET_PARAMS, TARGET_PARAMS_ENTRY, column, impliedIndex, udpAddress } from './oids.js';

/**
 * Where the agent sends its notifications (RFC 3413): an snmpTargetParamsEntry
 * (SNMPv3, USM, the site user, authPriv), an snmpTargetAddrEntry (UDP address,
 * tag, those params) and an snmpNotifyEntry selecting targets by that tag as
 * trap or inform. All three share one name. Net-SNMP refuses to change the
 * address of an active row (inconsistentValue), so a row that differs is
 * destroyed and created again rather than edited.
 */

const T = snmp.ObjectType;
/** SNMPv3 message processing model (RFC 3411 SnmpMessageProcessingModel). */
const MP_V3 = 3;

export interface NotifyTarget {
  /** Names the three rows and is the tag that ties them together. */
  name: string;
  host: string;
  port: number;
  kind: 'trap' | 'inform';
  securityName: string;
  /** Informs only: centiseconds per try and retries (RFC 3413 defaults 1500 and 3). */
  timeoutCs?: number;
  retryCount?: number;
}

export type NotifyChange = 'unchanged' | 'created' | 'replaced';

interface RowPlan {
  entry: string;
  statusColumn: number;
  /** The columns to write, in order; the row status goes last (createAndGo). */
  columns: (SetVarbind & { number: number })[];
}

function same(varbind: Varbind | undefined, wanted: SetVarbind): boolean {
  const value = varbind?.value;
  if (Buffer.isBuffer(wanted.value)) return Buffer.isBuffer(value) && value.equals(wanted.value);
  if (Buffer.isBuffer(value)) return value.toString('utf8') === String(wanted.value);
  return value === wanted.value;
}

function plans(target: NotifyTarget): RowPlan[] {
  const index = impliedIndex(target.name);
  const cell = (entry: string, number: number, type: snmp.ObjectType, value: SetVarbind['value']) => ({ number, oid: column(entry, number, index), type, value });
  return [
    {
      entry: TARGET_PARAMS_ENTRY,
      statusColumn: TARGET_PARAMS.status,
      columns: [
        cell(TARGET_PARAMS_ENTRY, TARGET_PARAMS.mpModel, T.Integer, MP_V3),
        cell(TARGET_PARAMS_ENTRY, TARGET_PARAMS.securityModel, T.Integer, SECURITY_MODEL.usm),
        cell(TARGET_PARAMS_ENTRY, TARGET_PARAMS.securityName, T.OctetString, target.securityName),
        cell(TARGET_PARAMS_ENTRY, TARGET_PARAMS.securityLevel, T.Integer, SECURITY_LEVEL.authPriv),
        cell(TARGET_PARAMS_ENTRY, TARGET_PARAMS.storageType, T.Integer, STORAGE_TYPE.nonVolatile),
      ],
    },
    {
      entry: TARGET_ADDR_ENTRY,
      statusColumn: TARGET_ADDR.status,
      columns: [
        cell(TARGET_ADDR_ENTRY, TARGET_ADDR.domain, T.OID, SNMP_UDP_DOMAIN),
        cell(TARGET_ADDR_ENTRY, TARGET_ADDR.address, T.OctetString, udpAddress(target.host, target.port)),
        cell(TARGET_ADDR_ENTRY, TARGET_ADDR.timeout, T.Integer, target.timeoutCs ?? 1500),
        cell(TARGET_ADDR_ENTRY, TARGET_ADDR.retryCount, T.Integer, target.retryCount ?? 3),
        cell(TARGET_ADDR_ENTRY, TARGET_ADDR.tagList, T.OctetString, target.name),
        cell(TARGET_ADDR_ENTRY, TARGET_ADDR.params, T.OctetString, target.name),
        cell(TARGET_ADDR_ENTRY, TARGET_ADDR.storageType, T.Integer, STORAGE_TYPE.nonVolatile),
      ],
    },
    {
      entry: NOTIFY_ENTRY,
      statusColumn: NOTIFY.status,
      columns: [
        cell(NOTIFY_ENTRY, NOTIFY.tag, T.OctetString, target.name),
        cell(NOTIFY_ENTRY, NOTIFY.type, T.Integer, target.kind === 'inform' ? 2 : 1),
        cell(NOTIFY_ENTRY, NOTIFY.storageType, T.Integer, STORAGE_TYPE.nonVolatile),
      ],
    },
  ];
}

/** Makes the three rows say exactly what `target` says; rows already right are left alone. */
export async function ensureNotifyTarget(session: SnmpSession, target: NotifyTarget): Promise<NotifyChange> {
  const index = impliedIndex(target.name);
  let change: NotifyChange = 'unchanged';
  for (const plan of plans(target)) {
    const statusOid = column(plan.entry, plan.statusColumn, index);
    const [status, ...values] = await session.get([statusOid, ...plan.columns.map((each) => each.oid)]);
    const exists = typeof status?.value === 'number';
    if (exists && status.value === ROW_STATUS.active && plan.columns.every((wanted, position) => same(values[position], wanted))) continue;
    if (exists) {
      await session.set([{ oid: statusOid, type: T.Integer, value: ROW_STATUS.destroy }]);
      change = 'replaced';
    } else if (change === 'unchanged') {
      change = 'created';
    }
    await session.set([...plan.columns.map(({ oid, type, value }) => ({ oid, type, value })), { oid: statusOid, type: T.Integer, value: ROW_STATUS.createAndGo }]);
  }
  return change;
}

/** True when all three rows are there and active. */
export async function notifyTargetActive(session: SnmpSession, name: string): Promise<boolean> {
  const index = impliedIndex(name);
  const rows = await session.get([column(TARGET_PARAMS_ENTRY, TARGET_PARAMS.status, index), column(TARGET_ADDR_ENTRY, TARGET_ADDR.status, index), column(NOTIFY_ENTRY, NOTIFY.status, index)]);
  return rows.every((row) => row.value === ROW_STATUS.active);
}
