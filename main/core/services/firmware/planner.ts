import { PlanInput, type PlanApplyTime, type PlanDevice, type PlanPreview } from '../../../../shared/domain/firmware-plans.js';
import { compareFirmwareVersions, componentNames, modelKey, type FirmwareDescription } from '../../../../shared/domain/firmware-repository.js';
import { InvalidInputError } from '../../errors.js';
import { updateCapabilities, type FirmwareApplyTime, type UpdateCapabilities } from '../../protocols/redfish/firmware-update.js';
import type { DeviceService } from '../devices/device-service.js';
import { componentFor } from './compliance.js';
import type { FirmwareRepository } from './firmware-repository.js';
import type { ComplianceDeviceRow, CurrentFirmwareRow } from './firmware-store.js';

/** How many BMCs a dry run asks at once for their update capabilities. */
const ASK_AT_ONCE = 8;

/**
 * How an image goes to a BMC that declares these apply times. Staged ahead
 * where the BMC can hold it for later: OnReset (activated by the reset EdgeCab
 * makes inside the window), else OnStartUpdateRequest (activated by
 * StartUpdate). A BMC that can only apply at once, or only at its own
 * maintenance window start, is never staged as if it could wait: its image
 * is sent inside the window, when its turn in the cabinet comes.
 */
export function chooseApplyTime(declared: readonly FirmwareApplyTime[], withWindow: boolean): PlanApplyTime {
  // By hand (no window): at once where the BMC can.
  if (!withWindow && declared.includes('Immediate')) return 'Immediate';
  for (const choice of ['OnReset', 'OnStartUpdateRequest', 'Immediate', 'AtMaintenanceWindowStart'] as const) if (declared.includes(choice)) return choice;
  return 'Immediate';
}

/**
 * What each BMC last declared, for a minute: the dry run asks, and the plan
 * that follows at once does not ask again. Forgotten once a device took
 * new firmware (its update service may declare otherwise since).
 */
export class CapabilityCache {
  private readonly known = new Map<string, { capabilities: UpdateCapabilities; at: number }>();

  constructor(private readonly maxAgeMs = 60_000) {}

  get(deviceId: string): UpdateCapabilities | undefined {
    const entry = this.known.get(deviceId);
    return entry && Date.now() - entry.at <= this.maxAgeMs ? entry.capabilities : undefined;
  }

  set(deviceId: string, capabilities: UpdateCapabilities): void {
    this.known.set(deviceId, { capabilities, at: Date.now() });
  }

  forget(deviceId: string): void {
    this.known.delete(deviceId);
  }
}

export const isStagedApplyTime = (applyTime: PlanApplyTime | null): boolean => applyTime === 'OnReset' || applyTime === 'OnStartUpdateRequest';

/**
 * The dry run of a plan: every target device with its current and target
 * version, the bytes to send and the apply time that will be used (asked of
 * each BMC now), in waves; and every device left out with the reason. Nothing
 * is sent, nothing is kept.
 */
export class FirmwarePlanner {
  constructor(
    private readonly repository: FirmwareRepository,
    private readonly devices: Pick<DeviceService, 'onBmc'>,
    private readonly known: CapabilityCache,
    /** The name of the running plan a device is in, if any. */
    private readonly inRunningPlan: (deviceId: string) => string | null,
    /** A region and every region below it (RegionService.subtreeIds). */
    private readonly subtreeIds: (regionId: number) => ReadonlySet<number>,
  ) {}

