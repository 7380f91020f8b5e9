import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { resolveParameters, substitute, type AppContainer, type AppRelease, type ParameterValue } from '../../../../shared/domain/apps.js';
import { decimalSize } from '../../../../shared/domain/engine.js';
import { plainText, rolloutText, type RolloutMessage, type RolloutText } from '../../../../shared/domain/rollouts.js';
import { EngineError, type EngineClient } from '../../protocols/engine/client.js';
import { createContainer, execInContainer, inspectContainer, listContainers, removeContainer, startContainer, stopContainer, type EngineContainerSummary } from '../../protocols/engine/containers.js';
import { engineImageIds, loadImages } from '../../protocols/engine/images.js';
import type { BlobStore } from './blob-store.js';
import { exportImages } from './image-export.js';

/**
 * One release onto one site's engine, judged only by what the engine
 * shows: the missing images are sent and looked up by ID, the containers
 * are created with labels saying what they are, started in order, and the
 * release counts as healthy only after every container has been running
 * with its health command passing for the whole stable period. The
 * previous version's containers are stopped, not removed, until then; a
 * failure puts them back and proves them healthy again.
 */

export const LABEL = { app: 'edgecab.app', version: 'edgecab.version', container: 'edgecab.container', rollout: 'edgecab.rollout', spec: 'edgecab.spec', parameters: 'edgecab.parameters' } as const;

export type SiteDeployState = 'queued' | 'transferring' | 'starting' | 'healthy' | 'unhealthy' | 'failed' | 'rolled_back';

export interface DeployProgress {
  state: SiteDeployState;
  detail: string | null;
  /** `detail` as catalog messages (for the UI's language). */
  detailMessages: RolloutMessage[];
  bytesSent?: number;
  bytesTotal?: number;
}

export interface DeployOptions {
  /** How long every container must stay running and healthy before the site counts as healthy. */
  stableSeconds: number;
  /** How long a container may take to pass its first health check. */
  startTimeoutSeconds: number;
  /** On failure, start the previous version again (and prove it healthy). */
  rollbackOnFailure: boolean;
  rolloutId: string | null;
  /** How long a stopping container gets before it is killed (default 10 s). */
  stopSeconds?: number;
  onProgress?(progress: DeployProgress): void;
  signal?: AbortSignal;
  /** The image transfer at most this fast (a thin WAN is not flooded); none: as fast as the link goes. */
  bytesPerSecond?: number | null;
  /** Runs the image transfer when a transfer slot is free (a rollout caps transfers at once). */
  transferSlot?<T>(work: () => Promise<T>): Promise<T>;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DeployFailure(CANCELLED));
    const cancel = () => {
      clearTimeout(timer);
      reject(new DeployFailure(CANCELLED));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', cancel);
      resolve();
    }, ms);
    signal?.addEventListener('abort', cancel, { once: true });
  });
}

/** Passes bytes on at most `bytesPerSecond`, measured from the first byte, in pieces of an eighth of a second. */
export function throttle(bytesPerSecond: number, signal?: AbortSignal): Transform {
  const piece = Math.max(1024, Math.min(64 * 1024, Math.floor(bytesPerSecond / 8)));
  // A token bucket holding at most a quarter second's worth: time spent waiting (for the engine, for a slow link) is not saved up for a burst later.
  const capacity = Math.max(piece, Math.floor(bytesPerSecond / 4));
  let tokens = 0;
  let refilledAt: number | null = null;
  const refill = () => {
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - (refilledAt ?? now)) / 1000) * bytesPerSecond);
    refilledAt = now;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      void (async () => {
        for (let offset = 0; offset < chunk.length; offset += piece) {
          const part = chunk.subarray(offset, offset + piece);
          refill();
          while (tokens < part.length) {
            await pause(((part.length - tokens) / bytesPerSecond) * 1000, signal);
            refill();
          }
          tokens -= part.length;
          this.push(part);
        }
      })().then(() => done(), (error: unknown) => done(error as Error));
    },
  });
}

