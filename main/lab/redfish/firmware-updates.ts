import { ROOT, type Resource, type ResourceStore } from './store.js';

/** When a pushed image takes effect, as Redfish names it. */
export const LAB_APPLY_TIMES = ['Immediate', 'OnReset', 'AtMaintenanceWindowStart', 'OnStartUpdateRequest'] as const;
export type LabApplyTime = (typeof LAB_APPLY_TIMES)[number];

/** How a lab BMC takes firmware: what it declares it supports, and the faults field BMCs show. */
export interface LabFirmwareBehaviour {
  /** Declared in UpdateService (HttpPushUriOptions, SimpleUpdate's @Redfish.OperationApplyTimeSupport) and the only ones accepted; default Immediate and OnReset. */
  applyTimes?: LabApplyTime[];
  /** Updates refused with this message (400, Update.1.0.UpdateFailed). */
  refuseUpdates?: string | null;
  /** When an image takes effect the BMC resets: it drops every connection this long, then answers again with the new version. */
  resetDuringUpdateMs?: number;
  /** The image is accepted and the task completes, but the version stays what it was (a BMC that rolled back). */
  keepOldVersion?: boolean;
  /** Upload bodies are read no faster than this (a thin WAN). */
  uploadBytesPerSecond?: number;
  /** false: no MultipartHttpPushUri, as on BMCs that only pull (SimpleUpdate). */
  multipart?: boolean;
  /** SimpleUpdate downloads its ImageURI over HTTPS (off by default: older lab tests give made-up URIs, which must never be fetched). */
  pullImages?: boolean;
}

interface UpdateTask {
  path: string;
  finishAt: number;
  targets: string[];
  version: string;
  applyTime: LabApplyTime;
  windowStart: number | null;
  done: boolean;
}

export class LabUpdateError extends Error {
  constructor(
    message: string,
    readonly messageId: string,
  ) {
    super(message);
  }
}

/**
 * A lab BMC's firmware updates: tasks that run for a while, then apply the
 * image now, or keep it staged until the system or manager resets, the
 * maintenance window starts, or StartUpdate is asked — only in the ways the
 * BMC declared — with the faults of field BMCs.
 */
