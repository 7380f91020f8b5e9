import type { Command } from 'commander';
import type { RedfishInventory } from '../../shared/domain/redfish.js';
import { RedfishClient, RedfishError } from '../core/protocols/redfish/client.js';
import { readInventory } from '../core/protocols/redfish/inventory.js';
import { fingerprintArgument, timeoutArgument, trustHint } from './tls-options.js';

const show = (value: string | number | null | undefined, unit = '') => (value === null || value === undefined ? '?' : `${value}${unit}`);

/** A few lines a person reads at a glance; the JSON has everything. */
export function redfishSummary(inventory: RedfishInventory, fingerprint: string | null): string {
  const lines = [`REDFISH  ${inventory.service.url}  v${show(inventory.service.redfishVersion)}${inventory.service.vendor ? `, ${inventory.service.vendor}` : ''}`];
  if (fingerprint) lines.push(`  certificate SHA-256 ${fingerprint}`);
  for (const system of inventory.systems) {
    lines.push(`  system      ${system.id}: ${show(system.vendor)} ${show(system.model)}, serial ${show(system.serial)}, power ${system.powerState}, health ${system.status.healthRollup}`);
    lines.push(`              ${show(system.processorCount)} CPU (${show(system.processorModel)}), ${show(system.memoryGiB, ' GiB')}, BIOS ${show(system.biosVersion)}, drives ${system.storage.flatMap((storage) => storage.drives).length}, NICs ${system.networkPorts.length}`);
  }
  for (const chassis of inventory.chassis) {
    const hot = Math.max(...chassis.temperatures.map((reading) => reading.value ?? Number.NEGATIVE_INFINITY));
    lines.push(`  chassis     ${chassis.id}: health ${chassis.status.healthRollup}, PSUs ${chassis.powerSupplies.length}, fans ${chassis.fans.length}, ${Number.isFinite(hot) ? `hottest ${hot} °C` : 'no temperatures'}, ${show(chassis.powerConsumedWatts, ' W')}`);
  }
  for (const manager of inventory.managers) lines.push(`  manager     ${manager.id}: firmware ${show(manager.firmware)}, NTP ${manager.ntpServers.join(', ') || 'none'}`);
  lines.push(`  firmware    ${inventory.firmware.map((item) => `${item.id} ${show(item.version)}`).join(', ') || 'none listed'}`);
  lines.push(`  problems    ${inventory.problems.length === 0 ? 'none' : `${inventory.problems.length}: ${inventory.problems.slice(0, 3).map((problem) => problem.resource).join(', ')}${inventory.problems.length > 3 ? ', …' : ''}`}`);
  return lines.join('\n');
}

interface ProbeRedfishOptions {
  user: string;
  password: string;
  trustOnFirstUse?: boolean;
  fingerprint?: string;
  timeout: number;
  human?: boolean;
}

export function addRedfishProbe(probe: Command): void {
  probe
    .command('redfish')
    .description('read a BMC over Redfish and print its normalized inventory as JSON')
    .argument('<url>', 'the BMC, e.g. https://10.0.0.10 (http:// works too)')
    .requiredOption('-u, --user <user>', 'BMC user name')
    .requiredOption('-p, --password <password>', 'BMC password')
    .option('--trust-on-first-use', 'trust the certificate the BMC presents now (its fingerprint is printed)')
    .option('--fingerprint <sha256>', 'the certificate fingerprint trusted earlier (AB:CD:…)', fingerprintArgument)
    .option('--timeout <ms>', 'per-request timeout in milliseconds', timeoutArgument, 15_000)
    .option('--human', 'print a readable summary instead of JSON')
    .action(async (url: string, options: ProbeRedfishOptions) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new Error(`"${url}" is not a URL; write it like https://10.0.0.10`);
      }
      const client = new RedfishClient({
        url: parsed.origin,
        username: options.user,
        password: options.password,
        pinnedFingerprint: options.fingerprint ?? null,
        trustOnFirstUse: options.trustOnFirstUse ?? false,
        requestTimeoutMs: options.timeout,
      });
      try {
        const inventory = await readInventory(client);
        process.stdout.write(
          options.human ? `${redfishSummary(inventory, client.fingerprint)}\n` : `${JSON.stringify({ certificateFingerprint: client.fingerprint, ...inventory }, null, 2)}\n`,
        );
      } catch (error) {
        if (error instanceof RedfishError && error.code === 'tls_untrusted') {
          throw new RedfishError(error.code, `${error.message}; ${trustHint(error.fingerprint)}`);
        }
        throw error;
      } finally {
        await client.close();
      }
    });
}
