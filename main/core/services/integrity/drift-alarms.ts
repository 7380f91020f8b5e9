import { DEVICE_KINDS, driftsByKind, type IntegrityCheck, type IntegrityKind } from '../../../../shared/domain/integrity.js';
import type { AlarmSeverity, Condition } from '../../../../shared/domain/monitoring.js';

/** The drift alarm of one device and kind (on the site's scope, see SiteAlarms). */
export const driftKey = (deviceId: string, kind: IntegrityKind) => `integrity:${deviceId}:${kind}`;

/** A firmware that differs may be a planned upgrade; a boot chain that changed is taken more seriously. */
const SEVERITY: Record<(typeof DEVICE_KINDS)[number], AlarmSeverity> = { 'secure-boot': 'major', tpm: 'major', measurement: 'major', firmware: 'minor' };

const shown = (value: string | null) => value ?? '—';

/** Which difference an alarm names first: whether Secure Boot is on, whether a module is there, before the details. */
const FIRST = ['SecureBootEnable', 'State', 'SecureBootCurrentBoot'];
const rank = (check: IntegrityCheck) => (FIRST.includes(check.property) ? FIRST.indexOf(check.property) : FIRST.length);

function condition(deviceId: string, device: string, kind: (typeof DEVICE_KINDS)[number], drifts: readonly IntegrityCheck[]): Condition {
  // The alarm names the most telling difference; the site's integrity report lists them all.
  const first = [...drifts].sort((a, b) => rank(a) - rank(b))[0]!;
  const params = { device, deviceId, component: first.component, property: first.property, expected: shown(first.expected), actual: shown(first.actual), count: drifts.length };
  const base = { key: driftKey(deviceId, kind), category: 'health' as const, severity: SEVERITY[kind], params };
  switch (kind) {
    case 'secure-boot':
      return { ...base, messageKey: 'integritySecureBoot', message: `Secure Boot of ${device} (${first.component}) changed: ${first.property} is ${params.actual}, recorded ${params.expected}` };
    case 'tpm':
      return first.actual === null
        ? { ...base, messageKey: 'integrityTpmGone', message: `Trusted module ${first.component} of ${device} is gone (recorded ${params.expected})` }
        : { ...base, messageKey: 'integrityTpm', message: `Trusted module ${first.component} of ${device} changed: ${first.property} is ${params.actual}, recorded ${params.expected}` };
    case 'measurement':
      return { ...base, messageKey: 'integrityMeasurement', message: `${drifts.length} integrity measurements of ${device} differ from the recorded ones (${first.component})` };
    case 'firmware':
      return { ...base, messageKey: 'integrityFirmware', message: `Firmware ${first.component} of ${device} is ${params.actual}, expected ${params.expected}` };
  }
}

/**
 * The drift alarms a device's checks call for: one per kind that differs,
 * raised; the kinds that match again, cleared. A kind not read this time
 * keeps its alarm as it is.
 */
export function driftAlarms(deviceId: string, device: string, checks: readonly IntegrityCheck[], unread: ReadonlySet<IntegrityKind>): { raise: Condition[]; clear: string[] } {
  const drifts = driftsByKind(checks);
  const raise: Condition[] = [];
  const clear: string[] = [];
  for (const kind of DEVICE_KINDS) {
    const found = drifts.get(kind);
    if (found) raise.push(condition(deviceId, device, kind, found));
    else if (!unread.has(kind)) clear.push(driftKey(deviceId, kind));
  }
  return { raise, clear };
}

/** Every drift alarm a device can have (accepting its state clears them all). */
export const allDriftKeys = (deviceId: string) => DEVICE_KINDS.map((kind) => driftKey(deviceId, kind));
