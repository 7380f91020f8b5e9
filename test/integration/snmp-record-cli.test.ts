/**
 * What a user does to add a device: record it with `edgecab probe snmp
 * --raw` (here a real recording served by snmpsim comes back line for
 * line), and check a profile with `edgecab profile check`.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { tempDir } from '../support/core.js';
import { FIXTURE_RECORDINGS_DIR, startSnmpsim, type Peer } from '../support/snmp-peers.js';

const run = promisify(execFile);
const edgecab = (...args: string[]) => run(process.execPath, [packageJson.bin.edgecab, ...args], { maxBuffer: 64 * 1024 * 1024 });
const failure = (promise: Promise<unknown>) => promise.then(() => ({ code: 0, stdout: '', stderr: '' }), (error: { code: number; stdout: string; stderr: string }) => error);

describe('recording a device and checking a profile', () => {
  let snmpsim: Peer;
  let work: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    snmpsim = await startSnmpsim();
    work = tempDir();
  }, 30_000);
  afterAll(async () => {
    await snmpsim?.stop();
    work?.cleanup();
  });

  it('probe --raw prints what the agent answers as a recording: the recording it was served from, line for line', async () => {
    const { stdout } = await edgecab('probe', 'snmp', `127.0.0.1:${snmpsim.port}`, '-c', 'ups-east-istars', '--raw');
    const decode = (line: string) => {
      const [oid, tag, value = ''] = line.split('|');
      // Text may come back plain or in hex: the same bytes either way.
      return tag?.endsWith('x') ? `${oid}|${tag.slice(0, -1)}|${Buffer.from(value, 'hex').toString('latin1')}` : line;
    };
    const served = readFileSync(join(FIXTURE_RECORDINGS_DIR, 'ups-east-istars.snmprec'), 'utf8').trim().split('\n').filter((line) => !line.startsWith('#')).map(decode);
    const recorded = stdout.trim().split('\n').map(decode);
    expect(recorded).toEqual(served);
    expect(recorded.length).toBeGreaterThan(100);
  });

  it('profile check: a shipped profile is valid; a number without its MIB range, or a file that is not JSON, is refused with the reason and exit code 1', async () => {
    const good = await edgecab('profile', 'check', 'assets/snmp-profiles/ups-mib.json', '--json');
    expect(JSON.parse(good.stdout)).toEqual({ event: 'profile', ok: true, id: 'ups-mib', kind: 'ups', vendor: null, fields: 26 });
    const noRange = join(work.dir, 'no-range.json');
    writeFileSync(noRange, JSON.stringify({ id: 'x', description: 'x', kind: 'ups', match: { whenOidExists: '1.3.6.1.2.1.33.1.1' }, sections: [{ target: 'ups', scalars: { 'battery.chargePercent': { oid: '1.3.6.1.2.1.33.1.2.4.0', type: 'number' } } }] }));
    const refused = await failure(edgecab('profile', 'check', noRange));
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`SNMP profile ${noRange} is not valid: sections.0.scalars.battery.chargePercent: A number or integer field needs "range": [min, max], the raw values its MIB allows`);
    const notJson = join(work.dir, 'not.json');
    writeFileSync(notJson, '{ "id": ');
    const broken = await failure(edgecab('profile', 'check', notJson));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^edgecab: .*not\.json: not JSON/);
  });
});
