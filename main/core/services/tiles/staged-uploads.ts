import { openAsBlob } from 'node:fs';

/**
 * Uploads a host has already written to disk (the HTTP server streams a
 * multipart file part to a temporary file instead of holding it in memory).
 * The host hands the core a File backed by that file, and the core, seeing
 * it here, takes the file over by path instead of reading it into memory.
 *
 * A WeakMap keyed by the File object: only code in this process can put an
 * entry here, so a client cannot name a path on the server by sending one.
 */
const staged = new WeakMap<Blob, string>();

/** A File whose bytes are the file at `path` (read lazily, never all at once), registered as staged. */
export async function stagedFile(path: string, name: string, type: string): Promise<File> {
  const file = new File([await openAsBlob(path)], name, { type });
  staged.set(file, path);
  return file;
}

/** The path of a staged upload, or null for any other Blob. */
export function stagedPathOf(file: Blob): string | null {
  return staged.get(file) ?? null;
}