  async preview(raw: PlanInput): Promise<PlanPreview> {
    const input = PlanInput.parse(raw);
    const store = this.repository.store;
    const packageIds = new Set(input.packageIds);
    if (input.baselineId !== null) {
      if (!store.baseline(input.baselineId)) throw new InvalidInputError([{ field: 'baselineId', code: 'unknown_baseline', message: `No baseline ${input.baselineId}` }]);
      for (const row of store.baselinePackages()) if (row.baselineId === input.baselineId) packageIds.add(row.packageId);
    }
    const packages = [...packageIds].map((id) => {
      const { description, path } = this.repository.imageOf(id);
      if (!path) throw new InvalidInputError([{ field: 'packageIds', code: 'image_missing', message: `${description.vendor} ${description.component} ${description.version}: its image was never uploaded; upload it first` }]);
      // Artifacts that leave for a site are signed: an unsigned package stays in the repository, for compliance, but is never sent.
      if (!description.signature) throw new InvalidInputError([{ field: 'packageIds', code: 'unsigned', message: `${description.vendor} ${description.component} ${description.version} is not signed; only packages signed by a trusted publisher are sent to devices` }]);
      return { id, description, matches: componentNames(description), models: new Set(description.appliesTo.models.map(modelKey)) };
    });
    const inRegions = new Set<number>(input.targets.regionIds.flatMap((id) => [...this.subtreeIds(id)]));
    const models = new Set(input.targets.models.map(modelKey));
    const targeted = (row: ComplianceDeviceRow) =>
      input.targets.deviceIds.includes(row.deviceId) ||
      input.targets.siteIds.includes(row.siteId) ||
      (row.regionId !== null && inRegions.has(row.regionId)) ||
      models.has(`template:${row.templateId}`) ||
      [row.readModel, row.layoutModel].some((model) => model !== null && models.has(modelKey(model)));
    const firmware = new Map<string, CurrentFirmwareRow[]>();
    for (const item of store.currentFirmware()) firmware.set(item.deviceId, [...(firmware.get(item.deviceId) ?? []), item]);

    const rows: Omit<PlanDevice, 'wave'>[] = [];
    const excluded: PlanPreview['excluded'] = [];
    const devices = store.complianceDevices().filter(targeted).sort((a, b) => a.siteName.localeCompare(b.siteName) || a.cabinetId.localeCompare(b.cabinetId) || b.position - a.position);
    for (const device of devices) {
      const model = device.readModel ?? device.layoutModel;
      const mine = packages.filter((item) => model !== null && item.models.has(modelKey(model)));
      if (mine.length === 0) {
        if (input.targets.deviceIds.includes(device.deviceId)) excluded.push({ deviceId: device.deviceId, name: device.name, reason: `no chosen package lists its model (${model ?? 'not read yet'})` });
        continue;
      }
      if (device.protocol !== 'redfish') {
        excluded.push({ deviceId: device.deviceId, name: device.name, reason: 'it has no BMC: EdgeCab upgrades firmware through Redfish' });
        continue;
      }
      for (const item of mine) {
        const current = componentFor(item, firmware.get(device.deviceId) ?? []);
        if (!current) {
          excluded.push({ deviceId: device.deviceId, name: device.name, reason: `its inventory has not shown a ${item.description.component} yet: read the device first (an image is never sent where it may not apply)` });
          continue;
        }
        const order = compareFirmwareVersions(current.version, item.description.version);
        if (order === 0) {
          excluded.push({ deviceId: device.deviceId, name: device.name, reason: `already runs ${item.description.component} ${current.version}` });
          continue;
        }
        if (order > 0) {
          excluded.push({ deviceId: device.deviceId, name: device.name, reason: `runs ${item.description.component} ${current.version}, newer than ${item.description.version}: a plan never downgrades` });
          continue;
        }
        const busy = this.inRunningPlan(device.deviceId);
        if (busy) {
          excluded.push({ deviceId: device.deviceId, name: device.name, reason: `it is in the running plan "${busy}": one plan at a time per device` });
          continue;
        }
        rows.push(planRow(device, model, item.id, item.description, current));
      }
    }
    await this.askApplyTimes(rows, input.window !== null);
    // A BMC that takes images neither way would only fail at staging: it is left out now, saying why.
    for (const row of rows.filter((item) => item.message === 'EdgeCab.NoUpdate')) {
      excluded.push({ deviceId: row.deviceId, name: row.name, reason: 'its BMC offers neither MultipartHttpPushUri nor UpdateService.SimpleUpdate' });
      rows.splice(rows.indexOf(row), 1);
    }
    // Waves of at most waveSize devices; a device's packages stay in one wave.
    let wave = 0;
    let inWave = new Set<string>();
    const planned: PlanDevice[] = rows.map((row) => {
      if (!inWave.has(row.deviceId) && inWave.size >= input.waveSize) {
        wave += 1;
        inWave = new Set();
      }
      inWave.add(row.deviceId);
      return { ...row, wave };
    });
    return { devices: planned, excluded, waves: planned.length === 0 ? 0 : wave + 1, bytes: planned.reduce((sum, row) => sum + row.bytes, 0) };
  }

  /** Each BMC once: what it declares; one that cannot be asked now is asked again when the plan reaches it. */
  private async askApplyTimes(rows: Omit<PlanDevice, 'wave'>[], withWindow: boolean): Promise<void> {
    const deviceIds = [...new Set(rows.map((row) => row.deviceId))];
    const answers = new Map<string, UpdateCapabilities | Error>();
    let next = 0;
    const worker = async () => {
      while (next < deviceIds.length) {
        const deviceId = deviceIds[next++]!;
        const answer = await this.devices.onBmc(deviceId, (client) => updateCapabilities(client)).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
        // A BMC that cannot be asked now is asked again when the plan reaches it, not answered from an older look.
        if (answer instanceof Error) this.known.forget(deviceId);
        else this.known.set(deviceId, answer);
        answers.set(deviceId, answer);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ASK_AT_ONCE, deviceIds.length) }, worker));
    for (const row of rows) {
      const answer = answers.get(row.deviceId);
      if (!answer || answer instanceof Error) {
        row.message = `Not reachable now (${answer?.message ?? 'not asked'}); asked again when the plan reaches it`;
        continue;
      }
      if (!answer.multipartUri && !answer.simpleUpdateUri) {
        row.message = 'EdgeCab.NoUpdate';
        continue;
      }
      row.applyTime = chooseApplyTime(answer.applyTimes, withWindow);
      row.applyTimeSource = `${answer.applyTimes.join(', ')} (${answer.declaredBy})`;
    }
  }
}

function planRow(device: ComplianceDeviceRow, model: string | null, packageId: string, description: FirmwareDescription, current: CurrentFirmwareRow): Omit<PlanDevice, 'wave'> {
  return {
    deviceId: device.deviceId,
    name: device.name,
    siteId: device.siteId,
    siteName: device.siteName,
    cabinetId: device.cabinetId,
    model,
    packageId,
    component: description.component,
    current: current.version,
    target: description.version,
    bytes: description.image.sizeBytes,
    applyTime: null,
    applyTimeSource: null,
    staged: false,
    phase: 'pending',
    message: null,
    messageId: null,
    updatedAt: current.readAt,
  };
}
