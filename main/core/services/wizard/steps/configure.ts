import type { z } from 'zod';
import type { SnmpTarget } from '../../../../../shared/domain/snmp.js';
import type { WizardConfigureInput } from '../../../../../shared/domain/wizard.js';
import { localAddressToward } from '../../../lib/local-address.js';
import { createSubscription, deleteSubscription, firstMember, setDns, setHostName, setNtp } from '../../../protocols/redfish/actions.js';
import { RedfishClient } from '../../../protocols/redfish/client.js';
import { readInventory } from '../../../protocols/redfish/inventory.js';
import { collectDevice } from '../../../protocols/snmp/collect.js';
import { splitEndpoint } from '../../devices/endpoint.js';
import { EVENT_PATH } from '../../monitor/intake/subscription-store.js';
import { boundedEach } from '../discovery.js';
import { say, type WizardMessage } from '../messages.js';
import type { WizardContext } from '../wizard-context.js';

const DEVICE_CONCURRENCY = 8;

interface RedfishSecret {
  username: string;
  password: string;
}

type Device = ReturnType<WizardContext['connectedDevices']>[number];

/** The step's actions per device (item key prefix, label). */
const REDFISH_ACTIONS = [
  ['ntp', 'NTP'],
  ['dns', 'DNS'],
  ['hostname', 'host name'],
  ['events', 'event delivery'],
  ['baseline', 'configuration baseline'],
] as const;
const SNMP_ACTIONS = [['baseline', 'configuration baseline']] as const;

/**
 * Where this BMC should push its events: EdgeCab's receiver on the address
 * this computer uses toward the BMC (what the routing table picks), unless
 * the user said how the cabinet sees EdgeCab (NAT, another interface).
 */
