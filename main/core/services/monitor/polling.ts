import type { DeviceReading } from '../../../../shared/domain/readings.js';
import type { SnmpTarget } from '../../../../shared/domain/snmp.js';
import { isLoginRefused, RedfishError } from '../../protocols/redfish/client.js';
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
 * password or SNMP user change not yet settled is settled first, by logging
 * in, and then polled only with the credential known to open it: never
 * with one that may be wrong (a refused BMC login counts toward locking
 * the account).
 */
export class DevicePoller {
  private readonly counters = new Map<string, CounterMemory>();
  /** What each SNMP device was last recognized as (its sysObjectID and profiles). */
  private readonly recognized = new Map<string, { objectId: string | null; profiles: string[] }>();

  constructor(
    private readonly vault: CredentialVault,
    private readonly clients: RedfishClientPool,
    private readonly rotation: CredentialRotation,
    private readonly timeouts: () => PollTimeouts,
    private readonly now: () => Date,
  ) {}

  /** The poll's result; null when it was skipped (a change is being made on the device right now: nothing was learned, nothing failed). */
  async poll(device: PollableDevice, kind: PollKind, signal: AbortSignal, pendingRotation: boolean): Promise<PollResult | null> {
    try {
      let current = device;
      if (pendingRotation || this.rotation.record(device.id)) {
        const settled = await this.settle(device, signal);
        if (settled === null) return null;
        if (typeof settled === 'string') return { kind: 'failed', device, at: this.now().getTime(), error: settled };
        current = settled;
      }
      if (current.protocol === 'redfish' && !this.rotation.mayLogin({ deviceId: device.id, endpoint: device.endpoint }, current.credential_id)) {
        const windowMinutes = Math.round(this.rotation.logins.policy(device.endpoint).resetAfterSeconds / 60);
        return { kind: 'failed', device, at: this.now().getTime(), error: `the BMC refused the stored password; EdgeCab sends no more logins for up to ${windowMinutes} min so the account is not locked. Correct the password (Change connection) if it was changed on the device` };
      }
      const result = await (current.protocol === 'redfish' ? this.pollRedfish(current, kind, signal) : this.pollSnmp(current, kind, signal));
      if (current.protocol === 'redfish') this.rotation.loginWorked(device.id);
      return result;
    } catch (error) {
      // Counted toward the BMC's lockout, as every refused login of EdgeCab's is, and not sent again while another could lock the account.
      if (isLoginRefused(error)) this.rotation.loginRefused({ deviceId: device.id, endpoint: device.endpoint }, this.rotation.workingCredential(device.id) ?? device.credential_id, 'monitor');
      const message = signal.aborted && !(error instanceof RedfishError && error.code === 'tls_changed') ? `no complete answer within ${Math.round((kind === 'inventory' ? this.timeouts().inventoryMs : this.timeouts().healthMs) / 1000)} s` : (error as Error).message;
      return { kind: 'failed', device, at: this.now().getTime(), error: message };
    }
  }

  /**
   * Settles the device's pending change (Redfish and SNMP alike) and answers
   * the device with the credential that opens it now; null while the change
   * is being made; a reason when no credential is known to open it.
   */
  private async settle(device: PollableDevice, signal: AbortSignal): Promise<PollableDevice | string | null> {
    const resolution = await this.rotation.resolve({ deviceId: device.id, endpoint: device.endpoint, fingerprint: device.fingerprint }, signal);
    if (resolution === 'busy') return null;
    const credentialId = this.rotation.workingCredential(device.id);
    if (!credentialId) return `a credential change is not settled yet: ${this.rotation.record(device.id)?.lastError ?? 'no candidate opens the device'}; EdgeCab tries again at the next poll`;
    return credentialId === device.credential_id ? device : { ...device, credential_id: credentialId };
  }

  private async pollRedfish(device: PollableDevice, kind: PollKind, signal: AbortSignal): Promise<PollResult> {
    const client = await this.clients.client(device);
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

  private async pollSnmp(device: PollableDevice, kind: PollKind, signal: AbortSignal): Promise<PollResult> {
    const secret = this.vault.open<SnmpSecret>(device.credential_id);
    const { host, port } = splitEndpoint(device.endpoint);
    // The inventory recognizes the device afresh (hourly); health polls read what it was recognized as.
    const recognized = kind === 'health' ? this.recognized.get(device.id) : undefined;
    const snmp = await collectDevice({ host, port, timeoutMs: Math.min(this.timeouts().healthMs, 3000), retries: 1, ...secret } as SnmpTarget, {
      now: this.now,
      session: { signal },
      ...(recognized ? { recognized } : {}),
      // Kept only from a recognition whose every check was answered: one that timed out would leave a vendor's profile unread for an hour.
      onRecognized: (value) => this.recognized.set(device.id, value),
    });
    const at = Date.parse(snmp.observedAt);
    const { observation, memory } = observeSnmp(snmp, this.counters.get(device.id) ?? null, at);
    this.counters.set(device.id, memory);
    const reading: DeviceReading | null = kind === 'inventory' ? { observedAt: snmp.observedAt, status: observation.status, error: null, snmp, redfish: null } : null;
    return { kind: 'observed', device, at, observation, reading };
  }

  forget(ids: ReadonlySet<string>): void {
    for (const id of this.counters.keys()) if (!ids.has(id)) this.counters.delete(id);
    for (const id of this.recognized.keys()) if (!ids.has(id)) this.recognized.delete(id);
  }
}
