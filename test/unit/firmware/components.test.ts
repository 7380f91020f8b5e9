import { describe, expect, it } from 'vitest';
import { firmwareComponents } from '../../../shared/domain/firmware.js';
import type { RedfishInventory } from '../../../shared/domain/redfish.js';
import type { SnmpDevice } from '../../../shared/domain/snmp.js';

const entity = (index: string, fields: Partial<SnmpDevice['entities'][number]>): SnmpDevice['entities'][number] => ({
  index,
  descr: null,
  class: null,
  name: null,
  hardwareRev: null,
  firmwareRev: null,
  softwareRev: null,
  serial: null,
  manufacturer: null,
  model: null,
  ...fields,
});

describe('firmware components of a reading', () => {
  it('takes every FirmwareInventory member with a version, by its Id', () => {
    const redfish = { firmware: [{ id: 'BMC', name: 'BMC Firmware', version: '1.45.455b66-rev4', updateable: true }, { id: 'BIOS', name: null, version: 'P79 v1.45', updateable: true }, { id: 'CPLD', name: 'CPLD', version: null, updateable: false }], managers: [] } as unknown as RedfishInventory;
    expect(firmwareComponents({ redfish, snmp: null })).toEqual([
      { componentId: 'redfish:BMC', name: 'BMC Firmware', version: '1.45.455b66-rev4', source: 'redfish' },
      { componentId: 'redfish:BIOS', name: 'BIOS', version: 'P79 v1.45', source: 'redfish' },
    ]);
  });

  it('falls back to the manager’s own firmware when the BMC has no FirmwareInventory', () => {
    const redfish = { firmware: [], managers: [{ id: '1', model: 'iBMC', firmware: '3.01' }] } as unknown as RedfishInventory;
    expect(firmwareComponents({ redfish, snmp: null })).toEqual([{ componentId: 'redfish:manager:1', name: 'BMC (iBMC)', version: '3.01', source: 'redfish' }]);
  });

  it('takes ENTITY-MIB firmware and software revisions per entity and the UPS agent’s version; control characters and blanks are not versions', () => {
    const snmp = {
      entities: [entity('1', { name: 'Chassis', firmwareRev: 'V200R019C10', softwareRev: 'VRP 5.170\u0000' }), entity('2', { descr: 'Fan tray', firmwareRev: '   ' }), entity('3', { softwareRev: '7.1.070' })],
      ups: { firmware: 'UPS 09.4' },
      identity: { firmware: 'ignored: the device has others' },
    } as unknown as SnmpDevice;
    expect(firmwareComponents({ redfish: null, snmp })).toEqual([
      { componentId: 'entity:1:firmware', name: 'Chassis', version: 'V200R019C10', source: 'entity' },
      { componentId: 'entity:1:software', name: 'Chassis (software)', version: 'VRP 5.170', source: 'entity' },
      { componentId: 'entity:3:software', name: 'entity 3 (software)', version: '7.1.070', source: 'entity' },
      { componentId: 'ups', name: 'UPS', version: 'UPS 09.4', source: 'ups' },
    ]);
  });

  it('uses the vendor identity’s firmware only when nothing else names one, and gives nothing for a read without inventory', () => {
    const snmp = { entities: [], ups: null, identity: { firmware: 'v5.2.1' } } as unknown as SnmpDevice;
    expect(firmwareComponents({ redfish: null, snmp })).toEqual([{ componentId: 'device', name: 'Device', version: 'v5.2.1', source: 'identity' }]);
    expect(firmwareComponents({ redfish: null, snmp: null })).toEqual([]);
  });
});
