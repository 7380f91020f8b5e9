import { SnmpProfile } from '../../../../shared/domain/snmp-profile.js';
import { toFieldIssues } from '../../../../shared/domain/validation.js';
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
};

let bundled: SnmpProfile[] | undefined;

/** The profiles shipped in assets/snmp-profiles, validated once. */
export function bundledProfiles(): SnmpProfile[] {
  bundled ??= Object.entries(BUNDLED).map(([file, data]) => parseProfile(data, file));
  return bundled;
}
