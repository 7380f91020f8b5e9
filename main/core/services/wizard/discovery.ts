import { connect } from 'node:net';
import bundledCredentials from '../../../../assets/wizard/factory-credentials.json' with { type: 'json' };
import { z } from 'zod';
import { SnmpV3Credentials } from '../../../../shared/domain/snmp.js';
import type { DiscoveredDevice } from '../../../../shared/domain/wizard.js';
import { RedfishClient } from '../../protocols/redfish/client.js';
import { firstMember, lockoutPolicy, lockoutPolicyWithoutLogin, verifyLogin } from '../../protocols/redfish/actions.js';
import { collectDevice } from '../../protocols/snmp/collect.js';
import { SnmpSession } from '../../protocols/snmp/session.js';

/** A factory SNMPv3 admin user (an "rwuser" that may create users), as the Secure step starts from it. */
export const FactoryV3User = SnmpV3Credentials.omit({ context: true }).extend({
  vendor: z.string().min(1).optional(),
  authProtocol: SnmpV3Credentials.shape.authProtocol.unwrap(),
  authKey: SnmpV3Credentials.shape.authKey.unwrap(),
});
export type FactoryV3User = z.infer<typeof FactoryV3User>;

export interface FactoryCredentials {
  redfish: { vendor?: string; username: string; password: string }[];
  snmp: string[];
  snmpV3: FactoryV3User[];
}

/** The factory defaults in assets/wizard/factory-credentials.json (bundled, like the cabinet templates). */
export function loadFactoryCredentials(): FactoryCredentials {
  const data = bundledCredentials as Partial<Record<keyof FactoryCredentials, unknown>>;
  if (!Array.isArray(data.redfish) || !Array.isArray(data.snmp)) throw new Error('assets/wizard/factory-credentials.json needs "redfish" and "snmp" lists');
  const snmpV3 = z.array(FactoryV3User).safeParse(data.snmpV3);
  if (!snmpV3.success) throw new Error(`assets/wizard/factory-credentials.json needs an "snmpV3" list of { vendor?, user, authProtocol, authKey, privProtocol?, privKey? }: ${snmpV3.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return { redfish: data.redfish as FactoryCredentials['redfish'], snmp: data.snmp as string[], snmpV3: snmpV3.data };
}

/** A found device and the secret that opened it (kept by the caller in the credential vault, never shown). */
export interface Found {
  device: DiscoveredDevice;
  secret: { username: string; password: string } | { community: string } | null;
  /** SNMP: a factory SNMPv3 admin user that answered (the Secure step clones the site user from it). */
  admin?: FactoryV3User | null;
  /** Redfish: logins sent to this address in this probe, factory and the user's own (what the per-run budget counts). */
  attempts: number;
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

/**
 * Logins sent per address per wizard run, factory credentials and the
 * user's own together: below the lockout threshold of every BMC we know (3
 * to 10 failures), so discovery never locks an account; fewer where the
 * BMC's own threshold says so (threshold − 1). The vendor's own default
 * goes first, so the right one is usually the first.
 */
export const MAX_LOGINS_PER_ADDRESS = 2;

export interface LockoutRead {
  threshold: number | null;
  resetAfterSeconds: number | null;
}

/** The login budget of one address, kept by the caller (per run, and across runs in the database). */
export interface LoginRation {
  /** Logins this address may still take in this run, once what the BMC showed of its lockout without a login is known. */
  allowed(shown: LockoutRead): number;
  /** A login the BMC refused. */
  refused(): void;
  /** The BMC's lockout policy, read after a login worked: kept, so later runs stay below it. */
  learned(policy: LockoutRead): void;
}

export interface RedfishProbePlan {
  factory: FactoryCredentials['redfish'];
  /** Credentials the user typed: sent only to a BMC whose certificate the user has seen and trusted (this fingerprint). */
  userSupplied: readonly { username: string; password: string }[];
  trustedFingerprint: string | null;
  ration: LoginRation;
}

/**
 * A Redfish service at address:port: its identity, its certificate, and
 * which credential opens it. The BMC's lockout policy is read first where
 * it shows it without a login; then at most `ration.allowed()` logins are
 * sent, factory and the user's own together (a BMC locks the account after
 * a few failures): the user's own first once their certificate is trusted,
 * then the vendor's defaults. While the user's own wait for the certificate
 * to be trusted, one login of the budget is kept for them. After a login
 * works, the BMC's lockout policy is read, shown and kept.
 */
export async function probeRedfish(address: string, port: number, plan: RedfishProbePlan, timeoutMs: number): Promise<Found | null> {
  if (!(await tcpOpen(address, port, timeoutMs))) return null;
  const url = `https://${address}:${port}`;
  const anonymous = new RedfishClient({ url, username: '', password: '', trustOnFirstUse: true, requestTimeoutMs: timeoutMs * 3, retries: 0 });
  let root;
  let shown: LockoutRead;
  try {
    root = await anonymous.serviceRoot();
    shown = await lockoutPolicyWithoutLogin(anonymous);
  } catch {
    return null;
  } finally {
    await anonymous.close();
  }
  const fingerprint = anonymous.fingerprint;
  const vendor = text(root.Vendor) ?? text(root.Product);
  // Where the service root does not say its maker, its Oem sections and its certificate often do.
  const hints = [vendor, ...Object.keys(typeof root.Oem === 'object' && root.Oem && !Array.isArray(root.Oem) ? root.Oem : {}), ...anonymous.certificateNames].filter((hint): hint is string => Boolean(hint)).map((hint) => hint.toLowerCase());
  const matches = (each: { vendor?: string }) => Boolean(each.vendor && hints.some((hint) => hint.includes(each.vendor!.toLowerCase())));
  const trusted = fingerprint !== null && plan.trustedFingerprint === fingerprint;
  const waitingForTrust = plan.userSupplied.length > 0 && !trusted;
  const factory = [
    ...plan.factory.filter(matches),
    // Defaults without a vendor fit many makers: they come before other vendors' own.
    ...plan.factory.filter((each) => !matches(each) && !each.vendor),
    ...plan.factory.filter((each) => !matches(each) && each.vendor),
  ].map((each) => ({ ...each, label: `${each.vendor ?? 'generic'} factory default (${each.username})`, factory: true }));
  const ordered = [
    // The user's own first once the certificate is trusted: they are what the user says is right.
    ...(trusted ? plan.userSupplied.map((each) => ({ ...each, label: `the credential you gave (${each.username})`, factory: false })) : []),
    ...factory,
  ];
  const allowed = plan.ration.allowed(shown);
  // The user's credentials are held back until the certificate is trusted: one login stays for them, or they could never be tried in this run.
  const factoryAllowed = waitingForTrust ? Math.max(0, allowed - 1) : allowed;
  let attempts = 0;
  const unopened = (note: DiscoveredDevice['note']): Found => ({
    device: { address, port, protocol: 'redfish', kind: 'server', vendor, model: text(root.Product), serial: null, firmware: null, fingerprint, credential: null, lockoutThreshold: shown.threshold, note },
    secret: null,
    attempts,
  });
  for (const credential of ordered) {
    if (attempts >= (credential.factory ? factoryAllowed : allowed)) return unopened(waitingForTrust ? 'untrusted' : 'budget');
    const options = { url, username: credential.username, password: credential.password, pinnedFingerprint: fingerprint, requestTimeoutMs: timeoutMs * 3 };
    attempts += 1;
    // A refusal counts toward the BMC's lockout; no answer (a timeout, a reset) is not a refusal.
    const ok = await verifyLogin(options).catch(() => null);
    if (ok === false) plan.ration.refused();
    if (!ok) continue;
    const client = new RedfishClient(options);
    try {
      const first = await firstMember(client, '/redfish/v1/Systems');
      const system = first ? await client.get(first) : {};
      const firstChassis = await firstMember(client, '/redfish/v1/Chassis').catch(() => null);
      const chassis = firstChassis ? await client.get(firstChassis).catch(() => ({}) as Record<string, unknown>) : {};
      const policy = await lockoutPolicy(client).catch(() => shown);
      plan.ration.learned(policy);
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
          credential: credential.label,
          lockoutThreshold: policy.threshold,
          note: null,
        },
        secret: { username: credential.username, password: credential.password },
        attempts,
      };
    } finally {
      await client.close();
    }
  }
  return unopened(waitingForTrust ? 'untrusted' : null);
}

