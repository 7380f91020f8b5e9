import type {
  EnvironmentStatus,
  SnmpIdentity,
  PduStatus,
  SnmpDevice,
  SnmpInterface,
  SnmpSensor,
  UpsStatus,
} from '../../../../shared/domain/snmp.js';
import type { SectionTarget } from '../../../../shared/domain/snmp-profile.js';
import { round, type FieldValue } from './values.js';

/** What a profile section read: scalars by field path, tables as rows keyed by their index. */
export interface RawSection {
  scalars: Record<string, FieldValue>;
  tables: Record<string, Row[]>;
}
export type Row = Record<string, FieldValue> & { index: string };

const str = (value: FieldValue | undefined): string | null => (value === null || value === undefined || value === '' ? null : String(value));
const num = (value: FieldValue | undefined): number | null => (typeof value === 'number' ? value : null);
const counter = (value: FieldValue | undefined): string | null => (typeof value === 'string' && /^\d+$/.test(value) ? value : null);

function oneOf<T extends string>(value: FieldValue | undefined, allowed: readonly T[]): T | null {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

function byIndex(rows: readonly Row[] | undefined): Map<string, Row> {
  return new Map((rows ?? []).map((row) => [row.index, row]));
}

export function normalizeSystem(raw: RawSection): SnmpDevice['system'] {
  const s = raw.scalars;
  return {
    descr: str(s.descr),
    objectId: str(s.objectId),
    uptimeSeconds: num(s.uptimeSeconds),
    contact: str(s.contact),
    name: str(s.name),
    location: str(s.location),
    services: num(s.services),
  };
}

const IF_STATUSES = ['up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'] as const;

export function normalizeInterfaces(raw: RawSection): SnmpInterface[] {
  const extended = byIndex(raw.tables.extended);
  return (raw.tables.rows ?? []).map((row) => {
    const x = extended.get(row.index);
    const hcIn = counter(x?.hcInOctets);
    const hcOut = counter(x?.hcOutOctets);
    const highSpeed = num(x?.highSpeedMbps);
    const speedBps = num(row.speedBps);
    return {
      index: row.index,
      name: str(x?.name) ?? str(row.descr),
      descr: str(row.descr),
      alias: str(x?.alias),
      type: num(row.type),
      mtu: num(row.mtu),
      // ifSpeed saturates at 4,294,967,295 bps; ifHighSpeed is exact above that.
      speedMbps: highSpeed !== null && highSpeed > 0 ? highSpeed : speedBps === null ? null : speedBps / 1e6,
      mac: str(row.mac),
      adminStatus: oneOf(row.adminStatus, IF_STATUSES),
      operStatus: oneOf(row.operStatus, IF_STATUSES),
      lastChangeSeconds: num(row.lastChangeSeconds),
      inOctets: hcIn ?? counter(row.inOctets32),
      outOctets: hcOut ?? counter(row.outOctets32),
      inErrors: counter(row.inErrors),
      outErrors: counter(row.outErrors),
      inDiscards: counter(row.inDiscards),
      outDiscards: counter(row.outDiscards),
      highCapacity: hcIn !== null && hcOut !== null,
    };
  });
}

export function normalizeEntities(raw: RawSection): SnmpDevice['entities'] {
  return (raw.tables.rows ?? []).map((row) => ({
    index: row.index,
    descr: str(row.descr),
    class: str(row.class),
    name: str(row.name),
    hardwareRev: str(row.hardwareRev),
    firmwareRev: str(row.firmwareRev),
    softwareRev: str(row.softwareRev),
    serial: str(row.serial),
    manufacturer: str(row.manufacturer),
    model: str(row.model),
  }));
}

const SENSOR_UNITS: Record<SnmpSensor['type'], string | null> = {
  temperature: '°C',
  humidity: '%RH',
  voltage: 'V',
  current: 'A',
  power: 'W',
  frequency: 'Hz',
  fan: 'rpm',
  airflow: 'CMM',
  contact: null,
  other: null,
};
const SENSOR_TYPES = Object.keys(SENSOR_UNITS) as SnmpSensor['type'][];

/** ENTITY-SENSOR-MIB: value × 10^(3·(scale − 9)) / 10^precision. */
/**
 * Columns of vendors' per-entity tables (HUAWEI-ENTITY-EXTENT, HH3C-ENTITY-EXT …),
 * by the name a profile gives them: each becomes a sensor of the entity.
 */
const ENTITY_MEASUREMENTS: Record<string, { type: SnmpSensor['type']; unit: string; label: string }> = {
  temperatureC: { type: 'temperature', unit: '°C', label: 'temperature' },
  cpuPercent: { type: 'other', unit: '%', label: 'CPU' },
  memoryPercent: { type: 'other', unit: '%', label: 'memory' },
  voltageV: { type: 'voltage', unit: 'V', label: 'voltage' },
  currentA: { type: 'current', unit: 'A', label: 'current' },
  powerW: { type: 'power', unit: 'W', label: 'power' },
  fanRpm: { type: 'fan', unit: 'rpm', label: 'fan' },
  humidityPercent: { type: 'humidity', unit: '%RH', label: 'humidity' },
  frequencyHz: { type: 'frequency', unit: 'Hz', label: 'frequency' },
  /** How much of a capacity is in use (a cooling unit's cooling, fan, humidifier). */
  usagePercent: { type: 'other', unit: '%', label: 'usage' },
};

/** State-only columns (a fan or a power supply that reports how it is, not a figure), by the name a profile gives them. */
const ENTITY_STATES: Record<string, { type: SnmpSensor['type']; label: string }> = {
  fanStatus: { type: 'fan', label: 'fan' },
  powerSupplyStatus: { type: 'power', label: 'power supply' },
};

const SENSOR_STATUSES = ['ok', 'unavailable', 'nonoperational'] as const;

/**
 * Rows of vendors' tables as sensors: each measurement column (temperatureC,
 * cpuPercent …) a sensor with the row's `status` where it has one, each state
 * column (fanStatus …) a sensor of that state; named by the row's own `name`
 * or its ENTITY-MIB entity.
 */
function entityMeasurements(raw: RawSection, names: Map<string, string | null>): SnmpSensor[] {
  return Object.entries(raw.tables)
    .filter(([table]) => table !== 'entitySensors' && table !== 'describedSensors')
    .flatMap(([, rows]) =>
      rows.flatMap((row) => {
        const base = str(row.name) ?? names.get(row.index) ?? `entity ${row.index}`;
        const status: SnmpSensor['status'] = oneOf(row.status, SENSOR_STATUSES) ?? (row.status === undefined ? 'ok' : 'unknown');
        const measured = Object.entries(ENTITY_MEASUREMENTS).flatMap(([key, measurement]): SnmpSensor[] => {
          const value = num(row[key]);
          if (value === null) return [];
          return [{ index: `${row.index}/${key}`, name: `${base} ${measurement.label}`, type: measurement.type, value, unit: measurement.unit, status }];
        });
        const states = Object.entries(ENTITY_STATES).flatMap(([key, state]): SnmpSensor[] => {
          if (row[key] === undefined) return [];
          // The row's own name says what it is ("Switch#1, Fan#1"): no label added to it.
          return [{ index: `${row.index}/${key}`, name: str(row.name) ?? `${base} ${state.label}`, type: state.type, value: null, unit: null, status: oneOf(row[key], SENSOR_STATUSES) ?? 'unknown' }];
        });
        return [...measured, ...states];
      }),
    );
}

/**
 * Scalars of a sensors section, named "<what>.<measurement>" by the profile
 * ("supply air.temperatureC"): each a sensor called <what>. Devices with one
 * of each (a cooling unit's supply and return air) answer scalars, not tables.
 */
function scalarMeasurements(raw: RawSection): SnmpSensor[] {
  return Object.entries(raw.scalars).flatMap(([path, value]): SnmpSensor[] => {
    const named = measurementOf(path);
    const reading = num(value);
    if (!named || reading === null) return [];
    return [{ index: path, name: named.name, type: named.measurement.type, value: reading, unit: named.measurement.unit, status: 'ok' }];
  });
}

/** "<what>.<measurement>" → what is measured, and how; null for any other path. */
function measurementOf(path: string): { name: string; measurement: (typeof ENTITY_MEASUREMENTS)[string] } | null {
  const dot = path.lastIndexOf('.');
  const key = path.slice(dot + 1);
  return dot > 0 && Object.hasOwn(ENTITY_MEASUREMENTS, key) ? { name: path.slice(0, dot), measurement: ENTITY_MEASUREMENTS[key]! } : null;
}

export function normalizeSensors(raw: RawSection, names: Map<string, string | null>, problems: SnmpDevice['problems'] = []): SnmpSensor[] {
  return [...entitySensors(raw, names), ...entityMeasurements(raw, names), ...scalarMeasurements(raw), ...describedSensors(raw, problems)];
}

/**
 * The units a self-describing table names (APC's coolingUnitStatusAnalogUnits), as sensors: the type, EdgeCab's unit and the factor to it.
 * Units absent here are not read: °F, psi and inches of water repeat readings the same tables give in °C, bar and Pa; run hours are counters.
 */
const DESCRIBED_UNITS: Record<string, { type: SnmpSensor['type']; unit: string; factor: number; plausible: readonly [number, number] }> = {
  C: { type: 'temperature', unit: '°C', factor: 1, plausible: [-60, 150] },
  '°C': { type: 'temperature', unit: '°C', factor: 1, plausible: [-60, 150] },
  kW: { type: 'power', unit: 'W', factor: 1000, plausible: [0, 10_000_000] },
  W: { type: 'power', unit: 'W', factor: 1, plausible: [0, 10_000_000] },
  V: { type: 'voltage', unit: 'V', factor: 1, plausible: [0, 1000] },
  A: { type: 'current', unit: 'A', factor: 1, plausible: [0, 10_000] },
  Hz: { type: 'frequency', unit: 'Hz', factor: 1, plausible: [0, 1000] },
  '%RH': { type: 'humidity', unit: '%RH', factor: 1, plausible: [0, 100] },
  rpm: { type: 'fan', unit: 'rpm', factor: 1, plausible: [0, 100_000] },
  CFM: { type: 'airflow', unit: 'CFM', factor: 1, plausible: [0, 1_000_000] },
  'L/s': { type: 'airflow', unit: 'L/s', factor: 1, plausible: [0, 500_000] },
  Pa: { type: 'other', unit: 'Pa', factor: 1, plausible: [-100_000, 10_000_000] },
  bar: { type: 'other', unit: 'bar', factor: 1, plausible: [-1, 100] },
  '%': { type: 'other', unit: '%', factor: 1, plausible: [0, 100] },
};

/**
 * Rows that name their own unit and divisor: value ÷ divisor, in the unit named; a fan's "%" is its speed.
 * A row without its divisor is no reading (it could be ten times off); one outside what its unit can be is not available, and said.
 */
function describedSensors(raw: RawSection, problems: SnmpDevice['problems']): SnmpSensor[] {
  return (raw.tables.describedSensors ?? []).flatMap((row): SnmpSensor[] => {
    const value = num(row.value);
    const divisor = num(row.divisor);
    const described = DESCRIBED_UNITS[str(row.unit)?.trim() ?? ''];
    if (value === null || divisor === null || !described) return [];
    const name = str(row.name);
    const reading = round((value * described.factor) / divisor);
    const [low, high] = described.plausible;
    if (reading < low || reading > high) {
      problems.push({ section: 'sensors', message: `${name ?? `row ${row.index}`}: ${reading} ${described.unit} is outside what such a reading can be (${low}..${high}); not available` });
      return [];
    }
    const type = described.unit === '%' && /\bfan\b/i.test(name ?? '') ? 'fan' : described.type;
    return [{ index: row.index, name, type, value: reading, unit: described.unit, status: 'ok' }];
  });
}

function entitySensors(raw: RawSection, names: Map<string, string | null>): SnmpSensor[] {
  return (raw.tables.entitySensors ?? []).map((row) => {
    const type = oneOf(row.type, SENSOR_TYPES) ?? 'other';
    const rawValue = num(row.rawValue);
    const scale = num(row.scale) ?? 9;
    const precision = num(row.precision) ?? 0;
    const value = rawValue === null ? null : round(rawValue * 10 ** (3 * (scale - 9) - precision));
    return {
      index: row.index,
      name: names.get(row.index) ?? null,
      type,
      value,
      unit: str(row.unit) ?? SENSOR_UNITS[type],
      status: oneOf(row.status, ['ok', 'unavailable', 'nonoperational'] as const) ?? 'unknown',
    };
  });
}

/** Well-known UPS-MIB alarm OIDs (upsWellKnownAlarms). */
const UPS_ALARMS: Record<string, string> = {
  '1.3.6.1.2.1.33.1.6.3.1': 'batteryBad',
  '1.3.6.1.2.1.33.1.6.3.2': 'onBattery',
  '1.3.6.1.2.1.33.1.6.3.3': 'lowBattery',
  '1.3.6.1.2.1.33.1.6.3.4': 'depletedBattery',
  '1.3.6.1.2.1.33.1.6.3.5': 'temperatureBad',
  '1.3.6.1.2.1.33.1.6.3.6': 'inputBad',
  '1.3.6.1.2.1.33.1.6.3.7': 'outputBad',
  '1.3.6.1.2.1.33.1.6.3.8': 'outputOverload',
  '1.3.6.1.2.1.33.1.6.3.9': 'onBypass',
  '1.3.6.1.2.1.33.1.6.3.10': 'bypassBad',
  '1.3.6.1.2.1.33.1.6.3.11': 'outputOffAsRequested',
  '1.3.6.1.2.1.33.1.6.3.12': 'upsOffAsRequested',
  '1.3.6.1.2.1.33.1.6.3.13': 'chargerFailed',
  '1.3.6.1.2.1.33.1.6.3.14': 'upsOutputOff',
  '1.3.6.1.2.1.33.1.6.3.15': 'upsSystemOff',
  '1.3.6.1.2.1.33.1.6.3.16': 'fanFailure',
  '1.3.6.1.2.1.33.1.6.3.17': 'fuseFailure',
  '1.3.6.1.2.1.33.1.6.3.18': 'generalFault',
  '1.3.6.1.2.1.33.1.6.3.19': 'diagnosticTestFailed',
  '1.3.6.1.2.1.33.1.6.3.20': 'communicationsLost',
  '1.3.6.1.2.1.33.1.6.3.21': 'awaitingPower',
  '1.3.6.1.2.1.33.1.6.3.22': 'shutdownPending',
  '1.3.6.1.2.1.33.1.6.3.23': 'shutdownImminent',
  '1.3.6.1.2.1.33.1.6.3.24': 'testInProgress',
};
export const upsAlarmName = (oid: string | null): string | null => (oid ? (UPS_ALARMS[oid] ?? null) : null);

export function normalizeUps(raw: RawSection): UpsStatus {
  const s = raw.scalars;
  return {
    manufacturer: str(s.manufacturer),
    model: str(s.model),
    firmware: str(s.firmware),
    battery: {
      status: oneOf(s['battery.status'], ['unknown', 'normal', 'low', 'depleted'] as const),
      secondsOnBattery: num(s['battery.secondsOnBattery']),
      minutesRemaining: num(s['battery.minutesRemaining']),
      chargePercent: num(s['battery.chargePercent']),
      voltageV: num(s['battery.voltageV']),
      currentA: num(s['battery.currentA']),
      temperatureC: num(s['battery.temperatureC']),
    },
    inputLines: (raw.tables.inputLines ?? []).map((row) => ({
      index: row.index,
      frequencyHz: num(row.frequencyHz),
      voltageV: num(row.voltageV),
      currentA: num(row.currentA),
      powerW: num(row.powerW),
    })),
    outputSource: oneOf(s.outputSource, ['other', 'none', 'normal', 'bypass', 'battery', 'booster', 'reducer'] as const),
    outputFrequencyHz: num(s.outputFrequencyHz),
    outputLines: (raw.tables.outputLines ?? []).map((row) => ({
      index: row.index,
      voltageV: num(row.voltageV),
      currentA: num(row.currentA),
      powerW: num(row.powerW),
      loadPercent: num(row.loadPercent),
    })),
    bypassFrequencyHz: num(s.bypassFrequencyHz),
    bypassLines: (raw.tables.bypassLines ?? []).map((row) => ({
      index: row.index,
      voltageV: num(row.voltageV),
      currentA: num(row.currentA),
      powerW: num(row.powerW),
    })),
    alarmsPresent: num(s.alarmsPresent),
    alarms: (raw.tables.alarms ?? []).map((row) => ({ index: row.index, descr: str(row.descr), condition: upsAlarmName(str(row.descr)) })),
  };
}

export function normalizePdu(raw: RawSection): PduStatus {
  const [device] = raw.tables.device ?? [];
  const switched = byIndex(raw.tables.switchedOutlets);
  const metered = raw.tables.outlets ?? [];
  const outletIndexes = [...new Set([...metered.map((row) => row.index), ...switched.keys()])];
  const meteredByIndex = byIndex(metered);
  return {
    name: str(device?.name),
    powerKw: num(device?.powerKw),
    energyKwh: num(device?.energyKwh),
    loadState: oneOf(device?.loadState, ['lowLoad', 'normal', 'nearOverload', 'overload'] as const),
    phases: (raw.tables.phases ?? []).map((row) => ({
      index: row.index,
      currentA: num(row.currentA),
      voltageV: num(row.voltageV),
      powerKw: num(row.powerKw),
    })),
    outlets: outletIndexes.map((index) => {
      const meter = meteredByIndex.get(index);
      const control = switched.get(index);
      return {
        index,
        name: str(meter?.name) ?? str(control?.name),
        state: oneOf(control?.state, ['on', 'off'] as const) ?? 'unknown',
        currentA: num(meter?.currentA),
        powerW: num(meter?.powerW),
        energyKwh: num(meter?.energyKwh),
      };
    }),
  };
}

export function normalizeEnvironment(raw: RawSection, keywords: Partial<Record<'door' | 'smoke' | 'water', string[]>>): EnvironmentStatus {
  // Available only when said so (1), or when the profile has no such column: a refused or "not measured" state is no proof the sensor is there.
  const available = (row: Row) => row.available === undefined || num(row.available) === 1;
  const temperatures = [...(raw.tables.internal ?? []), ...(raw.tables.remoteTemperatures ?? [])]
    .filter((row) => available(row) && num(row.celsius) !== null)
    .map((row) => ({ index: row.index, name: str(row.name), celsius: num(row.celsius) }));
  const humidities = (raw.tables.internal ?? [])
    .filter((row) => available(row) && num(row.percent) !== null)
    .map((row) => ({ index: row.index, name: str(row.name), percent: num(row.percent) }));
  const kindOf = (row: Row): 'door' | 'smoke' | 'water' | 'other' => {
    const label = [row.name, row.sensorType, row.description].map((part) => str(part) ?? '').join(' ').toLowerCase();
    for (const kind of ['door', 'smoke', 'water'] as const) {
      if ((keywords[kind] ?? []).some((word) => label.includes(word.toLowerCase()))) return kind;
    }
    return 'other';
  };
  // A contact-closure input reads non-zero when tripped: door open, smoke or water detected.
  const contacts = (raw.tables.contacts ?? []).map((row) => ({
    index: row.index,
    name: str(row.name),
    kind: kindOf(row),
    state: !available(row) || num(row.value) === null ? ('unknown' as const) : num(row.value) !== 0 ? ('alarm' as const) : ('normal' as const),
  }));
  const overall = (kind: 'door' | 'smoke' | 'water') => {
    const states = contacts.filter((contact) => contact.kind === kind).map((contact) => contact.state);
    return states.includes('alarm') ? 'alarm' : states.includes('normal') ? 'normal' : 'unknown';
  };
  return { temperatures, humidities, door: overall('door'), smoke: overall('smoke'), waterLeak: overall('water'), contacts };
}

export function normalizeHost(raw: RawSection): NonNullable<SnmpDevice['host']> {
  return {
    processes: num(raw.scalars.processes),
    memoryKb: num(raw.scalars.memoryKb),
    processorLoads: (raw.tables.processors ?? []).map((row) => num(row.load)).filter((load): load is number => load !== null),
    storage: (raw.tables.storage ?? []).map((row) => {
      const unit = num(row.allocationUnit) ?? 1;
      const size = num(row.size);
      const used = num(row.used);
      return { index: row.index, descr: str(row.descr), sizeBytes: size === null ? null : size * unit, usedBytes: used === null ? null : used * unit };
    }),
  };
}

export type Sections = Partial<Record<SectionTarget, RawSection>>;

const MEASURED_OR_STATE = [...Object.keys(ENTITY_MEASUREMENTS), ...Object.keys(ENTITY_STATES)];

/**
 * The names normalization reads, per section target: a profile field by any
 * other name would be read and then silently ignored, so it is refused.
 * `*` stands for "a table of any name" (vendors' sensor tables).
 */
export const PROFILE_VOCABULARY: Record<SectionTarget, { scalars: readonly string[] | ((path: string) => boolean); tables: Record<string, readonly string[]> }> = {
  system: { scalars: ['descr', 'objectId', 'uptimeSeconds', 'contact', 'name', 'location', 'services'], tables: {} },
  identity: { scalars: ['model', 'serial', 'firmware'], tables: {} },
  interfaces: {
    scalars: [],
    tables: {
      rows: ['descr', 'type', 'mtu', 'speedBps', 'mac', 'adminStatus', 'operStatus', 'lastChangeSeconds', 'inOctets32', 'outOctets32', 'inErrors', 'outErrors', 'inDiscards', 'outDiscards'],
      extended: ['name', 'alias', 'hcInOctets', 'hcOutOctets', 'highSpeedMbps'],
    },
  },
  entities: { scalars: [], tables: { rows: ['descr', 'class', 'name', 'hardwareRev', 'firmwareRev', 'softwareRev', 'serial', 'manufacturer', 'model'] } },
  sensors: {
    scalars: (path) => measurementOf(path) !== null,
    tables: {
      entitySensors: ['type', 'rawValue', 'scale', 'precision', 'unit', 'status'],
      describedSensors: ['name', 'value', 'unit', 'divisor'],
      '*': ['name', 'status', ...MEASURED_OR_STATE],
    },
  },
  ups: {
    scalars: [
      'manufacturer', 'model', 'firmware', 'outputSource', 'outputFrequencyHz', 'bypassFrequencyHz', 'alarmsPresent',
      ...['status', 'secondsOnBattery', 'minutesRemaining', 'chargePercent', 'voltageV', 'currentA', 'temperatureC'].map((field) => `battery.${field}`),
    ],
    tables: { inputLines: ['frequencyHz', 'voltageV', 'currentA', 'powerW'], outputLines: ['voltageV', 'currentA', 'powerW', 'loadPercent'], bypassLines: ['voltageV', 'currentA', 'powerW'], alarms: ['descr'] },
  },
  pdu: {
    scalars: [],
    tables: { device: ['name', 'powerKw', 'energyKwh', 'loadState'], phases: ['currentA', 'voltageV', 'powerKw'], outlets: ['name', 'currentA', 'powerW', 'energyKwh'], switchedOutlets: ['name', 'state'] },
  },
  environment: {
    scalars: [],
    tables: { internal: ['available', 'name', 'celsius', 'percent'], remoteTemperatures: ['available', 'name', 'celsius'], contacts: ['available', 'name', 'sensorType', 'description', 'value'] },
  },
  host: { scalars: ['processes', 'memoryKb'], tables: { processors: ['load'], storage: ['descr', 'allocationUnit', 'size', 'used'] } },
};

/** What in a section normalization would not read, each named; empty when every field is used. */
export function unknownFields(target: SectionTarget, scalars: readonly string[], tables: Record<string, readonly string[]>): string[] {
  const vocabulary = PROFILE_VOCABULARY[target];
  const scalarKnown = typeof vocabulary.scalars === 'function' ? vocabulary.scalars : (path: string) => (vocabulary.scalars as readonly string[]).includes(path);
  const unknown = scalars.filter((path) => !scalarKnown(path)).map((path) => `scalar "${path}"`);
  for (const [table, columns] of Object.entries(tables)) {
    const known = Object.hasOwn(vocabulary.tables, table) ? vocabulary.tables[table] : vocabulary.tables['*'];
    if (!known) {
      unknown.push(`table "${table}" (a ${target} section has ${Object.keys(vocabulary.tables).join(', ') || 'no tables'})`);
      continue;
    }
    unknown.push(...columns.filter((column) => !known.includes(column)).map((column) => `column "${table}.${column}"`));
  }
  return unknown;
}

/**
 * Model, serial and firmware: ENTITY-MIB first, as the standard (the
 * chassis, the stack, else the first part that has the field); then the
 * vendor's identity objects; then the UPS identity. Each field says where it
 * came from.
 */
export function normalizeIdentity(entities: SnmpDevice['entities'], vendor: RawSection | undefined, ups: UpsStatus | null): SnmpIdentity {
  // The chassis first; else the stack; else the first part that has it (Huawei names its model on the main board, not the chassis).
  const parts = [...entities.filter((entity) => entity.class === 'chassis'), ...entities.filter((entity) => entity.class === 'stack'), ...entities];
  const entityField = (field: 'model' | 'serial' | 'softwareRev' | 'firmwareRev') => parts.find((entity) => entity[field]?.trim())?.[field];
  const fromVendor = vendor?.scalars ?? {};
  const clean = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null);
  const pick = (candidates: [string, string | null | undefined][]): [string | null, string | null] => {
    for (const [source, value] of candidates) if (clean(value)) return [clean(value), source];
    return [null, null];
  };
  const [model, modelSource] = pick([['entity', entityField('model')], ['vendor', str(fromVendor.model)], ['ups', ups?.model]]);
  const [serial, serialSource] = pick([['entity', entityField('serial')], ['vendor', str(fromVendor.serial)]]);
  const [firmware, firmwareSource] = pick([['entity', entityField('softwareRev') ?? entityField('firmwareRev')], ['vendor', str(fromVendor.firmware)], ['ups', ups?.firmware]]);
  return { model, serial, firmware, sources: { model: modelSource, serial: serialSource, firmware: firmwareSource } };
}
