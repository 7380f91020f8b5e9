import { firstMember } from '../../../protocols/redfish/actions.js';
import { RedfishClient } from '../../../protocols/redfish/client.js';
import { boundedEach } from '../discovery.js';
import { say } from '../messages.js';
import type { WizardContext } from '../wizard-context.js';

const DEVICE_CONCURRENCY = 8;
const TIME_SKEW_OK_SECONDS = 60;

interface RedfishSecret {
  username: string;
  password: string;
}

/** Step 5: every device read again (health, clock against this computer); the site goes live and the report can be made. */
export async function verify(context: WizardContext, runId: string): Promise<void> {
  const { store, deps } = context;
  const row = context.requireStep(runId, 5);
  context.stepTime(runId, 5, false);
  await deps.monitor.pollSite(row.site_id!, 'inventory');
  const devices = context.connectedDevices(runId);
  await boundedEach(devices, DEVICE_CONCURRENCY, (device) => context.holding(runId, device.id, () => verifyDevice(device)));
  store.update(runId, (data) => {
    data.reportReady = true;
  });
  if (!store.hasFailures(runId, 5)) {
    context.stepTime(runId, 5, true);
    store.finish(runId, context.at());
    // The site is live: its cabinet gets its identity now, bound to the hardware this step just read (never throws).
    await deps.identities?.issueAtGoLive(row.site_id!);
  }
  deps.monitor.refreshTargets();
  context.publish(runId, 5, true);

  async function verifyDevice(device: (typeof devices)[number]): Promise<void> {
    const key = `verify:${device.id}`;
    context.item(runId, 5, key, device.name, 'running');
    const state = deps.cabinets.device(device.id);
    let detail = say('verified', { status: state.status });
    let ok = state.status === 'ok' || state.status === 'warning';
    // The poll above settled what it could; a change still unsettled means no password is known to open the BMC.
    const credentialId = device.protocol === 'redfish' && ok ? await context.openingCredential(device) : null;
    if (device.protocol === 'redfish' && ok && !credentialId) {
      ok = false;
      detail = say('passwordNotSettled');
    }
    if (device.protocol === 'redfish' && ok && credentialId) {
      const secret = deps.vault.open<RedfishSecret>(credentialId);
      const client = new RedfishClient({ url: device.endpoint!, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: 10_000 });
      try {
        const first = await firstMember(client, '/redfish/v1/Managers');
        const manager = first ? await client.get(first) : {};
        if (typeof manager.DateTime === 'string') {
          const skew = Math.round((Date.parse(manager.DateTime) - context.now().getTime()) / 1000);
          const inSync = Math.abs(skew) <= TIME_SKEW_OK_SECONDS;
          detail = inSync ? say('verifiedClock', { status: state.status }) : say('verifiedClockOff', { status: state.status, seconds: skew });
          context.finding(runId, `time:${device.id}`, inSync ? null : say('clockOff', { device: device.name, seconds: skew }));
        }
      } catch (error) {
        ok = false;
        detail = say('failed', { error: (error as Error).message });
      } finally {
        await client.close();
      }
    }
    context.item(runId, 5, key, device.name, ok ? 'done' : 'failed', detail);
  }
}
