import type { z } from 'zod';
import { expandRanges, proposeSlotMatches, type WizardDiscoverInput, type WizardMatchInput } from '../../../../../shared/domain/wizard.js';
import type { DeviceReading } from '../../../../../shared/domain/readings.js';
import { ConflictError, InvalidInputError } from '../../../errors.js';
import { endpointKey } from '../../devices/endpoint.js';
import { boundedEach, MAX_LOGINS_PER_ADDRESS, probeRedfish, probeSnmp, type LoginRation } from '../discovery.js';
import { say } from '../messages.js';
import type { StoredDiscovered } from '../run-store.js';
import type { WizardContext } from '../wizard-context.js';

const DISCOVERY_CONCURRENCY = 32;
const PROBE_TIMEOUT_MS = 1500;

interface RedfishSecret {
  username: string;
  password: string;
}

/**
 * Devices EdgeCab has secured, or is securing, keyed by endpointKey
 * ("host:port", 443 implied for https://host): their credential was made
 * by EdgeCab, or a change to one is recorded and not settled yet. Neither
 * is ever probed with factory or typed credentials again: those no longer
 * open it (and each refusal counts toward locking the account), and going
 * back a step must keep EdgeCab's credential.
 */
export function securedEndpoints(context: WizardContext, siteId: string): Map<string, { credentialId: string; fingerprint: string | null; kind: string }> {
  const cabinet = context.deps.cabinets.viewForSite(siteId);
  const secured = new Map<string, { credentialId: string; fingerprint: string | null; kind: string }>();
  for (const view of cabinet?.devices ?? []) {
    if (!view.endpoint || !view.hasCredential) continue;
    const device = context.deps.cabinets.device(view.id);
    if (!device.credentialId) continue;
    const rotated = context.deps.vault.meta(device.credentialId)?.origin === 'rotated';
    if (!rotated && !context.deps.rotation.record(device.id)) continue;
    secured.set(endpointKey(device.endpoint!), { credentialId: device.credentialId, fingerprint: device.fingerprint, kind: device.kind });
  }
  // A device that left its slot keeps what EdgeCab set on it: it is secured all the same.
  for (const parked of context.deps.devices.parkedCredentials(siteId)) {
    const key = endpointKey(parked.endpoint);
    if (!secured.has(key)) secured.set(key, { credentialId: parked.credentialId, fingerprint: parked.fingerprint, kind: parked.kind });
  }
  return secured;
}

