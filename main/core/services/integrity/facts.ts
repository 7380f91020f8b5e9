import type { IntegrityFact, IntegrityKind } from '../../../../shared/domain/integrity.js';
import type { Json, JsonObject } from '../../protocols/redfish/client.js';

/** What a Redfish service says about its integrity, as read (resources, unparsed), and the kinds that could not be read. */
export interface RedfishIntegrityRaw {
  systems: { id: string; secureBoot: JsonObject | null; trustedModules: JsonObject[] }[];
  trustedComponents: { chassisId: string; component: JsonObject }[];
  componentIntegrity: JsonObject[];
  firmware: JsonObject[];
  unread: IntegrityKind[];
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: Json | undefined): JsonObject => (isObject(value) ? value : {});
const text = (value: Json | undefined): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null);

class Facts {
  readonly list: IntegrityFact[] = [];

  add(kind: IntegrityKind, component: string, property: string, value: string | null, measuredAt: string | null = null): void {
    if (value === null) return;
    this.list.push({ kind, component, property, value, measuredAt });
  }
}

const enabled = (value: Json | undefined) => (typeof value === 'boolean' ? (value ? 'Enabled' : 'Disabled') : text(value));

/**
 * The integrity facts of a BMC: Secure Boot per system, every trusted
 * module (the systems' TrustedModules, the chassis' TrustedComponents),
 * every ComponentIntegrity with its measurements, and firmware versions.
 * Timestamps are kept beside the facts (measuredAt), never compared: a
 * service that measures again has not changed.
 */
export function redfishFacts(raw: RedfishIntegrityRaw): IntegrityFact[] {
  const facts = new Facts();
  for (const system of raw.systems) {
    if (system.secureBoot) {
      facts.add('secure-boot', system.id, 'SecureBootEnable', enabled(system.secureBoot.SecureBootEnable));
      facts.add('secure-boot', system.id, 'SecureBootCurrentBoot', text(system.secureBoot.SecureBootCurrentBoot));
      facts.add('secure-boot', system.id, 'SecureBootMode', text(system.secureBoot.SecureBootMode));
    }
    system.trustedModules.forEach((module, index) => {
      const component = `${system.id}/TrustedModules/${index}`;
      facts.add('tpm', component, 'InterfaceType', text(module.InterfaceType));
      facts.add('tpm', component, 'FirmwareVersion', text(module.FirmwareVersion));
      facts.add('tpm', component, 'State', text(obj(module.Status).State) ?? 'unknown');
    });
  }
  for (const { chassisId, component } of raw.trustedComponents) {
    const name = `${chassisId}/${text(component.Id) ?? '?'}`;
    facts.add('tpm', name, 'TrustedComponentType', text(component.TrustedComponentType));
    facts.add('tpm', name, 'UUID', text(component.UUID));
    facts.add('tpm', name, 'FirmwareVersion', text(component.FirmwareVersion));
    facts.add('tpm', name, 'State', text(obj(component.Status).State) ?? 'unknown');
  }
  for (const integrity of raw.componentIntegrity) {
    const id = text(integrity.Id) ?? '?';
    const updated = text(integrity.LastUpdated);
    facts.add('measurement', id, 'ComponentIntegrityEnabled', enabled(integrity.ComponentIntegrityEnabled));
    facts.add('measurement', id, 'ComponentIntegrityType', text(integrity.ComponentIntegrityType));
    facts.add('measurement', id, 'TargetComponentURI', text(integrity.TargetComponentURI));
    const spdm = obj(obj(integrity.SPDM).MeasurementSet);
    facts.add('measurement', id, 'MeasurementSummary', text(spdm.MeasurementSummary), updated);
    for (const entry of Array.isArray(spdm.Measurements) ? spdm.Measurements.map(obj) : []) {
      facts.add('measurement', id, `Measurement ${text(entry.MeasurementIndex) ?? '?'}`, text(entry.Measurement), text(entry.LastUpdated) ?? updated);
    }
    const tpm = obj(obj(integrity.TPM).MeasurementSet);
    for (const entry of Array.isArray(tpm.Measurements) ? tpm.Measurements.map(obj) : []) {
      const algorithm = (text(entry.MeasurementHashAlgorithm) ?? '').replace(/^TPM_ALG_/, '');
      facts.add('measurement', id, `PCR ${text(entry.PCR) ?? '?'}${algorithm ? ` (${algorithm})` : ''}`, text(entry.Measurement), text(entry.LastUpdated) ?? updated);
    }
  }
  for (const item of raw.firmware) facts.add('firmware', text(item.Id) ?? '?', 'Version', text(item.Version));
  return dedupe(facts.list);
}

/** What an SNMP device says of its software: sysDescr, each entity's firmware and software revisions, a UPS's software version. */
export interface SnmpSoftware {
  system?: { descr?: string | null } | null;
  entities?: readonly { index: string; name?: string | null; descr?: string | null; firmwareRev?: string | null; softwareRev?: string | null }[] | null;
  ups?: { firmware?: string | null } | null;
}

export function snmpFacts(device: SnmpSoftware): IntegrityFact[] {
  const facts = new Facts();
  facts.add('firmware', 'system', 'sysDescr', device.system?.descr ?? null);
  for (const entity of device.entities ?? []) {
    const component = `${entity.name ?? entity.descr ?? 'entity'} #${entity.index}`;
    facts.add('firmware', component, 'entPhysicalFirmwareRev', entity.firmwareRev || null);
    facts.add('firmware', component, 'entPhysicalSoftwareRev', entity.softwareRev || null);
  }
  facts.add('firmware', 'UPS', 'upsIdentUPSSoftwareVersion', device.ups?.firmware || null);
  return dedupe(facts.list);
}

/**
 * The firmware facts of a device's configuration baseline (device_baselines,
 * as the wizard's step 4 wrote it: FirmwareInventory for a BMC; sysDescr and
 * entities for an SNMP device). Anything unexpected in it gives no facts.
 */
export function baselineFacts(protocol: 'redfish' | 'snmp', config: unknown): IntegrityFact[] {
  if (!config || typeof config !== 'object') return [];
  const record = config as { firmware?: unknown; system?: unknown; entities?: unknown };
  if (protocol === 'redfish') {
    if (!Array.isArray(record.firmware)) return [];
    const facts = new Facts();
    for (const item of record.firmware as { id?: unknown; version?: unknown }[]) {
      if (typeof item?.id === 'string' && typeof item.version === 'string' && item.version !== '') facts.add('firmware', item.id, 'Version', item.version);
    }
    return dedupe(facts.list);
  }
  return snmpFacts({
    system: record.system && typeof record.system === 'object' ? (record.system as SnmpSoftware['system']) : null,
    entities: Array.isArray(record.entities) ? (record.entities as SnmpSoftware['entities']) : null,
  });
}

/** One fact per component and property (a service listing a member twice must not make it differ from itself). */
function dedupe(facts: IntegrityFact[]): IntegrityFact[] {
  const seen = new Set<string>();
  return facts.filter((fact) => {
    const key = `${fact.kind}|${fact.component}|${fact.property}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
