import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { tempDir } from '../support/core.js';
import { completeSetup } from '../support/auth.js';

describe('edgecab lab --sites', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('starts lab cabinets, registers and monitors them, and takes faults typed on stdin', async () => {
    const data = tempDir();
    const child = spawn(process.execPath, [packageJson.bin.edgecab, 'lab', '--sites', '1', '--seed', '4', '--port', '0', '--trap-port', 'off', '--events-port', 'off', '--json', '--data-dir', data.dir]);
    cleanups.push(() => {
      child.kill('SIGTERM');
      data.cleanup();
    });
    const lines: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const wake of waiters.splice(0)) wake();
    });
    const next = async (event: string, from = 0): Promise<Record<string, unknown>> => {
      for (;;) {
        const found = lines.slice(from).find((line) => line.event === event);
        if (found) return found;
        await new Promise<void>((resolve, reject) => {
          waiters.push(resolve);
          setTimeout(() => reject(new Error(`no ${event} line; got ${JSON.stringify(lines)}`)), 30_000);
        });
      }
    };
    const listening = (await next('listening')) as { url: string; setupUrl: string; sites: { siteId: string; code: string; devices: number }[] };
    expect(listening.sites).toEqual([{ siteId: expect.any(String), code: 'LAB-001', devices: 7, faults: [] }]);
    const siteId = listening.sites[0]!.siteId;
    // The lab goes through the same sign-in as `serve`: the printed link creates the administrator.
    const { cookie, csrf } = await completeSetup(listening.setupUrl);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${listening.url}api/v1${path}`, { ...init, headers: { cookie: `edgecab_session=${cookie}`, 'x-edgecab-csrf': csrf } }).then((response) => response.json() as Promise<Record<string, unknown>>);
    const cabinet = (await api(`/sites/${siteId}/cabinet`)) as { devices: { slotId: string; hasCredential: boolean }[] };
    expect(cabinet.devices.filter((device) => device.hasCredential).map((device) => device.slotId).sort()).toEqual(['env', 'pdu-a', 'srv1', 'srv2', 'storage', 'sw1', 'ups']);

    child.stdin.write('LAB-001 fan-failed on\n');
    expect(await next('fault')).toEqual({ event: 'fault', line: 'LAB-001 fan-failed on', result: 'ok' });
    const mark = lines.length;
    child.stdin.write('LAB-001 meltdown on\n');
    expect((await next('fault', mark)).result).toMatch(/unknown fault "meltdown"; use link-down, ups-on-battery/);

    await api(`/sites/${siteId}/poll`, { method: 'POST' });
    const page = (await api(`/alarms?siteId=${siteId}`)) as { alarms: { condition: string; deviceName: string }[] };
    expect(page.alarms.map((alarm) => `${alarm.deviceName}:${alarm.condition}`)).toContain('Compute 1:fan:1U:Bay1');
    const status = (await api('/monitor')) as { running: boolean; devices: number; traps: unknown };
    expect(status).toMatchObject({ running: true, devices: 7, traps: null });
  }, 60_000);
});