/** The communities discovery tries: the factory ones, then the user's own (secret: only ever named by a label). */
export interface CommunityPlan {
  factory: readonly string[];
  userSupplied: readonly string[];
}

/** A label for the community that answered, never the community itself (the user's are secret, and a factory one is a password too). */
export function communityLabel(plan: CommunityPlan, community: string): string {
  const factory = plan.factory.indexOf(community);
  if (factory !== -1) return `factory community ${factory + 1} of ${plan.factory.length}`;
  return 'a community you gave';
}

/** An SNMP agent at address:port answering one of the communities: what kind of device it is, and which factory SNMPv3 admin user it knows. */
export async function probeSnmp(address: string, port: number, plan: CommunityPlan, admins: readonly FactoryV3User[], timeoutMs: number): Promise<Found | null> {
  for (const community of [...new Set([...plan.factory, ...plan.userSupplied])]) {
    try {
      const device = await collectDevice({ host: address, port, version: '2c', community, timeoutMs, retries: 0 });
      const entity = device.entities.find((each) => each.serial || each.model) ?? null;
      const vendor = device.vendor ?? device.ups?.manufacturer ?? null;
      return {
        device: {
          address,
          port,
          protocol: 'snmp',
          kind: device.kind,
          vendor,
          model: entity?.model ?? device.ups?.model ?? device.system.descr,
          serial: entity?.serial ?? null,
          firmware: entity?.softwareRev ?? entity?.firmwareRev ?? device.ups?.firmware ?? null,
          fingerprint: null,
          credential: communityLabel(plan, community),
          lockoutThreshold: null,
          note: null,
        },
        secret: { community },
        admin: await findAdmin(address, port, vendor, admins, timeoutMs),
        attempts: 0,
      };
    } catch {
      // Wrong community or nothing there: try the next.
    }
  }
  return null;
}

/** The first factory SNMPv3 admin user the agent answers to, the vendor's own first; null when none does. */
async function findAdmin(address: string, port: number, vendor: string | null, admins: readonly FactoryV3User[], timeoutMs: number): Promise<FactoryV3User | null> {
  const matches = (each: FactoryV3User) => Boolean(each.vendor && vendor?.toLowerCase().includes(each.vendor.toLowerCase()));
  for (const admin of [...admins.filter(matches), ...admins.filter((each) => !matches(each))]) {
    const { vendor: _vendor, ...v3 } = admin;
    const session = new SnmpSession({ host: address, port, version: '3', v3, timeoutMs, retries: 0 });
    try {
      await session.get(['1.3.6.1.2.1.1.2.0']);
      return admin;
    } catch {
      // Not this one.
    } finally {
      session.close();
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
