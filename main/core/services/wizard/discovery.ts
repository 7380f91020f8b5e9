import { connect } from 'node:net';
import bundledCredentials from '../../../../assets/wizard/factory-credentials.json' with { type: 'json' };
import type { DiscoveredDevice } from '../../../../shared/domain/wizard.js';
import { RedfishClient } from '../../protocols/redfish/client.js';
import { firstMember, verifyLogin } from '../../protocols/redfish/actions.js';
import { collectDevice } from '../../protocols/snmp/collect.js';

export interface FactoryCredentials {
  redfish: { vendor?: string; username: string; password: string }[];
  snmp: string[];
}

/** The factory defaults in assets/wizard/factory-credentials.json (bundled, like the cabinet templates). */
export function loadFactoryCredentials(): FactoryCredentials {
  const data = bundledCredentials as Partial<FactoryCredentials>;
  if (!Array.isArray(data.redfish) || !Array.isArray(data.snmp)) throw new Error('assets/wizard/factory-credentials.json needs "redfish" and "snmp" lists');
  return { redfish: data.redfish, snmp: data.snmp };
}

/** A found device and the secret that opened it (kept by the caller in the credential vault, never shown). */
export interface Found {
  device: DiscoveredDevice;
  secret: { username: string; password: string } | { community: string } | null;
}

/** Whether anything listens on a TCP port, within a short time: saves a TLS handshake timeout per empty address. */
function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

/** A Redfish service at address:port: its identity, its certificate, and which factory credential opens it. */
export async function probeRedfish(address: string, port: number, credentials: FactoryCredentials['redfish'], timeoutMs: number): Promise<Found | null> {
  if (!(await tcpOpen(address, port, timeoutMs))) return null;
  const url = `https://${address}:${port}`;
  const anonymous = new RedfishClient({ url, username: '', password: '', trustOnFirstUse: true, requestTimeoutMs: timeoutMs * 3, retries: 0 });
  let root;
  try {
    root = await anonymous.serviceRoot();
  } catch {
    return null;
  } finally {
    await anonymous.close();
  }
  const fingerprint = anonymous.fingerprint;
  const vendor = text(root.Vendor) ?? text(root.Product);
  // The vendor's own defaults first, then the generic ones.
  const ordered = [...credentials.filter((each) => each.vendor && vendor?.toLowerCase().includes(each.vendor.toLowerCase())), ...credentials.filter((each) => !each.vendor || !vendor?.toLowerCase().includes(each.vendor.toLowerCase()))];
  for (const credential of ordered) {
    const options = { url, username: credential.username, password: credential.password, pinnedFingerprint: fingerprint, requestTimeoutMs: timeoutMs * 3 };
    if (!(await verifyLogin(options).catch(() => false))) continue;
    const client = new RedfishClient(options);
    try {
      const first = await firstMember(client, '/redfish/v1/Systems');
      const system = first ? await client.get(first) : {};
      const firstChassis = await firstMember(client, '/redfish/v1/Chassis').catch(() => null);
      const chassis = firstChassis ? await client.get(firstChassis).catch(() => ({}) as Record<string, unknown>) : {};
      const chassisType = text(chassis.ChassisType);
      return {
        device: {
          address,
          port,
          protocol: 'redfish',
          kind: chassisType === 'StorageEnclosure' ? 'storage' : 'server',
          vendor: text(system.Manufacturer) ?? vendor,
          model: text(system.Model),
          serial: text(system.SerialNumber),
          firmware: text(system.BiosVersion),
          fingerprint,
          credential: `${credential.vendor ?? 'generic'} factory default (${credential.username})`,
        },
        secret: { username: credential.username, password: credential.password },
      };
    } finally {
      await client.close();
    }
  }
  return { device: { address, port, protocol: 'redfish', kind: 'server', vendor, model: text(root.Product), serial: null, firmware: null, fingerprint, credential: null }, secret: null };
}

/** An SNMP agent at address:port answering one of the communities: what kind of device it is. */
export async function probeSnmp(address: string, port: number, communities: readonly string[], timeoutMs: number): Promise<Found | null> {
  for (const community of communities) {
    try {
      const device = await collectDevice({ host: address, port, version: '2c', community, timeoutMs, retries: 0 });
      const entity = device.entities.find((each) => each.serial || each.model) ?? null;
      return {
        device: {
          address,
          port,
          protocol: 'snmp',
          kind: device.kind,
          vendor: device.vendor ?? device.ups?.manufacturer ?? null,
          model: entity?.model ?? device.ups?.model ?? device.system.descr,
          serial: entity?.serial ?? null,
          firmware: entity?.softwareRev ?? entity?.firmwareRev ?? device.ups?.firmware ?? null,
          fingerprint: null,
          credential: `community "${community}"`,
        },
        secret: { community },
      };
    } catch {
      // Wrong community or nothing there: try the next.
    }
  }
  return null;
}

/** Runs `work` over items with at most `limit` at once, reporting each result as it comes. */
export async function boundedEach<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
