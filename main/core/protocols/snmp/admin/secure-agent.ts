import { SnmpV3Credentials } from '../../../../../shared/domain/snmp.js';
import type { SnmpSession } from '../session.js';
import { turnOffCommunities } from './communities.js';
import { discoverEngineId } from './engine-discovery.js';
import { localizedKeys } from './keys.js';
import { ensureNotifyTarget, notifyTargetActive } from './notify.js';
import { SECURITY_LEVEL, SECURITY_MODEL } from './oids.js';
import { keysWork, probeCommunity, probeUser, v3Session, type Endpoint, type Probe } from './probe.js';
import { createByCloning, credentials, ensureSiteUser, keysTag, type Protocols } from './secure-user.js';
import { StepFailed, StepLog, type SecureStep } from './steps.js';
import { destroyUser, proveUsmWrite, readEngineId, readUser, type UsmUser } from './usm.js';
import { addAccess, addGroupMember, bestAccess, groupOf, listAccess, setMemberGroup, type Views } from './vacm.js';

export type { SecureStep, SecureStepName } from './steps.js';

/**
 * Rotates every factory SNMP credential on one agent, over SNMP only:
 * creates the site's SNMPv3 authPriv user (a clone of the factory admin with
 * its own keys), gives it VACM access, points notifications at EdgeCab, turns
 * the v1/v2c communities off, removes the factory admin, and proves each by
 * reading with the new user and failing with the old credentials.
 *
 * Idempotent and crash-safe: every step first looks at what the agent holds,
 * so a re-run after a crash anywhere finishes the job, and a finished agent
 * is left as it is. The caller stores the site passphrases (sealed) before
 * calling, so they are never lost whatever happens here.
 *
 * The factory admin is destroyed, not re-keyed: Net-SNMP refuses KeyChange
 * on a user that was not made by cloning (inconsistentName), a factory user
 * name is public knowledge, and the site user holds the same access (it is
 * proven to read and to write USM before the factory user goes).
 */

export interface AdminAccess {
  host: string;
  port?: number;
  timeoutMs?: number;
  retries?: number;
  /** The factory SNMPv3 user that may write USM and VACM (a factory "rwuser"), authPriv. */
  admin: SnmpV3Credentials;
}

export interface NotificationDestination {
  /** An IPv4 address the agent can reach EdgeCab's trap receiver on. */
  host: string;
  port: number;
  kind: 'trap' | 'inform';
  /**
   * Informs only: the receiver's snmpEngineID (hex); asked of the receiver
   * (RFC 3414 discovery) when not given. For an inform the receiver is the
   * authoritative engine, so the agent needs the site user localized to that
   * engine as a usmUserTable row of its own.
   */
  engineId?: string;
}

export interface SecurePlan {
  user: string;
  /** Passphrases (8+ characters), already stored sealed by the caller. */
  authKey: string;
  privKey: string;
  destination: NotificationDestination | null;
  /** The factory communities that must stop working (all v1/v2c access is cut; these are proven dead). */
  communities: readonly string[];
}

export interface SecureResult {
  ok: boolean;
  engineId: string | null;
  /** The site user as it now works, with the protocols the agent holds (a clone inherits its source's); null if it does not. */
  credentials: SnmpV3Credentials | null;
  steps: SecureStep[];
}

/** Names the VACM group, the notification rows and their tag. */
export const SITE_GROUP = 'edgecab';
export const NOTIFY_NAME = 'edgecab';

class SecureRun {
  private readonly sessions: SnmpSession[] = [];
  readonly log: StepLog;
  readonly endpoint: Endpoint;
  engineId: Buffer | null = null;
  siteCredentials: SnmpV3Credentials | null = null;

  constructor(
    private readonly access: AdminAccess,
    private readonly plan: SecurePlan,
    onStep?: (step: SecureStep) => void,
  ) {
    this.log = new StepLog(onStep);
    this.endpoint = { host: access.host, port: access.port ?? 161, timeoutMs: access.timeoutMs ?? 2000, retries: access.retries ?? 1 };
  }

  private session(credentials: SnmpV3Credentials): SnmpSession {
    const session = v3Session(this.endpoint, credentials);
    this.sessions.push(session);
    return session;
  }

  close(): void {
    for (const session of this.sessions) session.close();
  }