export interface DeployOutcome {
  state: 'healthy' | 'failed' | 'rolled_back';
  detail: string | null;
  /** `detail` as catalog messages (for the UI's language). */
  detailMessages: RolloutMessage[];
  previousVersion: string | null;
  transferredBytes: number;
}

/** What a release needs to run its containers, for `exportImages`: from the repository. */
export interface ReleaseImages {
  readonly blobs: BlobStore;
  layersOf(imageId: string): string[];
  release(appId: string, version: string): AppRelease;
}

/** Why a deployment failed, in English (its message) and as catalog messages. */
class DeployFailure extends Error {
  constructor(readonly said: RolloutText) {
    super(said.text);
  }
}

const CANCELLED = rolloutText('cancelled', 'cancelled');

/** An error's words as a text: a deployment failure's own, any other error's message as it is. */
function textOf(error: unknown): RolloutText {
  return error instanceof DeployFailure ? error.said : plainText(error instanceof Error ? error.message : String(error));
}

/** `first`, then `more` after it (English: `first` + `joiner` + `more`). */
function then(first: RolloutText, joiner: string, more: RolloutText): RolloutText {
  return { text: `${first.text}${joiner}${more.text}`, messages: [...first.messages, ...more.messages] };
}

/** The engine could not be reached (not: it answered no). */
export function isTransportError(error: unknown): error is EngineError {
  return error instanceof EngineError && (error.code === 'connection' || error.code === 'timeout');
}

export function containerName(appId: string, container: string, version: string): string {
  return `${appId}-${container}-${version}`;
}

/** The container as the manifest and the site's parameters make it: what a hand change at the site would differ from. */
export function containerSpec(release: AppRelease, container: AppContainer, values: Readonly<Record<string, ParameterValue>>) {
  const command = container.command?.map((part) => substitute(part, values));
  const env = Object.fromEntries(Object.entries(container.env ?? {}).map(([key, value]) => [key, substitute(value, values)]));
  const health = container.health ? { ...container.health, command: container.health.command.map((part) => substitute(part, values)) } : null;
  const identity = JSON.stringify({ image: container.image, command: command ?? null, env, volumes: container.volumes, resources: container.resources });
  return { command, env, health, hash: createHash('sha256').update(identity).digest('hex').slice(0, 32), release };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DeployFailure(CANCELLED));
    }, { once: true });
  });

async function describeStopped(client: EngineClient, id: string, name: string): Promise<RolloutText> {
  const state = await inspectContainer(client, id).catch(() => null);
  if (!state) return rolloutText(`${name} is gone from the engine`, 'containerGone', { container: name });
  const text = `${name} is ${state.status}${state.exitCode !== null ? ` (exit code ${state.exitCode})` : ''}${state.error ? `: ${state.error}` : ''}`;
  // The status is the engine's word (the UI names the usual ones); its error message stays as the engine said it.
  const params = { container: name, status: state.status, ...(state.exitCode !== null ? { code: state.exitCode } : {}), ...(state.error ? { error: state.error } : {}) };
  return rolloutText(text, `containerStopped${state.exitCode !== null ? 'Code' : ''}${state.error ? 'Error' : ''}`, params);
}

/** One health check: running, and the health command (if any) exits 0. Null when healthy, else why not. */
async function checkOnce(client: EngineClient, id: string, name: string, health: ReturnType<typeof containerSpec>['health'], signal?: AbortSignal): Promise<RolloutText | null> {
  const state = await inspectContainer(client, id, signal);
  if (!state.running) return describeStopped(client, id, name);
  if (!health) return null;
  let code: number | null;
  try {
    code = await execInContainer(client, id, health.command, health.timeoutSeconds * 1000, signal);
  } catch (error) {
    // The container may have stopped between the look and the check: then that is the answer, not the engine's refusal to exec.
    const now = await inspectContainer(client, id, signal).catch(() => null);
    if (!now?.running) return describeStopped(client, id, name);
    throw error;
  }
  if (code === 0) return null;
  // A check that failed as the container stopped (an exec into a dying container exits 125 with Podman): the stop is the answer.
  // (A look that fails says nothing either way: then the check's own answer stands.)
  const after = await inspectContainer(client, id, signal).catch(() => null);
  if (after && !after.running) return describeStopped(client, id, name);
  return code === null
    ? rolloutText(`${name}: its health check did not finish within ${health.timeoutSeconds} s`, 'healthTimeout', { container: name, seconds: health.timeoutSeconds })
    : rolloutText(`${name}: its health check exited with ${code}`, 'healthFailed', { container: name, code });
}

