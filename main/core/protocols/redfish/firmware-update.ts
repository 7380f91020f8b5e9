import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { RedfishError, type JsonObject, type RedfishClient } from './client.js';

/**
 * Firmware updates as a BMC declares it takes them (UpdateService), not as
 * a library assumes: the apply times it lists (HttpPushUriOptions'
 * allowable values, SimpleUpdate's @Redfish.OperationApplyTimeSupport), a
 * multipart push streamed with a time limit that follows its progress,
 * StartUpdate, and task monitors followed through a BMC that resets on the
 * way or forgets the task.
 */

export const APPLY_TIMES = ['Immediate', 'OnReset', 'AtMaintenanceWindowStart', 'OnStartUpdateRequest'] as const;
export type FirmwareApplyTime = (typeof APPLY_TIMES)[number];

export interface UpdateCapabilities {
  multipartUri: string | null;
  simpleUpdateUri: string | null;
  startUpdateUri: string | null;
  /** What the BMC declares; a BMC that declares nothing is taken as Immediate only (it may reject the annotation outright). */
  applyTimes: FirmwareApplyTime[];
  /** Where the list came from, for the dry run ("not declared" when nothing was). */
  declaredBy: string;
}

/** A BMC refused the update; its own words and its Redfish MessageId. */
export class FirmwareRefusedError extends Error {
  constructor(
    message: string,
    readonly messageId: string | null,
    readonly status: number,
  ) {
    super(message);
    this.name = 'FirmwareRefusedError';
  }
}

const ROOT = '/redfish/v1';
const obj = (value: unknown): JsonObject => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {});
const applyTimesOf = (values: unknown): FirmwareApplyTime[] => (Array.isArray(values) ? APPLY_TIMES.filter((time) => values.includes(time)) : []);

export async function updateCapabilities(client: RedfishClient): Promise<UpdateCapabilities> {
  const service = await client.get(`${ROOT}/UpdateService`);
  const actions = obj(service.Actions);
  const simple = obj(actions['#UpdateService.SimpleUpdate']);
  const start = obj(actions['#UpdateService.StartUpdate']);
  const fromPush = applyTimesOf(obj(obj(service.HttpPushUriOptions).HttpPushUriApplyTime)['ApplyTime@Redfish.AllowableValues']);
  const fromSimple = applyTimesOf(obj(simple['@Redfish.OperationApplyTimeSupport']).SupportedValues);
  const declared = APPLY_TIMES.filter((time) => fromPush.includes(time) || fromSimple.includes(time));
  // OnStartUpdateRequest is only usable with StartUpdate to call.
  const usable = declared.filter((time) => time !== 'OnStartUpdateRequest' || typeof start.target === 'string');
  const sources = [fromPush.length ? 'HttpPushUriOptions' : null, fromSimple.length ? 'SimpleUpdate @Redfish.OperationApplyTimeSupport' : null].filter((source): source is string => source !== null);
  return {
    multipartUri: typeof service.MultipartHttpPushUri === 'string' ? service.MultipartHttpPushUri : null,
    simpleUpdateUri: typeof simple.target === 'string' ? simple.target : null,
    startUpdateUri: typeof start.target === 'string' ? start.target : null,
    applyTimes: usable.length > 0 ? usable : ['Immediate'],
    declaredBy: sources.length > 0 ? sources.join(' and ') : 'not declared',
  };
}

/** The BMC's error: its message and MessageId, from the Redfish error body (or the status when there is none). */
export function refusalOf(status: number, body: JsonObject | null): FirmwareRefusedError {
  const error = obj(body?.error);
  const info = (Array.isArray(error['@Message.ExtendedInfo']) ? error['@Message.ExtendedInfo'] : []).map(obj)[0] ?? {};
  const message = typeof info.Message === 'string' ? info.Message : typeof error.message === 'string' ? error.message : `HTTP ${status}`;
  const messageId = typeof info.MessageId === 'string' ? info.MessageId : typeof error.code === 'string' ? error.code : null;
  return new FirmwareRefusedError(message, messageId, status);
}

