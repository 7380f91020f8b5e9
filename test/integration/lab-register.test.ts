/** A lab restarted with fewer engines: the sites that have none this run lose the lab engine of the run before, never an engine the user connected. */
import { afterAll, describe, expect, it } from 'vitest';
import { registerFleet, type FleetDescription } from '../../main/lab/controller.js';
import { tempCore } from '../support/core.js';

describe('registering the lab fleet again', () => {
  const { core, cleanup } = tempCore();
  afterAll(() => cleanup());
  const site = (code: string, engineUrl?: string): FleetDescription['sites'][number] => ({ code, name: { en: code, 'zh-CN': code }, latitude: 30, longitude: 120, devices: [], ...(engineUrl ? { engineUrl } : {}) });
  const engines = (siteId: string) => core.services.cabinets.viewForSite(siteId)!.devices.filter((device) => device.kind === 'engine').map((device) => core.services.cabinets.device(device.id).endpoint);

  it("keeps one engine device per lab site, connected to this run's socket, and drops it when the run has none for the site", () => {
    const first = registerFleet(core.services, { sites: [site('LAB-001', 'unix:/tmp/edgecab-podman-aaaa/api.sock'), site('LAB-002', 'unix:/tmp/edgecab-podman-bbbb/api.sock')] }, 'edge-24u');
    expect(engines(first.get('LAB-001')!)).toEqual(['unix:/tmp/edgecab-podman-aaaa/api.sock']);
    const again = registerFleet(core.services, { sites: [site('LAB-001', 'unix:/tmp/edgecab-podman-cccc/api.sock'), site('LAB-002')] }, 'edge-24u');
    expect(again.get('LAB-001')).toBe(first.get('LAB-001'));
    expect(engines(again.get('LAB-001')!)).toEqual(['unix:/tmp/edgecab-podman-cccc/api.sock']);
    expect(engines(again.get('LAB-002')!)).toEqual([]);
  });

  it('leaves an engine the user connected to a lab site', () => {
    const siteId = registerFleet(core.services, { sites: [site('LAB-003')] }, 'edge-24u').get('LAB-003')!;
    const view = core.services.cabinets.viewForSite(siteId)!;
    const server = view.devices.find((device) => device.kind === 'server')!;
    const own = core.services.cabinets.add({ cabinetId: view.cabinet.id, kind: 'engine', name: 'Docker', u: server.u, heightU: 1, face: server.face, depth: 'full', protocol: 'engine' });
    core.services.devices.connectEngine({ id: own.id, protocol: 'engine', url: 'unix:/run/docker.sock' });
    registerFleet(core.services, { sites: [site('LAB-003')] }, 'edge-24u');
    expect(engines(siteId)).toEqual(['unix:/run/docker.sock']);
  });
});