/** Step 2: search the addresses (in the background unless `wait`); per-address outcomes appear as items. */
export function discover(context: WizardContext, input: z.output<typeof WizardDiscoverInput>, running: Map<string, Promise<void>>): Promise<void> {
  const { store, deps } = context;
  const row = context.requireStep(input.runId, 2);
  if (!row.site_id) throw new ConflictError('Save the site first', 'runId');
  if (running.has(input.runId)) throw new ConflictError('Discovery is already running', 'runId');
  const { addresses, error } = expandRanges(input.ranges);
  if (error) throw new InvalidInputError([{ field: 'ranges', code: 'invalid', message: error }]);
  const outside = deps.network.restricted ? addresses.filter((address) => !deps.network.allows(address)) : [];
  if (outside.length > 0) {
    const networks = deps.network.get().allowedNetworks.join(', ');
    const shown = outside.slice(0, 3).join(', ') + (outside.length > 3 ? ` and ${outside.length - 3} more` : '');
    throw new InvalidInputError([{ field: 'ranges', code: 'network_not_allowed', message: `EdgeCab may not reach ${shown}: outside the networks it may reach (${networks}). Change the ranges, or the network policy.` }]);
  }
  context.stepTime(input.runId, 2, false);
  store.update(input.runId, (data) => {
    data.discovery = { running: true, total: addresses.length, done: 0, devices: (data.discovery?.devices ?? []).filter((device) => !addresses.includes(device.address)), attempts: data.discovery?.attempts ?? {} };
    data.inputs = { ...data.inputs, discover: { ranges: input.ranges, redfishPorts: input.redfishPorts, snmpPorts: input.snmpPorts } };
  });
  const factory = context.factory();
  const communities = { factory: factory.snmp, userSupplied: input.extraCommunities };
  const secured = securedEndpoints(context, row.site_id);
  const logins = deps.rotation.logins;
  const work = boundedEach(addresses, DISCOVERY_CONCURRENCY, async (address) => {
    const key = `discover:${address}`;
    const found: StoredDiscovered[] = [];
    for (const port of input.redfishPorts) {
      const endpoint = `${address}:${port}`;
      const own = secured.get(endpointKey(endpoint));
      if (own) {
        // Secured already (or being secured): its credential is EdgeCab's; no login is sent with a factory or typed one.
        found.push({ address, port, protocol: 'redfish', kind: own.kind, vendor: null, model: null, serial: null, firmware: null, fingerprint: own.fingerprint, credential: "EdgeCab's own (secured)", lockoutThreshold: logins.policy(endpoint).known ? logins.policy(endpoint).threshold : null, note: 'secured', credentialId: own.credentialId });
        continue;
      }
      const used = store.data(input.runId).discovery?.attempts?.[endpoint] ?? 0;
      // One budget per address and run for factory and typed credentials together, below the BMC's lockout (its stated threshold, kept across runs, and the refusals it still counts).
      const ration: LoginRation = {
        allowed: (shown) => {
          logins.remember(endpoint, shown);
          return logins.allowance(endpoint, MAX_LOGINS_PER_ADDRESS, used);
        },
        refused: () => logins.failed(endpoint, 'discovery'),
        learned: (policy) => logins.remember(endpoint, policy),
      };
      const result = await probeRedfish(address, port, { factory: factory.redfish, userSupplied: input.extraCredentials, trustedFingerprint: input.trusted[endpoint] ?? null, ration }, PROBE_TIMEOUT_MS).catch(() => null);
      if (!result) continue;
      if (result.attempts > 0) {
        store.update(input.runId, (data) => {
          data.discovery!.attempts = { ...data.discovery!.attempts, [endpoint]: used + result.attempts };
        });
      }
      found.push({ ...result.device, credentialId: result.secret ? deps.vault.store('redfish', result.secret, { origin: 'discovered' }) : null });
    }
    if (found.length === 0) {
      for (const port of input.snmpPorts) {
        const endpoint = `${address}:${port}`;
        const own = secured.get(endpointKey(endpoint));
        if (own) {
          // Its communities are off and its site user is EdgeCab's: probing with factory communities would only lose it.
          found.push({ address, port, protocol: 'snmp', kind: own.kind, vendor: null, model: null, serial: null, firmware: null, fingerprint: null, credential: "EdgeCab's own (secured)", lockoutThreshold: null, note: 'secured', credentialId: own.credentialId });
          continue;
        }
        const result = await probeSnmp(address, port, communities, factory.snmpV3, PROBE_TIMEOUT_MS).catch(() => null);
        if (!result) continue;
        found.push({
          ...result.device,
          credentialId: result.secret ? deps.vault.store('snmp', { version: '2c', ...result.secret }, { origin: 'discovered' }) : null,
          adminCredentialId: result.admin ? deps.vault.store('snmp', { version: '3', v3: withoutVendor(result.admin) }, { origin: 'discovered' }) : null,
        });
      }
    }
    store.update(input.runId, (data) => {
      data.discovery!.done += 1;
      data.discovery!.devices.push(...found);
    });
    const device = found[0];
    if (!device) context.item(input.runId, 2, key, address, 'skipped', say('nothingAnswered'));
    else if (device.note === 'secured') context.item(input.runId, 2, key, address, 'done', say('alreadySecured'));
    else if (!device.credential && device.note === 'untrusted') context.item(input.runId, 2, key, address, 'failed', say('trustToTryYours', { fingerprint: device.fingerprint ?? '' }));
    else if (!device.credential && device.note === 'budget') context.item(input.runId, 2, key, address, 'failed', say('loginBudgetUsed', { attempts: store.data(input.runId).discovery?.attempts?.[`${device.address}:${device.port}`] ?? 0 }));
    else if (!device.credential) context.item(input.runId, 2, key, address, 'failed', say('foundNoCredential', { what: device.protocol === 'redfish' ? 'Redfish' : 'SNMP' }));
    else context.item(input.runId, 2, key, address, 'done', say('found', { protocol: device.protocol, kind: device.kind, model: device.model ? `· ${device.model}` : '', credential: device.credential }));
  }).then(() => {
    proposeMatches(context, input.runId);
    store.update(input.runId, (data) => {
      data.discovery!.running = false;
    });
  });
  const tracked = work.finally(() => {
    running.delete(input.runId);
    context.publish(input.runId, 2, true);
  });
  running.set(input.runId, tracked);
  return tracked;
}

function withoutVendor<T extends { vendor?: string }>(value: T): Omit<T, 'vendor'> {
  const { vendor: _vendor, ...rest } = value;
  return rest;
}

