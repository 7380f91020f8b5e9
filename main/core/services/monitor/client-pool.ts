import { RedfishClient } from '../../protocols/redfish/client.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { PollableDevice } from './poll-result.js';

interface RedfishSecret {
  username: string;
  password: string;
}

/**
 * One Redfish client per BMC, kept between polls (its session and
 * keep-alive connections are what makes polling cheap), and replaced when
 * what it was made from changed: the address, the pinned certificate, the
 * credential, or the credential's revision (a corrected or rotated
 * password), so the next poll uses the new password.
 */
export class RedfishClientPool {
  private readonly clients = new Map<string, { key: string; client: RedfishClient }>();

  constructor(
    private readonly vault: CredentialVault,
    private readonly requestTimeoutMs: () => number,
  ) {}

  /**
   * The device's client, made anew when what it was made from changed. The
   * old one's session is ended first, and awaited: it is called from within
   * the device's poll, so that goodbye is never a second caller on the BMC
   * beside the new client.
   */
  async client(device: PollableDevice): Promise<RedfishClient> {
    const revision = this.vault.meta(device.credential_id)?.revision ?? 0;
    const key = `${device.endpoint}|${device.credential_id}|${revision}|${device.fingerprint ?? ''}`;
    const cached = this.clients.get(device.id);
    if (cached?.key === key) return cached.client;
    if (cached) {
      this.clients.delete(device.id);
      await cached.client.close().catch(() => undefined);
      // Another caller (the event stream) may have made the new one meanwhile.
      const made = this.clients.get(device.id);
      if (made?.key === key) return made.client;
    }
    const secret = this.vault.open<RedfishSecret>(device.credential_id);
    // Two polling connections per BMC, not four: a province's thousands of BMCs cost two sockets each, and a slow BMC
    // (half a second per GET is common) still answers a health poll's dozen GETs well within the 10 s timeout. One was too few:
    // a request's deadline runs while it waits for the connection.
    const client = new RedfishClient({ url: device.endpoint, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: this.requestTimeoutMs(), maxConnections: 2 });
    this.clients.set(device.id, { key, client });
    return client;
  }

  /** Drops clients of devices no longer polled. */
  retain(ids: ReadonlySet<string>): void {
    for (const [id, entry] of this.clients) {
      if (ids.has(id)) continue;
      this.clients.delete(id);
      void entry.client.close().catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    const entries = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(entries.map((entry) => entry.client.close().catch(() => undefined)));
  }
}
