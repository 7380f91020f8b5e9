import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract/index.js';
import { RedfishClient, RedfishError } from '../protocols/redfish/client.js';
import { readInventory } from '../protocols/redfish/inventory.js';
import { collectDevice, SnmpError } from '../protocols/snmp/collect.js';
import type { Services } from '../services.js';

/** Who is calling: recorded in the audit log. Set by the host (desktop user, HTTP client, CLI). */
export interface CoreContext {
  actor: string;
}

export function createRouter(services: Services) {
  const os = implement(contract).$context<CoreContext>();
  const { sites, regions, audit, bus, system } = services;
  return os.router({
    system: {
      info: os.system.info.handler(() => system()),
    },
    sites: {
      list: os.sites.list.handler(({ input }) => sites.list(input)),
      get: os.sites.get.handler(({ input }) => sites.get(input.id)),
      create: os.sites.create.handler(({ input }) => sites.create(input)),
      update: os.sites.update.handler(({ input }) => sites.update(input)),
      delete: os.sites.delete.handler(({ input }) => {
        sites.delete(input.id);
        return { id: input.id, deleted: true as const };
      }),
      importCsv: os.sites.importCsv.handler(({ input }) => services.importSitesCsv(input.csv, input.mode)),
    },
    regions: {
      list: os.regions.list.handler(() => regions.list()),
      create: os.regions.create.handler(({ input }) => regions.create(input)),
      update: os.regions.update.handler(({ input }) => regions.update(input)),
      delete: os.regions.delete.handler(({ input }) => {
        regions.delete(input.id);
        return { id: input.id, deleted: true as const };
      }),
    },
    devices: {
      probeRedfish: os.devices.probeRedfish.handler(async ({ input, errors }) => {
        const client = new RedfishClient({
          url: new URL(input.url).origin,
          username: input.username,
          password: input.password,
          pinnedFingerprint: input.fingerprint ?? null,
          trustOnFirstUse: input.trustOnFirstUse,
          requestTimeoutMs: 15_000,
        });
        try {
          const inventory = await readInventory(client);
          return { ...inventory, certificateFingerprint: client.fingerprint };
        } catch (error) {
          if (error instanceof RedfishError) {
            throw errors.DEVICE_UNREACHABLE({ message: error.message, data: { reason: error.code, fingerprint: error.fingerprint ?? null } });
          }
          throw error;
        } finally {
          await client.close();
        }
      }),
      probeSnmp: os.devices.probeSnmp.handler(async ({ input, errors }) => {
        try {
          return await collectDevice(input);
        } catch (error) {
          if (error instanceof SnmpError) throw errors.DEVICE_UNREACHABLE({ message: error.message, data: { reason: error.code } });
          throw error;
        }
      }),
    },
    audit: {
      list: os.audit.list.handler(({ input }) => audit.list(input)),
    },
    events: {
      subscribe: os.events.subscribe.handler(({ signal }) => bus.subscribe(signal)),
    },
  });
}

export type CoreRouter = ReturnType<typeof createRouter>;
