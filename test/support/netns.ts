import { spawnSync } from 'node:child_process';

/** A Linux network namespace joined to this one by a veth pair: hosts on addresses of their own, not loopback. */
export interface Namespace {
  name: string;
  /** This machine's address on the veth. */
  hostAddress: string;
  /** This machine's end of the veth (for `tc`, or to take the link down). */
  hostInterface: string;
  /** Addresses inside the namespace, for the devices. */
  addresses: string[];
  /** The subnet both sides share. */
  subnet: string;
  remove(): void;
}

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
}

/** Why namespaces cannot be made here, or null when they can (root and iproute2). */
export function namespacesUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: network namespaces need CAP_NET_ADMIN';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `ip netns is not available (${probe.error?.message ?? probe.stderr.trim()})`;
  return null;
}

/** A namespace with `count` device addresses on 10.231.<k>.0/24 (k from the process id, so parallel runs do not clash). */
export function createNamespace(count: number): Namespace {
  const tag = String(process.pid % 10_000);
  const name = `ecab-${tag}`;
  const hostSide = `ec${tag}h`;
  const nsSide = `ec${tag}n`;
  // Another test's namespace may hold the subnet this pid maps to: take the next free one.
  const taken = spawnSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }).stdout ?? '';
  let octet = 20 + (process.pid % 200);
  for (let tries = 0; tries < 200 && taken.includes(`10.231.${octet}.`); tries += 1) octet = 20 + ((octet - 20 + 1) % 200);
  const hostAddress = `10.231.${octet}.1`;
  const addresses = Array.from({ length: count }, (_, index) => `10.231.${octet}.${index + 2}`);
  // Leftovers of a killed run with the same process id.
  spawnSync('ip', ['link', 'del', hostSide]);
  spawnSync('ip', ['netns', 'del', name]);
  ip('netns', 'add', name);
  try {
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide);
    ip('link', 'set', nsSide, 'netns', name);
    ip('addr', 'add', `${hostAddress}/24`, 'dev', hostSide);
    ip('link', 'set', hostSide, 'up');
    for (const address of addresses) ip('-n', name, 'addr', 'add', `${address}/24`, 'dev', nsSide);
    ip('-n', name, 'link', 'set', nsSide, 'up');
    ip('-n', name, 'link', 'set', 'lo', 'up');
  } catch (error) {
    spawnSync('ip', ['link', 'del', hostSide]);
    spawnSync('ip', ['netns', 'del', name]);
    throw error;
  }
  return {
    name,
    hostAddress,
    hostInterface: hostSide,
    addresses,
    subnet: `10.231.${octet}.0/24`,
    remove: () => {
      spawnSync('ip', ['link', 'del', hostSide]);
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
}
