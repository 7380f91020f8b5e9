import { z } from 'zod';
import type { DeviceReading } from './readings.js';

/**
 * Firmware version state (issue 13, first part): what each component of a
 * device runs, as its inventory read says it — Redfish
 * UpdateService/FirmwareInventory (BMC, BIOS, NICs, RAID, PSUs, CPLD …), or
 * for SNMP devices ENTITY-MIB's entPhysicalFirmwareRev/SoftwareRev, the
 * UPS's software version and the vendor's identity objects.
 */

export const FIRMWARE_SOURCES = ['redfish', 'entity', 'ups', 'identity'] as const;
export type FirmwareSource = (typeof FIRMWARE_SOURCES)[number];

export interface FirmwareComponent {
  /** Stable per device: where it was read (the FirmwareInventory member's Id, the entity's index). */
  componentId: string;
  name: string;
  version: string;
  source: FirmwareSource;
}

const MAX_TEXT = 200;
const clean = (value: string | null | undefined): string | null => {
  const text = value?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return text ? text.slice(0, MAX_TEXT) : null;
};

/**
 * Whether a read shows all the firmware the device has: a Redfish read with
 * a problem under UpdateService (the inventory or a member not read, a read
 * that ran out of time) or an SNMP read whose entity walk had problems shows
 * only part of it, and must not end what it did not see.
 */
export function firmwareReadWhole(reading: Pick<DeviceReading, 'snmp' | 'redfish'>): boolean {
  if (reading.redfish?.problems.some((problem) => /UpdateService|FirmwareInventory/i.test(problem.resource))) return false;
  if (reading.snmp?.problems.some((problem) => /entit/i.test(problem.section))) return false;
  return true;
}

/** The firmware components an inventory read shows, each once; none for a read that holds no inventory. */
export function firmwareComponents(reading: Pick<DeviceReading, 'snmp' | 'redfish'>): FirmwareComponent[] {
  const found = new Map<string, FirmwareComponent>();
  const add = (componentId: string, name: string | null | undefined, version: string | null | undefined, source: FirmwareSource) => {
    const text = clean(version);
    if (!text || found.has(componentId)) return;
    found.set(componentId, { componentId, name: clean(name) ?? componentId, version: text, source });
  };
  const redfish = reading.redfish;
  if (redfish) {
    for (const item of redfish.firmware) add(`redfish:${item.id}`, item.name ?? item.id, item.version, 'redfish');
    // A BMC without an UpdateService still names its own firmware.
    if (redfish.firmware.length === 0) for (const manager of redfish.managers) add(`redfish:manager:${manager.id}`, manager.model ? `BMC (${manager.model})` : 'BMC', manager.firmware, 'redfish');
  }
  const snmp = reading.snmp;
  if (snmp) {
    for (const entity of snmp.entities) {
      const name = entity.name || entity.descr || `entity ${entity.index}`;
      add(`entity:${entity.index}:firmware`, name, entity.firmwareRev, 'entity');
      add(`entity:${entity.index}:software`, `${name} (software)`, entity.softwareRev, 'entity');
    }
    add('ups', 'UPS', snmp.ups?.firmware, 'ups');
    if (found.size === 0) add('device', 'Device', snmp.identity?.firmware, 'identity');
  }
  return [...found.values()];
}

export const FirmwareQuery = z.object({ id: z.string().min(1) });

export const FirmwareView = z.object({
  deviceId: z.string(),
  /** When the device's inventory was last read with firmware in it (null: never). */
  readAt: z.string().nullable(),
  components: z.array(z.object({ componentId: z.string(), name: z.string(), version: z.string(), source: z.enum(FIRMWARE_SOURCES), since: z.string(), readAt: z.string() })),
  /** What each component ran when, newest first: from the first read that showed a version to the last one that did. */
  history: z.array(z.object({ componentId: z.string(), name: z.string(), version: z.string(), from: z.string(), to: z.string(), current: z.boolean() })),
});
export type FirmwareView = z.infer<typeof FirmwareView>;
