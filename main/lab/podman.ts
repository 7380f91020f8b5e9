/**
 * A real Podman API service, for the lab's cabinets and for tests:
 * `podman system service` on a unix socket of its own, with its own storage
 * (vfs) and runtime folders under a temporary directory, so nothing touches
 * the machine's containers. No
 * registry can be reached here: images are made locally from Debian's
 * static busybox (`podman import` of a one-binary root filesystem).
 * Stopped by PID.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const BUSYBOX = '/bin/busybox';

export interface PodmanService {
  /** `unix:/…/api.sock` */
  url: string;
  socketPath: string;
  /** Runs the podman CLI against this service's storage (for set-up and for comparing answers). */
  podman(...args: string[]): Promise<string>;
  /**
   * An image tagged `name` whose only program is busybox (httpd, sh, wget, …), serving `page` (default `<h1>name</h1>`) from /www;
   * `padBytes` of random (incompressible) data in /www/pad.bin make it as large as a real release.
   */
  importBusybox(name: string, page?: string, padBytes?: number): Promise<string>;
  /** Ends the API service, storage and containers kept: the engine is unreachable, as a site gone offline. */
  goAway(): Promise<void>;
  /** Starts the API service again on the same socket and storage. */
  comeBack(): Promise<void>;
  stop(): Promise<void>;
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request({ socketPath, path: '/version', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    probe.on('error', () => resolve(false));
    probe.on('timeout', () => {
      probe.destroy();
      resolve(false);
    });
    probe.end();
  });
}

/** Processes whose command line names `dir` (conmon, its cleanup helpers): given 3 s to end, then killed. */
async function endProcessesUsing(dir: string): Promise<void> {
  const using = async () => {
    try {
      return (await run('pgrep', ['-f', dir])).stdout.split('\n').map(Number).filter((pid) => pid > 0 && pid !== process.pid);
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
  };
  const deadline = Date.now() + 3000;
  let pids = await using();
  while (pids.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    pids = await using();
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface PodmanOptions {
  /** Environment every container of this engine gets (containers.conf `env`), e.g. the address of the host it stands for. */
  containerEnv?: Readonly<Record<string, string>>;
  /** Where images and containers are stored instead of a folder of the service's own (e.g. a small filesystem, to see a disk fill up). */
  storageRoot?: string;
  /**
   * Seconds without a request after which the service ends by itself (default 600, so a test run killed before
   * stop() leaves nothing running for long); 0: never, for engines that must wait for their first deployment (the lab's).
   */
  idleSeconds?: number;
}

/** Whether a `podman` program is on the PATH. */
export async function podmanInstalled(): Promise<boolean> {
  try {
    await run('podman', ['--version']);
    return true;
  } catch {
    return false;
  }
}

export async function startPodman(options: PodmanOptions = {}): Promise<PodmanService> {
  const dir = mkdtempSync(join(tmpdir(), 'edgecab-podman-'));
  const conf = join(dir, 'containers.conf');
  const envLines = Object.entries(options.containerEnv ?? {}).map(([key, value]) => JSON.stringify(`${key}=${value}`));
  // What Podman needs on this kind of machine: runc, cgroupfs (no systemd), file events, and ulimits the container may set.
  writeFileSync(conf, ['[containers]', 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]', ...(envLines.length ? [`env = [${envLines.join(', ')}]`] : []), '[engine]', 'cgroup_manager = "cgroupfs"', 'events_logger = "file"', 'runtime = "runc"', ''].join('\n'));
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const storage = ['--root', options.storageRoot ?? join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', '--tmpdir', join(dir, 'tmp')];
  const socketPath = join(dir, 'api.sock');
  interface Running {
    service: ChildProcess;
    kill(signal: NodeJS.Signals): void;
    exited: Promise<number | null>;
  }
  const launch = async (): Promise<Running> => {
    // Its own process group, killed as one.
    const service: ChildProcess = spawn('podman', [...storage, 'system', 'service', `--time=${options.idleSeconds ?? 600}`, `unix://${socketPath}`], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-service.pid!, signal);
      } catch {
        // already gone
      }
    };
    let stderr = '';
    service.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const exited = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!(await answers(socketPath))) {
      if (service.exitCode !== null || Date.now() > deadline) {
        kill('SIGKILL');
        await exited;
        throw new Error(`podman system service did not start: ${stderr.trim() || `exit ${service.exitCode}`}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { service, kill, exited };
  };
  const end = async (running: Running) => {
    if (running.service.exitCode === null) {
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
      await running.exited;
      clearTimeout(timer);
    }
  };
  let running: Running;
  try {
    running = await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const podman = async (...args: string[]) => (await run('podman', [...storage, ...args], { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  return {
    url: `unix:${socketPath}`,
    socketPath,
    podman,
    async importBusybox(name, page, padBytes = 0) {
      const rootfs = join(dir, `rootfs-${name.replace(/[^a-z0-9]/gi, '-')}`);
      mkdirSync(join(rootfs, 'bin'), { recursive: true });
      mkdirSync(join(rootfs, 'www'), { recursive: true });
      copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
      for (const applet of ['sh', 'httpd', 'sleep', 'wget', 'grep', 'cat', 'true', 'false']) symlinkSync('busybox', join(rootfs, 'bin', applet));
      writeFileSync(join(rootfs, 'www', 'index.html'), page ?? `<h1>${name}</h1>\n`);
      if (padBytes > 0) writeFileSync(join(rootfs, 'www', 'pad.bin'), randomBytes(padBytes));
      const archive = `${rootfs}.tar`;
      await run('tar', ['-C', rootfs, '-cf', archive, '.']);
      return (await podman('import', archive, name)).trim();
    },
    // Both are idempotent: going away twice, or coming back while up, changes nothing.
    async goAway() {
      await end(running);
      rmSync(socketPath, { force: true });
    },
    async comeBack() {
      if (running.service.exitCode === null && running.service.signalCode === null) return;
      running = await launch();
    },
    async stop() {
      await end(running);
      // Containers the tests left (their conmon processes) are removed before their storage goes; a failure is said, not hidden.
      await podman('rm', '--all', '--force', '--time', '0').catch((error: unknown) => console.error(`podman rm --all failed: ${(error as Error).message}`));
      // conmon runs `podman container cleanup` in a session of its own after a container ends; it may still be writing into this storage.
      await endProcessesUsing(dir);
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
