import { randomBytes } from 'node:crypto';
import { createParser } from 'eventsource-parser';
import { isLoginRefused, RedfishClient, RedfishError, StreamIdle, type Json, type JsonObject, type RedfishClientOptions } from './client.js';

const ROOT = '/redfish/v1';
const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: Json | undefined): JsonObject => (isObject(value) ? value : {});
const link = (value: Json | undefined): string | null => (typeof obj(value)['@odata.id'] === 'string' ? (obj(value)['@odata.id'] as string) : null);
const pathOf = (uri: string) => (uri.startsWith('http') ? new URL(uri).pathname : uri);

export const RESET_TYPES = ['On', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'ForceOff', 'ForceOn', 'PowerCycle', 'Nmi', 'PushPowerButton'] as const;
export type ResetType = (typeof RESET_TYPES)[number];

export interface TaskResult {
  uri: string;
  state: string;
  percent: number | null;
  messages: string[];
}

/** Reset types the service allows for the resource's Reset action (inline or via ActionInfo). */
async function allowedResetTypes(client: RedfishClient, resource: JsonObject, action: string): Promise<{ target: string; allowed: string[] | null }> {
  const definition = obj(obj(resource.Actions)[action]);
  const target = typeof definition.target === 'string' ? definition.target : null;
  if (!target) throw new RedfishError('not_supported', `${client.url}: ${String(resource['@odata.id'])} offers no ${action}`);
  const inline = definition['ResetType@Redfish.AllowableValues'];
  if (Array.isArray(inline)) return { target, allowed: inline.filter((value): value is string => typeof value === 'string') };
  const infoUri = definition['@Redfish.ActionInfo'];
  if (typeof infoUri === 'string') {
    const info = await client.get(infoUri).catch(() => null);
    const parameter = (Array.isArray(info?.Parameters) ? info.Parameters : []).map(obj).find((each) => each.Name === 'ResetType');
    if (parameter && Array.isArray(parameter.AllowableValues)) return { target, allowed: parameter.AllowableValues.filter((value): value is string => typeof value === 'string') };
  }
  return { target, allowed: null };
}

