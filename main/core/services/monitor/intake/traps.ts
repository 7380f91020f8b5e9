import type { SnmpTarget, SnmpTrapEvent, SnmpV3Credentials } from '../../../../../shared/domain/snmp.js';
import { TrapReceiver, type TrapStats } from '../../../protocols/snmp/traps.js';
import type { CredentialVault } from '../../credentials/vault.js';
import { splitEndpoint } from '../../devices/endpoint.js';
import type { PollableDevice, PollResult } from '../poll-result.js';

type SnmpSecret = Pick<SnmpTarget, 'version' | 'community' | 'v3'>;

export interface TrapIntakeOptions {
  port: number;
  /** The interface that faces the sites; all of them ('0.0.0.0') by default. */
  address: string;
  /** EdgeCab's own snmpEngineID (hex), the same for ever: devices key their inform user for it. */
  engineId: string;
}

/**
 * SNMP traps and informs from the sites' devices: the receiver listens on
 * the interface that faces them, knows every community and every SNMPv3
 * user of the monitored devices (so v3 traps and informs are taken), and is
 * restarted when those credentials change. A trap is matched to its device
 * by source address; it is recorded and has the device polled.
 */
export class TrapIntake {
  private receiver: TrapReceiver | null = null;
  private credentialsSeen = '';
  private starting: Promise<void> | null = null;

  constructor(
    private readonly options: TrapIntakeOptions,
    private readonly vault: CredentialVault,
    private readonly devices: () => Iterable<PollableDevice>,
    private readonly onResult: (result: PollResult) => void,
    private readonly pollDevice: (deviceId: string) => void,
    /** The credential a device is being moved to while that change is unsettled (its SNMPv3 user may already send). */
    private readonly pendingOf: (deviceId: string) => string | null = () => null,
  ) {}

  /** The port traps go to: the configured one, also while the receiver restarts for new credentials. */
  get port(): number {
    return this.options.port;
  }

  get engineId(): string {
    return this.options.engineId;
  }

  stats(): (TrapStats & { port: number; address: string }) | null {
    return this.receiver ? { port: this.receiver.port, address: this.options.address, ...this.receiver.stats() } : null;
  }

  /**
   * What the receiver's users and communities come from: the sealed
   * credentials' revisions (`revisions`, none opened) and which of them
   * each SNMP device uses now or is being moved to.
   */
  private signature(revisions: string): string {
    const used = [...this.devices()].filter((device) => device.protocol === 'snmp').map((device) => `${device.id}=${device.credential_id}+${this.pendingOf(device.id) ?? ''}`);
    return `${revisions}|${used.sort().join(',')}`;
  }

  /** (Re)starts the receiver when the SNMP devices' credentials changed; a change while it restarts is taken by one more restart after it. */
  refresh(revisions: string): Promise<void> {
    const signature = this.signature(revisions);
    if (!this.starting && this.receiver && signature === this.credentialsSeen) return Promise.resolve();
    const before = this.starting ?? Promise.resolve();
    const next: Promise<void> = before
      .catch(() => undefined)
      .then(() => (this.receiver && signature === this.credentialsSeen ? undefined : this.restart(signature)))
      .finally(() => {
        if (this.starting === next) this.starting = null;
      });
    this.starting = next;
    return next;
  }

  private async restart(signature: string): Promise<void> {
    const communities = new Set<string>();
    const users = new Map<string, SnmpV3Credentials>();
    for (const device of this.devices()) {
      if (device.protocol !== 'snmp') continue;
      // While a change is unsettled, both: the agent may send with either (killed after its communities went, the site user is all it has).
      for (const credentialId of [device.credential_id, this.pendingOf(device.id)]) {
        if (!credentialId) continue;
        const secret = this.vault.open<SnmpSecret>(credentialId);
        if (secret.community) communities.add(secret.community);
        if (secret.v3) users.set(secret.v3.user, secret.v3);
      }
    }
    const old = this.receiver;
    this.receiver = null;
    await old?.close();
    const receiver = await TrapReceiver.start({ port: this.options.port, address: this.options.address, communities: [...communities], users: [...users.values()], engineId: this.options.engineId });
    receiver.on('trap', (trap) => this.onTrap(trap));
    this.receiver = receiver;
    this.credentialsSeen = signature;
  }

  private onTrap(trap: SnmpTrapEvent): void {
    const candidates = [...this.devices()].filter((device) => device.protocol === 'snmp' && splitEndpoint(device.endpoint).host === trap.source.address);
    // Several devices behind one address (a NAT, or everything on 127.0.0.1) cannot be told apart: poll them instead of guessing.
    if (candidates.length === 1) this.onResult({ kind: 'trap', device: candidates[0]!, at: Date.parse(trap.receivedAt), trap });
    for (const device of candidates.slice(0, 8)) this.pollDevice(device.id);
  }

  async dispose(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const receiver = this.receiver;
    this.receiver = null;
    await receiver?.close();
  }
}
