import snmp from 'net-snmp';
import { NOTIFY, ROW_STATUS, SNMP_UDP_DOMAIN, TARGET_ADDR, TARGET_PARAMS, impliedIndex } from '../../../core/protocols/snmp/admin/oids.js';
import type { LabKeyStore } from './net-snmp-keys.js';
import { NOTIFY_TABLE, TARGET_ADDR_TABLE, TARGET_PARAMS_TABLE } from './specs.js';
import type { LabAdminState } from './state.js';
import type { Cell } from './table.js';

/**
 * Sends a lab agent's notifications where its SNMP-NOTIFICATION-MIB and
 * SNMP-TARGET-MIB rows say (RFC 3413 §3): every active snmpNotifyEntry
 * selects the active snmpTargetAddrEntries whose tag list holds its tag; each
 * goes as a trap or an inform with its snmpTargetParamsEntry's SNMPv3 user.
 * A trap is authenticated with the user's keys at this agent's engine; an
 * inform with the user's keys at the receiver's engine, which the agent only
 * has if a manager created that usmUserTable row (otherwise the receiver
 * rejects it, as it would from Net-SNMP).
 */

export interface NotifyVarbind {
  oid: string;
  type: snmp.ObjectType;
  value: snmp.VarbindValue;
}

export interface Target {
  host: string;
  port: number;
  inform: boolean;
  timeoutMs: number;
  retries: number;
  securityName: string;
}

const text = (cell: Cell | undefined) => (Buffer.isBuffer(cell) ? cell.toString('utf8') : String(cell ?? ''));

/** The targets the notification rows name now (SNMPv3 USM params only, UDP over IPv4 only). */
export function notificationTargets(state: LabAdminState): Target[] {
  const rows = (name: string) => state.tables.get(name)!.active();
  const params = new Map(rows(TARGET_PARAMS_TABLE.name).map((row) => [row.index, row]));
  const targets: Target[] = [];
  for (const notify of rows(NOTIFY_TABLE.name)) {
    const tag = text(notify.cells.get(NOTIFY.tag));
    for (const address of rows(TARGET_ADDR_TABLE.name)) {
      const tags = text(address.cells.get(TARGET_ADDR.tagList)).split(/\s+/);
      const bytes = address.cells.get(TARGET_ADDR.address);
      const param = params.get(impliedIndex(text(address.cells.get(TARGET_ADDR.params))));
      if (!tag || !tags.includes(tag) || !param || address.cells.get(TARGET_ADDR.domain) !== SNMP_UDP_DOMAIN || !Buffer.isBuffer(bytes) || bytes.length !== 6) continue;
      if (param.cells.get(TARGET_PARAMS.mpModel) !== 3 || param.cells.get(TARGET_PARAMS.securityModel) !== 3 || param.cells.get(TARGET_PARAMS.status) !== ROW_STATUS.active) continue;
      targets.push({
        host: [...bytes.subarray(0, 4)].join('.'),
        port: bytes.readUInt16BE(4),
        inform: notify.cells.get(NOTIFY.type) === 2,
        timeoutMs: Number(address.cells.get(TARGET_ADDR.timeout) ?? 1500) * 10,
        retries: Number(address.cells.get(TARGET_ADDR.retryCount) ?? 3),
        securityName: text(param.cells.get(TARGET_PARAMS.securityName)),
      });
    }
  }
  return targets;
}

/**
 * Sends one notification to every target. Resolves when each trap is sent
 * and each inform has left: an inform waits for its answer (or gives up
 * after the target's retries) in `pending`, which the agent closes when it
 * stops, so a receiver that is down never holds up the device.
 */
export async function notifyTargets(state: LabAdminState, keys: LabKeyStore, sourceAddress: string | undefined, trapOid: string, varbinds: NotifyVarbind[], pending: Set<snmp.Session>): Promise<void> {
  const users = state.users();
  await Promise.all(
    notificationTargets(state).map(
      (target) =>
        new Promise<void>((resolve) => {
          const own = users.find((user) => user.name === target.securityName && user.engineId.equals(state.engineId));
          if (!own?.auth) return resolve();
          const session = snmp.createV3Session(target.host, keys.user(own.name, own.auth, own.priv), {
            version: snmp.Version3,
            trapPort: target.port,
            timeout: target.timeoutMs,
            retries: target.retries,
            engineID: state.engineId,
            ...(sourceAddress ? { sourceAddress } : {}),
          });
          session.on('error', () => undefined);
          pending.add(session);
          const done = () => {
            // The agent may have closed it already (stopping); closing twice would throw.
            if (pending.delete(session)) session.close();
            resolve();
          };
          if (target.inform) {
            session.inform(trapOid, varbinds, done);
            resolve();
          } else {
            session.trap(trapOid, varbinds, done);
          }
        }),
    ),
  );
}