  async execute(): Promise<void> {
    const { admin } = this.access;
    const plan = this.plan;
    if (plan.user === admin.user) this.log.fail('engine', `the site user must not be the factory user "${admin.user}"`);
    const checked = SnmpV3Credentials.safeParse({ user: plan.user, authKey: plan.authKey, privKey: plan.privKey });
    if (!checked.success) this.log.fail('engine', `the site user is not valid: ${checked.error.issues.map((issue) => issue.message).join('; ')}`);
    if (!admin.authKey || !admin.privKey) this.log.fail('engine', `the factory user "${admin.user}" must be authPriv: a clone keeps its source's protocols`);
    const assumed: Protocols = { auth: admin.authProtocol ?? 'sha', priv: admin.privProtocol ?? 'aes' };
    const passphrases = { authKey: plan.authKey, privKey: plan.privKey };

    // Engine: who answers now. After a finished or interrupted run the factory user may already be gone.
    const adminProbe = await probeUser(this.endpoint, admin);
    const siteProbe = await probeUser(this.endpoint, credentials(plan.user, assumed, passphrases));
    const managerCredentials = adminProbe.state === 'works' ? admin : siteProbe.state === 'works' ? credentials(plan.user, assumed, passphrases) : null;
    if (!managerCredentials) {
      const error = adminProbe.error ?? siteProbe.error;
      this.log.fail('engine', `the agent accepts neither the factory SNMPv3 user "${admin.user}" (${adminProbe.state}) nor the site user "${plan.user}" (${siteProbe.state})`, error);
    }
    const manager = this.session(managerCredentials);
    const engineId = await this.log.run('engine', 'cannot read snmpEngineID.0', () => readEngineId(manager));
    this.engineId = engineId;
    this.log.ok('engine', `snmpEngineID ${engineId.toString('hex')}; managed as "${managerCredentials.user}"`);

    const protocols = await ensureSiteUser(this.log, { endpoint: this.endpoint, engineId, user: plan.user, passphrases, admin, manager, adminProbe, siteProbe, assumed });
    const siteCredentials = credentials(plan.user, protocols, passphrases);
    this.siteCredentials = siteCredentials;

    // The manager is the factory user while it exists, else the site user (a re-run after the factory user went).
    await this.ensureAccess(manager);
    const site = this.session(siteCredentials);
    await this.log.run('verify-user', `"${plan.user}" cannot write the USM tables, so the factory user is kept`, () => proveUsmWrite(site));
    this.log.ok('verify-user', `"${plan.user}" reads and writes (usmUserSpinLock)`);

    if (plan.destination) await this.ensureDestination(site, protocols, plan.destination);

    const off = await this.log.run('communities', 'the agent refused to turn SNMPv1/v2c access off', () => turnOffCommunities(site));
    if (off.stuck.length > 0) this.log.fail('communities', `the agent keeps these security names read-only: ${off.stuck.map((member) => member.securityName).join(', ')}`);
    this.log.ok('communities', off.changes.join('; ') + (off.lasting ? '' : ". The agent's configuration defines these communities: remove them there to make this last beyond a restart"), off.lasting);

    await this.removeFactoryUser(site, engineId, adminProbe);
    await this.verify(site, siteCredentials);
  }

  /** The site user's VACM group: its own, at authPriv, with the views the factory admin has. */
  private async ensureAccess(session: SnmpSession): Promise<void> {
    const { plan } = this;
    const member = await this.log.run('access', 'cannot read vacmSecurityToGroupTable', () => groupOf(session, SECURITY_MODEL.usm, plan.user));
    const current = member ? bestAccess(await this.log.run('access', 'cannot read vacmAccessTable', () => listAccess(session, member.group)), SECURITY_MODEL.usm, SECURITY_LEVEL.authPriv) : null;
    if (member && current?.readView) {
      this.log.ok('access', `"${plan.user}" is in group "${member.group}" (read "${current.readView}", write "${current.writeView}", notify "${current.notifyView}")`);
      return;
    }
    const existing = bestAccess(await this.log.run('access', 'cannot read vacmAccessTable', () => listAccess(session, SITE_GROUP)), SECURITY_MODEL.usm, SECURITY_LEVEL.authPriv);
    const views = existing ?? (await this.addSiteAccess(session));
    await this.log.run('access', `the agent refused to put "${plan.user}" in group "${SITE_GROUP}"`, () => (member ? setMemberGroup(session, member, SITE_GROUP) : addGroupMember(session, SECURITY_MODEL.usm, plan.user, SITE_GROUP)));
    this.log.ok('access', `"${plan.user}" is in group "${SITE_GROUP}" (authPriv; read "${views.readView}", write "${views.writeView}", notify "${views.notifyView}", as the factory user)`);
  }

  /** The site group's access row, with the views the factory user's group has at authPriv. */
  private async addSiteAccess(session: SnmpSession): Promise<Views> {
    const { admin } = this.access;
    const factory = await this.log.run('access', 'cannot read vacmSecurityToGroupTable', () => groupOf(session, SECURITY_MODEL.usm, admin.user));
    const views = factory ? bestAccess(await this.log.run('access', 'cannot read vacmAccessTable', () => listAccess(session, factory.group)), SECURITY_MODEL.usm, SECURITY_LEVEL.authPriv) : null;
    if (!views) return this.log.fail('access', `cannot tell what the factory user "${admin.user}" may see: it has no VACM access row to copy`);
    await this.log.run('access', `the agent refused an access row for group "${SITE_GROUP}"`, () => addAccess(session, SITE_GROUP, views));
    return views;
  }

