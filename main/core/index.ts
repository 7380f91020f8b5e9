import { createRouterClient, type RouterClient } from '@orpc/server';
import { join } from 'node:path';
import { auditMutations, mapErrors } from './api/interceptors.js';
import { createRouter, systemContext, type CoreContext, type CoreRouter } from './api/router.js';
import { schemaVersion } from './db/migrate.js';
import { holdServingLock } from './db/data-dir-lock.js';
import { openDatabase, type Database } from './db/open.js';
import { createServices, type Services } from './services.js';
import type { RotationHooks } from './services/credentials/rotation.js';
import { EDGECAB_VERSION } from './version.js';
import { Access, type PrincipalView } from '../../shared/domain/access.js';
import { checkPermission } from './api/permissions.js';
import { ScopeLookup } from './api/scope-lookup.js';

export type { CoreContext, CoreRouter } from './api/router.js';
export { systemContext, systemPrincipal } from './api/router.js';
export { DatabaseTooNewError } from './db/migrate.js';
export { EDGECAB_VERSION } from './version.js';

export interface CoreOptions {
  /** Folder holding edgecab.sqlite; ':memory:' for a throwaway core. */
  dataDir: string;
  host: 'desktop' | 'server';
  now?: () => Date;
  /** A better-sqlite3 addon built for the running runtime, if not the installed one. */
  sqliteNativeBinding?: string;
  /** Test seam of the wizard's password rotation (simulates a crash at the worst moment). */
  rotationHooks?: RotationHooks;
  /** The vault key, when the host keeps it (the desktop, under the OS's safeStorage); else credentials.key in dataDir. */
  vaultKey?: Buffer;
  /**
   * This core serves from its data directory ("serve", "lab", "desktop"):
   * it holds the directory's serving lock while open, so that `edgecab vault
   * rotate` refuses to change the key under it. Refused (DataDirBusyError)
   * while a rotation runs. One-shot commands (users, tokens) leave it out.
   */
  servingAs?: string;
}

export type { MonitorStartOptions as MonitorOptions } from './services/monitor/monitor-service.js';
import type { MonitorStartOptions as MonitorOptions } from './services/monitor/monitor-service.js';

export interface Core {
  readonly router: CoreRouter;
  readonly services: Services;
  readonly db: Database;
  /**
   * Interceptors every transport must install, so validation, error mapping and audit are the same everywhere.
   * Pass a copy: oRPC handlers add their plugins' interceptors to the array they are given.
   */
  readonly interceptors: ReturnType<typeof coreInterceptors>;
  /** An in-process client acting with every right (the CLI, the lab, tests and benchmarks); `actor` names it in the audit log. */
  client(actor: string): RouterClient<CoreRouter>;
  /** An in-process client acting as this principal, with its roles: what a signed-in user may do. */
  clientAs(principal: PrincipalView, via?: string): RouterClient<CoreRouter>;
  /**
   * Throws the refusal (an ORPCError: 403, or 404 for what the caller may not
   * see) when this principal may not run `operation` with `input`; the same
   * rule the core enforces on every call, for hosts that must refuse before
   * they read a request's body.
   */
  authorize(operation: string, principal: PrincipalView, input?: unknown): void;
  /** Starts polling every connected device on plan (hosts do; tests drive polls themselves). */
  startMonitoring(options?: MonitorOptions): Promise<{ warnings: string[] }>;
  /** Stops polling and the lab, and closes the database. */
  close(): Promise<void>;
}

function coreInterceptors(services: Services) {
  return [auditMutations(services.audit), mapErrors];
}

export function createCore(options: CoreOptions): Core {
  const file = options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir, 'edgecab.sqlite');
  // Taken before the database opens: the vault's key is read at start and kept in memory.
  const lock = options.servingAs && options.dataDir !== ':memory:' ? holdServingLock(options.dataDir, options.servingAs) : null;
  let db: Database | null = null;
  let services: Services;
  const now = options.now ?? (() => new Date());
  try {
    const opened = openDatabase(file, options.sqliteNativeBinding);
    db = opened;
    const startedAt = now().toISOString();
    services = createServices(opened, options.dataDir, now, () => ({
      product: 'EdgeCab',
      version: EDGECAB_VERSION,
      schemaVersion: schemaVersion(opened),
      host: options.host,
      startedAt,
    }), { ...(options.rotationHooks ? { rotationHooks: options.rotationHooks } : {}), ...(options.vaultKey ? { vaultKey: options.vaultKey } : {}) });
  } catch (error) {
    // A core that did not open (a newer database, a wrong key file) serves nothing: it holds no lock.
    db?.close();
    lock?.release();
    throw error;
  }
  const router = createRouter(services);
  const interceptors = coreInterceptors(services);
  const lookup = new ScopeLookup(db);
  return {
    router,
    services,
    db,
    interceptors,
    client: (actor) => createRouterClient(router, { context: systemContext(actor), interceptors: [...interceptors] }),
    clientAs: (principal, via = 'in-process') => createRouterClient(router, { context: { actor: principal.name, principal, via } satisfies CoreContext, interceptors: [...interceptors] }),
    authorize: (operation, principal, input = {}) => checkPermission(operation, input, new Access(principal, (regionId) => services.regions.ancestors(regionId)), lookup),
    startMonitoring: (monitorOptions = {}) => {
      // Hosts that run background work run the outbox too.
      services.outbox.start();
      services.appDrift.start();
      services.rollouts.start();
      services.energy.start();
      services.standingCaps.start();
      services.firmwarePlans.runner.start();
      return services.monitor.start(monitorOptions);
    },
    close: () => {
      // The database closes now, synchronously (exit handlers cannot wait); network clean-up finishes after.
      services.appDrift.dispose();
      services.rollouts.dispose();
      services.energy.dispose();
      services.standingCaps.dispose();
      const network = [services.firmwarePlans.runner.dispose(), services.outbox.dispose(), services.monitor.stop(), services.lab.stop().catch(() => undefined), services.forwarder.settled()];
      services.tiles.close();
      services.onlineTiles.close();
      db.close();
      lock?.release();
      return Promise.all(network).then(() => undefined);
    },
  };
}