export interface PushOptions {
  targets: string[];
  applyTime: FirmwareApplyTime;
  /** For AtMaintenanceWindowStart: when the window starts and how long it lasts. */
  window?: { start: Date; seconds: number };
  onSent?: (bytes: number) => void;
  /** No byte out for this long fails the upload (default 60 s); the BMC's answer once it holds the image (default 5 min). */
  idleMs?: number;
  answerMs?: number;
  /** The image's SHA-256 (hex): checked as the file is read out, and a file that differs is cut off before its end, so the BMC never holds a whole image that is not the one checked in. */
  sha256?: string;
}

/** The image file changed after it was checked in: the upload was cut off before its end. */
export class ImageAlteredError extends Error {
  constructor(readonly actual: string) {
    super(`the stored image no longer matches its SHA-256 (it reads ${actual}); the upload was cut off before its end`);
    this.name = 'ImageAlteredError';
  }
}

/** Streams an image to MultipartHttpPushUri; the task monitor's URI when the BMC started a task (null: done already). */
export async function pushImage(client: RedfishClient, capabilities: UpdateCapabilities, image: { path: string; fileName: string }, options: PushOptions): Promise<string | null> {
  if (!capabilities.multipartUri) throw new RedfishError('not_supported', `${client.url}: the BMC offers no MultipartHttpPushUri; EdgeCab pushes images with it`);
  if (!capabilities.applyTimes.includes(options.applyTime)) throw new RedfishError('not_supported', `${client.url}: the BMC does not declare ${options.applyTime} (it declares ${capabilities.applyTimes.join(', ')})`);
  const parameters: JsonObject = { Targets: options.targets };
  // Immediate is the default; a BMC that declares nothing may refuse the annotation outright, so it is sent only when asked for something else.
  if (options.applyTime !== 'Immediate' || capabilities.declaredBy !== 'not declared') parameters['@Redfish.OperationApplyTime'] = options.applyTime;
  if (options.applyTime === 'AtMaintenanceWindowStart') {
    if (!options.window) throw new Error('AtMaintenanceWindowStart needs the window');
    parameters['@Redfish.MaintenanceWindow'] = { MaintenanceWindowStartTime: options.window.start.toISOString(), MaintenanceWindowDurationInSeconds: options.window.seconds };
  }
  const boundary = `edgecab-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="UpdateParameters"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(parameters)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="UpdateFile"; filename="${image.fileName.replace(/["\r\n]/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const expected = options.sha256?.toLowerCase();
  const body = () =>
    Readable.from(
      (async function* () {
        yield head;
        const hash = expected ? createHash('sha256') : null;
        // One chunk is held back until the digest is known: a BMC sent an altered file never has all of it.
        let held: Buffer | null = null;
        for await (const chunk of createReadStream(image.path, { highWaterMark: 1024 * 1024 })) {
          hash?.update(chunk as Buffer);
          if (held) yield held;
          held = chunk as Buffer;
        }
        const actual = hash?.digest('hex');
        if (actual !== undefined && actual !== expected) throw new ImageAlteredError(actual);
        if (held) yield held;
        yield tail;
      })(),
    );
  const answer = await client.upload(capabilities.multipartUri, body, `multipart/form-data; boundary=${boundary}`, {
    idleMs: options.idleMs ?? 60_000,
    answerMs: options.answerMs ?? 300_000,
    ...(options.onSent ? { onSent: options.onSent } : {}),
  });
  if (answer.status >= 400) throw refusalOf(answer.status, answer.body);
  return answer.status === 202 ? (answer.headers.location ?? (typeof answer.body?.['@odata.id'] === 'string' ? answer.body['@odata.id'] : null)) : null;
}

/** SimpleUpdate: the BMC pulls the image from `imageUri` (EdgeCab's own image server, HTTPS); the task monitor's URI when it started one. */
export async function simpleUpdatePull(client: RedfishClient, capabilities: UpdateCapabilities, imageUri: string, options: Pick<PushOptions, 'targets' | 'applyTime' | 'window'>): Promise<string | null> {
  if (!capabilities.simpleUpdateUri) throw new RedfishError('not_supported', `${client.url}: the BMC offers no UpdateService.SimpleUpdate`);
  if (!capabilities.applyTimes.includes(options.applyTime)) throw new RedfishError('not_supported', `${client.url}: the BMC does not declare ${options.applyTime} (it declares ${capabilities.applyTimes.join(', ')})`);
  const body: JsonObject = { ImageURI: imageUri, TransferProtocol: 'HTTPS', Targets: options.targets };
  if (options.applyTime !== 'Immediate' || capabilities.declaredBy !== 'not declared') body['@Redfish.OperationApplyTime'] = options.applyTime;
  if (options.applyTime === 'AtMaintenanceWindowStart' && options.window) {
    body['@Redfish.MaintenanceWindow'] = { MaintenanceWindowStartTime: options.window.start.toISOString(), MaintenanceWindowDurationInSeconds: options.window.seconds };
  }
  const answer = await client.request('POST', capabilities.simpleUpdateUri, { json: body });
  if (answer.status >= 400) throw refusalOf(answer.status, answer.body);
  return answer.status === 202 ? (answer.headers.location ?? (typeof answer.body?.['@odata.id'] === 'string' ? answer.body['@odata.id'] : null)) : null;
}

export async function startUpdate(client: RedfishClient, capabilities: UpdateCapabilities): Promise<void> {
  if (!capabilities.startUpdateUri) throw new RedfishError('not_supported', `${client.url}: the BMC offers no UpdateService.StartUpdate`);
  const answer = await client.request('POST', capabilities.startUpdateUri, { json: {} });
  if (answer.status >= 400) throw refusalOf(answer.status, answer.body);
}

export type TaskEnd = { state: 'Completed'; messages: string[] } | { state: 'Failed'; message: string; messageId: string | null } | { state: 'Vanished' };

/**
 * Follows a task monitor to its end. A BMC that stops answering (it resets
 * to take its own update) is waited for with backoff, not failed; a task
 * the BMC no longer knows (gone after its reset) is "Vanished", for the
 * caller to settle by reading the inventory.
 */
export async function followTask(client: RedfishClient, uri: string, options: { timeoutMs: number; onProgress?: (percent: number | null, state: string) => void; pauseMs?: (attempt: number) => number }): Promise<TaskEnd> {
  const until = Date.now() + options.timeoutMs;
  let unanswered = 0;
  for (;;) {
    if (Date.now() > until) throw new RedfishError('timeout', `${client.url}: task ${uri} did not end within ${Math.round(options.timeoutMs / 1000)} s`);
    let answer;
    try {
      answer = await client.request('GET', uri);
      unanswered = 0;
    } catch (error) {
      if (!(error instanceof RedfishError) || !['timeout', 'connection', 'tls', 'http'].includes(error.code)) throw error;
      unanswered += 1;
      await pause(options.pauseMs?.(unanswered) ?? Math.min(10_000, 250 * 2 ** unanswered));
      continue;
    }
    if (answer.status === 404) return { state: 'Vanished' };
    // A busy BMC (5xx) is asked again; any other error is its answer, never taken for a task that completed.
    if (answer.status >= 500) {
      unanswered += 1;
      await pause(options.pauseMs?.(unanswered) ?? Math.min(10_000, 250 * 2 ** unanswered));
      continue;
    }
    if (answer.status >= 400) {
      const refusal = refusalOf(answer.status, answer.body);
      return { state: 'Failed', message: `the task monitor answered HTTP ${answer.status}: ${refusal.message}`, messageId: refusal.messageId };
    }
    const body = answer.body ?? {};
    const state = typeof body.TaskState === 'string' ? body.TaskState : answer.status === 202 ? 'Running' : 'Completed';
    options.onProgress?.(typeof body.PercentComplete === 'number' ? body.PercentComplete : null, state);
    const messages = (Array.isArray(body.Messages) ? body.Messages : []).map(obj);
    if (state === 'Completed') return { state: 'Completed', messages: messages.map((message) => String(message.Message ?? '')) };
    if (['Exception', 'Killed', 'Cancelled', 'Interrupted'].includes(state)) {
      const last = messages.at(-1) ?? {};
      return { state: 'Failed', message: typeof last.Message === 'string' ? last.Message : `task ended ${state}`, messageId: typeof last.MessageId === 'string' ? last.MessageId : null };
    }
    await pause(options.pauseMs?.(0) ?? 500);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