  private async ensureDestination(site: SnmpSession, protocols: Protocols, destination: NotificationDestination): Promise<void> {
    const { plan } = this;
    if (destination.kind === 'inform') {
      const receiver = destination.engineId
        ? Buffer.from(destination.engineId.replace(/^0x/i, ''), 'hex')
        : await discoverEngineId(destination.host, destination.port, this.endpoint.timeoutMs, this.endpoint.retries);
      if (!receiver || receiver.length < 5 || receiver.length > 32) {
        this.log.fail('inform-user', `informs need the receiver's snmpEngineID: ${destination.engineId ? 'give 5 to 32 bytes in hex' : `${destination.host}:${destination.port} did not answer an SNMPv3 discovery`}`);
      }
      await this.ensureInformUser(site, protocols, receiver);
    }
    const change = await this.log.run('notify', 'the agent refused the notification target', () =>
      ensureNotifyTarget(site, { name: NOTIFY_NAME, host: destination.host, port: destination.port, kind: destination.kind, securityName: plan.user }),
    );
    this.log.ok('notify', `${destination.kind}s to ${destination.host}:${destination.port} as "${plan.user}" (authPriv): ${change}`);
  }

  /** The site user localized to the receiver's engine, cloned from the site user itself. */
  private async ensureInformUser(site: SnmpSession, protocols: Protocols, receiver: Buffer): Promise<void> {
    const { plan } = this;
    const target: UsmUser = { engineId: receiver, name: plan.user };
    const newKeys = localizedKeys(protocols.auth, protocols.priv, plan.authKey, plan.privKey, receiver);
    const row = await this.log.run('inform-user', `cannot read the row of "${plan.user}" for engine ${receiver.toString('hex')}`, () => readUser(site, target));
    if (row?.status === 1 && row.public === keysTag(newKeys)) {
      this.log.ok('inform-user', `"${plan.user}" for the receiver's engine ${receiver.toString('hex')} is already keyed`);
      return;
    }
    await createByCloning(this.log, {
      session: site,
      target,
      from: { engineId: this.engineId!, name: plan.user },
      protocols,
      oldKeys: localizedKeys(protocols.auth, protocols.priv, plan.authKey, plan.privKey, this.engineId!),
      newKeys,
      replacing: row ? 'it was not keyed by this run' : null,
      steps: { create: 'inform-user', clone: 'inform-user', keys: 'inform-user', activate: 'inform-user' },
    });
  }

  private async removeFactoryUser(site: SnmpSession, engineId: Buffer, adminProbe: Probe): Promise<void> {
    const { admin } = this.access;
    const factory: UsmUser = { engineId, name: admin.user };
    const row = await this.log.run('factory-user', `cannot read the row of "${admin.user}"`, () => readUser(site, factory));
    if (row) await this.log.run('factory-user', `the agent refused to remove the factory user "${admin.user}"`, () => destroyUser(site, factory));
    this.log.ok('factory-user', row ? `removed the factory user "${admin.user}"` : `the factory user "${admin.user}" was already gone (${adminProbe.state})`);
  }

  private async verify(site: SnmpSession, siteCredentials: SnmpV3Credentials): Promise<void> {
    const problems: string[] = [];
    const seen: string[] = [];
    const siteProbe = await probeUser(this.endpoint, siteCredentials);
    if (siteProbe.state !== 'works') problems.push(`"${siteCredentials.user}" does not read (${siteProbe.error?.message ?? siteProbe.state})`);
    else seen.push(`"${siteCredentials.user}" reads`);
    const factory = await probeUser(this.endpoint, this.access.admin);
    if (keysWork(factory)) problems.push(`the factory user "${this.access.admin.user}" still authenticates`);
    else seen.push(`"${this.access.admin.user}" refused (${factory.state})`);
    // Named by position, never by value: these details become findings and the acceptance report, and a community is a password.
    for (const [index, community] of this.plan.communities.entries()) {
      const label = `old community ${index + 1} of ${this.plan.communities.length}`;
      const probe = await probeCommunity(this.endpoint, community);
      if (probe.state === 'works') problems.push(`${label} still reads`);
      else seen.push(`${label} refused (${probe.state})`);
    }
    if (this.plan.destination && !(await notifyTargetActive(site, NOTIFY_NAME).catch(() => false))) problems.push(`the notification rows "${NOTIFY_NAME}" are not active`);
    if (problems.length > 0) this.log.fail('verify', problems.join('; '));
    this.log.ok('verify', seen.join('; '));
  }
}

export async function secureAgent(access: AdminAccess, plan: SecurePlan, options: { onStep?: (step: SecureStep) => void } = {}): Promise<SecureResult> {
  const run = new SecureRun(access, plan, options.onStep);
  try {
    await run.execute();
  } catch (error) {
    // A refusal is recorded as a step; anything else (including onStep stopping the run) is the caller's.
    if (!(error instanceof StepFailed)) throw error;
  } finally {
    run.close();
  }
  const ok = run.log.allOk;
  // The site user counts as working once it was proven to read and write.
  const working = run.log.steps.some((step) => step.step === 'verify-user' && step.ok) ? run.siteCredentials : null;
  return { ok, engineId: run.engineId?.toString('hex') ?? null, credentials: working, steps: run.log.steps };
}
