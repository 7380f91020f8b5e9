/**
 * The integrity comparison, as pure functions: facts from what a BMC or an
 * SNMP device reports, the expected state (recorded, baseline), the checks,
 * the drift alarms they call for.
 */
import { describe, expect, it } from 'vitest';
import { adoptNewKinds, compareFacts, driftsByKind, expectedFacts, recordFrom, type IntegrityFact, type RecordedState } from '../../../shared/domain/integrity.js';
import type { JsonObject } from '../../../main/core/protocols/redfish/client.js';
import { driftAlarms, driftKey } from '../../../main/core/services/integrity/drift-alarms.js';
import { baselineFacts, redfishFacts, snmpFacts, type RedfishIntegrityRaw } from '../../../main/core/services/integrity/facts.js';
import { loadMockup } from '../../../main/lab/redfish/store.js';

const MOCKUP = 'assets/lab/redfish-rackmount1';
const SYSTEM = '/redfish/v1/Systems/437XR1138R2';

/** The mockup's resources as the reader would hand them over. */
function mockupRaw(change?: (resources: Map<string, Record<string, unknown>>) => void): RedfishIntegrityRaw {
  const resources = loadMockup(MOCKUP);
  change?.(resources);
  const get = (path: string) => resources.get(path) as JsonObject;
  const members = (path: string) => ((get(path).Members as { '@odata.id': string }[]) ?? []).map((member) => get(member['@odata.id'])).filter(Boolean);
  return {
    systems: [{ id: '437XR1138R2', secureBoot: get(`${SYSTEM}/SecureBoot`), trustedModules: (get(SYSTEM).TrustedModules as JsonObject[]) ?? [] }],
    trustedComponents: members('/redfish/v1/Chassis/1U/TrustedComponents').map((component) => ({ chassisId: '1U', component })),
    componentIntegrity: members('/redfish/v1/ComponentIntegrity'),
    firmware: members('/redfish/v1/UpdateService/FirmwareInventory'),
    unread: [],
  };
}

const value = (facts: IntegrityFact[], component: string, property: string) => facts.find((fact) => fact.component === component && fact.property === property)?.value;
const recordedOf = (facts: IntegrityFact[], at = '2025-01-01T00:00:00.000Z'): RecordedState => ({ ...recordFrom(facts, new Set(), null), source: 'first-seen', at });

describe('integrity facts', () => {
  it('reads Secure Boot, trusted modules, measurements and firmware from a Redfish mockup', () => {
    const facts = redfishFacts(mockupRaw());
    expect(value(facts, '437XR1138R2', 'SecureBootEnable')).toBe('Disabled');
    expect(value(facts, '437XR1138R2', 'SecureBootCurrentBoot')).toBe('Disabled');
    expect(value(facts, '437XR1138R2', 'SecureBootMode')).toBe('UserMode');
    expect(value(facts, '437XR1138R2/TrustedModules/0', 'FirmwareVersion')).toBe('1.13b');
    expect(value(facts, '437XR1138R2/TrustedModules/0', 'State')).toBe('Enabled');
    expect(value(facts, '1U/TPM', 'UUID')).toBe('D0810BE9-EB91-4CE2-BADE-42B42326700C');
    expect(value(facts, 'TPM-0', 'PCR 1 (SHA256)')).toBe('h6spEuxbyOtGhP35UoGhTcVX3iRaZQGDw4Yk5oQcabw=');
    expect(value(facts, 'SS-SPDM-0', 'Measurement 3')).toMatch(/^4wEF1nnub2oz/);
    expect(value(facts, 'USB-Integrity', 'ComponentIntegrityEnabled')).toBe('Disabled');
    expect(value(facts, 'BMC', 'Version')).toBe('1.45.455b66-rev4');
    // When a measurement was taken is shown, never compared.
    expect(facts.find((fact) => fact.component === 'TPM-0' && fact.property === 'PCR 1 (SHA256)')?.measuredAt).toBe('2021-10-31T20:14:27-07:00');
    expect(new Set(facts.map((fact) => `${fact.kind}|${fact.component}|${fact.property}`)).size).toBe(facts.length);
  });

  it('reads sysDescr, entity revisions and a UPS software version from an SNMP reading, and firmware from baselines', () => {
    const facts = snmpFacts({ system: { descr: 'Switch OS 7.2' }, entities: [{ index: '1', name: 'chassis', firmwareRev: '2.1', softwareRev: '' }], ups: { firmware: '1.4.2' } });
    expect(facts.map((fact) => `${fact.component}/${fact.property}=${fact.value}`)).toEqual(['system/sysDescr=Switch OS 7.2', 'chassis #1/entPhysicalFirmwareRev=2.1', 'UPS/upsIdentUPSSoftwareVersion=1.4.2']);
    expect(baselineFacts('redfish', { firmware: [{ id: 'BMC', name: 'BMC', version: '1.45' }, { id: 'X', version: null }] })).toEqual([{ kind: 'firmware', component: 'BMC', property: 'Version', value: '1.45', measuredAt: null }]);
    expect(baselineFacts('snmp', { system: { descr: 'Switch OS 7.1' }, entities: [] })[0]).toMatchObject({ component: 'system', property: 'sysDescr', value: 'Switch OS 7.1' });
    expect(baselineFacts('redfish', 'garbage')).toEqual([]);
  });
});

