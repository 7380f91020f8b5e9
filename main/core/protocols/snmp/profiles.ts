import { SnmpProfile } from '../../../../shared/domain/snmp-profile.js';
import { toFieldIssues } from '../../../../shared/domain/validation.js';
import { unknownFields } from './normalize.js';
import apcRpdu2 from '../../../../assets/snmp-profiles/apc-rpdu2.json' with { type: 'json' };
import bridgeSwitch from '../../../../assets/snmp-profiles/bridge-switch.json' with { type: 'json' };
import ciscoEnvmon from '../../../../assets/snmp-profiles/cisco-envmon.json' with { type: 'json' };
import entity from '../../../../assets/snmp-profiles/entity.json' with { type: 'json' };
import geistV4 from '../../../../assets/snmp-profiles/geist-v4.json' with { type: 'json' };
import h3cEntityExt from '../../../../assets/snmp-profiles/h3c-entity-ext.json' with { type: 'json' };
import hostResources from '../../../../assets/snmp-profiles/host-resources.json' with { type: 'json' };
import huaweiEntityExtent from '../../../../assets/snmp-profiles/huawei-entity-extent.json' with { type: 'json' };
import standardMib2 from '../../../../assets/snmp-profiles/standard-mib2.json' with { type: 'json' };
import upsMib from '../../../../assets/snmp-profiles/ups-mib.json' with { type: 'json' };
// UPS and cooling vendors' profiles
import apcPowernetUps from '../../../../assets/snmp-profiles/apc-powernet-ups.json' with { type: 'json' };
import eatonXups from '../../../../assets/snmp-profiles/eaton-xups.json' with { type: 'json' };
import mgeUps from '../../../../assets/snmp-profiles/mge-ups.json' with { type: 'json' };
import liebertGpPdu from '../../../../assets/snmp-profiles/liebert-gp-pdu.json' with { type: 'json' };
import liebertGpPower from '../../../../assets/snmp-profiles/liebert-gp-power.json' with { type: 'json' };
import liebertGp from '../../../../assets/snmp-profiles/liebert-gp.json' with { type: 'json' };
import xppcUps from '../../../../assets/snmp-profiles/xppc-ups.json' with { type: 'json' };
import eppcUps from '../../../../assets/snmp-profiles/eppc-ups.json' with { type: 'json' };
import cyberpowerUps from '../../../../assets/snmp-profiles/cyberpower-ups.json' with { type: 'json' };
import socomecNetvision from '../../../../assets/snmp-profiles/socomec-netvision.json' with { type: 'json' };
import vertivIta2Ups from '../../../../assets/snmp-profiles/vertiv-ita2-ups.json' with { type: 'json' };
import apcInrow from '../../../../assets/snmp-profiles/apc-inrow.json' with { type: 'json' };
import apcCoolingUnit from '../../../../assets/snmp-profiles/apc-cooling-unit.json' with { type: 'json' };
// PDU and environment vendors' profiles
import raritanPdu2 from '../../../../assets/snmp-profiles/raritan-pdu2.json' with { type: 'json' };
import sentry4 from '../../../../assets/snmp-profiles/sentry4.json' with { type: 'json' };
import sentry3 from '../../../../assets/snmp-profiles/sentry3.json' with { type: 'json' };
import geistV5Pdu from '../../../../assets/snmp-profiles/geist-v5-pdu.json' with { type: 'json' };
import eatonEpdu from '../../../../assets/snmp-profiles/eaton-epdu.json' with { type: 'json' };
import apcNetbotz from '../../../../assets/snmp-profiles/apc-netbotz.json' with { type: 'json' };
import apcEms from '../../../../assets/snmp-profiles/apc-ems.json' with { type: 'json' };
import apcUio from '../../../../assets/snmp-profiles/apc-uio.json' with { type: 'json' };
import akcpSensorprobe from '../../../../assets/snmp-profiles/akcp-sensorprobe.json' with { type: 'json' };
// switch vendors' profiles
import ciscoEntitySensor from '../../../../assets/snmp-profiles/cisco-entity-sensor.json' with { type: 'json' };
import ruijieSystem from '../../../../assets/snmp-profiles/ruijie-system.json' with { type: 'json' };

export class ProfileError extends Error {
  constructor(source: string, detail: string) {
    super(`SNMP profile ${source} is not valid: ${detail}`);
    this.name = 'ProfileError';
  }
}

/** Validates profile data; a bad profile is refused with every problem named. */
export function parseProfile(data: unknown, source: string): SnmpProfile {
  const parsed = SnmpProfile.safeParse(data);
  if (!parsed.success) {
    const detail = toFieldIssues(parsed.error.issues)
      .map((issue) => `${issue.field || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new ProfileError(source, detail);
  }
  const unread = parsed.data.sections.flatMap((section, position) =>
    unknownFields(
      section.target,
      Object.keys(section.scalars ?? {}),
      Object.fromEntries(Object.entries(section.tables ?? {}).map(([name, table]) => [name, Object.keys(table.columns)])),
    ).map((field) => `sections.${position} (${section.target}): ${field} is not a field EdgeCab reads`),
  );
  if (unread.length > 0) throw new ProfileError(source, unread.join('; '));
  return parsed.data;
}

const BUNDLED: Record<string, unknown> = {
  'standard-mib2.json': standardMib2,
  'entity.json': entity,
  'ups-mib.json': upsMib,
  'host-resources.json': hostResources,
  'bridge-switch.json': bridgeSwitch,
  'apc-rpdu2.json': apcRpdu2,
  'geist-v4.json': geistV4,
  'huawei-entity-extent.json': huaweiEntityExtent,
  'h3c-entity-ext.json': h3cEntityExt,
  'cisco-envmon.json': ciscoEnvmon,
  // UPS and cooling vendors' profiles
  'apc-powernet-ups.json': apcPowernetUps,
  'eaton-xups.json': eatonXups,
  'mge-ups.json': mgeUps,
  // Before liebert-gp: a Liebert UPS answers the environmental group too, and is a UPS.
  'liebert-gp-pdu.json': liebertGpPdu,
  'liebert-gp-power.json': liebertGpPower,
  'liebert-gp.json': liebertGp,
  'apc-inrow.json': apcInrow,
  'apc-cooling-unit.json': apcCoolingUnit,
  'xppc-ups.json': xppcUps,
  'eppc-ups.json': eppcUps,
  'cyberpower-ups.json': cyberpowerUps,
  'socomec-netvision.json': socomecNetvision,
  'vertiv-ita2-ups.json': vertivIta2Ups,
  // PDU and environment vendors' profiles
  'raritan-pdu2.json': raritanPdu2,
  'sentry4.json': sentry4,
  'sentry3.json': sentry3,
  'geist-v5-pdu.json': geistV5Pdu,
  'eaton-epdu.json': eatonEpdu,
  'apc-netbotz.json': apcNetbotz,
  'apc-ems.json': apcEms,
  'apc-uio.json': apcUio,
  'akcp-sensorprobe.json': akcpSensorprobe,
  // switch vendors' profiles
  'cisco-entity-sensor.json': ciscoEntitySensor,
  'ruijie-system.json': ruijieSystem,
};

let bundled: SnmpProfile[] | undefined;

/** The profiles shipped in assets/snmp-profiles, validated once. */
export function bundledProfiles(): SnmpProfile[] {
  bundled ??= Object.entries(BUNDLED).map(([file, data]) => parseProfile(data, file));
  return bundled;
}
