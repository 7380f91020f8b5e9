import { z } from 'zod';
import type { EngineInventory } from '../../../../shared/domain/engine.js';
import type { EngineClient } from './client.js';

/** The parts of the Docker Engine API's answers EdgeCab reads (extra fields are ignored; missing optional ones are null). */
const text = z.string().nullish().transform((value) => value ?? null);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish().transform((value) => value ?? null);

const Version = z.object({
  Version: z.string(),
  ApiVersion: z.string(),
  Os: text,
  Arch: text,
  KernelVersion: text,
  Components: z.array(z.object({ Name: z.string() })).nullish(),
});

const Info = z.object({
  Name: text,
  NCPU: count,
  MemTotal: count,
  OperatingSystem: text,
  DockerRootDir: text,
});

/** Podman's own API says how full its storage is; Docker's does not. */
const LibpodInfo = z.object({
  store: z.object({ graphRoot: text, graphRootAllocated: count, graphRootUsed: count }),
});

const Images = z.array(
  z.object({
    Id: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    RepoDigests: z.array(z.string()).nullish(),
    Size: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
    Created: z.number().nullish(),
  }),
);

const Containers = z.array(
  z.object({
    Id: z.string(),
    Names: z.array(z.string()).nullish(),
    Image: z.string(),
    ImageID: text,
    State: z.string(),
    Status: z.string().nullish(),
    Labels: z.record(z.string(), z.string()).nullish(),
  }),
);

const Volumes = z.object({
  Volumes: z.array(z.object({ Name: z.string(), Driver: z.string(), Mountpoint: text })).nullish(),
});

/** Seconds since 1970 as ISO time; null for what is no time at all (a date past year 275760 does not exist). */
function isoOf(seconds: number | null | undefined): string | null {
  if (typeof seconds !== 'number') return null;
  const date = new Date(seconds * 1000);
  return Number.isFinite(date.getTime()) ? date.toISOString() : null;
}

/** "<none>:<none>" is how engines write an image without a tag or digest. */
const named = (values: readonly string[] | null | undefined) => (values ?? []).filter((value) => !value.startsWith('<none>'));

/**
 * Everything `edgecab probe engine` shows, read in one go: version, OS,
 * CPUs and memory, disk free where the engine tells it, images, containers
 * (stopped ones too) and volumes.
 */
export async function readEngine(client: EngineClient, options: { now?: () => Date; signal?: AbortSignal } = {}): Promise<EngineInventory> {
  const { signal } = options;
  const version = await client.get('/version', Version, signal);
  const [info, images, containers, volumes] = await Promise.all([
    client.get('/info', Info, signal),
    client.get('/images/json', Images, signal),
    client.get('/containers/json?all=true', Containers, signal),
    client.get('/volumes', Volumes, signal),
  ]);
  const product = version.Components?.find((component) => /engine/i.test(component.Name))?.Name ?? 'Engine';
  const podman = /podman/i.test(product);
  let disk: EngineInventory['disk'] = { path: info.DockerRootDir, totalBytes: null, freeBytes: null, note: 'the engine does not report free space (Docker API)' };
  if (podman) {
    // Podman's own API; an older or trimmed one without it leaves disk free unknown, not the whole read failed.
    const libpod = await client.get('/v4.0.0/libpod/info', LibpodInfo, signal).catch((error: unknown) => error as Error);
    if (libpod instanceof Error) disk = { ...disk, note: `Podman did not report its storage: ${libpod.message}` };
    else {
      const { graphRoot, graphRootAllocated, graphRootUsed } = libpod.store;
      disk = {
        path: graphRoot ?? info.DockerRootDir,
        totalBytes: graphRootAllocated,
        freeBytes: graphRootAllocated !== null && graphRootUsed !== null ? Math.max(0, graphRootAllocated - graphRootUsed) : null,
        note: null,
      };
    }
  }
  return {
    endpoint: client.address.kind === 'unix' ? `unix:${client.address.socketPath}` : client.address.origin,
    certificateFingerprint: client.address.kind === 'tls' ? client.fingerprint : null,
    engine: { product, version: version.Version, apiVersion: version.ApiVersion, os: info.OperatingSystem ?? version.Os, kernel: version.KernelVersion, arch: version.Arch },
    host: { name: info.Name, cpus: info.NCPU, memoryBytes: info.MemTotal },
    disk,
    images: images.map((image) => ({
      id: image.Id,
      tags: named(image.RepoTags),
      digests: named(image.RepoDigests),
      sizeBytes: Math.round(image.Size),
      created: isoOf(image.Created),
    })),
    containers: containers.map((container) => ({
      id: container.Id,
      name: (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, ''),
      image: container.Image,
      imageId: container.ImageID,
      state: container.State,
      status: container.Status ?? container.State,
      labels: container.Labels ?? {},
    })),
    volumes: (volumes.Volumes ?? []).map((volume) => ({ name: volume.Name, driver: volume.Driver, mountpoint: volume.Mountpoint })),
    observedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
}
