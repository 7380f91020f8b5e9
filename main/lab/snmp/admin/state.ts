import snmp from 'net-snmp';
import type { SnmpV3Credentials } from '../../../../shared/domain/snmp.js';
import {
  AUTH_PROTOCOL_OIDS,
  NO_AUTH_OID,
  NO_PRIV_OID,
  PRIV_KEY_LENGTH,
  PRIV_PROTOCOL_OIDS,
  authKeyLength,
  decodeKeyChange,
  localizeKey,
  passwordToKey,
  privKeyFromKul,
  type AuthProtocol,
  type PrivProtocol,
} from '../../../core/protocols/snmp/admin/keys.js';
import { ROW_STATUS, SECURITY_MODEL, STORAGE_TYPE, USM, USM_USER_SPIN_LOCK, VACM_ACCESS, VACM_GROUP, indexParts, octetsIndex, readOctets, usmUserIndex } from '../../../core/protocols/snmp/admin/oids.js';
import { ACCESS_TABLE, ADMIN_TABLES, GROUP_TABLE, USM_TABLE, VIEW_TABLE } from './specs.js';
import { E, LabTable, SetRefusal, checkType, refuse, type Cell } from './table.js';

/**
 * What a lab agent holds in SNMP-USER-BASED-SM-MIB, SNMP-VIEW-BASED-ACM-MIB,
 * SNMP-TARGET-MIB and SNMP-NOTIFICATION-MIB, and how it answers SETs to
 * them, modelled on Net-SNMP 5.9's snmpd: users are made by cloning and
 * KeyChange (keys only, never passphrases), rows from the factory
 * configuration are permanent (never destroyed; changes last until a
 * restart, which puts the configuration back), rows made over SNMP are
 * nonVolatile (they survive a restart). Communities map to security names
 * only in the configuration, as in Net-SNMP, which implements no SNMP-COMMUNITY-MIB.
 */

export interface LabFactoryConfig {
  /** rocommunity / rwcommunity: each gets security name comm<N>, group grpcomm<N>, all views. */
  communities: { community: string; write: boolean }[];
  /** createUser (at first start only) + rouser / rwuser priv|auth|noauth: group grp<name>, all views. */
  users: { credentials: SnmpV3Credentials; write: boolean }[];
}

/** What USM knows of one user row besides its cells: its keys, and whether it was cloned. */
export interface UserSecret {
  engineId: Buffer;
  name: string;
  auth: AuthProtocol | null;
  priv: PrivProtocol | null;
  keys: { auth: Buffer | null; priv: Buffer | null };
  /** Set by CloneFrom; Net-SNMP allows KeyChange only on a cloned user. */
  cloned: boolean;
  /** Made from a createUser line: usable without cloning. */
  fromConfig: boolean;
}

export interface Requester {
  model: number;
  securityName: string;
  level: number;
}

export interface SetVarbindIn {
  oid: string;
  type: snmp.ObjectType;
  value: unknown;
}

/**
 * Master keys of the factory passphrases, hashed once per process: a fleet
 * of hundreds of agents shares a few lab passphrases, and each hash reads 1 MiB.
 */
const masterKeys = new Map<string, Buffer>();
function localized(protocol: AuthProtocol, passphrase: string, engineId: Buffer): Buffer {
  const id = `${protocol}\u0000${passphrase}`;
  let master = masterKeys.get(id);
  if (!master) masterKeys.set(id, (master = passwordToKey(protocol, passphrase)));
  return localizeKey(protocol, master, engineId);
}

const text = (cell: Cell | undefined) => (Buffer.isBuffer(cell) ? cell.toString('utf8') : String(cell ?? ''));

class Snapshot {
  constructor(
    readonly tables: Map<string, LabTable>,
    readonly secrets: Map<string, UserSecret>,
    public spinLock: number,
  ) {}

  copy(): Snapshot {
    const secrets = new Map([...this.secrets].map(([index, secret]) => [index, { ...secret, keys: { ...secret.keys } }]));
    return new Snapshot(new Map([...this.tables].map(([name, table]) => [name, table.copy()])), secrets, this.spinLock);
  }

  table(name: string): LabTable {
    return this.tables.get(name)!;
  }
}

export class LabAdminState {
  private state: Snapshot;
  private readonly com2sec = new Map<string, string>();

  constructor(
    readonly engineId: Buffer,
    private readonly config: LabFactoryConfig,
  ) {
    this.state = new Snapshot(new Map(ADMIN_TABLES.map((spec) => [spec.name, new LabTable(spec)])), new Map(), 0);
    this.config.communities.forEach((each, position) => this.com2sec.set(each.community, `comm${position + 1}`));
    for (const { credentials } of config.users) this.createFactoryUser(credentials);
    this.applyConfiguration();
  }

