import { Access, type RegionScope } from '../../../../shared/domain/access.js';
import {
  addToCounts,
  complianceOf,
  emptyCounts,
  worstCompliance,
  type BaselineScope,
  type ComplianceCounts,
  type ComplianceOverview,
  type DeviceCompliance,
  type SiteCompliance,
} from '../../../../shared/domain/firmware-repository.js';
import { NotFoundError } from '../../errors.js';
import type { BaselineEntry, BaselineIndex, FirmwareBaselines } from './baselines.js';
import type { ComplianceDeviceRow, CurrentFirmwareRow, FirmwareStore } from './firmware-store.js';

/**
 * Compliance of every device with the baseline that covers it, computed
 * from the database each time it is asked: what the last inventory read
 * showed (the monitor's hourly one, Read now, the read that follows an
 * upgrade) is what counts, so it is never stale and never needs a refresh.
 *
 * A device follows the baseline of its site, else of its nearest region
 * that has one, else of its cabinet model; within it, the packages that
 * list the device's model (as its inventory read it, else as the layout
 * names it). A component the device's inventory never showed is unknown.
 */
export class FirmwareCompliance {
  constructor(
    private readonly store: FirmwareStore,
    private readonly baselines: FirmwareBaselines,
    private readonly now: () => Date,
  ) {}

  overview(scope: RegionScope): ComplianceOverview {
    const regions = this.store.regions();
    const parents = new Map(regions.map((region) => [region.id, region.parentId]));
    const devices = this.compute(this.store.complianceDevices(), this.store.currentFirmware(), parents);
    const fleet = emptyCounts();
    const bySite = new Map<string, { siteId: string; name: string; code: string; regionId: number | null; counts: ComplianceCounts }>();
    const byRegion = new Map<number, ComplianceCounts>();
    for (const { row, compliance } of devices) {
      if (!Access.sees(scope, row.regionId)) continue;
      addToCounts(fleet, compliance.state);
      let site = bySite.get(row.siteId);
      if (!site) bySite.set(row.siteId, (site = { siteId: row.siteId, name: row.siteName, code: row.siteCode, regionId: row.regionId, counts: emptyCounts() }));
      addToCounts(site.counts, compliance.state);
      // Every region above the site counts it too.
      for (let region = row.regionId; region !== null; region = parents.get(region) ?? null) {
        let counts = byRegion.get(region);
        if (!counts) byRegion.set(region, (counts = emptyCounts()));
        addToCounts(counts, compliance.state);
      }
    }
    return {
      computedAt: this.now().toISOString(),
      fleet,
      regions: regions.filter((region) => byRegion.has(region.id)).map((region) => ({ regionId: region.id, name: region.name, parentId: region.parentId, counts: byRegion.get(region.id)! })),
      sites: [...bySite.values()].sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  site(siteId: string): SiteCompliance {
    if (this.store.siteName(siteId) === undefined) throw new NotFoundError('site', siteId);
    const parents = new Map(this.store.regions().map((region) => [region.id, region.parentId]));
    const devices = this.compute(this.store.complianceDevices(siteId), this.store.currentFirmware(siteId), parents);
    const counts = emptyCounts();
    for (const { compliance } of devices) addToCounts(counts, compliance.state);
    return { siteId, computedAt: this.now().toISOString(), counts, devices: devices.map((device) => device.compliance) };
  }

  device(deviceId: string): DeviceCompliance {
    const siteId = this.store.deviceSite(deviceId);
    if (siteId === undefined) throw new NotFoundError('device', deviceId);
    return this.site(siteId).devices.find((device) => device.deviceId === deviceId)!;
  }

  private compute(rows: readonly ComplianceDeviceRow[], firmware: readonly CurrentFirmwareRow[], parents: ReadonlyMap<number, number | null>): { row: ComplianceDeviceRow; compliance: DeviceCompliance }[] {
    const index = this.baselines.index();
    const byDevice = new Map<string, CurrentFirmwareRow[]>();
    for (const item of firmware) {
      const list = byDevice.get(item.deviceId);
      if (list) list.push(item);
      else byDevice.set(item.deviceId, [item]);
    }
    const regionBaseline = new Map<number | null, { id: number; name: string; scope: BaselineScope } | null>();
    const baselineOfRegion = (regionId: number | null) => {
      if (regionBaseline.has(regionId)) return regionBaseline.get(regionId)!;
      let found: { id: number; name: string; scope: BaselineScope } | null = null;
      for (let region = regionId; region !== null && !found; region = parents.get(region) ?? null) {
        const baseline = index.baselineOf('region', String(region));
        if (baseline) found = { ...baseline, scope: 'region' };
      }
      regionBaseline.set(regionId, found);
      return found;
    };
    return rows.map((row) => ({ row, compliance: deviceCompliance(row, byDevice.get(row.deviceId) ?? [], index, baselineOfRegion) }));
  }
}

function deviceCompliance(
  row: ComplianceDeviceRow,
  firmware: readonly CurrentFirmwareRow[],
  index: BaselineIndex,
  baselineOfRegion: (regionId: number | null) => { id: number; name: string; scope: BaselineScope } | null,
): DeviceCompliance {
  const site = index.baselineOf('site', row.siteId);
  const template = index.baselineOf('template', row.templateId);
  const baseline = site ? { ...site, scope: 'site' as const } : (baselineOfRegion(row.regionId) ?? (template ? { ...template, scope: 'template' as const } : null));
  const model = row.readModel ?? row.layoutModel;
  const entries = baseline && model ? index.entries(baseline.id, model) : [];
  const components = entries.map((entry) => {
    const found = componentFor(entry, firmware);
    const current = found?.version ?? null;
    return { component: entry.component, packageId: entry.packageId, target: entry.version, current, readAt: found?.readAt ?? null, state: complianceOf(current, entry.version) };
  });
  return { deviceId: row.deviceId, name: row.name, siteId: row.siteId, model, baseline, state: worstCompliance(components.map((component) => component.state)), components };
}

/** The device component a baseline entry (or a package) is about, as the device's last inventory read showed it. */
export function componentFor(entry: Pick<BaselineEntry, 'matches'>, firmware: readonly CurrentFirmwareRow[]): CurrentFirmwareRow | undefined {
  const matching = firmware.filter((item) => entry.matches.has(componentKey(item.componentId)) || entry.matches.has(item.name.toLowerCase()));
  // The firmware inventory's own entry before the manager's version (which only stands in where there is no inventory), then by id: the same one every time.
  return matching.sort((a, b) => Number(a.componentId.startsWith('redfish:manager:')) - Number(b.componentId.startsWith('redfish:manager:')) || a.componentId.localeCompare(b.componentId))[0];
}

/** "redfish:BMC" → "bmc", a BMC that names only its manager's firmware → "bmc", "ups" → "ups": the name a component goes by on its device. */
function componentKey(componentId: string): string {
  if (componentId.startsWith('redfish:manager:')) return 'bmc';
  return (componentId.split(':').filter((part) => part !== 'redfish' && part !== 'manager' && part !== 'firmware' && part !== 'software').at(-1) ?? componentId).toLowerCase();
}
