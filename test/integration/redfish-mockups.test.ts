import { afterAll, describe, expect, it } from 'vitest';
import { readHealth, readInventory } from '../../main/core/protocols/redfish/inventory.js';
import type { LabBmc } from '../../main/lab/redfish/bmc.js';
import { clientFor, MOCKUPS, startBmc } from '../support/redfish.js';

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

describe('every Redfish mockup, served by the lab BMC over HTTPS, is normalized', () => {
  const bmcs: LabBmc[] = [];
  afterAll(async () => Promise.all(bmcs.map((bmc) => bmc.stop())));

  it.each(MOCKUPS)('%s', async (mockup) => {
    const bmc = await startBmc(mockup);
    bmcs.push(bmc);
    const client = clientFor(bmc);
    try {
      const inventory = await readInventory(client);
      const root = bmc.resource('/redfish/v1')!;
      expect(inventory.service.redfishVersion).toBe(root.RedfishVersion);
      // Each normalized system, chassis and manager carries the mockup's own values.
      for (const system of inventory.systems) {
        const source = bmc.resource(`/redfish/v1/Systems/${system.id}`)!;
        expect(system.serial).toBe(str(source.SerialNumber));
        expect(system.model).toBe(str(source.Model));
        expect(system.vendor).toBe(str(source.Manufacturer));
        expect(system.powerState).toBe(source.PowerState ?? 'unknown');
        expect(system.status.health).toBe((source.Status as { Health?: string } | undefined)?.Health ?? 'unknown');
        expect(system.biosVersion).toBe(str(source.BiosVersion));
      }
      for (const chassis of inventory.chassis) {
        const source = bmc.resource(`/redfish/v1/Chassis/${chassis.id}`)!;
        expect(chassis.serial).toBe(str(source.SerialNumber));
        expect(chassis.manufacturer).toBe(str(source.Manufacturer));
      }
      for (const manager of inventory.managers) {
        expect(manager.firmware).toBe(str(bmc.resource(`/redfish/v1/Managers/${manager.id}`)!.FirmwareVersion));
      }
      // What a mockup lacks is reported as a problem, never thrown.
      for (const problem of inventory.problems) expect(problem.message).toMatch(/HTTP 404/);
      const health = await readHealth(client);
      expect(health.systems.map((system) => system.id)).toEqual(inventory.systems.map((system) => system.id));
    } finally {
      await client.close();
    }
  });

  it('reads rackmount1 in full: CPUs, DIMMs, drives, NICs, PSUs, fans, temperatures, voltages, firmware, SEL, from both power/thermal models', async () => {
    const bmc = await startBmc('dmtf-public-rackmount1');
    bmcs.push(bmc);
    const client = clientFor(bmc);
    const inventory = await readInventory(client);
    await client.close();
    const [system] = inventory.systems;
    expect(system).toMatchObject({ id: '437XR1138R2', vendor: 'Contoso', powerState: 'On', processorCount: 2, memoryGiB: 96 });
    expect(system!.processors.length).toBeGreaterThanOrEqual(2);
    expect(system!.processors[0]).toMatchObject({ manufacturer: 'Intel(R) Corporation', cores: expect.any(Number) });
    expect(system!.memory).toHaveLength(4);
    expect(system!.storage.flatMap((storage) => storage.drives).length).toBeGreaterThan(0);
    expect(system!.networkPorts.length).toBeGreaterThan(0);
    expect(system!.allowedResets).toEqual(expect.arrayContaining(['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart']));
    const [chassis] = inventory.chassis;
    expect(chassis!.sources).toEqual(expect.arrayContaining(['Power', 'Thermal', 'PowerSubsystem', 'ThermalSubsystem', 'EnvironmentMetrics']));
    expect(chassis!.powerSupplies).toHaveLength(2);
    expect(chassis!.fans.length).toBeGreaterThan(0);
    expect(chassis!.temperatures.length).toBeGreaterThan(0);
    expect(chassis!.voltages.length).toBeGreaterThan(0);
    expect(chassis!.powerConsumedWatts).toBe(344);
    expect(inventory.firmware.map((item) => item.id)).toEqual(expect.arrayContaining(['BMC', 'BIOS']));
    expect(inventory.logEntries.length).toBeGreaterThan(0);
    expect(inventory.problems).toEqual([]);
  });

  it('uses $expand where the service advertises it: fewer requests than one per member', async () => {
    const bmc = await startBmc('dmtf-public-bladed');
    bmcs.push(bmc);
    const before = bmc.requests;
    const client = clientFor(bmc);
    const health = await readHealth(client);
    await client.close();
    expect(health.systems).toHaveLength(4);
    expect(health.chassis).toHaveLength(5);
    // root + session + two expanded collections (+ session delete): not 1 + 4 + 5 member GETs.
    expect(bmc.requests - before).toBeLessThanOrEqual(6);
  });
});
