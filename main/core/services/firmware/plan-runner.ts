import { firmwareComponents } from '../../../../shared/domain/firmware.js';
import { currentWindowStart, insideWindow, windowEnd, type PlanApplyTime } from '../../../../shared/domain/firmware-plans.js';
import { compareFirmwareVersions, componentNames, modelKey } from '../../../../shared/domain/firmware-repository.js';
import type { Disposable, FailureReporter } from '../../lib/disposable.js';
import { firstMember, resetManager, resetSystem } from '../../protocols/redfish/actions.js';
import { RedfishError, type RedfishClient } from '../../protocols/redfish/client.js';
import { FirmwareRefusedError, followTask, pushImage, simpleUpdatePull, startUpdate, updateCapabilities, type PushOptions, type UpdateCapabilities } from '../../protocols/redfish/firmware-update.js';
import type { FirmwareImageServer } from './image-server.js';
import { DeviceUnreachableError, type DeviceService } from '../devices/device-service.js';
import { componentFor } from './compliance.js';
import type { FirmwareRepository } from './firmware-repository.js';
import { chooseApplyTime, isStagedApplyTime, type CapabilityCache } from './planner.js';
import type { PlanDeviceRow, PlanRow, PlanStore } from './plan-store.js';

export interface PlanRunnerOptions {
  /** How often running plans are looked at. */
  tickMs?: number;
  /** How many images one plan sends at once. */
  stagingAtOnce?: number;
  /** How long a BMC may take to come back and show its new version after an activation. */
  activationTimeoutMs?: number;
  /** A device that could not be reached is tried again after this long. */
  retryAfterMs?: number;
  /** Pause between looks at a BMC that has not come back yet (grows to this). */
  backoffMaxMs?: number;
  /** A BMC that stays up showing its old version this long after an activation kept it. */
  oldVersionSettleMs?: number;
  /** No activation starts with less of the window left than this (an image may still have to be sent). */
  windowReserveMs?: number;
}

const FINAL = new Set(['verified', 'failed', 'skipped']);
const BMC_COMPONENT = /\b(bmc|manager|idrac|ilo|xcc|ibmc|hdm)\b/i;

/**
 * Runs firmware plans, step by step and durably: the devices of the current
 * wave are staged (pushed to wait for OnReset or StartUpdate — nothing is
 * reset), then, only inside the maintenance window, activated one server per
 * cabinet at a time: the next only when the one before is back, healthy and
 * reports the target version, read from its inventory (which also updates
 * compliance). A BMC that resets on the way is waited for with backoff; a
 * task it forgets is settled by reading the inventory; a BMC that keeps its
 * old version fails, and the plan stops once its failure threshold is met.
 */
export class FirmwarePlanRunner implements Disposable {
  private readonly busy = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private disposed = false;
  private readonly options: Required<PlanRunnerOptions>;

  constructor(
    private readonly plans: PlanStore,
    private readonly repository: FirmwareRepository,
    private readonly devices: Pick<DeviceService, 'onBmc' | 'refresh'>,
    private readonly known: CapabilityCache,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
    options: PlanRunnerOptions = {},
    /** Where a step whose site cannot be reached waits (the outbox); answers the queued item's id. */
    private readonly queue: ((siteId: string, step: { planId: number; deviceId: string; packageId: string }) => number) | null = null,
    /** EdgeCab's image server, for BMCs that only pull (SimpleUpdate). */
    private readonly images: FirmwareImageServer | null = null,
  ) {
    this.options = { tickMs: 5_000, stagingAtOnce: 4, activationTimeoutMs: 20 * 60_000, retryAfterMs: 60_000, backoffMaxMs: 10_000, oldVersionSettleMs: 3 * 60_000, windowReserveMs: 10 * 60_000, ...options };
  }

  start(): void {
    if (this.timer) return;
    this.plans.resumeInterrupted(this.now().toISOString());
    const loop = () => {
      this.timer = setTimeout(() => {
        void this.tick().finally(() => {
          if (this.timer) loop();
        });
      }, this.options.tickMs);
      this.timer.unref();
    };
    loop();
  }

