import type { Core } from '../../main/core/index.js';

type Client = ReturnType<Core['client']>;

/**
 * A site with an edge-42u cabinet whose first server (srv1) carries a
 * workload engine connected at `engine.url`, as the tests set up a branch
 * to deploy to.
 */
export async function siteWithEngine(
  client: Client,
  site: { name: string; code: string; latitude: number; longitude: number; regionId?: number },
  engine: { url: string; fingerprint?: string; name?: string },
): Promise<{ siteId: string; deviceId: string }> {
  const created = await client.sites.create(site);
  const view = await client.cabinets.create({ siteId: created.id, templateId: 'edge-42u' });
  const server = view.devices.find((device) => device.slotId === 'srv1')!;
  const device = await client.devices.add({ cabinetId: view.cabinet.id, kind: 'engine', name: engine.name ?? 'Podman', u: server.u, heightU: 1, face: 'front', depth: 'full', protocol: 'engine' });
  await client.devices.connectEngine({ id: device.id, protocol: 'engine', url: engine.url, ...(engine.fingerprint ? { fingerprint: engine.fingerprint } : {}) });
  return { siteId: created.id, deviceId: device.id };
}
