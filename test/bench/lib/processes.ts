import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../report.js';

/** A child process of a suite: stopped (SIGTERM, then SIGKILL after a grace period) and waited for. */
export interface Child {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Children still running; whatever way this process ends, none outlives it (a thrown error skips `finally` blocks still waiting). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function owned(child: ChildProcess): Child {
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      running.delete(child);
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', done);
  });
  return {
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs `edgecab <args>` and collects its JSON lines up to the one whose
 * event is `until`. The lab and the server say which ports they took on
 * those lines; nothing is assumed about ports beforehand.
 */
export async function startEdgecab<Line extends { event: string }>(
  args: string[],
  until: string,
  options: { stdin?: boolean; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Child & { lines: Line[]; last: Line }> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(repoRoot, 'main/cli/edgecab.mjs'), ...args], {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'],
    ...(options.env ? { env: options.env } : {}),
  });
  const handle = owned(child);
  const lines: Line[] = [];
  try {
    const last = await new Promise<Line>((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`edgecab ${args.join(' ')} exited (${code ?? signal}) before "${until}"`)));
      child.once('error', reject);
      createInterface({ input: child.stdout! }).on('line', (text) => {
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          return; // not one of the machine-readable lines
        }
        lines.push(line);
        if (line.event === until) resolve(line);
      });
    });
    return { ...handle, lines, last };
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

/** `edgecab serve` on a port the system picks (`--port 0`), with the URL it reports (no trailing slash) and its first-administrator link, if any. */
export async function startServer(dataDir: string, extraArgs: string[] = [], options: { nodeArgs?: string[] } = {}): Promise<Child & { url: string; setupUrl: string | null }> {
  const server = await startEdgecab<{ event: string; url: string; setupUrl?: string | null }>(['serve', '--port', '0', '--data-dir', dataDir, '--json', ...extraArgs], 'listening', options);
  return { ...server, url: server.last.url.replace(/\/$/, ''), setupUrl: server.last.setupUrl ?? null };
}

/** Runs up to `inFlight` of `count` jobs at once; a job's failure is the job's to report. */
export async function inParallel(count: number, inFlight: number, job: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}
