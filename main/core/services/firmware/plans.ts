import { nextWindowStart, insideWindow, PlanInput, type DevicePlanStep, type PlanDetail, type PlanPreview, type PlanSummary } from '../../../../shared/domain/firmware-plans.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { FirmwarePlanner } from './planner.js';
import type { FirmwarePlanRunner } from './plan-runner.js';
import type { PlanRow, PlanStore } from './plan-store.js';

/** Firmware plans as users see them: the dry run, starting one, following it, cancelling it. */
export class FirmwarePlans {
  constructor(
    private readonly store: PlanStore,
    private readonly planner: FirmwarePlanner,
    readonly runner: FirmwarePlanRunner,
    private readonly now: () => Date,
  ) {}

  preview(input: PlanInput): Promise<PlanPreview> {
    return this.planner.preview(input);
  }

  /** Starts a plan from its dry run, as it would have listed it: nothing to upgrade is refused. */
  async create(raw: PlanInput, by: string | null): Promise<PlanDetail> {
    const input = PlanInput.parse(raw);
    const preview = await this.planner.preview(input);
    if (preview.devices.length === 0) {
      throw new InvalidInputError([{ field: 'targets', code: 'nothing_to_do', message: preview.excluded.length ? `Nothing to upgrade: ${preview.excluded.slice(0, 3).map((item) => `${item.name}: ${item.reason}`).join('; ')}` : 'Nothing to upgrade: no target device has a model the packages list' }]);
    }
    const id = this.store.insert({ name: input.name, window: input.window, waveSize: input.waveSize, failureThreshold: input.failureThreshold, createdAt: this.now().toISOString(), createdBy: by }, preview.devices);
    void this.runner.tick();
    return this.get(id);
  }

  list(): PlanSummary[] {
    return this.store.plans().map((plan) => this.summary(plan));
  }

  get(id: number): PlanDetail {
    const plan = this.store.plan(id);
    if (!plan) throw new NotFoundError('firmware plan', String(id));
    return { ...this.summary(plan), list: this.store.devices(id).map(({ planId: _planId, position: _position, ...device }) => device) };
  }

  /** A device's steps in plans, newest first (staged images waiting for their window among them). */
  deviceSteps(deviceId: string): DevicePlanStep[] {
    return this.store.deviceSteps(deviceId).map(({ position: _position, ...step }) => step);
  }

  /** Stops a plan: steps under way finish, nothing more starts. */
  cancel(id: number, by: string | null): PlanDetail {
    const plan = this.store.plan(id);
    if (!plan) throw new NotFoundError('firmware plan', String(id));
    if (plan.state !== 'running') throw new ConflictError(`The plan has ${plan.state} already`, 'id');
    this.store.end(id, 'cancelled', `Cancelled by ${by ?? 'EdgeCab'}; steps under way finish, nothing more starts`, this.now().toISOString());
    return this.get(id);
  }

  private summary(plan: PlanRow): PlanSummary {
    const phases = this.store.phases(plan.id);
    const at = this.now();
    return {
      ...plan,
      phases,
      devices: Object.values(phases).reduce((sum, count) => sum + count, 0),
      windowOpen: insideWindow(plan.window, at),
      nextWindow: plan.window ? nextWindowStart(plan.window, at).toISOString() : null,
    };
  }
}
