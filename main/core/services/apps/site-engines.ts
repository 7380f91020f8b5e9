import type { EngineInventory } from '../../../../shared/domain/engine.js';
import { InvalidInputError } from '../../errors.js';
import { EngineClient } from '../../protocols/engine/client.js';
import { readEngine } from '../../protocols/engine/inventory.js';
import type { CabinetService } from '../cabinets/cabinet-service.js';
import type { CertificateAuthority } from '../pki/authority.js';
import type { DeviceService } from '../devices/device-service.js';
import type { EngineSnapshots } from '../rollouts/engine-snapshots.js';

type Device = ReturnType<CabinetService['device']>;

/**
 * The sites' workload engines: cabinet devices of kind engine. A client for
 * one presents EdgeCab's engine client certificate (from its CA) over
 * TCP and holds the engine to the certificate pinned for it; a unix socket
 * needs neither.
 */
export class SiteEngines {
  constructor(
    private readonly cabinets: CabinetService,
    private readonly authority: CertificateAuthority,
    private readonly devices: DeviceService,
    private readonly snapshots: EngineSnapshots,
    private readonly now: () => Date,
  ) {}

  /** The site's connected engines, in rack order. */
  ofSite(siteId: string): Device[] {
    const cabinet = this.cabinets.viewForSite(siteId);
    return (cabinet?.devices ?? []).filter((device) => device.kind === 'engine' && device.endpoint).map((device) => this.cabinets.device(device.id));
  }

  async client(device: Device, requestTimeoutMs = 15_000): Promise<EngineClient> {
    if (device.protocol !== 'engine') throw new InvalidInputError([{ field: 'id', code: 'not_engine', message: `${device.name} is not a workload engine` }]);
    if (!device.endpoint) throw new InvalidInputError([{ field: 'endpoint', code: 'not_connected', message: `${device.name} has no address yet` }]);
    const tcp = !device.endpoint.startsWith('unix:');
    return new EngineClient({ url: device.endpoint, clientCertificate: tcp ? await this.authority.engineClientCertificate() : null, pinnedFingerprint: device.fingerprint, trustOnFirstUse: false, requestTimeoutMs });
  }

  /** Reads the engine now; the device's state records what was seen (ok, or unreachable with the reason). */
  async read(deviceId: string): Promise<EngineInventory> {
    const client = await this.client(this.cabinets.device(deviceId));
    const at = this.now().toISOString();
    try {
      const inventory = await readEngine(client);
      this.devices.recordState(deviceId, 'ok', inventory.observedAt, null, at);
      this.snapshots.record(deviceId, this.cabinets.device(deviceId).siteId, inventory);
      return inventory;
    } catch (error) {
      this.devices.recordState(deviceId, 'unreachable', at, (error as Error).message, at);
      throw error;
    } finally {
      await client.close();
    }
  }
}