  get tables(): ReadonlyMap<string, LabTable> {
    return this.state.tables;
  }

  get spinLock(): number {
    return this.state.spinLock;
  }

  /** The agent restarts: volatile rows go, permanent rows come back as configured, nonVolatile rows stay. */
  restart(): void {
    for (const table of this.state.tables.values()) table.restart();
    this.applyConfiguration();
  }

  /** A createUser line: localized at first start and then kept as a usmUser row, as snmpd does with its persistent file. */
  private createFactoryUser(credentials: SnmpV3Credentials): void {
    const auth = credentials.authKey ? (credentials.authProtocol ?? 'sha') : null;
    const priv = auth && credentials.privKey ? (credentials.privProtocol ?? 'aes') : null;
    const index = usmUserIndex(this.engineId, credentials.user);
    this.state.table(USM_TABLE.name).put(
      index,
      { [USM.securityName]: Buffer.from(credentials.user), [USM.authProtocol]: auth ? AUTH_PROTOCOL_OIDS[auth] : NO_AUTH_OID, [USM.privProtocol]: priv ? PRIV_PROTOCOL_OIDS[priv] : NO_PRIV_OID },
      STORAGE_TYPE.nonVolatile,
    );
    this.state.secrets.set(index, {
      engineId: this.engineId,
      name: credentials.user,
      auth,
      priv,
      keys: {
        auth: auth ? localized(auth, credentials.authKey!, this.engineId) : null,
        priv: priv ? privKeyFromKul(auth!, priv, localized(auth!, credentials.privKey!, this.engineId), this.engineId) : null,
      },
      cloned: false,
      fromConfig: true,
    });
  }

  /** The read-only configuration's VACM rows: communities, rouser/rwuser, and the views they name. */
  private applyConfiguration(): void {
    const groups = this.state.table(GROUP_TABLE.name);
    const access = this.state.table(ACCESS_TABLE.name);
    const views = this.state.table(VIEW_TABLE.name);
    views.put(`${octetsIndex('_all_')}.1.1`, { 4: 1 });
    views.put(`${octetsIndex('_none_')}.1.1`, { 4: 2 });
    const grant = (group: string, model: number, level: number, write: boolean) =>
      access.put(`${octetsIndex(group)}.${octetsIndex('')}.${model}.${level}`, {
        [VACM_ACCESS.contextMatch]: 2,
        [VACM_ACCESS.readView]: Buffer.from('_all_'),
        [VACM_ACCESS.writeView]: Buffer.from(write ? '_all_' : 'none'),
        [VACM_ACCESS.notifyView]: Buffer.from(write ? '_all_' : 'none'),
      });
    this.config.communities.forEach(({ community, write }) => {
      const securityName = this.com2sec.get(community)!;
      for (const model of [SECURITY_MODEL.v1, SECURITY_MODEL.v2c]) groups.put(`${model}.${octetsIndex(securityName)}`, { [VACM_GROUP.groupName]: Buffer.from(`grp${securityName}`) });
      grant(`grp${securityName}`, SECURITY_MODEL.any, 1, write);
    });
    for (const { credentials, write } of this.config.users) {
      const group = `grp${credentials.user}`.replace(/[^A-Za-z0-9]/g, '_');
      groups.put(`${SECURITY_MODEL.usm}.${octetsIndex(credentials.user)}`, { [VACM_GROUP.groupName]: Buffer.from(group) });
      grant(group, SECURITY_MODEL.usm, credentials.privKey ? 3 : credentials.authKey ? 2 : 1, write);
    }
  }

  /** The security name a community maps to (com2sec), or null when the agent does not know it. */
  securityNameOf(community: string): string | null {
    return this.com2sec.get(community) ?? null;
  }

  /**
   * RFC 3415 isAccessAllowed for the default context, with whole-tree views
   * ("_all_" grants everything, anything else nothing). Only active rows
   * count, as the RFC says; Net-SNMP also honours notInService rows, which
   * EdgeCab does not rely on.
   */
  access(requester: Requester): { read: boolean; write: boolean } {
    const member = this.state.table(GROUP_TABLE.name).active().find((row) => row.index === `${requester.model}.${octetsIndex(requester.securityName)}`);
    if (!member) return { read: false, write: false };
    const group = text(member.cells.get(VACM_GROUP.groupName));
    const table = this.state.table(ACCESS_TABLE.name);
    const candidates = table.active().flatMap((row) => {
      const parts = indexParts(row.index);
      const name = readOctets(parts, 0);
      const context = name && readOctets(parts, name.next);
      if (!name || !context || name.value.toString('utf8') !== group || context.value.length > 0) return [];
      const model = parts[context.next]!;
      const level = parts[context.next + 1]!;
      return (model === requester.model || model === SECURITY_MODEL.any) && level <= requester.level ? [{ row, model, level }] : [];
    });
    candidates.sort((a, b) => Number(b.model === requester.model) - Number(a.model === requester.model) || b.level - a.level);
    const best = candidates[0]?.row;
    const grants = (cell: Cell | undefined) => this.viewGrantsAll(text(cell));
    return best ? { read: grants(best.cells.get(VACM_ACCESS.readView)), write: grants(best.cells.get(VACM_ACCESS.writeView)) } : { read: false, write: false };
  }

