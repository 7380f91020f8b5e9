import snmp from 'net-snmp';
import { SNMP_ENGINE_ID, USM_USER_SPIN_LOCK } from '../../../core/protocols/snmp/admin/oids.js';
import type { LabAdminState } from './state.js';
import type { Cell } from './table.js';

/**
 * Serves a lab agent's administrative tables for GET / GETNEXT / GETBULK
 * through net-snmp's MIB, which holds rows as typed cells: each table is
 * registered with one synthetic IMPLIED OID index (the row's index as the
 * MIB encodes it), and re-registered whenever a SET changed it.
 */

/** The part of net-snmp's Mib this uses (the library types it as any). */
export interface NetSnmpMib {
  registerProvider(provider: object): void;
  unregisterProvider(name: string): void;
  getProvider(name: string): unknown;
  addTableRow(table: string, row: unknown[]): void;
  setScalarValue(name: string, value: unknown): void;
}

const T = snmp.ObjectType;
const readOnly = snmp.MaxAccess['read-only'];
const BLANK: Partial<Record<snmp.ObjectType, Cell>> = { [T.OctetString]: Buffer.alloc(0), [T.OID]: '0.0', [T.Integer]: 0 };

const SCALARS = [
  { name: 'snmpEngineID', oid: SNMP_ENGINE_ID, type: T.OctetString },
  { name: 'snmpEngineBoots', oid: '1.3.6.1.6.3.10.2.1.2.0', type: T.Integer },
  { name: 'snmpEngineTime', oid: '1.3.6.1.6.3.10.2.1.3.0', type: T.Integer },
  { name: 'snmpEngineMaxMessageSize', oid: '1.3.6.1.6.3.10.2.1.4.0', type: T.Integer },
  { name: 'usmUserSpinLock', oid: USM_USER_SPIN_LOCK, type: T.Integer },
];

export class AdminMib {
  private readonly startedAt = Date.now();

  constructor(
    private readonly mib: NetSnmpMib,
    private readonly state: LabAdminState,
    private readonly boots: number,
  ) {
    for (const scalar of SCALARS) {
      mib.registerProvider({ name: scalar.name, type: snmp.MibProviderType.Scalar, oid: scalar.oid.replace(/\.0$/, ''), scalarType: scalar.type, maxAccess: readOnly });
    }
    this.refresh();
  }

  /** Puts the state's current rows and scalars into the MIB. */
  refresh(): void {
    const { mib, state } = this;
    mib.setScalarValue('snmpEngineID', state.engineId);
    mib.setScalarValue('snmpEngineBoots', this.boots);
    mib.setScalarValue('snmpEngineTime', Math.floor((Date.now() - this.startedAt) / 1000));
    mib.setScalarValue('snmpEngineMaxMessageSize', 65507);
    mib.setScalarValue('usmUserSpinLock', state.spinLock);
    for (const table of state.tables.values()) {
      const { spec } = table;
      const indexColumn = `${spec.name}Row`;
      // net-snmp's unregisterProvider throws for a name it does not have.
      if (mib.getProvider(spec.name)) mib.unregisterProvider(spec.name);
      mib.registerProvider({
        name: spec.name,
        type: snmp.MibProviderType.Table,
        oid: spec.entry,
        maxAccess: snmp.MaxAccess['not-accessible'],
        tableColumns: [{ number: 1, name: indexColumn, type: T.OID, maxAccess: snmp.MaxAccess['not-accessible'] }, ...spec.columns.map((column) => ({ number: column.number, name: column.name, type: column.type, maxAccess: readOnly }))],
        tableIndex: [{ columnName: indexColumn, implied: true }],
      });
      for (const row of table.rows.values()) {
        mib.addTableRow(spec.name, [row.index, ...spec.columns.map((column) => row.cells.get(column.number) ?? BLANK[column.type])]);
      }
    }
  }
}
