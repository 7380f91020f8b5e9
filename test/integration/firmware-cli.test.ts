/**
 * `edgecab firmware sign`, as an administrator runs it: a vendor's unsigned
 * description (XML 1.0) checked against its image and signed with a
 * publisher key from `edgecab apps keygen`; the repository then takes it
 * as signed by that (trusted) publisher. An image that is not the one
 * described is refused and nothing is written.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { tempCore, tempDir } from '../support/core.js';
import { packageXml1, testPackage } from '../support/firmware-packages.js';

const run = promisify(execFile);
const edgecab = (...args: string[]) => run(process.execPath, [packageJson.bin.edgecab, ...args]);

describe('edgecab firmware sign', () => {
  const work = tempDir();
  afterAll(() => work.cleanup());

  it('signs a checked description that the repository then takes as signed by the trusted publisher; a different image is refused', async () => {
    const keys = JSON.parse((await edgecab('apps', 'keygen', '--out', join(work.dir, 'admin'), '--json')).stdout) as { keyId: string; privateKey: string; publicKey: string };
    const pkg = testPackage({ vendor: 'H3C', component: 'HDM', version: '3.12', models: ['R4900 G5'] });
    const descriptionPath = join(work.dir, 'hdm-3.12.xml');
    const imagePath = join(work.dir, 'hdm-3.12.bin');
    writeFileSync(descriptionPath, packageXml1(pkg.description));
    writeFileSync(imagePath, pkg.image);
    const signedPath = join(work.dir, 'hdm-3.12.signed.json');
    const signed = JSON.parse((await edgecab('firmware', 'sign', descriptionPath, '--image', imagePath, '--key', keys.privateKey, '--out', signedPath, '--json')).stdout) as { keyId: string; sha256: string };
    expect(signed).toMatchObject({ keyId: keys.keyId, sha256: pkg.description.image.sha256 });

    const { core, cleanup } = tempCore();
    try {
      core.services.apps.trust({ name: 'Branch IT administrator', publicKey: readFileSync(keys.publicKey, 'utf8').trim() }, 'admin');
      const uploaded = await core.services.firmwarePackages.upload({ description: new File([readFileSync(signedPath)], 'd.json'), image: new File([new Uint8Array(pkg.image)], 'hdm.bin') }, 'alice');
      expect(uploaded.package).toMatchObject({ format: 'json', signer: { keyId: keys.keyId, name: 'Branch IT administrator', trusted: true }, description: { vendor: 'H3C', component: 'HDM', version: '3.12' } });
    } finally {
      cleanup();
    }

    const other = Buffer.from(pkg.image);
    other[0] = other[0]! ^ 1;
    const otherPath = join(work.dir, 'other.bin');
    writeFileSync(otherPath, other);
    const refusedOut = join(work.dir, 'refused.json');
    const refused = await edgecab('firmware', 'sign', descriptionPath, '--image', otherPath, '--key', keys.privateKey, '--out', refusedOut).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/SHA-256 is [0-9a-f]{64}, its description says .*not the file described/);
    expect(existsSync(refusedOut)).toBe(false);
  }, 60_000);
});