  private viewGrantsAll(view: string): boolean {
    const row = this.state.table(VIEW_TABLE.name).active().find((each) => each.index === `${octetsIndex(view)}.1.1`);
    return row !== undefined && row.cells.get(4) === 1;
  }

  /** Active users and their keys, for the engine's authorizer (own engine) and for informs (other engines). */
  users(): UserSecret[] {
    const usm = this.state.table(USM_TABLE.name);
    return usm.active().flatMap((row) => {
      const secret = this.state.secrets.get(row.index);
      return secret ? [secret] : [];
    });
  }

  /**
   * Applies one SET PDU: all varbinds to a copy, kept only if every one was
   * accepted. Returns the RFC 3416 error status and 1-based index (0, 0 when done).
   */
  set(varbinds: readonly SetVarbindIn[], requester: Requester, isDeviceObject: (oid: string) => boolean): { status: number; index: number } {
    if (!this.access(requester).write) return { status: E.noAccess, index: 1 };
    const draft = this.state.copy();
    const statusAt = new Map<string, number>();
    // Rows are created first, whatever the order of the varbinds, as Net-SNMP's RESERVE1 phase does.
    const creates = (varbind: SetVarbindIn) => varbind.type === snmp.ObjectType.Integer && (varbind.value === ROW_STATUS.createAndGo || varbind.value === ROW_STATUS.createAndWait);
    const order = [...varbinds.entries()].sort(([, a], [, b]) => Number(creates(b)) - Number(creates(a)));
    for (const [position, varbind] of order) {
      try {
        const touched = this.apply(draft, varbind, isDeviceObject);
        if (touched) statusAt.set(touched, position + 1);
      } catch (error) {
        if (error instanceof SetRefusal) return { status: error.status, index: position + 1 };
        throw error;
      }
    }
    for (const table of draft.tables.values()) {
      for (const index of [...table.pendingGo]) {
        try {
          table.finishGo(index, table.spec === USM_TABLE ? (row) => draft.secrets.get(row.index)?.cloned === true : undefined);
        } catch (error) {
          if (error instanceof SetRefusal) return { status: error.status, index: statusAt.get(`${table.spec.name}:${index}`) ?? 1 };
          throw error;
        }
      }
    }
    this.state = draft;
    return { status: 0, index: 0 };
  }

  /** One varbind against the draft; returns "table:index" when it set a row status. */
  private apply(draft: Snapshot, varbind: SetVarbindIn, isDeviceObject: (oid: string) => boolean): string | null {
    if (varbind.oid === USM_USER_SPIN_LOCK) {
      // TestAndIncr (SNMPv2-TC): the SET names the current value, which then advances.
      if (checkType(snmp.ObjectType.Integer, varbind.value, varbind.type) !== draft.spinLock) refuse(E.inconsistentValue);
      draft.spinLock = (draft.spinLock + 1) % 2 ** 31;
      return null;
    }
    const table = [...draft.tables.values()].find((each) => varbind.oid.startsWith(`${each.spec.entry}.`));
    if (!table) return refuse(isDeviceObject(varbind.oid) ? E.notWritable : E.noCreation);
    const [columnText, ...rest] = varbind.oid.slice(table.spec.entry.length + 1).split('.');
    const column = table.spec.columns.find((each) => each.number === Number(columnText));
    const index = rest.join('.');
    if (!column || !column.writable) return refuse(E.notWritable);
    const value = checkType(column.type, varbind.value, varbind.type);
    if (column.number === table.spec.statusColumn) {
      const existed = table.rows.has(index);
      if (table.spec === USM_TABLE) this.usmStatus(draft, table, index, Number(value));
      else table.setStatus(index, Number(value));
      if (!existed && table.rows.has(index) && table.spec === USM_TABLE) this.newUser(draft, table, index);
      return `${table.spec.name}:${index}`;
    }
    if (table.spec === USM_TABLE) this.usmColumn(draft, table, index, column.number, value);
    else {
      if (table.spec === GROUP_TABLE && column.number === VACM_GROUP.groupName && (!Buffer.isBuffer(value) || value.length < 1 || value.length > 32)) refuse(E.wrongLength);
      table.setCell(index, column, value);
    }
    return null;
  }

