/**
 * Vendors' OEM sections fill only what the standard properties leave empty,
 * on payloads captured from real BMCs (HPE iLO 5, Huawei iBMC, Dell iDRAC)
 * served by the lab BMC; a standard value always wins, and an OEM value the
 * vendor's schema does not allow fills nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readInventory } from '../../main/core/protocols/redfish/inventory.js';
import type { LabBmc } from '../../main/lab/redfish/bmc.js';
import { clientFor, startBmc } from '../support/redfish.js';

describe('Redfish OEM fill-in', () => {
  const bmcs: LabBmc[] = [];
  afterAll(async () => Promise.all(bmcs.map((bmc) => bmc.stop())));

  async function inventoryOf(bmc: LabBmc) {
    const client = clientFor(bmc);
    try {
      return await readInventory(client);
    } finally {
      await client.close();
    }
  }

  async function bmcOf(mockup: string): Promise<LabBmc> {
    const bmc = await startBmc(mockup);
    bmcs.push(bmc);
    return bmc;
  }

  it('HPE iLO 5: the standard BIOS and iLO versions are read as they are; without them, from Oem.Hpe, and said so', async () => {
    const bmc = await bmcOf('proliantutils-ilo-json-samples');
    const standard = await inventoryOf(bmc);
    expect(standard.systems[0]).toMatchObject({ biosVersion: 'U31 v1.00 (03/11/2017)' });
    expect(standard.systems[0]!.oemFilled).toBeUndefined();
    expect(standard.managers[0]).toMatchObject({ firmware: 'iLO 5 v1.15' });
    expect(standard.managers[0]!.oemFilled).toBeUndefined();

    // Firmware that leaves the standard properties out (as some iLO 4 releases do).
    const system = bmc.resource('/redfish/v1/Systems/1')!;
    const manager = bmc.resource('/redfish/v1/Managers/1')!;
    delete system.BiosVersion;
    delete manager.FirmwareVersion;
    (system.Oem as { Hpe: { Bios: { Current: { VersionString: string } } } }).Hpe.Bios.Current.VersionString = 'U31 v2.10 (OEM only)';
    (manager.Oem as { Hpe: { Firmware: { Current: { VersionString: string } } } }).Hpe.Firmware.Current.VersionString = 'iLO 5 v2.90 (OEM only)';
    const filled = await inventoryOf(bmc);
    expect(filled.systems[0]).toMatchObject({ biosVersion: 'U31 v2.10 (OEM only)', oemFilled: ['biosVersion from Oem.Hpe.Bios.Current.VersionString'] });
    expect(filled.managers[0]).toMatchObject({ firmware: 'iLO 5 v2.90 (OEM only)', oemFilled: ['firmware from Oem.Hpe.Firmware.Current.VersionString'] });
  });

  it('Huawei iBMC: the air inlet temperature its Thermal does not give comes from the chassis OEM section; an impossible one fills nothing', async () => {
    const bmc = await bmcOf('huawei-ibmcclient-json');
    const inventory = await inventoryOf(bmc);
    const chassis = inventory.chassis.find((each) => each.id === '1')!;
    expect(chassis.temperatures).toEqual([{ id: 'oem-inlet', name: 'Inlet', value: 26, unit: 'Cel', upperCritical: null, status: { state: null, health: 'unknown', healthRollup: 'unknown' } }]);
    expect(chassis.oemFilled).toEqual(['inletCelsius from Oem.Huawei.InletTemperatureCelsius']);
    // The standard model stays; the OEM product name is not used while Model is there.
    expect(inventory.systems[0]).toMatchObject({ model: '2288H V5', serial: '2102311TYBN0J3000293' });
    expect(inventory.systems[0]!.oemFilled).toBeUndefined();

    const oem = bmc.resource('/redfish/v1/Chassis/1')!.Oem as { Huawei: { InletTemperatureCelsius: unknown } };
    for (const impossible of [255, -273, 'n/a', null]) {
      oem.Huawei.InletTemperatureCelsius = impossible;
      const again = await inventoryOf(bmc);
      const chassisAgain = again.chassis.find((each) => each.id === '1')!;
      expect(chassisAgain.temperatures).toEqual([]);
      expect(chassisAgain.oemFilled).toBeUndefined();
    }
  });

  it('Huawei iBMC without a Model: the OEM product name fills it', async () => {
    const bmc = await bmcOf('huawei-ibmcclient-json');
    delete bmc.resource('/redfish/v1/Systems/1')!.Model;
    const inventory = await inventoryOf(bmc);
    expect(inventory.systems[0]).toMatchObject({ model: '2288H V5', oemFilled: ['model from Oem.Huawei.ProductName'] });
  });

  it('Dell iDRAC without a SerialNumber: the service tag of Oem.Dell.DellSystem', async () => {
    const bmc = await bmcOf('bmclib-fixtures');
    const system = bmc.resource('/redfish/v1/Systems/System.Embedded.1')!;
    const serviceTag = (system.Oem as { Dell: { DellSystem: { ChassisServiceTag: string } } }).Dell.DellSystem.ChassisServiceTag;
    expect(system.Manufacturer).toBe('Dell Inc.');
    const standard = await inventoryOf(bmc);
    expect(standard.systems.find((each) => each.id === 'System.Embedded.1')).toMatchObject({ serial: system.SerialNumber });
    expect(serviceTag).not.toBe(system.SerialNumber);
    delete system.SerialNumber;
    const filled = await inventoryOf(bmc);
    expect(filled.systems.find((each) => each.id === 'System.Embedded.1')).toMatchObject({ serial: serviceTag, oemFilled: ['serial from Oem.Dell.DellSystem.ChassisServiceTag'] });
  });
});
