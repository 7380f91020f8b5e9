import { z } from 'zod';
import { CabinetDevice, DEVICE_STATUS } from './cabinet.js';
import { RedfishInventory } from './redfish.js';
import { SnmpDevice } from './snmp.js';

/** One read of a device: what it said, its state, and when. */
export const DeviceReading = z.object({
  observedAt: z.string(),
  status: z.enum(DEVICE_STATUS),
  error: z.string().nullable(),
  snmp: SnmpDevice.nullable(),
  redfish: RedfishInventory.nullable(),
});
export type DeviceReading = z.infer<typeof DeviceReading>;

/** The few numbers per reading that trends and sparklines are drawn from. */
export const ReadingPoint = z.object({
  observedAt: z.string(),
  status: z.enum(DEVICE_STATUS),
  temperatureC: z.number().nullable(),
  humidityPercent: z.number().nullable(),
  powerW: z.number().nullable(),
  loadPercent: z.number().nullable(),
  inOctets: z.string().nullable(),
  outOctets: z.string().nullable(),
});
export type ReadingPoint = z.infer<typeof ReadingPoint>;

export const DeviceDetail = z.object({
  device: CabinetDevice,
  site: z.object({ id: z.string(), name: z.string(), code: z.string() }),
  latest: DeviceReading.nullable(),
  history: z.array(ReadingPoint),
});
export type DeviceDetail = z.infer<typeof DeviceDetail>;

/** Sum of 64-bit (or 32-bit) counters as a decimal string; null when none is known. */
export function sumCounters(values: readonly (string | null)[]): string | null {
  const known = values.filter((value): value is string => value !== null);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + BigInt(value), 0n).toString();
}
