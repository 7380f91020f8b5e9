import type { DeviceReading } from '../../../../shared/domain/readings.js';
import type { SnmpTarget } from '../../../../shared/domain/snmp.js';
import { RedfishError } from '../../protocols/redfish/client.js';
import { readInventory, readVitals } from '../../protocols/redfish/inventory.js';
import { collectDevice } from '../../protocols/snmp/collect.js';
import type { CredentialRotation } from '../credentials/rotation.js';
import type { CredentialVault } from '../credentials/vault.js';
import { splitEndpoint } from '../devices/endpoint.js';
import type { RedfishClientPool } from './client-pool.js';
import { observeRedfish, observeSnmp, type CounterMemory } from './observe.js';
import type { PollResult, PollableDevice } from './poll-result.js';
import type { PollKind } from './scheduler.js';

type SnmpSecret = Pick<SnmpTarget, 'version' | 'community' | 'v3'>;

export interface PollTimeouts {
  healthMs: number;
  inventoryMs: number;
}

/**
 * One poll of one device, cancelled by its signal: every request it makes
 * (Redfish GETs, SNMP requests) ends when the signal aborts. A device with a
 * password change not yet settled is settled first, by logging in.
 */
export class DevicePoller {
  private readonly counters = new Map<string, CounterMemory>();

  constructor(
    private readonly vault: CredentialVault,
    private readonly clients: RedfishClientPool,
    private readonly rotation: CredentialRotation,
    private readonly timeouts: () => PollTimeouts,
    private readonly now: () => Date,
  ) {}

  async poll(device: PollableDevice, kind: PollKind, signal: AbortSignal, pendingRotation: boolean): Promise<PollResult> {
    try {
      return await (device.protocol === 'redfish' ? this.pollRedfish(device, kind, signal, pendingRotation) : this.pollSnmp(device, kind, signal));
    } catch (error) {
      const message = signal.aborted && !(error instanceof RedfishError && error.code === 'tls_changed') ? `no complete answer within ${Math.round((kind === 'inventory' ? this.timeouts().inventoryMs : this.timeouts().healthMs) / 1000)} s` : (error as Error).message;
      return { kind: 'failed', device, at: this.now().getTime(), error: message };
    }
  }

  private async pollRedfish(device: PollableDevice, kind: PollKind, signal: AbortSignal, pendingRotation: boolean): Promise<PollResult> {
    if (pendingRotation) await this.rotation.resolve({ deviceId: device.id, endpoint: device.endpoint, fingerprint: device.fingerprint }, signal);
    const current = pendingRotation ? this.currentCredential(device) : device;
    const client = this.clients.client(current);
    const { healthMs, inventoryMs } = this.timeouts();
    const vitals = await readVitals(client, { now: this.now, pollTimeoutMs: healthMs, signal });
    const observation = observeRedfish(vitals);
    let reading: DeviceReading | null = null;
    if (kind === 'inventory') {
      const inventory = await readInventory(client, { now: this.now, pollTimeoutMs: inventoryMs, signal });
      reading = { observedAt: inventory.observedAt, status: observation.status, error: null, snmp: null, redfish: inventory };
    }
    return { kind: 'observed', device, at: this.now().getTime(), observation, reading };
  }

  /** After a rotation settled, the device may have a new credential id: read it back rather than poll with the stale one. */
  private currentCredential(device: PollableDevice): PollableDevice {
    const record = this.rotation.record(device.id);
    if (record) return device;
    const credentialId = this.rotation.currentCredentialOf(device.id);
    return credentialId && credentialId !== device.credential_id ? { ...device, credential_id: credentialId } : device;
  }

  private async pollSnmp(device: PollableDevice, kind: PollKind, signal: AbortSignal): Promise<PollResult> {
    const secret = this.vault.open<SnmpSecret>(device.credential_id);
    const { host, port } = splitEndpoint(device.endpoint);
    const snmp = await collectDevice({ host, port, timeoutMs: Math.min(this.timeouts().healthMs, 3000), retries: 1, ...secret } as SnmpTarget, { now: this.now, session: { signal } });
    const at = Date.parse(snmp.observedAt);
    const { observation, memory } = observeSnmp(snmp, this.counters.get(device.id) ?? null, at);
    this.counters.set(device.id, memory);
    const reading: DeviceReading | null = kind === 'inventory' ? { observedAt: snmp.observedAt, status: observation.status, error: null, snmp, redfish: null } : null;
    return { kind: 'observed', device, at, observation, reading };
  }

  forget(ids: ReadonlySet<string>): void {
    for (const id of this.counters.keys()) if (!ids.has(id)) this.counters.delete(id);
  }
}
