import { createHash } from 'node:crypto';
import type { SnmpV3Credentials } from '../../../../../shared/domain/snmp.js';
import type { SnmpSession } from '../session.js';
import { localizedKeys, type AuthProtocol, type LocalizedKeys, type PrivProtocol } from './keys.js';
import { keysWork, probeUser, type Endpoint, type Probe } from './probe.js';
import type { StepLog } from './steps.js';
import { activateUser, changeUserKeys, cloneUser, createUserRow, destroyUser, readUser, type UsmUser } from './usm.js';

/**
 * The site user on the agent: reused when its keys already work, otherwise
 * (re)created by cloning the factory admin, as snmpusm does, in four SETs
 * that a re-run can resume after a crash at any point (a half-made user is
 * never active, so it never authenticates, and is replaced).
 */

export interface Protocols {
  auth: AuthProtocol;
  priv: PrivProtocol;
}

export interface Passphrases {
  authKey: string;
  privKey: string;
}

export function credentials(user: string, protocols: Protocols, passphrases: Passphrases): SnmpV3Credentials {
  return { user, authProtocol: protocols.auth, authKey: passphrases.authKey, privProtocol: protocols.priv, privKey: passphrases.privKey };
}

/**
 * usmUserPublic written with the keys (RFC 3414: "can be written as part of
 * the procedure for changing a user's secret ... and later read to determine
 * whether the change of the secret was effected"): a digest of the new
 * localized keys, so a later run can tell a row it keyed itself.
 */
export function keysTag(keys: LocalizedKeys): string {
  return `edgecab:${createHash('sha256').update(keys.auth).update(keys.priv).digest('hex').slice(0, 24)}`;
}

/** The protocols a user row holds (a clone has its source's), or why they are not usable: the site user must be authPriv. */
export async function protocolsOf(session: SnmpSession, user: UsmUser): Promise<Protocols | string> {
  const row = await readUser(session, user);
  if (!row) return `the agent has no usmUserTable row for "${user.name}" at its own engine`;
  if (!row.authProtocol || row.authProtocol === 'none' || !row.privProtocol || row.privProtocol === 'none') {
    return `"${user.name}" is not an authPriv user with protocols EdgeCab knows (auth ${row.authProtocol ?? 'unknown'}, priv ${row.privProtocol ?? 'unknown'}); a clone keeps its source's protocols, and RFC 3414 lets them change only to none`;
  }
  return { auth: row.authProtocol, priv: row.privProtocol };
}

export interface CloneSpec {
  session: SnmpSession;
  target: UsmUser;
  from: UsmUser;
  protocols: Protocols;
  /** What the clone holds right after cloning (its source's keys), and what it must hold. */
  oldKeys: LocalizedKeys;
  newKeys: LocalizedKeys;
  /** Why an existing row is being replaced, when it is. */
  replacing: string | null;
  steps: { create: 'user-create' | 'inform-user'; clone: 'user-clone' | 'inform-user'; keys: 'user-keys' | 'inform-user'; activate: 'user-activate' | 'inform-user' };
}

/** createAndWait, CloneFrom, KeyChange, active: each its own SET, each its own step. */
export async function createByCloning(log: StepLog, spec: CloneSpec): Promise<void> {
  const { session, target, from } = spec;
  const name = `"${target.name}" at engine ${target.engineId.toString('hex')}`;
  if (spec.replacing !== null) {
    await log.run('user-remove', `cannot remove ${name}`, () => destroyUser(session, target));
    log.ok('user-remove', `removed ${name}: ${spec.replacing}`);
  }
  await log.run(spec.steps.create, `the agent refused to create ${name}`, () => createUserRow(session, target));
  log.ok(spec.steps.create, `created ${name} (createAndWait)`);
  await log.run(spec.steps.clone, `the agent refused to clone ${name} from "${from.name}"`, () => cloneUser(session, target, from));
  log.ok(spec.steps.clone, `cloned ${name} from "${from.name}" (${spec.protocols.auth}, ${spec.protocols.priv})`);
  await log.run(spec.steps.keys, `the agent refused the new keys of ${name}`, () => changeUserKeys(session, target, spec.protocols.auth, spec.oldKeys, spec.newKeys, keysTag(spec.newKeys)));
  log.ok(spec.steps.keys, `changed the keys of ${name} (usmUserAuthKeyChange, usmUserPrivKeyChange)`);
  await log.run(spec.steps.activate, `the agent refused to activate ${name}`, () => activateUser(session, target));
  log.ok(spec.steps.activate, `activated ${name}`);
}

export interface SiteUserInput {
  endpoint: Endpoint;
  engineId: Buffer;
  user: string;
  passphrases: Passphrases;
  admin: SnmpV3Credentials;
  /** The session that manages the agent now (the factory admin's, or the site user's on a re-run). */
  manager: SnmpSession;
  adminProbe: Probe;
  siteProbe: Probe;
  /** The protocols tried for the site user: the factory admin's, which a clone inherits. */
  assumed: Protocols;
}

/** Makes the site user work; returns its protocols as the agent holds them. */
export async function ensureSiteUser(log: StepLog, input: SiteUserInput): Promise<Protocols> {
  const site: UsmUser = { engineId: input.engineId, name: input.user };
  if (keysWork(input.siteProbe)) {
    // The probe authenticated with these protocols, so they are the row's.
    const protocols = input.assumed;
    log.ok('user', `reused "${input.user}": its keys already work (${protocols.auth}, ${protocols.priv})`);
    return protocols;
  }
  if (!keysWork(input.adminProbe)) {
    return log.fail('user', `"${input.user}" does not work (${input.siteProbe.error?.message ?? input.siteProbe.state}) and the factory user "${input.admin.user}" is not accepted (${input.adminProbe.error?.message ?? input.adminProbe.state}): nothing left to create it with`);
  }
  const from: UsmUser = { engineId: input.engineId, name: input.admin.user };
  const found = await log.run('user', `cannot read the usmUserTable row of "${from.name}"`, () => protocolsOf(input.manager, from));
  if (typeof found === 'string') return log.fail('user', `cannot clone "${input.user}" from the factory user: ${found}`);
  const protocols = found;
  const existing = await log.run('user', `cannot read the usmUserTable row of "${input.user}"`, () => readUser(input.manager, site));
  await createByCloning(log, {
    session: input.manager,
    target: site,
    from,
    protocols,
    oldKeys: localizedKeys(protocols.auth, protocols.priv, input.admin.authKey ?? '', input.admin.privKey ?? '', input.engineId),
    newKeys: localizedKeys(protocols.auth, protocols.priv, input.passphrases.authKey, input.passphrases.privKey, input.engineId),
    replacing: existing ? `its keys did not work (${input.siteProbe.error?.message ?? input.siteProbe.state})` : null,
    steps: { create: 'user-create', clone: 'user-clone', keys: 'user-keys', activate: 'user-activate' },
  });
  const probe = await probeUser(input.endpoint, credentials(input.user, protocols, input.passphrases));
  if (!keysWork(probe)) return log.fail('user', `"${input.user}" was created but its keys do not work`, probe.error);
  log.ok('user', `created "${input.user}" by cloning the factory user "${input.admin.user}": ${protocols.auth}, ${protocols.priv} (inherited)`);
  return protocols;
}