describe('integrity comparison', () => {
  const first = redfishFacts(mockupRaw((resources) => {
    resources.get(`${SYSTEM}/SecureBoot`)!.SecureBootEnable = true;
  }));

  it('matches the recorded state it was recorded from', () => {
    const checks = compareFacts(expectedFacts(recordedOf(first), null), first, new Set());
    expect(checks.length).toBe(first.length);
    expect(checks.every((check) => check.ok === true && check.source === 'recorded')).toBe(true);
    expect(checks[0]!.kind).toBe('secure-boot');
  });

  it('finds Secure Boot turned off, a TPM gone, a changed measurement and firmware, each with expected and actual', () => {
    const now = redfishFacts(mockupRaw((resources) => {
      resources.get(`${SYSTEM}/SecureBoot`)!.SecureBootEnable = false;
      resources.get(SYSTEM)!.TrustedModules = [];
      const tpm = resources.get('/redfish/v1/ComponentIntegrity/TPM-0') as { TPM: { MeasurementSet: { Measurements: { Measurement: string }[] } } };
      tpm.TPM.MeasurementSet.Measurements[0]!.Measurement = 'tampered=';
      resources.get('/redfish/v1/UpdateService/FirmwareInventory/BMC')!.Version = '1.46.0';
    }));
    const checks = compareFacts(expectedFacts(recordedOf(first), null), now, new Set());
    const differing = checks.filter((check) => check.ok === false).map((check) => `${check.kind} ${check.component} ${check.property}: ${check.expected} → ${check.actual}`);
    expect(differing).toEqual([
      'secure-boot 437XR1138R2 SecureBootEnable: Enabled → Disabled',
      'tpm 437XR1138R2/TrustedModules/0 FirmwareVersion: 1.13b → null',
      'tpm 437XR1138R2/TrustedModules/0 InterfaceType: TPM1_2 → null',
      'tpm 437XR1138R2/TrustedModules/0 State: Enabled → null',
      'measurement TPM-0 PCR 1 (SHA256): h6spEuxbyOtGhP35UoGhTcVX3iRaZQGDw4Yk5oQcabw= → tampered=',
      'firmware BMC Version: 1.45.455b66-rev4 → 1.46.0',
    ]);
    expect([...driftsByKind(checks).keys()]).toEqual(['secure-boot', 'tpm', 'measurement', 'firmware']);

    const alarms = driftAlarms('dev-1', 'Compute 1', checks, new Set());
    expect(alarms.clear).toEqual([]);
    expect(alarms.raise.map((condition) => [condition.key, condition.messageKey, condition.severity])).toEqual([
      ['integrity:dev-1:secure-boot', 'integritySecureBoot', 'major'],
      ['integrity:dev-1:tpm', 'integrityTpmGone', 'major'],
      ['integrity:dev-1:measurement', 'integrityMeasurement', 'major'],
      ['integrity:dev-1:firmware', 'integrityFirmware', 'minor'],
    ]);
    expect(alarms.raise[0]!.params).toMatchObject({ device: 'Compute 1', component: '437XR1138R2', property: 'SecureBootEnable', expected: 'Enabled', actual: 'Disabled' });
    expect(alarms.raise[1]!.params).toMatchObject({ actual: '—', count: 3 });
  });

  it('calls a kind that could not be read "not read", never a difference, and leaves its alarm alone', () => {
    const withoutTpm = first.filter((fact) => fact.kind !== 'tpm');
    const checks = compareFacts(expectedFacts(recordedOf(first), null), withoutTpm, new Set(['tpm']));
    expect(checks.filter((check) => check.kind === 'tpm').every((check) => check.ok === null && check.actual === null)).toBe(true);
    expect(checks.some((check) => check.ok === false)).toBe(false);
    const alarms = driftAlarms('dev-1', 'Compute 1', checks, new Set(['tpm']));
    expect(alarms.clear).toEqual([driftKey('dev-1', 'secure-boot'), driftKey('dev-1', 'measurement'), driftKey('dev-1', 'firmware')]);
  });

  it('a component that appeared differs too (expected null)', () => {
    const checks = compareFacts(expectedFacts(recordedOf(first), null), [...first, { kind: 'firmware', component: 'NIC', property: 'Version', value: '9', measuredAt: null }], new Set());
    expect(checks.find((check) => check.component === 'NIC')).toMatchObject({ expected: null, actual: '9', ok: false, source: 'none' });
  });

  it('takes firmware from the wizard baseline unless an acceptance came after it', () => {
    const baseline = { takenAt: '2025-02-01T00:00:00.000Z', facts: [{ kind: 'firmware' as const, component: 'BMC', property: 'Version', value: '1.44.0', measuredAt: null }] };
    const againstBaseline = compareFacts(expectedFacts(recordedOf(first, '2025-03-01T00:00:00.000Z'), baseline), first, new Set());
    expect(againstBaseline.find((check) => check.component === 'BMC')).toMatchObject({ expected: '1.44.0', actual: '1.45.455b66-rev4', ok: false, source: 'baseline' });

    const accepted: RecordedState = { ...recordFrom(first, new Set(), null), source: 'accepted', at: '2025-03-01T00:00:00.000Z' };
    expect(compareFacts(expectedFacts(accepted, baseline), first, new Set()).every((check) => check.ok)).toBe(true);
    // A newer baseline (the wizard ran again) is the reference once more.
    const newer = { ...baseline, takenAt: '2025-04-01T00:00:00.000Z' };
    expect(compareFacts(expectedFacts(accepted, newer), first, new Set()).some((check) => check.ok === false)).toBe(true);
  });

  it('accepting keeps what was recorded of kinds not read now; a kind read for the first time is adopted as first seen', () => {
    const previous = recordedOf(first);
    const next = recordFrom(first.filter((fact) => fact.kind !== 'measurement'), new Set(['measurement']), previous);
    expect(next.facts.filter((fact) => fact.kind === 'measurement')).toEqual(first.filter((fact) => fact.kind === 'measurement'));
    expect(next.kinds.sort()).toEqual(['firmware', 'measurement', 'secure-boot', 'tpm']);

    const partial: RecordedState = { ...recordFrom(first.filter((fact) => fact.kind !== 'tpm'), new Set(['tpm']), null), source: 'first-seen', at: previous.at };
    expect(partial.kinds).not.toContain('tpm');
    const adopted = adoptNewKinds(partial, first, new Set())!;
    expect(adopted.kinds).toContain('tpm');
    expect(compareFacts(expectedFacts(adopted, null), first, new Set()).every((check) => check.ok)).toBe(true);
    expect(adoptNewKinds(adopted, first, new Set())).toBeNull();
  });
});
