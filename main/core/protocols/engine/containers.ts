import { z } from 'zod';
import { EngineError, type EngineClient } from './client.js';

/**
 * Containers on a workload engine through the Docker Engine API (Podman's
 * compatible service answers the same): list by label, create, start,
 * stop, remove, inspect, and run a command inside (exec) for health
 * checks, since no engine here runs its own health-check timer.
 */

const ContainerListItem = z
  .object({ Id: z.string(), Names: z.array(z.string()).nullable().optional(), Image: z.string().optional(), ImageID: z.string().optional(), State: z.string().optional(), Labels: z.record(z.string(), z.string()).nullable().optional() })
  .loose();
const ContainerDetail = z
  .object({
    Id: z.string(),
    Name: z.string().optional(),
    Image: z.string().optional(),
    RestartCount: z.number().int().nonnegative().optional(),
    State: z.object({ Status: z.string(), Running: z.boolean(), ExitCode: z.number().int().optional(), Error: z.string().optional(), StartedAt: z.string().optional(), FinishedAt: z.string().optional() }).loose(),
    Config: z.object({ Labels: z.record(z.string(), z.string()).nullable().optional(), Cmd: z.array(z.string()).nullable().optional(), Env: z.array(z.string()).nullable().optional() }).loose().optional(),
  })
  .loose();
const Created = z.object({ Id: z.string() }).loose();
const ExecDetail = z.object({ Running: z.boolean(), ExitCode: z.number().int().nullable().optional() }).loose();

export interface EngineContainerSummary {
  id: string;
  name: string;
  imageId: string | null;
  state: string;
  labels: Record<string, string>;
}

export interface ContainerState {
  id: string;
  name: string;
  imageId: string | null;
  status: string;
  running: boolean;
  exitCode: number | null;
  error: string | null;
  restartCount: number;
  startedAt: string | null;
  labels: Record<string, string>;
  command: string[];
  env: string[];
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  env?: Record<string, string>;
  labels: Record<string, string>;
  volumes: { name: string; path: string }[];
  memoryBytes?: number;
  nanoCpus?: number;
}

export async function listContainers(client: EngineClient, label: string, signal?: AbortSignal): Promise<EngineContainerSummary[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const list = await client.get(`/containers/json?all=true&filters=${filters}`, z.array(ContainerListItem).max(10_000), signal);
  return list.map((item) => ({ id: item.Id, name: (item.Names?.[0] ?? item.Id).replace(/^\//, ''), imageId: item.ImageID ?? null, state: item.State ?? 'unknown', labels: item.Labels ?? {} }));
}

export async function inspectContainer(client: EngineClient, id: string, signal?: AbortSignal): Promise<ContainerState> {
  const detail = await client.get(`/containers/${encodeURIComponent(id)}/json`, ContainerDetail, signal);
  return {
    id: detail.Id,
    name: (detail.Name ?? detail.Id).replace(/^\//, ''),
    imageId: detail.Image ?? null,
    status: detail.State.Status,
    running: detail.State.Running,
    exitCode: detail.State.ExitCode ?? null,
    error: detail.State.Error ? detail.State.Error : null,
    restartCount: detail.RestartCount ?? 0,
    startedAt: detail.State.StartedAt ?? null,
    labels: detail.Config?.Labels ?? {},
    command: detail.Config?.Cmd ?? [],
    env: detail.Config?.Env ?? [],
  };
}

/**
 * Creates a container with host networking (a site's engine serves the
 * branch on the host's addresses) and the ulimits rootless-free engines
 * here need; named volumes are created by the engine on first use.
 */
export async function createContainer(client: EngineClient, spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
  const body = {
    Image: spec.image,
    ...(spec.command ? { Cmd: spec.command } : {}),
    Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
    Labels: spec.labels,
    HostConfig: {
      NetworkMode: 'host',
      Binds: spec.volumes.map((volume) => `${volume.name}:${volume.path}`),
      RestartPolicy: { Name: 'no' },
      Ulimits: [
        { Name: 'nofile', Soft: 20000, Hard: 20000 },
        { Name: 'nproc', Soft: 32768, Hard: 32768 },
      ],
      ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
      ...(spec.nanoCpus ? { NanoCpus: spec.nanoCpus } : {}),
    },
  };
  const created = await client.send('POST', `/containers/create?name=${encodeURIComponent(spec.name)}`, Created, body, signal);
  return created.Id;
}

export async function startContainer(client: EngineClient, id: string, signal?: AbortSignal): Promise<void> {
  // 204 started, 304 already running: both leave it running.
  await client.send('POST', `/containers/${encodeURIComponent(id)}/start`, z.unknown(), undefined, signal).catch((error: unknown) => {
    if (error instanceof EngineError && error.status === 304) return;
    throw error;
  });
}

export async function stopContainer(client: EngineClient, id: string, seconds = 10, signal?: AbortSignal): Promise<void> {
  await client.send('POST', `/containers/${encodeURIComponent(id)}/stop?t=${seconds}`, z.unknown(), undefined, signal).catch((error: unknown) => {
    if (error instanceof EngineError && error.status === 304) return;
    throw error;
  });
}

export async function removeContainer(client: EngineClient, id: string, signal?: AbortSignal): Promise<void> {
  await client.send('DELETE', `/containers/${encodeURIComponent(id)}?force=true&v=false`, z.unknown(), undefined, signal).catch((error: unknown) => {
    if (error instanceof EngineError && error.status === 404) return;
    throw error;
  });
}

/**
 * Runs `command` in the container and waits for it to end: its exit code,
 * or null when it did not end within `timeoutMs`. The start call is
 * attached (it answers when the command ends): Podman 4 never marks a
 * detached exec session as ended.
 */
export async function execInContainer(client: EngineClient, id: string, command: string[], timeoutMs: number, signal?: AbortSignal): Promise<number | null> {
  const exec = await client.send('POST', `/containers/${encodeURIComponent(id)}/exec`, Created, { Cmd: command, AttachStdout: true, AttachStderr: true }, signal);
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    // Its own deadline (the check's timeout and a margin), not the client's: a slow check is an unhealthy one, not a lost engine.
    await client.call('POST', `/exec/${encodeURIComponent(exec.Id)}/start`, { Detach: false, Tty: false }, signal ? AbortSignal.any([signal, deadline]) : deadline, timeoutMs + 5000);
  } catch (error) {
    if (deadline.aborted && !signal?.aborted) return null;
    throw error;
  }
  const state = await client.get(`/exec/${encodeURIComponent(exec.Id)}/json`, ExecDetail, signal);
  return state.Running ? null : (state.ExitCode ?? null);
}
