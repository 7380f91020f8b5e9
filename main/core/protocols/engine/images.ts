import type { Readable } from 'node:stream';
import { z } from 'zod';
import { EngineError, type EngineClient } from './client.js';

/**
 * Images on a workload engine: which of a set it holds (by image ID), and
 * loading a docker-archive with `POST /images/load`. The answer is a JSON
 * stream in which an engine may report an error with status 200 (Docker
 * does), so every line is read; then each image is looked up by its ID, so
 * a load counts only when the engine shows the image.
 */

const ImageList = z.array(z.object({ Id: z.string() }).loose()).max(100_000);
const ImageDetail = z.object({ Id: z.string(), Size: z.number().nonnegative().optional() }).loose();
const LoadLine = z.object({ stream: z.string().optional(), error: z.string().optional(), errorDetail: z.object({ message: z.string().optional() }).loose().optional() }).loose();

/** Image IDs (`sha256:…`) the engine holds. */
export async function engineImageIds(client: EngineClient, signal?: AbortSignal): Promise<Set<string>> {
  const images = await client.get('/images/json?all=true', ImageList, signal);
  return new Set(images.map((image) => normalizeId(image.Id)));
}

/** Docker answers "sha256:<hex>", some engines bare hex. */
export function normalizeId(id: string): string {
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}

/** Loads an archive of `bytes` bytes and checks that the engine then shows every one of `expected`. */
export async function loadImages(client: EngineClient, archive: Readable, bytes: number, expected: readonly string[], signal?: AbortSignal): Promise<void> {
  // Unpacking a large layer takes time after the last byte: ten minutes before the answer counts as lost.
  const answer = await client.upload('/images/load?quiet=1', archive, bytes, 'application/x-tar', 600_000, signal);
  for (const line of answer.toString('utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    let parsed: z.infer<typeof LoadLine> | null = null;
    try {
      const result = LoadLine.safeParse(JSON.parse(line));
      parsed = result.success ? result.data : null;
    } catch {
      parsed = null;
    }
    const message = parsed?.errorDetail?.message ?? parsed?.error;
    if (message) throw new EngineError('http', `the engine refused the images: ${message.slice(0, 300)}`);
  }
  const held = await engineImageIds(client, signal);
  const missing = expected.filter((id) => !held.has(id));
  if (missing.length > 0) throw new EngineError('malformed', `the engine accepted the images but does not show ${missing.join(', ')} afterwards`);
  for (const id of expected) {
    const detail = await client.get(`/images/${encodeURIComponent(id)}/json`, ImageDetail, signal);
    if (normalizeId(detail.Id) !== id) throw new EngineError('malformed', `the engine shows image ${id} as ${detail.Id}`);
  }
}