interface Started {
  id: string;
  name: string;
  health: ReturnType<typeof containerSpec>['health'];
}

/** Waits for a container's first passing check (at most `startTimeoutSeconds`); a container that stops fails at once. */
async function firstGreen(client: EngineClient, started: Started, options: DeployOptions): Promise<void> {
  const deadline = Date.now() + options.startTimeoutSeconds * 1000;
  let last: RolloutText | null = null;
  for (;;) {
    last = await checkOnce(client, started.id, started.name, started.health, options.signal);
    if (last === null) return;
    const state = await inspectContainer(client, started.id, options.signal).catch(() => null);
    if (!state?.running) throw new DeployFailure(last);
    if (Date.now() > deadline) throw new DeployFailure(then(last, '; ', rolloutText(`not healthy within ${options.startTimeoutSeconds} s of starting`, 'notHealthyInTime', { seconds: options.startTimeoutSeconds })));
    await sleep(Math.min(1000, (started.health?.intervalSeconds ?? 1) * 1000), options.signal);
  }
}

/** Every container checked each interval for `stableSeconds`; `retries` failed checks in a row, or a stopped container, fail it. */
async function stayGreen(client: EngineClient, containers: readonly Started[], options: DeployOptions): Promise<void> {
  const until = Date.now() + options.stableSeconds * 1000;
  const failures = new Map<string, number>();
  const interval = Math.max(1, Math.min(...containers.map((container) => container.health?.intervalSeconds ?? 1))) * 1000;
  while (Date.now() < until) {
    for (const container of containers) {
      const problem = await checkOnce(client, container.id, container.name, container.health, options.signal);
      if (problem === null) {
        failures.set(container.id, 0);
        continue;
      }
      const state = await inspectContainer(client, container.id, options.signal).catch(() => null);
      if (!state?.running) throw new DeployFailure(problem);
      const count = (failures.get(container.id) ?? 0) + 1;
      failures.set(container.id, count);
      if (count >= (container.health?.retries ?? 1)) throw new DeployFailure(then(problem, ' ', rolloutText(`(${count} times in a row)`, 'timesInARow', { count })));
    }
    await sleep(Math.min(interval, Math.max(0, until - Date.now())), options.signal);
  }
}

/** Creates and starts a release's containers, group by group in start order, each group green before the next. */
async function startRelease(client: EngineClient, release: AppRelease, values: Readonly<Record<string, ParameterValue>>, options: DeployOptions, created: Started[]): Promise<void> {
  const orders = [...new Set(release.manifest.containers.map((container) => container.startOrder))].sort((a, b) => a - b);
  for (const order of orders) {
    const group: Started[] = [];
    for (const container of release.manifest.containers.filter((each) => each.startOrder === order)) {
      const spec = containerSpec(release, container, values);
      const name = containerName(release.appId, container.name, release.version);
      const id = await createContainer(
        client,
        {
          name,
          image: container.image,
          ...(spec.command ? { command: spec.command } : {}),
          env: spec.env,
          labels: { [LABEL.app]: release.appId, [LABEL.version]: release.version, [LABEL.container]: container.name, [LABEL.rollout]: options.rolloutId ?? 'manual', [LABEL.spec]: spec.hash, [LABEL.parameters]: JSON.stringify(values) },
          volumes: container.volumes.map((volume) => ({ name: `${release.appId}-${volume.name}`, path: volume.path })),
          ...(container.resources.memoryMb ? { memoryBytes: container.resources.memoryMb * 1024 * 1024 } : {}),
          ...(container.resources.cpus ? { nanoCpus: Math.round(container.resources.cpus * 1e9) } : {}),
        },
        options.signal,
      );
      const started = { id, name, health: spec.health };
      created.push(started);
      group.push(started);
      await startContainer(client, id, options.signal);
    }
    for (const started of group) await firstGreen(client, started, options);
  }
}

