import type { Socket } from 'node:dgram';
import snmp from 'net-snmp';
import type { SnmpV3Credentials } from '../../../shared/domain/snmp.js';
import { toNetSnmpUser } from '../../core/protocols/snmp/users.js';

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
  port: number;
  /** A loopback address (127.x.y.z) of its own, so traps and polls tell devices apart as real addresses do. */
  address?: string;
  community?: string;
  users?: SnmpV3Credentials[];
  trapDestinations?: TrapDestination[];
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
 * A simulated SNMP agent on loopback, built on net-snmp's Agent: v2c and v3,
 * GET/GETNEXT/GETBULK over the scalars and tables a lab device declares,
 * and traps to the configured destinations when the device's state changes.
 */
export class LabSnmpAgent {
  private agent: ReturnType<typeof snmp.createAgent> | undefined;
  private readonly tables = new Map<string, LabTable>();
  readonly port: number;
  readonly community: string;

  constructor(private readonly options: LabAgentOptions) {
    this.port = options.port;
    this.community = options.community ?? 'public';
  }

  async start(scalars: LabScalar[], tables: LabTable[]): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const address = this.options.address ?? '127.0.0.1';
      const agent = snmp.createAgent({ port: this.port, address, transport: 'udp4' }, (error: (Error & { code?: string }) | null) => {
        if (error && !settled && error.code) {
          settled = true;
          reject(new Error(`lab SNMP agent cannot listen on ${address}:${this.port}: ${error.message}`));
        }
      });
      const authorizer = agent.getAuthorizer();
      authorizer.addCommunity(this.community);
      for (const user of this.options.users ?? []) authorizer.addUser(toNetSnmpUser(user));
      const mib = agent.getMib();
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
      this.agent = agent;
      const sockets = Object.values((agent as unknown as { listener: { sockets: Record<string, Socket> } }).listener.sockets);
      let pending = sockets.length;
      for (const socket of sockets) {
        socket.once('listening', () => {
          pending -= 1;
          if (pending === 0 && !settled) {
            settled = true;
            resolve();
          }
        });
      }
    });
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

  /** Sends a v2c trap to every destination; resolves when all are sent. */
  async trap(trapOid: string, varbinds: { oid: string; type: snmp.ObjectType; value: LabValue }[]): Promise<void> {
    await Promise.all(
      (this.options.trapDestinations ?? []).map(
        (destination) =>
          new Promise<void>((resolve) => {
            const session = snmp.createSession(destination.host, destination.community, {
              trapPort: destination.port,
              version: snmp.Version2c,
              ...(this.options.address ? { sourceAddress: this.options.address } : {}),
            });
            session.on('error', () => undefined);
            session.trap(trapOid, varbinds.map((varbind) => ({ ...varbind, value: cast(varbind.type, varbind.value) })), () => {
              session.close();
              resolve();
            });
          }),
      ),
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.agent) return resolve();
      this.agent.close(() => resolve());
      this.agent = undefined;
    });
  }
}
