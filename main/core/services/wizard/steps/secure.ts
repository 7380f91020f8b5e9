import type { z } from 'zod';
import type { SnmpV3Credentials } from '../../../../../shared/domain/snmp.js';
import type { WizardSecureInput } from '../../../../../shared/domain/wizard.js';
import { localAddressToward } from '../../../lib/local-address.js';
import { secureAgent, type SecureStep } from '../../../protocols/snmp/admin/secure-agent.js';
import { ConflictError } from '../../../errors.js';
import { RotationUnsettledError, strongPassword } from '../../credentials/rotation.js';
import { splitEndpoint } from '../../devices/endpoint.js';
import { boundedEach } from '../discovery.js';
import { say } from '../messages.js';
import type { WizardContext } from '../wizard-context.js';

const DEVICE_CONCURRENCY = 8;

type Device = ReturnType<WizardContext['connectedDevices']>[number];

interface SiteUser {
  user: string;
  authKey: string;
  privKey: string;
  /** Kept sealed in the vault between runs (a re-run must use the same passphrases). */
  credentialId: string;
}

/** The site's SNMPv3 user: the one the user gave, else one EdgeCab makes (name from the site code, passphrases from the CSPRNG), kept sealed for re-runs. */
function siteUser(context: WizardContext, runId: string, siteCode: string, given: z.output<typeof WizardSecureInput>['snmpV3']): SiteUser {
  const { store, deps } = context;
  const data = store.data(runId);
  const keptId = data.siteUserCredentialId ?? null;
  // A re-run (a retry, going back) keeps the site user the devices already have, whoever chose it.
  if (!given && keptId) {
    return { ...deps.vault.open<{ v3: { user: string; authKey: string; privKey: string } }>(keptId).v3, credentialId: keptId };
  }
  const user = given?.user ?? `edgecab-${siteCode.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 32);
  const secret = { user, authKey: given?.authKey ?? strongPassword(24), privKey: given?.privKey ?? strongPassword(24) };
  const credentialId = deps.vault.store('snmp', { version: '3', v3: secret }, { replaceId: keptId, origin: 'rotated' });
  store.update(runId, (stored) => {
    stored.siteUserCredentialId = credentialId;
    stored.inputs = { ...stored.inputs, secure: { snmpUser: user, authProtocol: given?.authProtocol ?? null, privProtocol: given?.privProtocol ?? null, ownKeys: Boolean(given) } };
  });
  return { ...secret, credentialId };
}

/** Step 3: every factory credential replaced on the device: BMC passwords through AccountService, SNMP communities by the site's SNMPv3 user. */
export async function secure(context: WizardContext, input: z.output<typeof WizardSecureInput>): Promise<void> {
  const row = context.requireStep(input.runId, 3);
  context.stepTime(input.runId, 3, false);
  const site = context.deps.sites.get(row.site_id!);
  const devices = context.connectedDevices(input.runId);
  if (input.snmpV3) await refuseWhileUnsettled(context, input.runId, devices, input.snmpV3);
  const user = siteUser(context, input.runId, site.code, input.snmpV3);
  await boundedEach(devices, DEVICE_CONCURRENCY, async (device) => {
    await context.holding(input.runId, device.id, () => (device.protocol === 'redfish' ? secureBmc(context, input, device) : secureSnmp(context, input, device, user)));
  });
  context.deps.monitor.refreshTargets();
  if (!context.store.hasFailures(input.runId, 3)) context.stepTime(input.runId, 3, true);
  context.publish(input.runId, 3, true);
}

/**
 * The site user may change (the user gives their own keys) only while no
 * device is between users: an unsettled SNMP change holds passphrases that
 * may be the only way into its agent (killed after the factory admin and
 * the communities went). Each is settled first, by reading the agent; one
 * that stays unsettled refuses the change, saying which and why.
 */
async function refuseWhileUnsettled(context: WizardContext, runId: string, devices: readonly Device[], given: NonNullable<z.output<typeof WizardSecureInput>['snmpV3']>): Promise<void> {
  const keptId = context.store.data(runId).siteUserCredentialId;
  const kept = keptId ? context.deps.vault.open<{ v3: { user: string; authKey: string; privKey: string } }>(keptId).v3 : null;
  if (kept && kept.user === given.user && kept.authKey === given.authKey && kept.privKey === given.privKey) return;
  const unsettled: string[] = [];
  for (const device of devices) {
    if (device.protocol !== 'snmp' || !context.deps.rotation.record(device.id)) continue;
    const resolution = await context.deps.rotation.resolve({ deviceId: device.id, endpoint: device.endpoint!, fingerprint: null });
    if (resolution === 'unresolved' || resolution === 'busy') unsettled.push(device.name);
  }
  if (unsettled.length > 0) {
    throw new ConflictError(
      `The SNMP user of ${unsettled.join(', ')} is still being changed and that change is not settled (the device did not answer with either its old credential or the site user). EdgeCab keeps the site user's passphrases, which may be the only way into the device now, so the site user cannot change yet: run this step again without your own keys, or once the device answers.`,
      'snmpV3',
    );
  }
}

