import type { Command } from 'commander';
import { decimalSize, type EngineInventory } from '../../shared/domain/engine.js';
import { EngineClient, EngineError } from '../core/protocols/engine/client.js';
import { readEngine } from '../core/protocols/engine/inventory.js';
import { readTextFile } from './command-files.js';
import { fingerprintArgument, timeoutArgument, trustHint } from './tls-options.js';

/** A few lines a person reads at a glance; the JSON has everything. */
export function engineSummary(inventory: EngineInventory): string {
  const { engine, host, disk } = inventory;
  const running = inventory.containers.filter((container) => container.state === 'running').length;
  const lines = [`ENGINE  ${inventory.endpoint}  ${engine.product} ${engine.version} (API ${engine.apiVersion})`];
  if (inventory.certificateFingerprint) lines.push(`  certificate SHA-256 ${inventory.certificateFingerprint}`);
  lines.push(`  host        ${host.name ?? '?'}: ${engine.os ?? '?'} ${engine.arch ?? ''}, kernel ${engine.kernel ?? '?'}, ${host.cpus ?? '?'} CPU, ${decimalSize(host.memoryBytes)} memory`);
  lines.push(`  disk        ${disk.freeBytes !== null ? `${decimalSize(disk.freeBytes)} free of ${decimalSize(disk.totalBytes)}` : disk.note ?? 'unknown'}${disk.path ? ` (${disk.path})` : ''}`);
  lines.push(`  images      ${inventory.images.length}: ${inventory.images.slice(0, 5).map((image) => image.tags[0] ?? image.id.slice(0, 19)).join(', ') || 'none'}${inventory.images.length > 5 ? ', …' : ''}`);
  lines.push(`  containers  ${inventory.containers.length} (${running} running): ${inventory.containers.slice(0, 5).map((container) => `${container.name} ${container.state}`).join(', ') || 'none'}${inventory.containers.length > 5 ? ', …' : ''}`);
  lines.push(`  volumes     ${inventory.volumes.length}: ${inventory.volumes.slice(0, 5).map((volume) => volume.name).join(', ') || 'none'}`);
  return lines.join('\n');
}

interface ProbeEngineOptions extends EngineConnectionOptions {
  human?: boolean;
}

/** The options that say how to reach an engine (probe engine, apps deploy). */
export function withEngineConnectionOptions(command: Command): Command {
  return command
    .option('--cert <file>', 'PEM client certificate presented to the engine (TCP)')
    .option('--key <file>', 'PEM key of the client certificate')
    .option('--trust-on-first-use', "trust the engine's certificate as presented now (its fingerprint is printed)")
    .option('--fingerprint <sha256>', "the engine certificate's fingerprint trusted earlier (AB:CD:…)", fingerprintArgument)
    .option('--timeout <ms>', 'per-request timeout in milliseconds', timeoutArgument, 15_000);
}

export interface EngineConnectionOptions {
  cert?: string;
  key?: string;
  fingerprint?: string;
  trustOnFirstUse?: boolean;
  timeout: number;
}

export function engineClientFor(url: string, options: EngineConnectionOptions): EngineClient {
  if (Boolean(options.cert) !== Boolean(options.key)) throw new Error('--cert and --key go together');
  const clientCertificate = options.cert && options.key ? { cert: readTextFile(options.cert, 'the client certificate'), key: readTextFile(options.key, 'the client key') } : null;
  return new EngineClient({ url, clientCertificate, pinnedFingerprint: options.fingerprint ?? null, trustOnFirstUse: options.trustOnFirstUse ?? false, requestTimeoutMs: options.timeout });
}

export function addEngineProbe(probe: Command): void {
  const command = probe
    .command('engine')
    .description("read a site's workload engine (Docker or Podman API) and print version, host, disk, images, containers and volumes as JSON")
    .argument('<url>', 'unix:/run/podman/podman.sock, or https://host:port (mutual TLS)')
    .option('--human', 'print a readable summary instead of JSON');
  withEngineConnectionOptions(command).action(async (url: string, options: ProbeEngineOptions) => {
    const client = engineClientFor(url, options);
    try {
      const inventory = await readEngine(client);
      process.stdout.write(options.human ? `${engineSummary(inventory)}\n` : `${JSON.stringify(inventory, null, 2)}\n`);
    } catch (error) {
      if (error instanceof EngineError && error.code === 'tls_untrusted') {
        throw new EngineError(error.code, `${error.message}; ${trustHint(error.fingerprint)}`);
      }
      throw error;
    } finally {
      await client.close();
    }
  });
}