export class LabFirmwareUpdates {
  private readonly tasks = new Map<string, UpdateTask>();
  private readonly staged: UpdateTask[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private counter = 0;
  /** Until when the BMC is resetting (connections dropped). */
  rebootingUntil = 0;
  /** Images taken, images that took effect, and resets (system or manager) asked of this BMC. */
  readonly counts = { pushed: 0, applied: 0, resets: 0 };
  /** The image URIs SimpleUpdate pulled from, in order. */
  readonly pulled: string[] = [];
  /** Each time images took effect: when it began (a reset, an apply) and when the new version could be read. */
  readonly activations: { startedAt: number; visibleAt: number }[] = [];

  constructor(
    private readonly resources: ResourceStore,
    private current: LabFirmwareBehaviour,
    private readonly taskDurationMs: number,
    private readonly emit: (messageId: string, message: string, origin: string) => void,
    /** The BMC's own clock (it may be off): maintenance windows start by it. */
    private readonly clock: () => number = Date.now,
  ) {}

  get behaviour(): LabFirmwareBehaviour {
    return this.current;
  }

  /** Changed while running (a test's fault): UpdateService declares the new apply times at once. */
  set behaviour(behaviour: LabFirmwareBehaviour) {
    this.current = behaviour;
    const update = this.resources.peek(`${ROOT}/UpdateService`);
    if (update?.HttpPushUriOptions) this.advertise(this.resources.get(`${ROOT}/UpdateService`)!);
  }

  get applyTimes(): LabApplyTime[] {
    return this.current.applyTimes ?? ['Immediate', 'OnReset'];
  }

  /** What UpdateService declares: the apply times, and StartUpdate where OnStartUpdateRequest is one. */
  advertise(update: Resource): void {
    const values = this.applyTimes;
    if (this.current.multipart === false) delete update.MultipartHttpPushUri;
    else update.MultipartHttpPushUri ??= `${ROOT}/UpdateService/upload`;
    update.HttpPushUriOptions = { HttpPushUriApplyTime: { ApplyTime: values[0], 'ApplyTime@Redfish.AllowableValues': values } };
    const actions = (update.Actions ?? {}) as Resource;
    const simple = (actions['#UpdateService.SimpleUpdate'] ?? { target: `${ROOT}/UpdateService/Actions/UpdateService.SimpleUpdate` }) as Resource;
    simple['@Redfish.OperationApplyTimeSupport'] = { '@odata.type': '#Settings.v1_3_5.OperationApplyTimeSupport', SupportedValues: values };
    actions['#UpdateService.SimpleUpdate'] = simple;
    if (values.includes('OnStartUpdateRequest')) actions['#UpdateService.StartUpdate'] = { target: `${ROOT}/UpdateService/Actions/UpdateService.StartUpdate` };
    else delete actions['#UpdateService.StartUpdate'];
    update.Actions = actions;
  }

  /** A pushed image: a task, or a refusal in the BMC's words. */
  start(image: Buffer, parameters: Resource, user: string): Resource {
    if (this.current.refuseUpdates) throw new LabUpdateError(this.current.refuseUpdates, 'Update.1.0.UpdateFailed');
    const asked = parameters['@Redfish.OperationApplyTime'] ?? 'Immediate';
    const applyTime = LAB_APPLY_TIMES.find((value) => value === asked);
    if (!applyTime || !this.applyTimes.includes(applyTime)) {
      throw new LabUpdateError(`The value ${JSON.stringify(asked)} for the property @Redfish.OperationApplyTime is not in the list of acceptable values (${this.applyTimes.join(', ')})`, 'Base.1.8.PropertyValueNotInList');
    }
    const window = (parameters['@Redfish.MaintenanceWindow'] ?? {}) as Resource;
    const windowStart = typeof window.MaintenanceWindowStartTime === 'string' ? Date.parse(window.MaintenanceWindowStartTime) : NaN;
    if (applyTime === 'AtMaintenanceWindowStart' && !Number.isFinite(windowStart)) throw new LabUpdateError('AtMaintenanceWindowStart needs @Redfish.MaintenanceWindow.MaintenanceWindowStartTime', 'Base.1.8.PropertyMissing');
    const id = String(++this.counter);
    const path = `${ROOT}/TaskService/Tasks/fw${id}`;
    const version = /VERSION=([\w.-]+)/.exec(image.subarray(0, 4096).toString('utf8'))?.[1] ?? `lab-${id}`;
    const targets = (Array.isArray(parameters.Targets) ? parameters.Targets : []).map(String);
    this.tasks.set(path, { path, finishAt: Date.now() + this.taskDurationMs, targets, version, applyTime, windowStart: Number.isFinite(windowStart) ? windowStart : null, done: false });
    this.counts.pushed += 1;
    this.emit('TaskEvent.1.0.TaskStarted', `Firmware update started by ${user}`, path);
    return this.task(path)!;
  }

  /** A task monitor or Task resource as it stands now; null when there is no such task. */
  task(path: string): Resource | null {
    const task = this.tasks.get(path);
    if (!task) return null;
    const finished = Date.now() >= task.finishAt;
    if (finished && !task.done) {
      task.done = true;
      if (task.applyTime === 'Immediate') this.apply([task]);
      else if (task.applyTime === 'AtMaintenanceWindowStart') this.at(task.windowStart ?? this.clock(), () => this.apply([task]));
      else this.staged.push(task);
      this.emit('TaskEvent.1.0.TaskCompletedOK', `Firmware ${task.version} ${task.applyTime === 'Immediate' ? 'applied' : `staged (${task.applyTime})`}`, path);
    }
    const applies = task.applyTime === 'Immediate' ? 'applied' : task.applyTime === 'OnReset' ? 'will apply on reset' : task.applyTime === 'OnStartUpdateRequest' ? 'will apply on StartUpdate' : 'will apply at the maintenance window start';
    return {
      '@odata.id': path,
      Id: path.split('/').at(-1),
      Name: 'Firmware update',
      TaskState: finished ? 'Completed' : 'Running',
      TaskStatus: 'OK',
      PercentComplete: finished ? 100 : Math.min(99, Math.round(100 - ((task.finishAt - Date.now()) / Math.max(1, this.taskDurationMs)) * 100)),
      Messages: finished ? [{ MessageId: 'Update.1.0.UpdateSuccessful', Message: `Version ${task.version} ${applies}` }] : [],
    };
  }

  /** A system or manager reset: what waited for one takes effect. */
  reset(): void {
    this.counts.resets += 1;
    this.apply(this.take('OnReset'));
  }

  startUpdate(): number {
    const tasks = this.take('OnStartUpdateRequest');
    this.apply(tasks);
    return tasks.length;
  }

  /** Images staged and not yet in effect (what a dry run or a test looks at). */
  pending(): { version: string; applyTime: LabApplyTime }[] {
    return [...this.staged.map((task) => ({ version: task.version, applyTime: task.applyTime })), ...[...this.tasks.values()].filter((task) => !task.done).map((task) => ({ version: task.version, applyTime: task.applyTime }))];
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private take(applyTime: LabApplyTime): UpdateTask[] {
    const taken = this.staged.filter((task) => task.applyTime === applyTime);
    for (const task of taken) this.staged.splice(this.staged.indexOf(task), 1);
    return taken;
  }

  private at(time: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, Math.max(0, time - this.clock()));
    this.timers.add(timer);
  }

  private apply(tasks: UpdateTask[]): void {
    if (tasks.length === 0) return;
    const startedAt = Date.now();
    const write = () => {
      this.activations.push({ startedAt, visibleAt: Date.now() });
      for (const task of tasks) {
        this.counts.applied += 1;
        if (this.current.keepOldVersion) continue;
        const inventoryPath = `${ROOT}/UpdateService/FirmwareInventory`;
        const targets = task.targets.length ? task.targets : [...this.resources.keys()].filter((key) => key.startsWith(`${inventoryPath}/`) && /bmc/i.test(key)).slice(0, 1);
        for (const target of targets) {
          const item = this.resources.get(target.replace(/\/+$/, ''));
          if (item) item.Version = task.version;
        }
      }
    };
    const resetMs = this.current.resetDuringUpdateMs ?? 0;
    if (resetMs <= 0) return write();
    // The BMC resets to take its new firmware: gone for a while, then back with it.
    this.rebootingUntil = Date.now() + resetMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      write();
    }, resetMs);
    this.timers.add(timer);
  }
}