/** Follows a 202 task monitor or Task resource until it finishes; fails on Exception/Killed or timeout. */
export async function waitForTask(client: RedfishClient, uri: string, options: { timeoutMs?: number; intervalMs?: number; onProgress?: (task: TaskResult) => void } = {}): Promise<TaskResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const answer = await client.request('GET', pathOf(uri));
    const body = answer.body ?? {};
    const state = typeof body.TaskState === 'string' ? body.TaskState : answer.status === 202 ? 'Running' : 'Completed';
    const task: TaskResult = {
      uri,
      state,
      percent: typeof body.PercentComplete === 'number' ? body.PercentComplete : null,
      messages: (Array.isArray(body.Messages) ? body.Messages : []).map((message) => String(obj(message).Message ?? '')),
    };
    options.onProgress?.(task);
    if (['Completed'].includes(state)) return task;
    if (['Exception', 'Killed', 'Cancelled', 'Interrupted'].includes(state)) {
      throw new RedfishError('task_failed', `${client.url}: task ${uri} ended ${state}${task.messages.length ? `: ${task.messages.join('; ')}` : ''}`);
    }
    if (Date.now() > deadline) throw new RedfishError('timeout', `${client.url}: task ${uri} still ${state} after ${options.timeoutMs ?? 600_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

async function completeAction(client: RedfishClient, status: number, headers: Record<string, string>, waitTask: boolean): Promise<TaskResult | null> {
  if (status === 202 && headers.location && waitTask) return waitForTask(client, headers.location);
  return null;
}

/** ComputerSystem.Reset with a reset type the service allows; refused before sending when it does not. */
export async function resetSystem(client: RedfishClient, systemUri: string, type: ResetType): Promise<TaskResult | null> {
  const system = await client.get(systemUri);
  const { target, allowed } = await allowedResetTypes(client, system, '#ComputerSystem.Reset');
  if (allowed && !allowed.includes(type)) {
    throw new RedfishError('not_allowed', `${client.url}: ${systemUri} does not allow ${type} (allowed: ${allowed.join(', ')})`);
  }
  const answer = await client.request('POST', target, { json: { ResetType: type } });
  return completeAction(client, answer.status, answer.headers, true);
}

export async function resetManager(client: RedfishClient, managerUri: string, type: string = 'GracefulRestart'): Promise<TaskResult | null> {
  const manager = await client.get(managerUri);
  const { target, allowed } = await allowedResetTypes(client, manager, '#Manager.Reset');
  if (allowed && !allowed.includes(type)) throw new RedfishError('not_allowed', `${client.url}: ${managerUri} does not allow ${type} (allowed: ${allowed.join(', ')})`);
  const answer = await client.request('POST', target, { json: allowed ? { ResetType: type } : {} });
  return completeAction(client, answer.status, answer.headers, true);
}

/** PATCH with If-Match on the ETag just read, so a concurrent change is never overwritten blindly. */
/** The first member's URI of a collection (e.g. the system of a one-system BMC), or null when it has none. */
export async function firstMember(client: RedfishClient, collection: string): Promise<string | null> {
  const members = (await client.get(collection)).Members;
  return Array.isArray(members) ? link(members[0]) : null;
}

export async function patchWithEtag(client: RedfishClient, uri: string, patch: JsonObject): Promise<JsonObject> {
  const current = await client.request('GET', uri);
  const etag = current.headers.etag ?? (typeof current.body?.['@odata.etag'] === 'string' ? current.body['@odata.etag'] : undefined);
  const answer = await client.request('PATCH', uri, { json: patch }, etag ? { 'if-match': etag } : {});
  if (answer.status === 202 && answer.headers.location) await waitForTask(client, answer.headers.location);
  return answer.body ?? (await client.get(uri));
}

async function managerNetworkProtocol(client: RedfishClient, managerUri: string): Promise<string> {
  const manager = await client.get(managerUri);
  const uri = link(manager.NetworkProtocol);
  if (!uri) throw new RedfishError('not_supported', `${client.url}: ${managerUri} has no NetworkProtocol`);
  return uri;
}

export async function setNtp(client: RedfishClient, managerUri: string, servers: string[], enabled = true): Promise<JsonObject> {
  return patchWithEtag(client, await managerNetworkProtocol(client, managerUri), { NTP: { NTPServers: servers, ProtocolEnabled: enabled } });
}

async function firstManagerInterface(client: RedfishClient, managerUri: string): Promise<string> {
  const manager = await client.get(managerUri);
  const collection = link(manager.EthernetInterfaces);
  const members = collection ? (await client.get(collection)).Members : undefined;
  const first = Array.isArray(members) ? link(members[0]) : null;
  if (!first) throw new RedfishError('not_supported', `${client.url}: ${managerUri} has no EthernetInterfaces`);
  return first;
}

export async function setDns(client: RedfishClient, managerUri: string, servers: string[]): Promise<JsonObject> {
  return patchWithEtag(client, await firstManagerInterface(client, managerUri), { StaticNameServers: servers, DHCPv4: { UseDNSServers: false } });
}

export async function setHostName(client: RedfishClient, managerUri: string, hostName: string): Promise<JsonObject> {
  return patchWithEtag(client, await firstManagerInterface(client, managerUri), { HostName: hostName });
}

async function accountsCollection(client: RedfishClient): Promise<string> {
  const service = await client.get(`${ROOT}/AccountService`);
  const uri = link(service.Accounts);
  if (!uri) throw new RedfishError('not_supported', `${client.url}: AccountService has no Accounts`);
  return uri;
}

export async function findAccount(client: RedfishClient, userName: string): Promise<string | null> {
  const collection = await client.get(await accountsCollection(client));
  for (const member of Array.isArray(collection.Members) ? collection.Members : []) {
    const uri = link(member);
    if (!uri) continue;
    const account = await client.get(uri);
    if (account.UserName === userName) return uri;
  }
  return null;
}

export async function createAccount(client: RedfishClient, userName: string, password: string, roleId = 'Administrator'): Promise<string> {
  const answer = await client.request('POST', await accountsCollection(client), { json: { UserName: userName, Password: password, RoleId: roleId, Enabled: true } });
  return answer.headers.location ?? String(answer.body?.['@odata.id'] ?? '');
}

/**
 * Sets an account's password. The answer is not re-read: the change just
 * ended this session (and often every session of the account), so a GET
 * after it would fail although the BMC took the password. A 202 task is
 * followed; success means the BMC said it applied.
 */
export async function changePassword(client: RedfishClient, userName: string, newPassword: string): Promise<void> {
  const uri = await findAccount(client, userName);
  if (!uri) throw new RedfishError('not_supported', `${client.url}: no account ${userName}`);
  const current = await client.request('GET', uri);
  const etag = current.headers.etag ?? (typeof current.body?.['@odata.etag'] === 'string' ? current.body['@odata.etag'] : undefined);
  await client.request('PATCH', uri, { json: { Password: newPassword } }, etag ? { 'if-match': etag } : {});
}

/** The account lockout policy, where the service says it (read with working credentials). */
export async function lockoutPolicy(client: RedfishClient): Promise<{ threshold: number | null; resetAfterSeconds: number | null }> {
  return policyOf(await client.get(`${ROOT}/AccountService`));
}

function policyOf(service: JsonObject): { threshold: number | null; resetAfterSeconds: number | null } {
  const number = (value: Json | undefined) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
  return { threshold: number(service.AccountLockoutThreshold), resetAfterSeconds: number(service.AccountLockoutCounterResetAfter) };
}

/** The lockout policy where the BMC shows its AccountService without a login (a few do); null values where it does not. Sends no credentials. */
export async function lockoutPolicyWithoutLogin(client: RedfishClient): Promise<{ threshold: number | null; resetAfterSeconds: number | null }> {
  const service = await client.getWithoutLogin(`${ROOT}/AccountService`);
  return service ? policyOf(service) : { threshold: null, resetAfterSeconds: null };
}

/** Proves credentials work by logging in with them and reading a protected resource; nothing else is kept. */
export async function verifyLogin(options: RedfishClientOptions, signal?: AbortSignal): Promise<boolean> {
  const probe = new RedfishClient({ ...options, retries: 0 });
  try {
    await probe.get(`${ROOT}/Systems`, { signal });
    return true;
  } catch (error) {
    if (isLoginRefused(error)) return false;
    // A session was given, but this account may not read Systems: the password itself is right. Over Basic auth a 403 proves nothing either way.
    if (error instanceof RedfishError && error.code === 'auth' && probe.hasSession) return true;
    throw error;
  } finally {
    await probe.close();
  }
}

export async function createSubscription(client: RedfishClient, destination: string, eventTypes?: string[], context = 'EdgeCab'): Promise<string> {
  const service = await client.get(`${ROOT}/EventService`);
  const collection = link(service.Subscriptions);
  if (!collection) throw new RedfishError('not_supported', `${client.url}: EventService has no Subscriptions`);
  const body: JsonObject = { Destination: destination, Protocol: 'Redfish', Context: context };
  if (eventTypes) body.EventTypes = eventTypes;
  const answer = await client.request('POST', collection, { json: body });
  return answer.headers.location ?? String(answer.body?.['@odata.id'] ?? '');
}

export async function deleteSubscription(client: RedfishClient, uri: string): Promise<void> {
  await client.request('DELETE', pathOf(uri));
}

const MAX_EVENT_CHARS = 1024 * 1024;

/**
 * Reads the EventService's server-sent event stream, when the service offers
 * one, calling `onEvent` per event until the signal aborts. The stream is
 * parsed by eventsource-parser (CR, LF and CRLF line ends, comments, fields
 * split across chunks); bytes are decoded as a stream, so a character split
 * between two chunks arrives whole. A malformed event is skipped (counted
 * through onMalformed); an event over 1 MiB ends the stream. Keep-alive
 * comments and heartbeat events set how long the stream may stay silent
 * (StreamIdle).
 */
export async function readEventStream(client: RedfishClient, onEvent: (event: JsonObject) => void, signal: AbortSignal, onMalformed: (reason: string) => void = () => undefined): Promise<void> {
  const service = await client.get(`${ROOT}/EventService`, { signal });
  const uri = typeof service.ServerSentEventUri === 'string' ? service.ServerSentEventUri : null;
  if (!uri) throw new RedfishError('not_supported', `${client.url}: this service offers no ServerSentEventUri`);
  let tooLarge = false;
  const cadence = new StreamIdle();
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onComment: () => cadence.heartbeat(),
    onEvent: (message) => {
      let event: Json;
      try {
        event = JSON.parse(message.data) as Json;
      } catch {
        onMalformed('an event that is not JSON');
        return;
      }
      if (!isObject(event)) return onMalformed('an event that is not a JSON object');
      // A heartbeat only says the stream is alive: it sets the idle limit and is not passed on (it would ask for a poll each time).
      if (isHeartbeat(event)) return cadence.heartbeat();
      onEvent(event);
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') tooLarge = true;
    },
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of client.stream(pathOf(uri), signal, cadence)) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (tooLarge) throw new RedfishError('too_large', `${client.url}${uri}: an event larger than 1 MiB`);
  }
}

/** Redfish's heartbeat event (HeartbeatEvent registry, RedfishServiceFunctional): the service says it is alive. */
function isHeartbeat(event: JsonObject): boolean {
  const entries = Array.isArray(event.Events) ? event.Events : [];
  return entries.length > 0 && entries.every((entry) => isObject(entry) && typeof entry.MessageId === 'string' && /^HeartbeatEvent\.\d+\.\d+\.RedfishServiceFunctional$/.test(entry.MessageId));
}

export type ApplyTime = 'Immediate' | 'OnReset';

/**
 * Pushes a firmware image: multipart to MultipartHttpPushUri with
 * @Redfish.OperationApplyTime (upgrade now, or stage it and activate on the
 * next reset), or SimpleUpdate with an image URI where that is all there is.
 * Follows the task to the end.
 */
export async function pushFirmware(
  client: RedfishClient,
  image: { data: Buffer; fileName: string } | { imageUri: string },
  options: { targets?: string[]; applyTime: ApplyTime; onProgress?: (task: TaskResult) => void },
): Promise<TaskResult | null> {
  const service = await client.get(`${ROOT}/UpdateService`);
  const multipart = typeof service.MultipartHttpPushUri === 'string' ? service.MultipartHttpPushUri : null;
  if (multipart && 'data' in image) {
    const boundary = `edgecab-${randomBytes(12).toString('hex')}`;
    const parameters = JSON.stringify({ Targets: options.targets ?? [], '@Redfish.OperationApplyTime': options.applyTime });
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="UpdateParameters"\r\nContent-Type: application/json\r\n\r\n${parameters}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="UpdateFile"; filename="${image.fileName.replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      image.data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const answer = await client.request('POST', pathOf(multipart), { raw: body, contentType: `multipart/form-data; boundary=${boundary}` });
    if (answer.status === 202 && answer.headers.location) return waitForTask(client, answer.headers.location, options.onProgress ? { onProgress: options.onProgress } : {});
    return null;
  }
  const simple = obj(obj(service.Actions)['#UpdateService.SimpleUpdate']);
  if (typeof simple.target !== 'string') throw new RedfishError('not_supported', `${client.url}: UpdateService offers neither MultipartHttpPushUri nor SimpleUpdate`);
  if (!('imageUri' in image)) {
    throw new RedfishError('not_supported', `${client.url}: this BMC only takes SimpleUpdate, which pulls the image from a URI; give an image URI it can reach`);
  }
  const answer = await client.request('POST', simple.target, {
    json: { ImageURI: image.imageUri, Targets: options.targets ?? [], '@Redfish.OperationApplyTime': options.applyTime },
  });
  if (answer.status === 202 && answer.headers.location) return waitForTask(client, answer.headers.location, options.onProgress ? { onProgress: options.onProgress } : {});
  return null;
}
