import type { AnyLabDevice } from './devices.js';

export interface StartLabDevicesOptions<T extends { name: string }> {
  devices: T[];
  /** Makes the device for one entry, to listen on `port` (0 = a free one the system picks). */
  create(entry: T, port: number): AnyLabDevice;
  /**
   * Where to start looking for ports. Omitted: every device binds a free
   * port the system picks. Given: the first free port from here upwards for
   * each device, skipping ports in use, so ports are predictable where they
   * can be but never assumed free.
   */
  basePort?: number;
  /** Called as each device listens, with the port it actually has. */
  onStarted?: (device: AnyLabDevice, entry: T) => void;
}

const MAX_PORT = 65_535;
const inUse = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE';

/**
 * Starts lab SNMP devices, each on a UDP port that was free when it bound
 * it. If one cannot start, those already started are stopped before the
 * error is passed on, so nothing is left listening.
 */
export async function startLabDevices<T extends { name: string }>(options: StartLabDevicesOptions<T>): Promise<AnyLabDevice[]> {
  const started: AnyLabDevice[] = [];
  let candidate = options.basePort;
  try {
    for (const entry of options.devices) {
      let device: AnyLabDevice;
      for (;;) {
        if (candidate !== undefined && candidate > MAX_PORT) throw new Error(`no free UDP port from ${options.basePort} up to ${MAX_PORT} for ${entry.name}`);
        device = options.create(entry, candidate ?? 0);
        try {
          await device.start();
          break;
        } catch (error) {
          if (candidate === undefined || !inUse(error)) throw error;
          candidate += 1;
        }
      }
      if (candidate !== undefined) candidate = device.port + 1;
      started.push(device);
      options.onStarted?.(device, entry);
    }
    return started;
  } catch (error) {
    await Promise.all(started.map((device) => device.stop()));
    throw error;
  }
}