async function eventBase(context: WizardContext, device: Device, override: string | undefined): Promise<string | null> {
  if (override) return override.replace(/\/$/, '');
  const port = context.deps.monitor.eventsPort;
  if (!port) return null;
  const host = new URL(device.endpoint!).hostname.replace(/^\[|\]$/g, '');
  const local = await localAddressToward(host);
  return `https://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

/**
 * The BMC's subscription to EdgeCab: kept when one of ours already points
 * at this base, else made anew (with a secret of its own in the path);
 * earlier subscriptions of ours that no longer work are removed.
 */
async function subscribe(context: WizardContext, client: RedfishClient, device: Device, base: string, siteCode: string): Promise<WizardMessage> {
  const subscriptions = context.deps.monitor.subscriptions;
  const service = await client.get('/redfish/v1/EventService');
  const collection = (service.Subscriptions as { '@odata.id'?: string } | undefined)?.['@odata.id'];
  const existing = collection ? await client.get(collection) : { Members: [] };
  for (const member of Array.isArray(existing.Members) ? existing.Members : []) {
    const uri = String((member as { '@odata.id': string })['@odata.id']);
    const subscription = await client.get(uri);
    const destination = typeof subscription.Destination === 'string' ? subscription.Destination : '';
    if (!destination.includes(EVENT_PATH)) continue;
    const ours = subscriptions.ownsDestination(device.id, destination);
    if (ours && destination.startsWith(`${base}${EVENT_PATH}`)) return say('alreadySubscribed', { destination: base });
    // Ours from an earlier run (other address) or a secret we no longer hold: it cannot deliver anything useful.
    await deleteSubscription(client, uri).catch(() => undefined);
    if (ours) subscriptions.remove(ours.id);
  }
  const made = subscriptions.create(device.id, base, context.at());
  const uri = await createSubscription(client, made.destination, undefined, `EdgeCab ${siteCode}`);
  if (uri) subscriptions.setUri(made.id, uri);
  return say('eventsPushed', { destination: base });
}

/** Step 4: NTP, DNS, host names, event delivery to EdgeCab, configuration baseline. */
export async function configure(context: WizardContext, input: z.output<typeof WizardConfigureInput>): Promise<void> {
  const { store, deps } = context;
  const row = context.requireStep(input.runId, 4);
  context.stepTime(input.runId, 4, false);
  store.update(input.runId, (data) => {
    data.inputs = { ...data.inputs, configure: { ntpServers: input.ntpServers, dnsServers: input.dnsServers, eventDestination: input.eventDestination ?? null, trapDestination: input.trapDestination ?? null } };
  });
  const site = deps.sites.get(row.site_id!);
  const devices = context.connectedDevices(input.runId);
  await boundedEach(devices, DEVICE_CONCURRENCY, (device) => context.holding(input.runId, device.id, () => configureDevice(device)));
  if (!store.hasFailures(input.runId, 4)) context.stepTime(input.runId, 4, true);
  context.publish(input.runId, 4, true);

  async function configureDevice(device: Device): Promise<void> {
    const run = async (action: string, label: string, work: () => Promise<WizardMessage>, skipWith?: WizardMessage) => {
      const key = `${action}:${device.id}`;
      if (!context.due(input.runId, key, input.only)) return;
      if (skipWith) {
        context.item(input.runId, 4, key, `${device.name} · ${label}`, 'skipped', skipWith);
        return;
      }
      context.item(input.runId, 4, key, `${device.name} · ${label}`, 'running');
      try {
        context.item(input.runId, 4, key, `${device.name} · ${label}`, 'done', await work());
      } catch (error) {
        context.item(input.runId, 4, key, `${device.name} · ${label}`, 'failed', say('failed', { error: (error as Error).message }));
      }
    };
    const credentialId = await context.openingCredential(device);
    if (!credentialId) {
      // A password change not settled yet: nothing is sent with a password that may be wrong. Failed, so a retry does them once it settles.
      for (const [action, label] of device.protocol === 'redfish' ? REDFISH_ACTIONS : SNMP_ACTIONS) {
        const key = `${action}:${device.id}`;
        if (context.due(input.runId, key, input.only)) context.item(input.runId, 4, key, `${device.name} · ${label}`, 'failed', say('passwordNotSettled'));
      }
      return;
    }
    if (device.protocol === 'redfish') {
      const secret = deps.vault.open<RedfishSecret>(credentialId);
      const client = new RedfishClient({ url: device.endpoint!, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: 15_000 });
      try {
        const managerUri = await firstMember(client, '/redfish/v1/Managers').catch(() => null);
        const hostName = `${site.code}-${device.slotId ?? device.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
        const noManager = managerUri ? undefined : say('noManager');
        await run('ntp', 'NTP', async () => {
          await setNtp(client, managerUri!, input.ntpServers);
          context.change(input.runId, `ntp:${device.id}`, `${device.name}: NTP ${input.ntpServers.join(', ')}`);
          return say('ntpSet', { servers: input.ntpServers.join(', ') });
        }, noManager);
        await run('dns', 'DNS', async () => {
          await setDns(client, managerUri!, input.dnsServers);
          context.change(input.runId, `dns:${device.id}`, `${device.name}: DNS ${input.dnsServers.join(', ')}`);
          return say('dnsSet', { servers: input.dnsServers.join(', ') });
        }, noManager);
        await run('hostname', 'host name', async () => {
          await setHostName(client, managerUri!, hostName);
          context.change(input.runId, `hostname:${device.id}`, `${device.name}: host name ${hostName}`);
          return say('hostNameSet', { name: hostName });
        }, noManager);
        const base = await eventBase(context, device, input.eventDestination).catch(() => null);
        await run('events', 'event delivery', async () => {
          const detail = await subscribe(context, client, device, base!, site.code);
          context.change(input.runId, `events:${device.id}`, `${device.name}: Redfish events pushed to EdgeCab at ${base}`);
          return detail;
        }, base ? undefined : say('noEventReceiver'));
        await run('baseline', 'configuration baseline', async () => {
          const inventory = await readInventory(client, { now: context.now });
          store.saveBaseline(device.id, { managers: inventory.managers, firmware: inventory.firmware, systems: inventory.systems.map((system) => ({ id: system.id, model: system.model, serial: system.serial, biosVersion: system.biosVersion })) }, context.at());
          return say('baselineRedfish', { firmware: inventory.firmware.length, managers: inventory.managers.length });
        });
      } finally {
        await client.close();
      }
      return;
    }
    await run('baseline', 'configuration baseline', async () => {
      const secret = deps.vault.open<Pick<SnmpTarget, 'version' | 'community' | 'v3'>>(credentialId);
      const { host, port } = splitEndpoint(device.endpoint!);
      const snmp = await collectDevice({ host, port, timeoutMs: 2000, retries: 1, ...secret } as SnmpTarget, { now: context.now });
      store.saveBaseline(device.id, { system: snmp.system, entities: snmp.entities, profiles: snmp.profiles }, context.at());
      return say('baselineSnmp', { system: snmp.system.descr ?? 'system', interfaces: snmp.interfaces.length });
    });
  }
}