  private usmStatus(draft: Snapshot, table: LabTable, index: string, value: number): void {
    // Net-SNMP's usmStatusCheck: a row made over SNMP is ready once it has been cloned.
    table.setStatus(index, value, (row) => {
      const secret = draft.secrets.get(row.index);
      return secret !== undefined && (secret.cloned || secret.fromConfig);
    });
    if (value === ROW_STATUS.destroy) draft.secrets.delete(index);
  }

  private newUser(draft: Snapshot, table: LabTable, index: string): void {
    const parts = indexParts(index);
    const engine = readOctets(parts, 0)!;
    const name = readOctets(parts, engine.next)!;
    table.rows.get(index)!.cells.set(USM.securityName, name.value);
    draft.secrets.set(index, { engineId: engine.value, name: name.value.toString('utf8'), auth: null, priv: null, keys: { auth: null, priv: null }, cloned: false, fromConfig: false });
  }

  private usmColumn(draft: Snapshot, table: LabTable, index: string, number: number, value: Cell): void {
    const row = table.rows.get(index);
    const secret = draft.secrets.get(index);
    if (!row || !secret) return refuse(E.inconsistentName);
    const column = table.spec.columns.find((each) => each.number === number)!;
    switch (number) {
      case USM.cloneFrom: {
        // RFC 3414: once cloned, writing CloneFrom again has no effect.
        if (secret.cloned) return;
        const prefix = `${USM_TABLE.entry}.`;
        const from = typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length).split('.').slice(1).join('.') : '';
        const source = draft.secrets.get(from);
        const sourceRow = table.rows.get(from);
        if (!source || !sourceRow || table.status(sourceRow) !== ROW_STATUS.active) refuse(E.inconsistentName);
        Object.assign(secret, { auth: source!.auth, priv: source!.priv, keys: { ...source!.keys }, cloned: true });
        row.cells.set(USM.authProtocol, source!.auth ? AUTH_PROTOCOL_OIDS[source!.auth] : NO_AUTH_OID);
        row.cells.set(USM.privProtocol, source!.priv ? PRIV_PROTOCOL_OIDS[source!.priv] : NO_PRIV_OID);
        if (table.status(row) === ROW_STATUS.notReady) row.cells.set(USM.status, ROW_STATUS.notInService);
        return;
      }
      case USM.authKeyChange:
      case USM.privKeyChange: {
        if (!secret.cloned) refuse(E.inconsistentName);
        const priv = number === USM.privKeyChange;
        // "When usmUserAuthProtocol is usmNoAuthProtocol, a set is successful but effectively a no-op."
        if (!secret.auth || (priv && !secret.priv)) return;
        const oldKey = priv ? secret.keys.priv : secret.keys.auth;
        const length = priv ? PRIV_KEY_LENGTH[secret.priv!] : authKeyLength(secret.auth);
        if (!Buffer.isBuffer(value) || value.length !== 2 * length || !oldKey) refuse(E.wrongLength);
        const key = decodeKeyChange(secret.auth, oldKey!, value as Buffer);
        if (!key) return refuse(E.wrongLength);
        // net-snmp derives the tail of an AES-256 key under a short hash itself; a key whose tail differs cannot be served.
        if (priv && !privKeyFromKul(secret.auth, secret.priv!, key.subarray(0, Math.min(length, authKeyLength(secret.auth))), secret.engineId).equals(key)) refuse(E.wrongValue);
        secret.keys = priv ? { ...secret.keys, priv: key } : { ...secret.keys, auth: key };
        return;
      }
      case USM.authProtocol:
      case USM.privProtocol: {
        // A clone keeps its source's protocols; RFC 3414 allows only a change to none.
        const current = text(row.cells.get(number));
        const none = number === USM.authProtocol ? NO_AUTH_OID : NO_PRIV_OID;
        if (value === current) return;
        if (value !== none) refuse(E.wrongValue);
        if (number === USM.authProtocol) Object.assign(secret, { auth: null, priv: null, keys: { auth: null, priv: null } });
        else Object.assign(secret, { priv: null, keys: { ...secret.keys, priv: null } });
        row.cells.set(USM.authProtocol, secret.auth ? AUTH_PROTOCOL_OIDS[secret.auth] : NO_AUTH_OID);
        row.cells.set(USM.privProtocol, secret.priv ? PRIV_PROTOCOL_OIDS[secret.priv] : NO_PRIV_OID);
        return;
      }
      case USM.public:
        if (!Buffer.isBuffer(value) || value.length > 32) refuse(E.wrongLength);
        table.setCell(index, column, value);
        return;
      default:
        table.setCell(index, column, value);
    }
  }

}