  /** Looks at every running plan once (a tick in progress is joined, not doubled). */
  tick(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.ticking ??= (async () => {
      try {
        for (const plan of this.plans.running()) this.advance(plan);
      } catch (error) {
        this.report('firmware.plans', error);
      }
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  /** Resolves once no step of any plan is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy.values()]);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.settled();
    await this.images?.dispose();
  }

  private advance(plan: PlanRow): void {
    const at = this.now();
    const rows = this.plans.devices(plan.id);
    const failed = rows.filter((row) => row.phase === 'failed').length;
    if (failed >= plan.failureThreshold) {
      if (this.runningSteps(plan.id) === 0) {
        const staged = rows.filter((row) => row.phase === 'staged').length;
        this.plans.end(plan.id, 'stopped', `${failed} device(s) failed (threshold ${plan.failureThreshold}); nothing more is activated${staged ? `. ${staged} image(s) stay staged on their BMCs and would apply on their next reset` : ''}`, at.toISOString());
      }
      return;
    }
    if (rows.every((row) => FINAL.has(row.phase))) {
      if (this.runningSteps(plan.id) === 0) this.plans.end(plan.id, 'completed', null, at.toISOString());
      return;
    }
    const wave = Math.min(...rows.filter((row) => !FINAL.has(row.phase)).map((row) => row.wave));
    const current = rows.filter((row) => row.wave === wave);
    // Staging: the images of this wave, a few at a time; nothing is reset.
    let staging = current.filter((row) => row.phase === 'staging' || (row.phase === 'pending' && this.isBusy(row))).length;
    for (const row of current) {
      if (staging >= this.options.stagingAtOnce) break;
      if (row.phase !== 'pending' || this.isBusy(row) || this.waitingToRetry(row, at)) continue;
      staging += 1;
      this.run(row, () => this.stage(plan, row));
    }
    // Activation: inside the window only, with enough of it left, one server per cabinet at a time, in order.
    if (!insideWindow(plan.window, at)) return;
    if (plan.window && windowEnd(plan.window, at).getTime() - at.getTime() < this.options.windowReserveMs) return;
    // Cabinets with a server being activated, in this plan or any other running one: never two servers of a cabinet at once.
    const activeCabinets = new Set(
      this.plans
        .activeSteps()
        .filter((row) => row.phase === 'activating' || row.phase === 'verifying' || this.isBusy(row))
        .filter((row) => row.phase !== 'pending' && row.phase !== 'staging')
        .map((row) => row.cabinetId),
    );
    for (const row of current) {
      if (row.phase === 'verifying' && !this.isBusy(row)) {
        activeCabinets.add(row.cabinetId);
        this.run(row, () => this.verify(plan, row));
        continue;
      }
      if ((row.phase !== 'staged' && row.phase !== 'waiting') || activeCabinets.has(row.cabinetId) || this.isBusy(row) || this.waitingToRetry(row, at)) continue;
      // A device's other packages of this wave are staged first; its activations then follow one another (each package its own).
      if (current.some((other) => other.deviceId === row.deviceId && (other.phase === 'pending' || other.phase === 'staging'))) continue;
      activeCabinets.add(row.cabinetId);
      this.run(row, () => this.activate(plan, row));
    }
  }

  private key(row: PlanDeviceRow): string {
    return `${row.planId}:${row.deviceId}:${row.packageId}`;
  }

  private isBusy(row: PlanDeviceRow): boolean {
    return this.busy.has(this.key(row));
  }

  private runningSteps(planId: number): number {
    return [...this.busy.keys()].filter((key) => key.startsWith(`${planId}:`)).length;
  }

  private waitingToRetry(row: PlanDeviceRow, at: Date): boolean {
    // Queued in the outbox: released when its site answers again.
    if (row.messageId === 'EdgeCab.Queued') return true;
    return row.messageId === 'EdgeCab.Unreachable' && at.getTime() - Date.parse(row.updatedAt) < this.options.retryAfterMs;
  }

  private run(row: PlanDeviceRow, step: () => Promise<void>): void {
    const key = this.key(row);
    const running = step()
      .catch((error: unknown) => this.report('firmware.plans', error))
      .finally(() => {
        this.busy.delete(key);
        // The next step (the next server of the cabinet, the next wave) need not wait for the next tick.
        void this.tick();
      });
    this.busy.set(key, running);
  }

  private write(row: PlanDeviceRow, change: Parameters<PlanStore['step']>[3]): void {
    this.plans.step(row.planId, row.deviceId, row.packageId, change, this.now().toISOString());
  }

  /** What the BMC declares, asked again where the dry run could not, and the apply time chosen from it. */
  private async capabilities(plan: PlanRow, row: PlanDeviceRow, client: RedfishClient): Promise<{ capabilities: UpdateCapabilities; applyTime: PlanApplyTime }> {
    let capabilities = this.known.get(row.deviceId);
    if (!capabilities) this.known.set(row.deviceId, (capabilities = await updateCapabilities(client)));
    const chosen = chooseApplyTime(capabilities.applyTimes, plan.window !== null);
    // The dry run's choice holds while the BMC still declares it; a BMC that changed its mind is followed.
    const applyTime = row.applyTime && capabilities.applyTimes.includes(row.applyTime) ? row.applyTime : chosen;
    if (applyTime !== row.applyTime) this.write(row, { applyTime, applyTimeSource: `${capabilities.applyTimes.join(', ')} (${capabilities.declaredBy})` });
    return { capabilities, applyTime };
  }

  private async stage(plan: PlanRow, row: PlanDeviceRow): Promise<void> {
    try {
      this.stillApplies(row);
      const image = this.verifiedImage(row);
      await this.devices.onBmc(row.deviceId, async (client) => {
        const { capabilities, applyTime } = await this.capabilities(plan, row, client);
        if (!isStagedApplyTime(applyTime)) {
          this.write(row, { phase: 'waiting', message: `The BMC applies images only ${applyTime === 'Immediate' ? 'at once' : 'at its own maintenance window start'}: its image is sent inside the window, when its turn in the cabinet comes`, messageId: null });
          return;
        }
        this.write(row, { phase: 'staging', message: `Sending ${row.bytes} bytes to wait for ${applyTime}`, messageId: null });
        let lastPercent = -1;
        const sending = await this.send(client, capabilities, image, {
          targets: [],
          applyTime,
          sha256: image.sha256,
          onSent: (bytes) => {
            const percent = Math.floor((bytes / Math.max(1, row.bytes)) * 100);
            if (percent >= lastPercent + 10) {
              lastPercent = percent;
              this.write(row, { message: `Sending: ${Math.min(100, percent)} %` });
            }
          },
        });
        let end;
        try {
          end = sending.task ? await followTask(client, sending.task, { timeoutMs: this.options.activationTimeoutMs, pauseMs: (attempt) => this.backoff(attempt) }) : { state: 'Completed' as const, messages: [] };
        } finally {
          sending.withdraw();
        }
        if (end.state === 'Failed') return this.write(row, { phase: 'failed', message: end.message, messageId: end.messageId });
        this.write(row, { phase: 'staged', staged: true, message: applyTime === 'OnReset' ? 'Staged: waits for the reset EdgeCab makes inside the window' : 'Staged: waits for StartUpdate inside the window', messageId: null });
      });
    } catch (error) {
      this.stepFailed(row, error, 'pending');
    }
  }

  private async activate(plan: PlanRow, row: PlanDeviceRow): Promise<void> {
    const window = plan.window ? ` (window until ${windowEnd(plan.window, this.now()).toISOString()})` : '';
    // Whether the activation reached the BMC (a reset, StartUpdate or the push was sent): before that, an unreachable BMC only has to be waited for.
    let sent = false;
    try {
      this.stillApplies(row);
      this.write(row, { phase: 'activating', message: `Activating${window}`, messageId: null });
      await this.devices.onBmc(row.deviceId, async (client) => {
        // What was staged is activated the way it was staged; only an image not yet sent may follow what the BMC declares now.
        if (row.staged && row.applyTime === 'OnReset') {
          sent = true;
          return this.reset(client, row);
        }
        if (row.staged && row.applyTime === 'OnStartUpdateRequest') {
          sent = true;
          let staged = this.known.get(row.deviceId);
          if (!staged) this.known.set(row.deviceId, (staged = await updateCapabilities(client)));
          return startUpdate(client, staged);
        }
        const { capabilities, applyTime: declared } = await this.capabilities(plan, row, client);
        const applyTime = isStagedApplyTime(declared) ? (capabilities.applyTimes.includes('Immediate') ? 'Immediate' : 'AtMaintenanceWindowStart') : declared;
        const image = this.verifiedImage(row);
        // AtMaintenanceWindowStart: the window now open, from its start (so it applies at once) for its length.
        const at = this.now();
        const window = plan.window ? { start: currentWindowStart(plan.window, at), seconds: plan.window.minutes * 60 } : { start: at, seconds: 3600 };
        // Sent once a byte of the image went out, or the BMC took the pull (a login refused by a BMC gone dark sent nothing).
        const sending = await this.send(client, capabilities, image, { targets: [], applyTime, window, sha256: image.sha256, onSent: () => (sent = true) });
        sent = true;
        try {
          if (!sending.task) return;
          const end = await followTask(client, sending.task, { timeoutMs: this.options.activationTimeoutMs, pauseMs: (attempt) => this.backoff(attempt) });
          if (end.state === 'Failed') throw new FirmwareRefusedError(end.message, end.messageId, 200);
        } finally {
          sending.withdraw();
        }
      });
      this.write(row, { phase: 'verifying', message: 'Waiting for the device to come back and show its new version', messageId: null });
    } catch (error) {
      // An activation cut off by the BMC going away (it may be resetting to take the image) is settled by reading it back; anything else (the BMC refused, the image changed on disk) is a failure.
      if (!outOfReach(error)) return this.stepFailed(row, error, 'failed');
      if (!sent) return this.unreachable({ ...row, phase: row.staged ? 'staged' : 'waiting' }, error);
      this.write(row, { phase: 'verifying', message: `The BMC went away during the activation (${(error as Error).message}); reading it back`, messageId: null });
    }
    await this.verify(plan, row);
  }

  /** The image to the BMC: pushed to MultipartHttpPushUri, or offered on EdgeCab's image server for SimpleUpdate to pull where that is all the BMC has. */
  private async send(client: RedfishClient, capabilities: UpdateCapabilities, image: { path: string; fileName: string; sha256: string }, options: PushOptions): Promise<{ task: string | null; withdraw: () => void }> {
    if (capabilities.multipartUri || !capabilities.simpleUpdateUri || !this.images) return { task: await pushImage(client, capabilities, image, options), withdraw: () => undefined };
    const offer = await this.images.offer(new URL(client.url).hostname.replace(/^\[|\]$/g, ''), image);
    try {
      return { task: await simpleUpdatePull(client, capabilities, offer.url, options), withdraw: offer.withdraw };
    } catch (error) {
      offer.withdraw();
      throw error;
    }
  }

  /** OnReset: the BMC's own firmware takes a manager reset; anything else a graceful restart of the server (forced where only that is allowed). */
  private async reset(client: RedfishClient, row: PlanDeviceRow): Promise<void> {
    if (BMC_COMPONENT.test(row.component)) {
      const manager = await firstMember(client, '/redfish/v1/Managers');
      if (manager) {
        await resetManager(client, manager, 'GracefulRestart').catch((error: unknown) => (notAllowed(error) ? resetManager(client, manager, 'ForceRestart') : Promise.reject(error)));
        return;
      }
    }
    const system = await firstMember(client, '/redfish/v1/Systems');
    if (!system) throw new FirmwareRefusedError('The BMC shows no computer system to restart', null, 404);
    await resetSystem(client, system, 'GracefulRestart').catch((error: unknown) => (notAllowed(error) ? resetSystem(client, system, 'ForceRestart') : Promise.reject(error)));
  }

  /** Back, healthy and at the target version, read from the device's inventory; waited for with backoff until the activation's time is up. */
  private async verify(plan: PlanRow, row: PlanDeviceRow): Promise<void> {
    // Whatever it took, the BMC may declare otherwise now.
    this.known.forget(row.deviceId);
    const started = Date.now();
    const until = started + this.options.activationTimeoutMs;
    // A BMC still shows its old version for a while (a BIOS flashes only as the host boots, a BMC answers before it resets):
    // "kept the old version" once it went away and came back with it, or showed it for oldVersionSettleMs.
    let wentAway = false;
    for (let attempt = 1; ; attempt += 1) {
      if (this.disposed) return;
      let reading;
      try {
        // Answering at all first: a full read of a BMC still resetting would be kept as the device unreachable.
        await this.devices.onBmc(row.deviceId, (client) => client.get('/redfish/v1/UpdateService'));
        reading = await this.devices.refresh(row.deviceId);
      } catch (error) {
        reading = null;
        wentAway = true;
        this.write(row, { message: `Not back yet (${(error as Error).message})` });
      }
      if (reading && reading.status !== 'unreachable' && reading.redfish) {
        const components = firmwareComponents(reading).map((component) => ({ ...component, deviceId: row.deviceId, readAt: reading.observedAt }));
        const found = componentFor({ matches: componentNames(this.repository.imageOf(row.packageId).description) }, components);
        const health = reading.redfish.systems[0]?.status.health;
        if (found && compareFirmwareVersions(found.version, row.target) === 0) {
          if (health === 'Critical') return this.write(row, { phase: 'failed', message: `Runs ${row.target}, but the server reports its health Critical`, messageId: null });
          return this.write(row, { phase: 'verified', message: `Runs ${row.target} (read ${reading.observedAt})`, messageId: null });
        }
        // Back after going away, or answering long enough, and the old version still there: the BMC kept it (rolled back, or the image did not take).
        if (found && (wentAway || Date.now() - started >= this.options.oldVersionSettleMs)) {
          return this.write(row, { phase: 'failed', message: `The BMC took the image but still runs ${found.version}, not ${row.target}`, messageId: null });
        }
        if (found) this.write(row, { message: `Still shows ${found.version}; waiting for the new version` });
      } else if (reading) {
        wentAway = true;
        this.write(row, { message: `Not back yet (${reading.error ?? reading.status})` });
      }
      if (Date.now() > until) return this.write(row, { phase: 'failed', message: `Not back at ${row.target} within ${Math.round(this.options.activationTimeoutMs / 60_000)} min`, messageId: null });
      await new Promise((resolve) => setTimeout(resolve, this.backoff(attempt)));
      if (this.plans.plan(plan.id)?.state !== 'running') return;
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.backoffMaxMs, 250 * 2 ** Math.max(0, attempt));
  }

  /** The device is still one the package applies to (its model as last read: a server swapped since the plan was made is not sent the image). */
  private stillApplies(row: PlanDeviceRow): void {
    const model = this.plans.deviceModel(row.deviceId);
    const { description } = this.repository.imageOf(row.packageId);
    if (model === null || !description.appliesTo.models.some((listed) => modelKey(listed) === modelKey(model))) {
      throw new NotApplicableError(`The device now reports model ${model ?? '(none)'}, which ${description.vendor} ${description.component} ${description.version} does not list: nothing was sent`);
    }
  }

  /** The image, its signature checked again against a trusted publisher: what leaves is what was signed. */
  private verifiedImage(row: PlanDeviceRow): { path: string; fileName: string; sha256: string } {
    const { description, path } = this.repository.imageForSending(row.packageId);
    return { path, fileName: description.image.fileName, sha256: description.image.sha256 };
  }

  /** The step's BMC cannot be reached before anything was sent: the step waits in the outbox for its site (or, without one, is tried again shortly), in the phase it was in. */
  private unreachable(row: PlanDeviceRow, error: unknown): void {
    const why = (error as Error).message;
    if (this.queue) {
      const item = this.queue(row.siteId, { planId: row.planId, deviceId: row.deviceId, packageId: row.packageId });
      return this.write(row, { phase: row.phase, message: `Not reachable (${why}): queued in the outbox (#${item}); goes on when the site answers again, activation at the next window`, messageId: 'EdgeCab.Queued' });
    }
    this.write(row, { phase: row.phase, message: `Not reachable (${why}); tried again shortly`, messageId: 'EdgeCab.Unreachable' });
  }

  /** A refusal (the BMC's, or EdgeCab's own checks) fails the step; a BMC out of reach is tried again shortly, at the next window if this one closes. */
  private stepFailed(row: PlanDeviceRow, error: unknown, otherwise: 'pending' | 'failed'): void {
    if (error instanceof FirmwareRefusedError) return this.write(row, { phase: 'failed', message: error.message, messageId: error.messageId });
    if (otherwise === 'pending' && outOfReach(error)) return this.unreachable({ ...row, phase: 'pending' }, error);
    this.write(row, { phase: 'failed', message: (error as Error).message, messageId: null });
  }
}

class NotApplicableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotApplicableError';
  }
}

const REACH_CODES = new Set(['timeout', 'connection', 'tls', 'http', 'aborted']);

/** Only a BMC that does not allow a graceful restart gets a forced one; a graceful restart that timed out may be under way. */
const notAllowed = (error: unknown): boolean => error instanceof RedfishError && error.code === 'not_allowed';

function outOfReach(error: unknown): boolean {
  if (error instanceof DeviceUnreachableError) return REACH_CODES.has(error.reason);
  return error instanceof RedfishError && REACH_CODES.has(error.code);
}