function versionsOf(containers: readonly EngineContainerSummary[]): Set<string> {
  return new Set(containers.map((container) => container.labels[LABEL.version]).filter((version): version is string => version !== undefined));
}

export async function deployToEngine(client: EngineClient, images: ReleaseImages, release: AppRelease, overrides: Readonly<Record<string, ParameterValue>>, options: DeployOptions): Promise<DeployOutcome> {
  const progress = (state: SiteDeployState, detail: RolloutText | null = null, bytes?: { sent: number; total: number }) =>
    options.onProgress?.({ state, detail: detail?.text ?? null, detailMessages: detail?.messages ?? [], ...(bytes ? { bytesSent: bytes.sent, bytesTotal: bytes.total } : {}) });
  const { values, issues } = resolveParameters(release.manifest, overrides);
  if (issues.length > 0)
    return { state: 'failed', detail: issues.map((issue) => issue.message).join('; '), detailMessages: issues.map((issue) => ({ key: issue.messageKey, params: issue.params })), previousVersion: null, transferredBytes: 0 };

  const existing = await listContainers(client, `${LABEL.app}=${release.appId}`, options.signal);
  const previous = existing.filter((container) => container.labels[LABEL.version] !== release.version);
  const previousVersions = [...versionsOf(previous)];
  const previousVersion = previousVersions.length === 1 ? previousVersions[0]! : (previous.find((container) => container.state === 'running')?.labels[LABEL.version] ?? previousVersions[0] ?? null);
  // Containers of this very version from an earlier attempt are replaced.
  for (const container of existing.filter((each) => each.labels[LABEL.version] === release.version)) await removeContainer(client, container.id, options.signal);

  // Transfer only what the engine lacks, then look each image up by ID.
  const held = await engineImageIds(client, options.signal);
  const missing = release.images.filter((image) => !held.has(image.id));
  let transferredBytes = 0;
  if (missing.length > 0) {
    const slot = options.transferSlot ?? (<T>(work: () => Promise<T>) => work());
    let sent = 0;
    let total = 0;
    progress('queued', rolloutText('waiting for a transfer slot of the rollout', 'waitingTransferSlot'));
    try {
      await slot(async () => {
        const exported = exportImages(
          images.blobs,
          // Tagged from the signed manifest, never from the archive (whose tags no signature covers).
          missing.map((image, index) => ({ id: image.id, tags: [`localhost/edgecab/${release.appId}:${release.version}${index > 0 ? `-${index}` : ''}`], layers: images.layersOf(image.id) })),
        );
        total = exported.bytes;
        progress('transferring', null, { sent, total: exported.bytes });
        const counting = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            sent += chunk.length;
            progress('transferring', null, { sent, total: exported.bytes });
            done(null, chunk);
          },
        });
        const source = options.bytesPerSecond ? exported.stream.pipe(throttle(options.bytesPerSecond, options.signal)) : exported.stream;
        await loadImages(client, source.pipe(counting), exported.bytes, missing.map((image) => image.id), options.signal);
      });
    } catch (error) {
      if (isTransportError(error)) throw error;
      const message = (error as Error).message;
      // The engine's disk filling up is said first: its own words for it come last in a long list of image formats it tried.
      if (/no space left on device/i.test(message)) {
        const sentText = `${decimalSize(sent)} of ${decimalSize(total)}`;
        return { state: 'failed', detail: `the engine ran out of disk space while loading the images (${sentText} sent): ${message}`, detailMessages: [{ key: 'engineDiskFull', params: { sent: sentText, error: message } }], previousVersion, transferredBytes: sent };
      }
      return { state: 'failed', detail: `images could not be transferred: ${message}`, detailMessages: [{ key: 'imagesNotTransferred', params: { error: message } }], previousVersion, transferredBytes: sent };
    }
    transferredBytes = sent;
  }

  progress('starting');
  const running = previous.filter((container) => container.state === 'running');
  // What comes back on failure: what ran before, or (a retry after an interrupted attempt stopped it) the previous version's stopped containers.
  const restorable = running.length > 0 ? running : previous.filter((container) => container.labels[LABEL.version] === previousVersion);
  for (const container of running) await stopContainer(client, container.id, options.stopSeconds ?? 10, options.signal);
  const created: Started[] = [];
  try {
    await startRelease(client, release, values, options, created);
    await stayGreen(client, created, options);
  } catch (error) {
    // The site went away mid-way: that is for the caller (the outbox queues it again), not a verdict on the release.
    if (isTransportError(error) && !options.signal?.aborted) throw error;
    const reason: RolloutText = options.signal?.aborted
      ? rolloutText('cancelled while it ran', 'cancelledWhileRunning')
      : error instanceof DeployFailure || error instanceof EngineError
        ? textOf(error)
        : rolloutText(`unexpected: ${(error as Error).message}`, 'unexpected', { error: (error as Error).message });
    progress('unhealthy', reason);
    // Cleaning up is not cancelled with the deployment: the site is left running what it ran before.
    const cleanup: DeployOptions = { ...options, signal: undefined };
    for (const container of created) await removeContainer(client, container.id).catch(() => undefined);
    if (!options.rollbackOnFailure || restorable.length === 0 || !previousVersion) {
      // Nothing to go back to, or not wanted: what ran before is started again as it was, unchecked.
      for (const container of running) await startContainer(client, container.id).catch(() => undefined);
      return { state: 'failed', detail: reason.text, detailMessages: reason.messages, previousVersion, transferredBytes };
    }
    const back = await restorePrevious(client, images, release.appId, previousVersion, restorable, cleanup);
    if (back === null) return { state: 'rolled_back', detail: reason.text, detailMessages: reason.messages, previousVersion, transferredBytes };
    const failed = then(then(reason, '; ', rolloutText(`rolling back to ${previousVersion} failed too:`, 'rollbackFailedToo', { version: previousVersion })), ' ', back);
    return { state: 'failed', detail: failed.text, detailMessages: failed.messages, previousVersion, transferredBytes };
  }
  for (const container of previous) await removeContainer(client, container.id, options.signal);
  progress('healthy');
  return { state: 'healthy', detail: null, detailMessages: [], previousVersion, transferredBytes };
}

