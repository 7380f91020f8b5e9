import { z } from 'zod';
import { RedfishError } from '../../protocols/redfish/client.js';
import { DeviceUnreachableError, type DeviceService } from '../devices/device-service.js';
import { SiteUnreachableError, type OutboxAction, type OutboxService } from '../outbox/outbox-service.js';
import type { PlanStore } from './plan-store.js';

export const FIRMWARE_OUTBOX_ACTION = 'firmware.resume';

const Payload = z.object({ planId: z.number().int().positive(), deviceId: z.string().min(1), packageId: z.string().min(1) });
type Payload = z.infer<typeof Payload>;

/**
 * A plan step whose site could not be reached waits in the outbox, with the
 * site's other remote work, in order: when the site answers again the
 * outbox runs it, the step is released and the plan goes on (staging at
 * once, activation at the next window). The site page lists it with the
 * site's queued actions, "offline since".
 */
export class FirmwareOutbox {
  constructor(
    private readonly outbox: OutboxService,
    private readonly plans: PlanStore,
    private readonly devices: Pick<DeviceService, 'onBmc'>,
    private readonly now: () => Date,
    /** Told when a step is released, so that the plan does not wait for its next look. */
    private readonly released: () => void,
  ) {
    outbox.register(FIRMWARE_OUTBOX_ACTION, this.action());
  }

  /** Queues the step for its site; answers the outbox item's id. */
  queue(siteId: string, payload: Payload): number {
    return this.outbox.enqueue(siteId, FIRMWARE_OUTBOX_ACTION, payload, { groupId: `firmware-plan:${payload.planId}`, by: 'firmware plan' }).id;
  }

  private action(): OutboxAction<Payload> {
    return {
      parse: (payload) => Payload.parse(payload),
      // The site answers when a BMC its queued steps wait for answers (asked here, so that days offline cost no attempts).
      reachable: async (siteId) => {
        const deviceId = this.plans.queuedDevices(siteId)[0];
        if (!deviceId) return true;
        return this.devices.onBmc(deviceId, (client) => client.get('/redfish/v1/UpdateService')).then(
          () => true,
          (error: unknown) => {
            if (error instanceof DeviceUnreachableError || error instanceof RedfishError) throw new Error(error.message);
            throw error;
          },
        );
      },
      run: async (payload) => {
        const step = this.plans.devices(payload.planId).find((row) => row.deviceId === payload.deviceId && row.packageId === payload.packageId);
        if (!step || step.messageId !== 'EdgeCab.Queued') return { detail: 'the step no longer waits for its site' };
        try {
          await this.devices.onBmc(payload.deviceId, (client) => client.get('/redfish/v1/UpdateService'));
        } catch (error) {
          if (error instanceof DeviceUnreachableError || error instanceof RedfishError) throw new SiteUnreachableError(`${step.name}'s BMC does not answer: ${error.message}`);
          throw error;
        }
        this.plans.step(payload.planId, payload.deviceId, payload.packageId, { message: 'The site answers again: the step goes on', messageId: null }, this.now().toISOString());
        this.released();
        return { detail: `${step.name} answers again; plan ${payload.planId} goes on` };
      },
    };
  }
}