/** Puts each discovered device in a slot of the cabinet: SNMP by kind, Redfish servers and storage in address order. */
function proposeMatches(context: WizardContext, runId: string): void {
  const { store, deps } = context;
  const row = store.row(runId);
  const cabinet = deps.cabinets.viewForSite(row.site_id!);
  if (!cabinet) return;
  const slots = cabinet.devices
    .filter((device) => device.slotId && device.protocol !== 'none')
    .map((device) => ({ slotId: device.slotId!, deviceId: device.id, name: device.name, kind: device.kind, protocol: device.protocol as 'redfish' | 'snmp', u: device.u, ...knownIdentity(context, device.id, device.model) }));
  const matches = proposeSlotMatches(slots, store.data(runId).discovery?.devices ?? []);
  store.update(runId, (data) => {
    data.matches = matches;
  });
}

/** A slot's device as last read (serial, model), so a re-run puts the same hardware back in the same slot. */
function knownIdentity(context: WizardContext, deviceId: string, templateModel: string | null): { model: string | null; serial: string | null } {
  const reading = context.store.latestReading(deviceId);
  const parsed = reading ? (JSON.parse(reading) as Pick<DeviceReading, 'snmp' | 'redfish'>) : null;
  const system = parsed?.redfish?.systems[0];
  const entity = parsed?.snmp?.entities.find((each) => each.serial);
  return { model: system?.model ?? entity?.model ?? templateModel, serial: system?.serial ?? entity?.serial ?? null };
}

/**
 * The user's confirmed slot ↔ device matches and trusted certificates: the
 * devices get connected. A device already connected at the same address
 * keeps its credential (it may be one EdgeCab rotated: going back a step
 * must never put the factory password back); a device moved to another slot
 * takes its credential with it.
 */
export function confirm(context: WizardContext, input: z.output<typeof WizardMatchInput>): void {
  const { store, deps } = context;
  context.requireStep(input.runId, 2);
  const data = store.data(input.runId);
  const discovered = data.discovery?.devices ?? [];
  const issues: { field: string; code: string; message: string }[] = [];
  const matches = (data.matches ?? []).map((match) => {
    const chosen = input.matches.find((each) => each.slotId === match.slotId);
    return chosen ? { ...match, endpoint: chosen.endpoint } : match;
  });
  const seen = new Set<string>();
  for (const match of matches) {
    if (!match.endpoint) continue;
    const device = discovered.find((each) => `${each.address}:${each.port}` === match.endpoint);
    if (!device) issues.push({ field: match.slotId, code: 'not_found', message: `${match.endpoint} was not discovered` });
    else if (device.protocol !== match.protocol) issues.push({ field: match.slotId, code: 'mismatch', message: `${match.name} is managed over ${match.protocol}; ${match.endpoint} speaks ${device.protocol}` });
    else if (!device.credentialId) issues.push({ field: match.slotId, code: 'no_credential', message: `No credential opens ${match.endpoint} yet` });
    else if (device.protocol === 'redfish' && input.trusted[match.endpoint] !== device.fingerprint) {
      issues.push({ field: match.slotId, code: 'untrusted', message: `Compare and trust the certificate of ${match.endpoint} (SHA-256 ${device.fingerprint})` });
    }
    if (seen.has(match.endpoint)) issues.push({ field: match.slotId, code: 'duplicate', message: `${match.endpoint} is placed in two slots` });
    seen.add(match.endpoint);
  }
  if (issues.length) throw new InvalidInputError(issues);
  store.update(input.runId, (stored) => {
    stored.matches = matches;
  });
  const row = store.row(input.runId);
  const placed = matches.filter((match) => match.endpoint);
  const results = deps.devices.attachAll(
    row.site_id!,
    placed.map((match) => {
      const device = discovered.find((each) => `${each.address}:${each.port}` === match.endpoint)!;
      return {
        deviceId: match.deviceId,
        where: device.protocol === 'redfish' ? { protocol: 'redfish', url: `https://${match.endpoint}`, fingerprint: device.fingerprint } : { protocol: 'snmp', host: device.address, port: device.port },
        discovered: () =>
          device.protocol === 'redfish' ? { kind: 'redfish', secret: deps.vault.open<RedfishSecret>(device.credentialId!) } : { kind: 'snmp', secret: deps.vault.open<{ version: '2c'; community: string }>(device.credentialId!) },
      };
    }),
  );
  for (const match of matches) {
    const key = `connect:${match.deviceId}`;
    const index = placed.indexOf(match);
    if (index < 0) context.item(input.runId, 2, key, match.name, 'skipped', say('noDeviceInSlot'));
    else context.item(input.runId, 2, key, match.name, 'done', say(results[index] === 'kept' ? 'connectedKept' : 'connectedAt', { endpoint: match.endpoint! }));
  }
  deps.monitor.refreshTargets();
  context.stepTime(input.runId, 2, true);
  context.publish(input.runId, 2, true);
}
