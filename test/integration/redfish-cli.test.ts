import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabBmc } from '../../main/lab/redfish/bmc.js';
import packageJson from '../../package.json' with { type: 'json' };
import { startBmc } from '../support/redfish.js';

const run = promisify(execFile);
const edgecab = (...args: string[]) => run(process.execPath, [packageJson.bin.edgecab, ...args]);
const failure = (promise: Promise<unknown>) => promise.then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);

describe('edgecab probe redfish', () => {
  let bmc: LabBmc;
  beforeAll(async () => {
    bmc = await startBmc('dmtf-public-rackmount1');
  });
  afterAll(async () => bmc?.stop());

  it('refuses an unknown certificate and prints its fingerprint, exit 4', async () => {
    const result = await failure(edgecab('probe', 'redfish', bmc.url, '-u', 'admin', '-p', 'password'));
    expect(result.code).toBe(4);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`--fingerprint ${bmc.fingerprint}`);
  });

  it('prints the inventory as JSON with a pinned fingerprint, and a summary with --human', async () => {
    const { stdout } = await edgecab('probe', 'redfish', bmc.url, '-u', 'admin', '-p', 'password', '--fingerprint', bmc.fingerprint);
    const inventory = JSON.parse(stdout) as { certificateFingerprint: string; systems: { serial: string }[] };
    expect(inventory.certificateFingerprint).toBe(bmc.fingerprint);
    expect(inventory.systems[0]?.serial).toBe('437XR1138R2');
    const human = await edgecab('probe', 'redfish', bmc.url, '-u', 'admin', '-p', 'password', '--trust-on-first-use', '--human');
    expect(human.stdout).toMatch(/system +437XR1138R2: Contoso 3500/);
  });

  it('says which of user, TLS or address is wrong', async () => {
    const auth = await failure(edgecab('probe', 'redfish', bmc.url, '-u', 'admin', '-p', 'nope', '--trust-on-first-use'));
    expect(auth.stderr.trim()).toMatch(/^edgecab: .*user name or password rejected$/);
    const refused = await failure(edgecab('probe', 'redfish', 'https://127.0.0.1:9', '-u', 'a', '-p', 'b'));
    expect(refused.stderr).toMatch(/connection refused/);
    const notUrl = await failure(edgecab('probe', 'redfish', 'bmc-7', '-u', 'a', '-p', 'b'));
    expect(notUrl.stderr).toMatch(/is not a URL/);
  });
});
