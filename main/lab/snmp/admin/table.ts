import snmp from 'net-snmp';
import { ROW_STATUS, STORAGE_TYPE } from '../../../core/protocols/snmp/admin/oids.js';

/**
 * A read-create table with a RowStatus and a StorageType column (RFC 2579),
 * as the administrative MIBs have: the lab's model of one agent table. Rows
 * hold cells by column number; a SET is tried on a copy of the tables and
 * kept only when every varbind was accepted, so a PDU applies all or nothing.
 */

export type Cell = number | Buffer | string;

export interface ColumnSpec {
  number: number;
  name: string;
  type: snmp.ObjectType;
  /** read-create (writable) or read-only; index columns are not listed. */
  writable: boolean;
  initial?: Cell;
}

export interface TableSpec {
  name: string;
  entry: string;
  columns: ColumnSpec[];
  statusColumn: number;
  storageColumn: number;
  /** Whether an index names a row this table may hold (otherwise noCreation). */
  validIndex(parts: number[]): boolean;
  /** Columns a row needs before it may become active. */
  required: number[];
  /** Columns that cannot change while the row is active (Net-SNMP: inconsistentValue). */
  lockedWhenActive?: number[];
}

export interface Row {
  index: string;
  cells: Map<number, Cell>;
}

/** An SNMP error status (RFC 3416 numbering) with the 1-based index of the varbind it blames. */
export class SetRefusal extends Error {
  constructor(readonly status: number) {
    super(String(snmp.ErrorStatus[status]));
  }
}

export const E = {
  noAccess: snmp.ErrorStatus.NoAccess,
  wrongType: snmp.ErrorStatus.WrongType,
  wrongLength: snmp.ErrorStatus.WrongLength,
  wrongValue: snmp.ErrorStatus.WrongValue,
  noCreation: snmp.ErrorStatus.NoCreation,
  inconsistentValue: snmp.ErrorStatus.InconsistentValue,
  notWritable: snmp.ErrorStatus.NotWritable,
  inconsistentName: snmp.ErrorStatus.InconsistentName,
} as const;

export const refuse = (status: number): never => {
  throw new SetRefusal(status);
};

export function copyRow(row: Row): Row {
  return { index: row.index, cells: new Map([...row.cells].map(([number, value]) => [number, Buffer.isBuffer(value) ? Buffer.from(value) : value])) };
}

/** Checks that a SET value has the column's type (net-snmp gives OctetString as Buffer, OID as text, numbers as numbers). */
export function checkType(type: snmp.ObjectType, value: unknown, given: snmp.ObjectType): Cell {
  if (given !== type) refuse(E.wrongType);
  if (type === snmp.ObjectType.OctetString) return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  if (type === snmp.ObjectType.OID) return typeof value === 'string' ? value : refuse(E.wrongType);
  return typeof value === 'number' ? value : refuse(E.wrongType);
}

export class LabTable {
  rows = new Map<string, Row>();
  /** Rows created by this SET and still waiting for the end of the PDU (createAndGo). */
  pendingGo = new Set<string>();

  constructor(readonly spec: TableSpec) {}

  copy(): LabTable {
    const table = new LabTable(this.spec);
    table.rows = new Map([...this.rows].map(([index, row]) => [index, copyRow(row)]));
    return table;
  }

  status(row: Row): number {
    return Number(row.cells.get(this.spec.statusColumn) ?? ROW_STATUS.notReady);
  }

  storage(row: Row): number {
    return Number(row.cells.get(this.spec.storageColumn) ?? STORAGE_TYPE.nonVolatile);
  }

  /** A row as the factory configuration defines it: permanent, active. */
  put(index: string, cells: Record<number, Cell>, storage: number = STORAGE_TYPE.permanent): Row {
    const row: Row = { index, cells: new Map() };
    for (const column of this.spec.columns) if (column.initial !== undefined) row.cells.set(column.number, column.initial);
    for (const [number, value] of Object.entries(cells)) row.cells.set(Number(number), value);
    row.cells.set(this.spec.storageColumn, storage);
    row.cells.set(this.spec.statusColumn, ROW_STATUS.active);
    this.rows.set(index, row);
    return row;
  }