async function secureBmc(context: WizardContext, input: z.output<typeof WizardSecureInput>, device: Device): Promise<void> {
  const key = `secure:${device.id}`;
  if (!context.due(input.runId, key, input.only)) return;
  context.item(input.runId, 3, key, device.name, 'running');
  try {
    const result = await context.deps.rotation.rotate({ deviceId: device.id, endpoint: device.endpoint!, fingerprint: device.fingerprint });
    if (result.outcome === 'rotated') {
      context.item(input.runId, 3, key, device.name, 'done', say('passwordReplaced', { account: result.account }));
      context.change(input.runId, key, `${device.name}: BMC account "${result.account}" has a new generated password (in EdgeCab's credential store)`);
      context.finding(input.runId, key, null);
    } else if (result.outcome === 'refused') {
      context.item(input.runId, 3, key, device.name, 'failed', say('failed', { error: result.detail }));
      context.finding(input.runId, key, say('passwordKept', { device: device.name, error: result.detail }));
    } else {
      context.item(input.runId, 3, key, device.name, 'failed', say('passwordUnknown', { detail: result.detail }));
      context.finding(input.runId, key, say('passwordUnknownFinding', { device: device.name, detail: result.detail }));
    }
  } catch (error) {
    const message = (error as Error).message;
    context.item(input.runId, 3, key, device.name, 'failed', say('failed', { error: message }));
    context.finding(input.runId, key, say('passwordKept', { device: device.name, error: message }));
  }
}

/** The factory SNMPv3 admin user discovery found on this device (sealed), if any. */
function adminOf(context: WizardContext, runId: string, endpoint: string): SnmpV3Credentials | null {
  const discovered = context.store.data(runId).discovery?.devices.find((each) => `${each.address}:${each.port}` === endpoint);
  if (!discovered?.adminCredentialId) return null;
  return context.deps.vault.open<{ v3: SnmpV3Credentials }>(discovered.adminCredentialId).v3;
}

const stepText = (step: SecureStep | undefined) => step?.deviceError ?? step?.detail ?? 'no answer';

