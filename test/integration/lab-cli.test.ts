import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { tempDir } from '../support/core.js';
import { completeSetup } from '../support/auth.js';
import { until } from '../support/until.js';

describe('edgecab lab --sites', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  }, 30_000);

  it('starts lab cabinets, registers and monitors them, and takes faults typed on stdin', async () => {
    const data = tempDir();
    const child = spawn(process.execPath, [packageJson.bin.edgecab, 'lab', '--sites', '2', '--engines', '1', '--seed', '4', '--port', '0', '--trap-port', 'off', '--events-port', 'off', '--json', '--data-dir', data.dir]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      // Stopped as a user stops it: the lab's Podman service ends with it.
      child.kill('SIGTERM');
      await exited;
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
          // Starting includes a Podman service and building the sample app: generous on a loaded machine.
          setTimeout(() => reject(new Error(`no ${event} line; got ${JSON.stringify(lines)}`)), 90_000);
        });
      }
    };
    const listening = (await next('listening')) as { url: string; setupUrl: string; sites: { siteId: string; code: string; devices: number }[] };
    expect(listening.sites).toEqual([
      { siteId: expect.any(String), code: 'LAB-001', devices: 7, faults: [], engine: 'podman' },
      { siteId: expect.any(String), code: 'LAB-002', devices: 7, faults: [], engine: 'none' },
    ]);
    const siteId = listening.sites[0]!.siteId;
    // The lab goes through the same sign-in as `serve`: the printed link creates the administrator.
    const { cookie, csrf } = await completeSetup(listening.setupUrl);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${listening.url}api/v1${path}`, { ...init, headers: { cookie: `edgecab_session=${cookie}`, 'x-edgecab-csrf': csrf, ...(init.body ? { 'content-type': 'application/json' } : {}) } }).then((response) => response.json() as Promise<Record<string, unknown>>);
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
    // Two cabinets of seven devices (the engine is watched for drift, not polled).
    expect(status).toMatchObject({ running: true, devices: 14, traps: null });

    // The demo deploys real containers: the sample app, signed by the lab's publisher, to the cabinet with an engine; the other has none.
    const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });
    const apps = (await api('/apps')) as unknown as { appId: string; versions: string[] }[];
    expect(apps.find((app) => app.appId === 'lab-web')?.versions.sort()).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    const publishers = (await api('/apps/publishers')) as unknown as { name: string }[];
    expect(publishers.map((each) => each.name)).toEqual(['EdgeCab lab']);
    const plan = (await post('/rollouts/plan', { appId: 'lab-web', version: '1.0.0', targets: { q: 'LAB-' } })) as { sites: { code: string; action: string; conflicts: string[] }[] };
    expect(plan.sites.map((site) => [site.code, site.action, site.conflicts.length > 0])).toEqual([
      ['LAB-001', 'install', false],
      ['LAB-002', 'install', true],
    ]);
    const rolloutTo = async (version: string) => (await post('/rollouts', { appId: 'lab-web', version, targets: { q: 'LAB-' }, stableSeconds: 1 })) as { id: string };
    const rolloutState = (id: string) => api(`/rollouts/${id}`) as Promise<{ state: string; sites: { code: string; state: string; detail: string | null }[] }>;
    const waitFor = (what: string, check: () => Promise<boolean>) => until(what, check, 60_000, 200);
    // Served on LAB-001's first server (srv1, the fifth slot of edge-24u) at the sample app's port.
    const servedPage = () => fetch('http://127.100.0.5:18080/').then((response) => response.text());
    const first = await rolloutTo('1.0.0');
    await waitFor('version 1 to be healthy', async () => (await rolloutState(first.id)).state === 'completed');
    expect((await rolloutState(first.id)).sites.map((site) => [site.code, site.state]).sort()).toEqual([
      ['LAB-001', 'healthy'],
      ['LAB-002', 'skipped'],
    ]);
    expect(await servedPage()).toContain('version 1');

    // The WAN link down takes the engine with it: version 2 waits for the site, and goes on when the link is back.
    child.stdin.write('LAB-001 link-down on\n');
    await next('fault', lines.length);
    const second = await rolloutTo('2.0.0');
    // Queued because the site is offline (not merely waiting its turn): the detail says so.
    await waitFor('LAB-001 to be queued as offline', async () => /^queued: site offline since /.test((await rolloutState(second.id)).sites.find((site) => site.code === 'LAB-001')!.detail ?? ''));
    const linkBack = lines.length;
    child.stdin.write('LAB-001 link-down off\n');
    expect((await next('fault', linkBack)).result).toBe('ok');
    await waitFor('version 2 to be healthy', async () => (await rolloutState(second.id)).state === 'completed');
    expect(await servedPage()).toContain('version 2');
  }, 240_000);
});
