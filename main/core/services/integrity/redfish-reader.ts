import type { IntegrityKind } from '../../../../shared/domain/integrity.js';
import type { JsonObject, RedfishClient } from '../../protocols/redfish/client.js';
import { RedfishWalker } from '../../protocols/redfish/inventory.js';
import type { RedfishIntegrityRaw } from './facts.js';

const link = (value: unknown): string | null => {
  const id = value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject)['@odata.id'] : undefined;
  return typeof id === 'string' && id !== '' ? id : null;
};

/**
 * Reads what a BMC reports about its integrity, with GETs only: Secure Boot
 * of each system, TrustedModules, each chassis' TrustedComponents,
 * ComponentIntegrity (the measurements the service already holds; its
 * SPDMGetSignedMeasurements and TPMGetSignedMeasurements actions are never
 * called, they would make the device measure) and the firmware inventory.
 * Parts are read one after another so a failed request marks its kind
 * "not read" instead of making it look empty.
 */
export async function readRedfishIntegrity(client: RedfishClient, options: { timeoutMs: number; signal?: AbortSignal }): Promise<RedfishIntegrityRaw> {
  const root = await client.serviceRoot(options.signal ? { signal: options.signal } : {});
  const walker = new RedfishWalker(client, root, Date.now() + options.timeoutMs, options.signal);
  const unread = new Set<IntegrityKind>();
  const section = async <T>(kinds: readonly IntegrityKind[], work: () => Promise<T>): Promise<T> => {
    const before = walker.problems.length;
    const result = await work();
    if (walker.problems.length > before) for (const kind of kinds) unread.add(kind);
    return result;
  };

  const systemList = await section(['secure-boot', 'tpm'], () => walker.members(link(root.Systems)));
  const systems: RedfishIntegrityRaw['systems'] = [];
  for (const system of systemList) {
    const path = link(system.SecureBoot);
    const secureBoot = path ? await section(['secure-boot'], () => walker.get(path)) : null;
    systems.push({
      id: typeof system.Id === 'string' ? system.Id : '?',
      secureBoot,
      trustedModules: Array.isArray(system.TrustedModules) ? system.TrustedModules.filter((each): each is JsonObject => typeof each === 'object' && each !== null && !Array.isArray(each)) : [],
    });
  }

  const chassisList = await section(['tpm'], () => walker.members(link(root.Chassis)));
  const trustedComponents: RedfishIntegrityRaw['trustedComponents'] = [];
  for (const chassis of chassisList) {
    const path = link(chassis.TrustedComponents);
    if (!path) continue;
    const members = await section(['tpm'], () => walker.members(path));
    for (const component of members) trustedComponents.push({ chassisId: typeof chassis.Id === 'string' ? chassis.Id : '?', component });
  }

  const componentIntegrity = await section(['measurement'], () => walker.members(link(root.ComponentIntegrity)));
  const updateService = await section(['firmware'], () => walker.get(link(root.UpdateService)));
  const firmware = await section(['firmware'], () => walker.members(link(updateService?.FirmwareInventory)));
  return { systems, trustedComponents, componentIntegrity, firmware, unread: [...unread] };
}