async function secureSnmp(context: WizardContext, input: z.output<typeof WizardSecureInput>, device: Device, user: SiteUser): Promise<void> {
  const { deps } = context;
  const key = `snmpv3:${device.id}`;
  if (!context.due(input.runId, key, input.only)) return;
  context.item(input.runId, 3, key, device.name, 'running');
  const { host, port } = splitEndpoint(device.endpoint!);
  const target = { deviceId: device.id, endpoint: device.endpoint!, fingerprint: null };
  // An earlier change interrupted (a crash, a kill): settled first by reading the agent, so the credential read below is the one that opens it now.
  if (deps.rotation.record(device.id)) await deps.rotation.resolve(target);
  const current = deps.vault.open<{ version: '2c' | '3'; community?: string; v3?: SnmpV3Credentials }>(deps.rotation.currentCredentialOf(device.id) ?? device.credentialId!);
  // A re-run on a device already moved to the site user: the user itself is the admin now.
  const admin = adminOf(context, input.runId, device.endpoint!) ?? (current.version === '3' && current.v3?.user === user.user ? current.v3 : null);
  if (!admin) {
    // Nothing to retry: the device offers no way to be secured over SNMP. A finding for the report, not a failure of the step.
    context.item(input.runId, 3, key, device.name, 'skipped', say('snmpNoAdmin'));
    context.finding(input.runId, key, say('snmpNoAdminFinding', { device: device.name }));
    return;
  }
  const protocols = { authProtocol: admin.authProtocol, privProtocol: admin.privProtocol };
  const planned: SnmpV3Credentials = { user: user.user, authKey: user.authKey, privKey: user.privKey, ...protocols };
  // Stored, with the device's old credential, before the agent is touched: nothing is lost whatever happens there.
  try {
    await deps.rotation.beginSnmp(target, { version: '3', v3: planned });
  } catch (error) {
    // Unsettled, or nothing could be stored: the agent was not touched, and the item says why.
    context.item(input.runId, 3, key, device.name, 'failed', say('failed', { error: (error as Error).message }));
    return;
  }
  const trapPort = deps.monitor.trapPort;
  // Informs (acknowledged, so resent when lost) keyed for EdgeCab's engine, which stays the same across restarts.
  const destination = trapPort ? { host: await localAddressToward(host).catch(() => '127.0.0.1'), port: trapPort, kind: 'inform' as const, engineId: deps.monitor.engineId() } : null;
  try {
    const result = await secureAgent(
      { host, port, admin, timeoutMs: 3000, retries: 1 },
      { user: user.user, authKey: user.authKey, privKey: user.privKey, destination, communities: current.community ? [current.community] : [] },
    );
    const failedStep = result.steps.find((step) => !step.ok);
    if (result.credentials) {
      deps.rotation.finishSnmp(device.id, { version: '3', v3: result.credentials });
      const notifications = destination ? say('notificationsTo', { destination: `${destination.host}:${destination.port}` }).text : say('noNotifications').text;
      if (result.ok) {
        context.item(input.runId, 3, key, device.name, 'done', say('snmpSecured', { user: user.user, auth: result.credentials.authProtocol ?? '', priv: result.credentials.privProtocol ?? '', notifications }));
        context.change(input.runId, key, `${device.name}: SNMPv3 authPriv user "${user.user}" created on the device; factory communities off; the factory admin user removed`);
        context.finding(input.runId, key, null);
        const temporary = result.steps.find((step) => step.lasting === false);
        if (temporary) context.finding(input.runId, `${key}:lasting`, say('snmpSecureFinding', { device: device.name, step: temporary.step, error: temporary.detail }));
      } else {
        context.item(input.runId, 3, key, device.name, 'failed', say('snmpSecureFailed', { step: failedStep?.step ?? 'verify', error: stepText(failedStep) }));
        context.finding(input.runId, key, say('snmpSecureFinding', { device: device.name, step: failedStep?.step ?? 'verify', error: stepText(failedStep) }));
      }
      return;
    }
    deps.rotation.abandon(device.id);
    context.item(input.runId, 3, key, device.name, 'failed', say('snmpSecureFailed', { step: failedStep?.step ?? 'user', error: stepText(failedStep) }));
    context.finding(input.runId, key, say('snmpSecureFinding', { device: device.name, step: failedStep?.step ?? 'user', error: stepText(failedStep) }));
  } catch (error) {
    // Unexpected (not a refusal the device stated): the record stays; the next run or poll settles it.
    context.item(input.runId, 3, key, device.name, 'failed', say('failed', { error: (error as Error).message }));
  } finally {
    deps.rotation.release(device.id);
  }
}
