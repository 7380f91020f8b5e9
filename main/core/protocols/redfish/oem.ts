import type { Json, JsonObject } from './client.js';

/**
 * Vendors' OEM sections, read only for what the standard properties left
 * empty: a standard value always wins, and no field needs OEM data. Each
 * rule names the vendor's namespace and path as the public samples show
 * them (../shared/redfish-mockups: Huawei iBMC 2288H V5, HPE iLO 5 and
 * iLO 4, Dell iDRAC 9), so what was filled from where is said in the
 * inventory (`oemFilled`).
 */
export interface OemRule<Field extends string> {
  field: Field;
  /** Oem.<namespace>.<path…>; the first namespace that has a usable value fills the field. */
  namespaces: readonly string[];
  path: readonly string[];
  /** A number (within `range`, the values the vendor's schema allows) or a text; anything else fills nothing. */
  type: 'number' | 'text';
  range?: readonly [number, number];
}

export type SystemOemField = 'biosVersion' | 'serial' | 'model';
export type ManagerOemField = 'firmware' | 'hostName';
export type ChassisOemField = 'inletCelsius';

export const SYSTEM_OEM_RULES: readonly OemRule<SystemOemField>[] = [
  // HPE iLO 5 (Hpe) and iLO 4 (Hp): the running ROM; some iLO 4 firmware has no BiosVersion.
  { field: 'biosVersion', namespaces: ['Hpe', 'Hp'], path: ['Bios', 'Current', 'VersionString'], type: 'text' },
  // Dell iDRAC: the service tag, Dell's serial number, when SerialNumber is empty.
  { field: 'serial', namespaces: ['Dell'], path: ['DellSystem', 'ChassisServiceTag'], type: 'text' },
  { field: 'model', namespaces: ['Huawei'], path: ['ProductName'], type: 'text' },
  { field: 'model', namespaces: ['Huawei'], path: ['ProductAlias'], type: 'text' },
];

export const MANAGER_OEM_RULES: readonly OemRule<ManagerOemField>[] = [
  { field: 'firmware', namespaces: ['Hpe', 'Hp'], path: ['Firmware', 'Current', 'VersionString'], type: 'text' },
  { field: 'hostName', namespaces: ['Huawei'], path: ['HostName'], type: 'text' },
];

export const CHASSIS_OEM_RULES: readonly OemRule<ChassisOemField>[] = [
  // Huawei iBMC keeps the air inlet in the chassis's own OEM section; Thermal may not list it.
  { field: 'inletCelsius', namespaces: ['Huawei'], path: ['InletTemperatureCelsius'], type: 'number', range: [-60, 150] },
];

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function at(resource: JsonObject, namespace: string, path: readonly string[]): Json | undefined {
  let value: Json | undefined = isObject(resource.Oem) ? resource.Oem[namespace] : undefined;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return value;
}

function usable(value: Json | undefined, rule: OemRule<string>): string | number | null {
  if (rule.type === 'text') return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return !rule.range || (value >= rule.range[0] && value <= rule.range[1]) ? value : null;
}

/**
 * Fills each field the standard read left null from the resource's OEM
 * section, and says which it filled and from where ("biosVersion from
 * Oem.Hpe.Bios.Current.VersionString").
 */
export function fillFromOem<Field extends string>(
  resource: JsonObject,
  rules: readonly OemRule<Field>[],
  /** Per field, whether the standard properties already gave it. */
  present: Record<Field, boolean>,
): { values: Partial<Record<Field, string | number>>; filled: string[] } {
  const values: Partial<Record<Field, string | number>> = {};
  const filled: string[] = [];
  for (const rule of rules) {
    if (present[rule.field] || values[rule.field] !== undefined) continue;
    for (const namespace of rule.namespaces) {
      const value = usable(at(resource, namespace, rule.path), rule);
      if (value === null) continue;
      values[rule.field] = value;
      filled.push(`${rule.field} from Oem.${namespace}.${rule.path.join('.')}`);
      break;
    }
  }
  return { values, filled };
}
