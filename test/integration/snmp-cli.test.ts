import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabUps } from '../../main/lab/snmp/devices.js';
import packageJson from '../../package.json' with { type: 'json' };
import { freeUdpPort } from '../support/snmp-peers.js';

const run = promisify(execFile);
const edgecab = (...args: string[]) => run(process.execPath, [packageJson.bin.edgecab, ...args]);

describe('edgecab probe snmp', () => {
  let ups: LabUps;
  beforeAll(async () => {
    ups = await new LabUps({ name: 'cli-ups', port: await freeUdpPort(), community: 'branch-ro' }).start();
  });
  afterAll(async () => ups?.stop());

  it('prints the normalized device as JSON', async () => {
    const { stdout } = await edgecab('probe', 'snmp', `127.0.0.1:${ups.port}`, '--community', 'branch-ro');
    const device = JSON.parse(stdout) as { kind: string; ups: { outputSource: string }; system: { name: string } };
    expect(device).toMatchObject({ kind: 'ups', ups: { outputSource: 'normal' }, system: { name: 'cli-ups' } });
  });

  it('prints a readable summary with --human', async () => {
    const { stdout } = await edgecab('probe', 'snmp', `127.0.0.1:${ups.port}`, '-c', 'branch-ro', '--human');
    expect(stdout).toMatch(/^UPS {2}EdgeCab lab UPS/);
    expect(stdout).toMatch(/battery +normal, 100 %/);
    expect(stdout).toMatch(/bypass +221 V, 50 Hz/);
  });

  it('fails with one line and exit code 4 when the agent does not answer', async () => {
    const error = await edgecab('probe', 'snmp', `127.0.0.1:${ups.port}`, '-c', 'wrong', '--timeout', '300', '--retries', '0').catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: 4 });
    const stderr = (error as { stderr: string }).stderr;
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^edgecab: no answer from 127\.0\.0\.1:\d+ within 300 ms/);
  });

  it('refuses contradictory credentials before sending anything', async () => {
    const error = await edgecab('probe', 'snmp', '127.0.0.1', '-c', 'x', '-u', 'y').catch((failure: unknown) => failure);
    expect((error as { stderr: string }).stderr.trim()).toBe('edgecab: give either --community (v2c) or --v3-user (v3)');
  });
});