/** The parameters a container was made with, from its label; {} when the label is missing or not an object. */
function parametersOf(container: EngineContainerSummary): Record<string, ParameterValue> {
  try {
    const parsed = JSON.parse(container.labels[LABEL.parameters] ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, ParameterValue>) : {};
  } catch {
    return {};
  }
}

/**
 * Starts the previous version's stopped containers and proves them healthy
 * with their own release's checks, under the parameters they were made
 * with (their label); null when they are healthy.
 */
async function restorePrevious(client: EngineClient, images: ReleaseImages, appId: string, version: string, stopped: readonly EngineContainerSummary[], options: DeployOptions): Promise<RolloutText | null> {
  let release: AppRelease | null = null;
  try {
    release = images.release(appId, version);
  } catch {
    release = null;
  }
  try {
    const started: Started[] = [];
    for (const container of stopped) {
      await startContainer(client, container.id, options.signal);
      const declared = release?.manifest.containers.find((each) => each.name === container.labels[LABEL.container]);
      const values = release ? resolveParameters(release.manifest, parametersOf(container)).values : {};
      started.push({ id: container.id, name: container.name, health: release && declared ? containerSpec(release, declared, values).health : null });
    }
    for (const container of started) await firstGreen(client, container, options);
    await stayGreen(client, started, options);
    return null;
  } catch (error) {
    return textOf(error);
  }
}
