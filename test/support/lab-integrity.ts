import type { LabBmc } from '../../main/lab/redfish/bmc.js';

/** The rackmount1 mockup's one system and chassis, as lab BMCs serve it. */
export const LAB_SYSTEM = '/redfish/v1/Systems/437XR1138R2';
export const LAB_CHASSIS = '/redfish/v1/Chassis/1U';

function resource(bmc: LabBmc, path: string): Record<string, unknown> {
  const found = bmc.resource(path);
  if (!found) throw new Error(`the lab BMC has no ${path}`);
  return found;
}

/**
 * Changes to a lab BMC's state that integrity checks must notice, made the
 * way a technician at the console (or an attacker) would: in the BMC, not
 * through EdgeCab.
 */
export const labIntegrity = {
  secureBoot(bmc: LabBmc, enabled: boolean): void {
    const secureBoot = resource(bmc, `${LAB_SYSTEM}/SecureBoot`);
    secureBoot.SecureBootEnable = enabled;
    secureBoot.SecureBootCurrentBoot = enabled ? 'Enabled' : 'Disabled';
  },
  firmwareVersion(bmc: LabBmc, item: string, version: string): void {
    resource(bmc, `/redfish/v1/UpdateService/FirmwareInventory/${item}`).Version = version;
  },
  /** The system's TPM is gone (TrustedModules empty, the chassis' TPM component absent). */
  removeTpm(bmc: LabBmc): void {
    resource(bmc, LAB_SYSTEM).TrustedModules = [];
    resource(bmc, `${LAB_CHASSIS}/TrustedComponents/TPM`).Status = { State: 'Absent', Health: 'OK' };
  },
  serial(bmc: LabBmc, serial: string): void {
    resource(bmc, LAB_SYSTEM).SerialNumber = serial;
  },
  firmwareOf(bmc: LabBmc, item: string): string {
    return String(resource(bmc, `/redfish/v1/UpdateService/FirmwareInventory/${item}`).Version);
  },
};
