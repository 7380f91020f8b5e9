import { SnmpError } from '../session.js';

export type SecureStepName =
  | 'engine'
  | 'user-remove'
  | 'user-create'
  | 'user-clone'
  | 'user-keys'
  | 'user-activate'
  | 'user'
  | 'access'
  | 'verify-user'
  | 'inform-user'
  | 'notify'
  | 'communities'
  | 'factory-user'
  | 'verify';

/** One thing done (or refused) on the device. */
export interface SecureStep {
  step: SecureStepName;
  ok: boolean;
  detail: string;
  /** The device's own words when it refused: error-status and index, or the USM report. */
  deviceError?: string;
  /** False when the change holds only until the agent restarts. */
  lasting?: boolean;
}

/** Thrown inside a run to stop it after a refusal that was already recorded. */
export class StepFailed extends Error {
  constructor(readonly step: SecureStep) {
    super(step.detail);
  }
}

/** The step log of one run; `onStep` sees each step as it is recorded (and may throw, which ends the run there). */
export class StepLog {
  readonly steps: SecureStep[] = [];

  constructor(private readonly onStep?: (step: SecureStep) => void) {}

  record(step: SecureStep): SecureStep {
    this.steps.push(step);
    this.onStep?.(step);
    return step;
  }

  ok(step: SecureStepName, detail: string, lasting?: boolean): void {
    this.record({ step, ok: true, detail, ...(lasting === undefined ? {} : { lasting }) });
  }

  /** Records a refusal and stops the run. */
  fail(step: SecureStepName, detail: string, error?: unknown): never {
    const deviceError = error instanceof SnmpError ? error.message : undefined;
    const reason = error && !deviceError ? `: ${(error as Error).message ?? String(error)}` : '';
    throw new StepFailed(this.record({ step, ok: false, detail: `${detail}${reason}`, ...(deviceError ? { deviceError } : {}) }));
  }

  /** Runs one device operation; a refusal becomes a failed step with the device's error. */
  async run<T>(step: SecureStepName, failure: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StepFailed) throw error;
      return this.fail(step, failure, error);
    }
  }

  get allOk(): boolean {
    return this.steps.every((step) => step.ok);
  }
}
