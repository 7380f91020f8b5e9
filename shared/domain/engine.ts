import { z } from 'zod';

/**
 * What EdgeCab reads from a site's workload engine (a Docker-Engine-
 * compatible API: Docker, or Podman's compatibility service), normalized.
 * Values the engine does not report are null, never guessed.
 */
export const EngineImage = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  digests: z.array(z.string()),
  sizeBytes: z.number().int().nonnegative(),
  created: z.string().nullable(),
});
export type EngineImage = z.infer<typeof EngineImage>;

export const EngineContainer = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string().nullable(),
  state: z.string(),
  status: z.string(),
  labels: z.record(z.string(), z.string()),
});
export type EngineContainer = z.infer<typeof EngineContainer>;

export const EngineVolume = z.object({ name: z.string(), driver: z.string(), mountpoint: z.string().nullable() });
export type EngineVolume = z.infer<typeof EngineVolume>;

export const EngineInventory = z.object({
  endpoint: z.string(),
  /** SHA-256 of the engine's TLS certificate (TCP), null over a unix socket. */
  certificateFingerprint: z.string().nullable(),
  engine: z.object({
    /** "Podman Engine", "Engine" (Docker), as the engine names itself. */
    product: z.string(),
    version: z.string(),
    apiVersion: z.string(),
    os: z.string().nullable(),
    kernel: z.string().nullable(),
    arch: z.string().nullable(),
  }),
  host: z.object({ name: z.string().nullable(), cpus: z.number().int().nonnegative().nullable(), memoryBytes: z.number().int().nonnegative().nullable() }),
  /** Free space where the engine keeps images and containers; null (with `note`) where the engine does not say. */
  disk: z.object({ path: z.string().nullable(), totalBytes: z.number().int().nonnegative().nullable(), freeBytes: z.number().int().nonnegative().nullable(), note: z.string().nullable() }),
  images: z.array(EngineImage),
  containers: z.array(EngineContainer),
  volumes: z.array(EngineVolume),
  observedAt: z.string(),
});
export type EngineInventory = z.infer<typeof EngineInventory>;

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** Read a workload engine now (nothing is stored): a unix socket on the EdgeCab machine, or https:// with mutual TLS (EdgeCab's client certificate). */
export const EngineProbeInput = z.object({
  url: z
    .string()
    .trim()
    .min(1, { error: 'An engine address: unix:/run/podman/podman.sock or https://host:port' })
    .max(300)
    .refine((url) => /^unix:\/[^\0]*$/.test(url) || (/^https:\/\/[A-Za-z0-9.:[\]_-]+(:\d{1,5})?\/?$/.test(url) && z.url().safeParse(url).success) || /^(http|tcp):\/\//.test(url), {
      error: 'An engine address: unix:/run/podman/podman.sock or https://host:port',
    }),
  fingerprint: z.string().trim().toUpperCase().regex(FINGERPRINT, { error: 'A SHA-256 fingerprint (32 hex pairs)' }).nullable().optional(),
  trustOnFirstUse: z.boolean().default(false),
});
export type EngineProbeInput = z.infer<typeof EngineProbeInput>;

/** Bytes in decimal units, as engines and disks count them ("2.0 MB", "246 GB"); `unknown` when not known. */
export function decimalSize(bytes: number | null, unknown = '?'): string {
  if (bytes === null) return unknown;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
