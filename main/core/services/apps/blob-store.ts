import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { processAlive } from '../../lib/process-alive.js';

/**
 * Image configs and layers (and firmware images), stored once each under
 * their SHA-256 in `<data-dir>/<folder>/blobs/sha256/`. Files arrive in `staging/` (same
 * file system, so adopting one is a rename) and reach the store only once
 * everything they belong to was verified.
 */
export class BlobStore {
  readonly root: string;
  private readonly blobs: string;
  private readonly staging: string;

  /** `folder`: the data directory's folder of the feature that keeps them (apps, firmware). */
  constructor(dataDir: string, folder = 'apps') {
    // A throwaway core (':memory:') keeps its blobs in a temporary folder of its own.
    this.root = dataDir === ':memory:' ? mkdtempSync(join(tmpdir(), `edgecab-${folder}-`)) : join(dataDir, folder);
    this.blobs = join(this.root, 'blobs', 'sha256');
    this.staging = join(this.root, 'staging');
    mkdirSync(this.blobs, { recursive: true, mode: 0o700 });
    mkdirSync(this.staging, { recursive: true, mode: 0o700 });
    // What a killed push left is never part of the store; a push another process (the CLI) runs now is left alone.
    for (const name of readdirSync(this.staging)) if (!processAlive(Number(name.split('-')[0]))) rmSync(join(this.staging, name), { recursive: true, force: true });
  }

  /** A folder for one push's files, removed by `discard`. */
  newStagingDir(): string {
    const dir = join(this.staging, `${process.pid}-${randomUUID()}`);
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  discard(stagingDir: string): void {
    rmSync(stagingDir, { recursive: true, force: true });
  }

  pathOf(digest: string): string {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
    if (!hex) throw new Error(`not a sha256 digest: ${digest}`);
    return join(this.blobs, hex);
  }

  has(digest: string): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Moves a verified staged file into the store; false when the store held it already (the staged copy stays for `discard`). */
  adopt(digest: string, stagedPath: string): boolean {
    const path = this.pathOf(digest);
    if (existsSync(path)) return false;
    renameSync(stagedPath, path);
    return true;
  }

  size(digest: string): number {
    return statSync(this.pathOf(digest)).size;
  }

  read(digest: string): Readable {
    return createReadStream(this.pathOf(digest));
  }

  /**
   * Removes files no row names: what a push killed between adopting its
   * files and recording them left behind. Files adopted in the last hour
   * are spared: another process may be about to record them.
   */
  sweep(known: ReadonlySet<string>, now: Date): number {
    let removed = 0;
    for (const name of readdirSync(this.blobs)) {
      if (known.has(`sha256:${name}`)) continue;
      if (now.getTime() - statSync(join(this.blobs, name)).mtimeMs < 3_600_000) continue;
      rmSync(join(this.blobs, name), { force: true });
      removed += 1;
    }
    return removed;
  }
}