  private isReady(row: Row): boolean {
    return this.spec.required.every((number) => row.cells.has(number));
  }

  /** The RowStatus state machine of RFC 2579, with Net-SNMP's rule that permanent rows are never destroyed. */
  setStatus(index: string, value: number, ready: (row: Row) => boolean = (row) => this.isReady(row)): void {
    const row = this.rows.get(index);
    if (value < 1 || value > 6 || value === ROW_STATUS.notReady) refuse(E.wrongValue);
    if (!row) {
      if (value === ROW_STATUS.destroy) return;
      if (value === ROW_STATUS.active || value === ROW_STATUS.notInService) refuse(E.inconsistentValue);
      if (!this.spec.validIndex(index.split('.').map(Number))) refuse(E.noCreation);
      const created: Row = { index, cells: new Map() };
      for (const column of this.spec.columns) if (column.initial !== undefined) created.cells.set(column.number, column.initial);
      created.cells.set(this.spec.storageColumn, STORAGE_TYPE.nonVolatile);
      created.cells.set(this.spec.statusColumn, ROW_STATUS.notReady);
      this.rows.set(index, created);
      if (value === ROW_STATUS.createAndGo) this.pendingGo.add(index);
      else if (ready(created)) created.cells.set(this.spec.statusColumn, ROW_STATUS.notInService);
      return;
    }
    const storage = this.storage(row);
    if (storage === STORAGE_TYPE.readOnly) refuse(E.notWritable);
    if (value === ROW_STATUS.createAndGo || value === ROW_STATUS.createAndWait) refuse(E.inconsistentValue);
    if (value === ROW_STATUS.destroy) {
      if (storage === STORAGE_TYPE.permanent) refuse(E.wrongValue);
      this.rows.delete(index);
      this.pendingGo.delete(index);
      return;
    }
    if (!ready(row)) refuse(E.inconsistentValue);
    row.cells.set(this.spec.statusColumn, value);
  }

  setCell(index: string, column: ColumnSpec, value: Cell): Row {
    const row = this.rows.get(index);
    if (!row) return refuse(this.spec.validIndex(index.split('.').map(Number)) ? E.noCreation : E.inconsistentName);
    const storage = this.storage(row);
    if (storage === STORAGE_TYPE.readOnly) refuse(E.notWritable);
    if (column.number === this.spec.storageColumn) {
      const movable = (type: unknown) => type === STORAGE_TYPE.volatile || type === STORAGE_TYPE.nonVolatile;
      if (value !== storage && !(movable(value) && movable(storage))) refuse(E.inconsistentValue);
    }
    if (this.status(row) === ROW_STATUS.active && this.spec.lockedWhenActive?.includes(column.number)) refuse(E.inconsistentValue);
    row.cells.set(column.number, value);
    if (this.status(row) === ROW_STATUS.notReady && this.isReady(row)) row.cells.set(this.spec.statusColumn, ROW_STATUS.notInService);
    return row;
  }

  /** End of a PDU: a createAndGo row is active now, or the whole SET fails at that varbind. */
  finishGo(index: string, ready: (row: Row) => boolean = (row) => this.isReady(row)): void {
    if (!this.pendingGo.delete(index)) return;
    const row = this.rows.get(index);
    if (!row || !ready(row)) refuse(E.inconsistentValue);
    row!.cells.set(this.spec.statusColumn, ROW_STATUS.active);
  }

  /** Drops what does not survive a restart: volatile rows, and permanent rows (the configuration puts them back). */
  restart(): void {
    for (const [index, row] of this.rows) {
      const storage = this.storage(row);
      if (storage === STORAGE_TYPE.volatile || storage === STORAGE_TYPE.permanent || storage === STORAGE_TYPE.readOnly) this.rows.delete(index);
    }
  }

  active(): Row[] {
    return [...this.rows.values()].filter((row) => this.status(row) === ROW_STATUS.active);
  }
}
