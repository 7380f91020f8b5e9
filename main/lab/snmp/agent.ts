import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import snmp from 'net-snmp';
import type { SnmpV3Credentials } from '../../../shared/domain/snmp.js';
import { AdminMib } from './admin/mib.js';
import { LabKeyStore } from './admin/net-snmp-keys.js';
import { notifyTargets } from './admin/notifier.js';
import { LabAdminState, type Requester, type SetVarbindIn } from './admin/state.js';

export type LabValue = number | string | Buffer | bigint;

export interface LabScalar {
  name: string;
  oid: string;
  type: snmp.ObjectType;
  value: LabValue;
}

export interface LabColumn {
  number: number;
  name: string;
  type: snmp.ObjectType;
}

export interface LabTable {
  name: string;
  /** The entry OID (…Table.1). */
  entry: string;
  columns: LabColumn[];
  /** Column 1 is the integer index; a table that augments another starts each row with that table's index. */
  rows: LabValue[][];
  augments?: string;
}

export interface TrapDestination {
  host: string;
  port: number;
  community: string;
}

export interface LabAgentOptions {
  /** 0 binds a free port; `port` tells which once started. */
  port: number;
  /** A loopback address (127.x.y.z) of its own, so traps and polls tell devices apart as real addresses do. */
  address?: string;
  /** The factory read-only community (rocommunity). */
  community?: string;
  /** A factory read-write community (rwcommunity), if the device has one. */
  writeCommunity?: string;
  /** Factory SNMPv3 users that may read (rouser). */
  users?: SnmpV3Credentials[];
  /** Factory SNMPv3 users that may also write, including USM and VACM (rwuser): what the Secure step starts from. */
  adminUsers?: SnmpV3Credentials[];
  /** Traps go here as v2c, besides the targets in the agent's SNMP-TARGET-MIB. */
  trapDestinations?: TrapDestination[];
  /** 5 to 32 bytes; by default a random one (RFC 3411 format, as net-snmp makes), kept across restarts. */
  engineId?: Buffer;
}

let sparseMibChildren = false;

/**
 * net-snmp keeps a node's children in a plain object keyed by the next OID
 * component. V8 stores such an object's integer keys densely up to the
 * largest one, and the administrative tables are indexed by strings (an
 * engine ID's bytes, a user's name), so thousands of nodes each held an
 * array of up to 256 slots: most of a lab agent's memory. Children are kept
 * in dictionary mode instead (same keys, same order, about a ninth of the
 * memory), so ten thousand lab devices fit in one process.
 */
