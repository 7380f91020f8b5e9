import type { BoundDevice } from '../../../../shared/domain/node-identity.js';
import type { CabinetDevice } from '../../../../shared/domain/cabinet.js';
import { RedfishClient, type JsonObject } from '../../protocols/redfish/client.js';
import { RedfishWalker } from '../../protocols/redfish/inventory.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { NodeIdentityStore } from './node-identity-store.js';

const READ_TIMEOUT_MS = 10_000;

interface RedfishSecret {
  username: string;
  password: string;
}

/** A BMC of the site, as the identity binds it. */
export type BindableDevice = Pick<CabinetDevice, 'id' | 'name' | 'slotId' | 'endpoint' | 'fingerprint'> & { credentialId: string | null };

/** Serial numbers of a BMC's systems, read now through its pinned certificate (so the answer also proves the certificate). */
async function liveSerials(device: BindableDevice, vault: CredentialVault): Promise<string[]> {
  const secret = vault.open<RedfishSecret>(device.credentialId!);
  const client = new RedfishClient({ url: device.endpoint!, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: READ_TIMEOUT_MS, retries: 0 });
  try {
    const root = await client.serviceRoot();
    const walker = new RedfishWalker(client, root, Date.now() + READ_TIMEOUT_MS);
    const systems = await walker.members((root.Systems as JsonObject | undefined)?.['@odata.id'] as string | undefined ?? null);
    if (walker.problems.length > 0) throw new Error(walker.problems[0]!.message);
    return systems.map((system) => system.SerialNumber).filter((serial): serial is string => typeof serial === 'string' && serial !== '').sort();
  } finally {
    await client.close();
  }
}

/**
 * The hardware an identity binds: every connected BMC of the cabinet, with
 * its pinned certificate and its systems' serials. Serials are read from the
 * BMC now; one that does not answer is bound with the serials of its newest
 * inventory reading or of the wizard's baseline, else by its certificate alone.
 */
export async function bindHardware(devices: readonly BindableDevice[], vault: CredentialVault, store: NodeIdentityStore, at: () => string): Promise<BoundDevice[]> {
  const bmcs = devices.filter((device) => device.endpoint && device.credentialId && device.fingerprint);
  return Promise.all(
    bmcs.map(async (device): Promise<BoundDevice> => {
      const base = { deviceId: device.id, name: device.name, slotId: device.slotId, fingerprint: device.fingerprint };
      try {
        return { ...base, serials: await liveSerials(device, vault), readAt: at() };
      } catch {
        return { ...base, serials: store.readingSerials(device.id) ?? store.baselineSerials(device.id) ?? [], readAt: null };
      }
    }),
  );
}
