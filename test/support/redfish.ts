import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RedfishClient } from '../../main/core/protocols/redfish/client.js';
import { sharedPath } from './shared-dir.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';

export const MOCKUPS_DIR = sharedPath('redfish-mockups');

export const MOCKUPS = readdirSync(MOCKUPS_DIR).filter((name) => statSync(join(MOCKUPS_DIR, name)).isDirectory());

export async function startBmc(mockup: string, options: { taskDurationMs?: number } = {}): Promise<LabBmc> {
  return new LabBmc({ mockupDir: join(MOCKUPS_DIR, mockup), users: { admin: 'password' }, ...options }).start();
}

export function clientFor(bmc: LabBmc, overrides: Partial<ConstructorParameters<typeof RedfishClient>[0]> = {}): RedfishClient {
  return new RedfishClient({ url: bmc.url, username: 'admin', password: 'password', pinnedFingerprint: bmc.fingerprint, requestTimeoutMs: 3000, ...overrides });
}