function storeMibChildrenSparsely(mib: object): void {
  if (sparseMibChildren) return;
  const root = (mib as { root?: object }).root;
  if (!root) return;
  sparseMibChildren = true;
  Object.defineProperty(Object.getPrototypeOf(root) as object, 'children', {
    configurable: true,
    set(this: object, value: object) {
      const children: Record<number, unknown> = {};
      // A key far beyond any OID component turns the elements into a dictionary; they stay one after it is removed.
      children[2 ** 30] = null;
      delete children[2 ** 30];
      Object.assign(children, value);
      Object.defineProperty(this, 'children', { value: children, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** The net-snmp Agent parts this uses (the library types the agent as any). */
interface NetSnmpAgent {
  getMib(): { registerProvider(provider: object): void; unregisterProvider(name: string): void; getProvider(name: string): unknown; addTableRow(table: string, row: unknown[]): void; setScalarValue(name: string, value: unknown): void; setTableSingleCell(table: string, column: number, index: unknown[], value: unknown): void; deleteTableRow(table: string, index: unknown[]): void; lookup(oid: string): unknown };
  getAuthorizer(): {
    addCommunity(community: string): void;
    deleteCommunity(community: string): void;
    addUser(user: snmp.User): void;
    getUsers(): snmp.User[];
    deleteUser(name: string): void;
    getAccessControlModel(): { setCommunityAccess(community: string, level: snmp.AccessLevel): void; setUserAccess(name: string, level: snmp.AccessLevel): void };
  };
  setRequest: (socket: Socket, message: IncomingMessage, rinfo: object) => void;
  sendResponse(socket: Socket, rinfo: object, message: IncomingMessage, pdu: ResponsePdu): void;
  close(callback: () => void): void;
  listener: { sockets: Record<string, Socket> };
}
interface ResponsePdu {
  varbinds: SetVarbindIn[];
  errorStatus: number;
  errorIndex: number;
}
interface IncomingMessage {
  version: number;
  community?: string;
  user?: { name: string };
  hasAuthentication(): boolean;
  hasPrivacy(): boolean;
  pdu: { varbinds: SetVarbindIn[]; getResponsePduForRequest(): ResponsePdu };
}

/** node:dgram, except that bind() uses `port` (0 = any free one) whatever net-snmp passes. */
function bindingTo(port: number): { createSocket(type: 'udp4'): Socket } {
  return {
    createSocket(type) {
      const socket = createSocket(type);
      const bind = socket.bind.bind(socket) as (port: number, address?: string) => Socket;
      socket.bind = ((_port: number, address?: string) => bind(port, address)) as Socket['bind'];
      return socket;
    },
  };
}

function counter64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt.asUintN(64, value));
  return buffer;
}

function cast(type: snmp.ObjectType, value: LabValue): snmp.VarbindValue {
  if (type === snmp.ObjectType.Counter64) return counter64(typeof value === 'bigint' ? value : BigInt(Number(value)));
  if (type === snmp.ObjectType.Counter32) return Number(BigInt.asUintN(32, BigInt(Math.floor(Number(value)))));
  return value;
}

/**
 * A simulated SNMP agent on loopback, built on net-snmp's Agent: v1/v2c and
 * v3, GET/GETNEXT/GETBULK over the scalars and tables a lab device declares,
 * and traps when the device's state changes. Its USM, VACM, target and
 * notification tables (admin/) answer SETs as Net-SNMP's snmpd does, so the
 * Secure step can rotate its factory credentials over SNMP; what it holds
 * there survives stop() and start() as nonVolatile rows survive a reboot.
 */
export class LabSnmpAgent {
  private agent: NetSnmpAgent | undefined;
  private adminMib: AdminMib | undefined;
  private readonly tables = new Map<string, LabTable>();
  private readonly keys = new LabKeyStore();
  /** Informs waiting for their answer; closed when the agent stops. */
  private readonly informs = new Set<snmp.Session>();
  private boundPort: number | null = null;
  private boots = 0;
  readonly community: string;
  readonly engineId: Buffer;
  readonly admin: LabAdminState;

  constructor(private readonly options: LabAgentOptions) {
    this.community = options.community ?? 'public';
    // RFC 3411 §5 engine ID: enterprise 47491 (net-snmp's) with the high bit, format 0x80 "enterprise specific", 12 random bytes.
    this.engineId = options.engineId ?? Buffer.concat([Buffer.from('8000b98380', 'hex'), randomBytes(12)]);
    const communities = [{ community: this.community, write: false }, ...(options.writeCommunity ? [{ community: options.writeCommunity, write: true }] : [])];
    const users = [...(options.users ?? []).map((credentials) => ({ credentials, write: false })), ...(options.adminUsers ?? []).map((credentials) => ({ credentials, write: true }))];
    this.admin = new LabAdminState(this.engineId, { communities, users });
  }

  /** The UDP port it listens on (the one it was given, or the free one it took for 0). */
  get port(): number {
    return this.boundPort ?? this.options.port;
  }

  async start(scalars: LabScalar[], tables: LabTable[]): Promise<void> {
    // A restart, as after a power cycle: the configuration's rows come back, nonVolatile rows stay.
    if (this.boots > 0) this.admin.restart();
    this.boots += 1;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const address = this.options.address ?? '127.0.0.1';
      const port = this.boundPort ?? this.options.port;
      const agent = snmp.createAgent(
        // net-snmp turns port 0 into 161, so the socket is bound through a dgram module that keeps the port asked for.
        { port: port || 161, dgramModule: bindingTo(port), address, transport: 'udp4', engineID: this.engineId, accessControlModelType: snmp.AccessControlModelType.Simple },
        (error: (Error & { code?: string }) | null) => {
          if (error && !settled && error.code) {
            settled = true;
            this.agent = undefined;
            agent.close(() => undefined);
            reject(Object.assign(new Error(`lab SNMP agent cannot listen on ${address}:${port}: ${error.message}`), { code: error.code }));
          }
        },
      ) as NetSnmpAgent;
      const mib = agent.getMib();
      storeMibChildrenSparsely(mib);
      // net-snmp reads the whole row of every table cell it answers (twice), for agent callbacks to look at; the lab has none
      // (SETs go to onSet), and that row read was most of a lab agent's time: a 24-port walk read each port's row 19 times over.
      (mib as unknown as { getTableRowCells: () => null }).getTableRowCells = () => null;
      for (const scalar of scalars) {
        mib.registerProvider({ name: scalar.name, type: snmp.MibProviderType.Scalar, oid: scalar.oid.replace(/\.0$/, ''), scalarType: scalar.type, maxAccess: snmp.MaxAccess['read-only'] });
        mib.setScalarValue(scalar.name, cast(scalar.type, scalar.value));
      }
      for (const table of tables) {
        mib.registerProvider({
          name: table.name,
          type: snmp.MibProviderType.Table,
          oid: table.entry,
          maxAccess: snmp.MaxAccess['not-accessible'],
          tableColumns: table.columns.map((column) => ({ ...column, maxAccess: snmp.MaxAccess['read-only'] })),
          ...(table.augments ? { tableAugments: table.augments } : { tableIndex: [{ columnName: table.columns[0]!.name }] }),
        });
        this.tables.set(table.name, table);
        for (const row of table.rows) mib.addTableRow(table.name, this.castRow(table, row));
      }
      this.adminMib = new AdminMib(mib, this.admin, this.boots);
      agent.setRequest = (socket, message, rinfo) => this.onSet(agent, socket, message, rinfo);
      this.agent = agent;
      this.syncAuthorizer();
      const sockets = Object.values(agent.listener.sockets);
      let pending = sockets.length;
      for (const socket of sockets) {
        socket.once('listening', () => {
          pending -= 1;
          this.boundPort = socket.address().port;
          if (pending === 0 && !settled) {
            settled = true;
            resolve();
          }
        });
      }
    });
  }

  /** SETs go to the administrative tables; everything a lab device reports is read-only. */
  private onSet(agent: NetSnmpAgent, socket: Socket, message: IncomingMessage, rinfo: object): void {
    const requester: Requester =
      message.version === snmp.Version3
        ? { model: 3, securityName: message.user?.name ?? '', level: message.hasPrivacy() ? 3 : message.hasAuthentication() ? 2 : 1 }
        : { model: message.version === snmp.Version1 ? 1 : 2, securityName: this.admin.securityNameOf(message.community ?? '') ?? '', level: 1 };
    const varbinds = message.pdu.varbinds.map(({ oid, type, value }) => ({ oid, type, value }));
    const result = this.admin.set(varbinds, requester, (oid) => Boolean(agent.getMib().lookup(oid)));
    const response = message.pdu.getResponsePduForRequest();
    response.varbinds = varbinds;
    response.errorStatus = result.status;
    response.errorIndex = result.index;
    // Answered before the change takes effect, so a user that removed itself still gets its answer.
    agent.sendResponse(socket, rinfo, message, response);
    if (result.status === 0) {
      this.adminMib?.refresh();
      this.syncAuthorizer();
    }
  }

  /** Gives net-snmp's authorizer the users and communities VACM lets in now, with their access. */
  private syncAuthorizer(): void {
    const authorizer = this.agent?.getAuthorizer();
    if (!authorizer) return;
    const acm = authorizer.getAccessControlModel();
    const level = (access: { read: boolean; write: boolean }) => (access.write ? snmp.AccessLevel.ReadWrite : access.read ? snmp.AccessLevel.ReadOnly : snmp.AccessLevel.None);
    for (const user of [...authorizer.getUsers()]) authorizer.deleteUser(user.name);
    this.keys.clear();
    for (const secret of this.admin.users()) {
      if (!secret.auth || !secret.keys.auth) {
        if (!secret.engineId.equals(this.engineId)) continue;
        authorizer.addUser({ name: secret.name, level: snmp.SecurityLevel.noAuthNoPriv });
        acm.setUserAccess(secret.name, level(this.admin.access({ model: 3, securityName: secret.name, level: 1 })));
        continue;
      }
      const problem = this.keys.register(secret.name, secret.engineId, secret.auth, secret.priv, { auth: secret.keys.auth, priv: secret.keys.priv });
      if (problem || !secret.engineId.equals(this.engineId)) continue;
      authorizer.addUser(this.keys.user(secret.name, secret.auth, secret.priv));
      acm.setUserAccess(secret.name, level(this.admin.access({ model: 3, securityName: secret.name, level: secret.priv ? 3 : 2 })));
    }
    for (const community of [this.community, this.options.writeCommunity].filter((each): each is string => Boolean(each))) {
      const securityName = this.admin.securityNameOf(community)!;
      const v1 = this.admin.access({ model: 1, securityName, level: 1 });
      const v2c = this.admin.access({ model: 2, securityName, level: 1 });
      const access = { read: v1.read || v2c.read, write: v1.write || v2c.write };
      // A community VACM gives nothing is unknown to the agent: its requests are dropped, as Net-SNMP drops them.
      if (access.read) authorizer.addCommunity(community);
      else authorizer.deleteCommunity(community);
      acm.setCommunityAccess(community, level(access));
    }
  }

  setScalar(name: string, type: snmp.ObjectType, value: LabValue): void {
    this.agent?.getMib().setScalarValue(name, cast(type, value));
  }

  addRow(tableName: string, row: LabValue[]): void {
    const table = this.tables.get(tableName);
    if (!table) throw new Error(`lab agent has no table ${tableName}`);
    this.agent?.getMib().addTableRow(tableName, this.castRow(table, row));
  }

  private castRow(table: LabTable, row: LabValue[]): snmp.VarbindValue[] {
    const offset = table.augments ? 1 : 0;
    return row.map((value, position) => (position < offset ? value : cast(table.columns[position - offset]!.type, value))) as snmp.VarbindValue[];
  }

  deleteRow(tableName: string, rowIndex: number): void {
    this.agent?.getMib().deleteTableRow(tableName, [rowIndex]);
  }

  setCell(tableName: string, columnNumber: number, rowIndex: number, value: LabValue): void {
    const table = this.tables.get(tableName);
    const column = table?.columns.find((each) => each.number === columnNumber);
    if (!table || !column) throw new Error(`lab agent has no column ${columnNumber} in ${tableName}`);
    this.agent?.getMib().setTableSingleCell(tableName, columnNumber, [rowIndex], cast(column.type, value));
  }

  /** Sends a trap to every v2c destination and to every target of the agent's notification tables; resolves when all are sent. */
  async trap(trapOid: string, varbinds: { oid: string; type: snmp.ObjectType; value: LabValue }[]): Promise<void> {
    const typed = varbinds.map((varbind) => ({ ...varbind, value: cast(varbind.type, varbind.value) }));
    const legacy = (this.options.trapDestinations ?? []).map(
      (destination) =>
        new Promise<void>((resolve) => {
          const session = snmp.createSession(destination.host, destination.community, {
            trapPort: destination.port,
            version: snmp.Version2c,
            ...(this.options.address ? { sourceAddress: this.options.address } : {}),
          });
          session.on('error', () => undefined);
          session.trap(trapOid, typed, () => {
            session.close();
            resolve();
          });
        }),
    );
    await Promise.all([...legacy, this.agent ? notifyTargets(this.admin, this.keys, this.options.address, trapOid, typed, this.informs) : Promise.resolve()]);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.agent) return resolve();
      const agent = this.agent;
      this.agent = undefined;
      this.adminMib = undefined;
      for (const session of [...this.informs]) {
        this.informs.delete(session);
        session.close();
      }
      agent.close(() => {
        this.keys.clear();
        resolve();
      });
    });
  }
}
