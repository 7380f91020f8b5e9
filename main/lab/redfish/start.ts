import { LabBmc, type LabBmcOptions } from './bmc.js';

export interface StartLabBmcsOptions extends Omit<LabBmcOptions, 'port'> {
  count: number;
  /**
   * Where to start looking for ports. Omitted: every BMC takes a free port
   * the system picks. Given: the first free port from here upwards for each
   * BMC, skipping ports already in use, so the ports are predictable where
   * they can be but never assumed free.
   */
  basePort?: number;
  /** Called as each BMC listens, with the port it actually has. */
  onStarted?: (bmc: LabBmc) => void;
}

const MAX_PORT = 65_535;

function inUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

/**
 * Starts lab BMCs, each with its own certificate, each on a port that was
 * free when it bound it. If one cannot start, those already started are
 * stopped before the error is passed on, so nothing is left listening.
 */
export async function startLabBmcs(options: StartLabBmcsOptions): Promise<LabBmc[]> {
  const { count, basePort, onStarted, ...bmcOptions } = options;
  const bmcs: LabBmc[] = [];
  let candidate = basePort;
  try {
    for (let index = 0; index < count; index += 1) {
      const bmc = new LabBmc(bmcOptions);
      if (candidate === undefined) await bmc.start(0);
      else {
        for (;;) {
          if (candidate > MAX_PORT) throw new Error(`no free TCP port from ${basePort} up to ${MAX_PORT} for lab BMC ${index + 1}`);
          try {
            await bmc.start(candidate);
            break;
          } catch (error) {
            if (!inUse(error)) throw error;
            candidate += 1;
          }
        }
        candidate = bmc.port + 1;
      }
      bmcs.push(bmc);
      onStarted?.(bmc);
    }
    return bmcs;
  } catch (error) {
    await Promise.all(bmcs.map((bmc) => bmc.stop()));
    throw error;
  }
}
