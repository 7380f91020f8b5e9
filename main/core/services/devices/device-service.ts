import type { Database, Statement } from 'better-sqlite3';
import type { DeviceConnection, DeviceStatus, EngineConnection } from '../../../../shared/domain/cabinet.js';
import type { RedfishInventory } from '../../../../shared/domain/redfish.js';
import { sumCounters, type DeviceDetail, type DeviceReading, type ReadingPoint } from '../../../../shared/domain/readings.js';
import { upsOnBattery, type SnmpDevice, type SnmpTarget } from '../../../../shared/domain/snmp.js';
import { ConflictError, InvalidInputError } from '../../errors.js';
import { firstMember, resetSystem, type ResetType } from '../../protocols/redfish/actions.js';
import { splitEndpoint } from './endpoint.js';
import { SlotStore, type ParkedCredential, type RotationRow } from './slot-store.js';
import { isLoginRefused, RedfishClient, RedfishError } from '../../protocols/redfish/client.js';
import { readInventory } from '../../protocols/redfish/inventory.js';
import { collectDevice } from '../../protocols/snmp/collect.js';
import { engineAddress } from '../../protocols/engine/client.js';
import type { CabinetService } from '../cabinets/cabinet-service.js';
import type { CredentialVault, SecretOrigin } from '../credentials/vault.js';
import type { EventBus } from '../events/bus.js';

const HISTORY = 120;
/** A refresh outside the monitor's scheduler (no monitor attached) is bounded like an inventory poll of the default plan. */
const REFRESH_TIMEOUT_MS = 30_000;

interface RedfishSecret {
  username: string;
  password: string;
}
type SnmpSecret = Pick<SnmpTarget, 'version' | 'community' | 'v3'>;

/** A device the wizard found, for the slot it was placed in. */
export interface Attachment {
  deviceId: string;
  where: { protocol: 'redfish'; url: string; fingerprint: string | null } | { protocol: 'snmp'; host: string; port: number };
  /** The credential discovery found, used only for a device EdgeCab never reached. */
  discovered: () => { kind: 'redfish' | 'snmp'; secret: object };
}

export class DeviceUnreachableError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly fingerprint: string | null = null,
  ) {
    super(message);
    this.name = 'DeviceUnreachableError';
  }
}

function redfishStatus(inventory: RedfishInventory): DeviceStatus {
  const healths = [...inventory.systems.map((system) => system.status.healthRollup), ...inventory.chassis.map((chassis) => chassis.status.healthRollup)];
  if (healths.includes('Critical')) return 'critical';
  if (healths.includes('Warning')) return 'warning';
  return healths.length === 0 ? 'unknown' : 'ok';
}

/** What state an SNMP device is in, from what it reported. */
export function snmpStatus(device: SnmpDevice): DeviceStatus {
  const env = device.environment;
  if (env && (env.smoke === 'alarm' || env.waterLeak === 'alarm')) return 'critical';
  if (device.ups?.battery.status === 'low' || device.ups?.battery.status === 'depleted' || device.pdu?.loadState === 'overload') return 'critical';
  if (env?.door === 'alarm' || (device.ups ? upsOnBattery(device.ups) : false) || (device.ups?.alarmsPresent ?? 0) > 0 || device.pdu?.loadState === 'nearOverload') return 'warning';
  if (device.interfaces.some((entry) => entry.adminStatus === 'up' && entry.operStatus === 'down')) return 'warning';
  if (device.sensors.some((sensor) => sensor.status === 'nonoperational')) return 'warning';
  return 'ok';
}

function pointOf(reading: DeviceReading): ReadingPoint {
  const snmp = reading.snmp;
  const redfish = reading.redfish;
  const temperature =
    snmp?.environment?.temperatures[0]?.celsius ??
    redfish?.chassis.flatMap((chassis) => chassis.temperatures).find((each) => each.value !== null)?.value ??
    snmp?.ups?.battery.temperatureC ??
    null;
  return {
    observedAt: reading.observedAt,
    status: reading.status,
    temperatureC: temperature,
    humidityPercent: snmp?.environment?.humidities[0]?.percent ?? null,
    powerW: snmp?.pdu?.powerKw !== null && snmp?.pdu?.powerKw !== undefined ? snmp.pdu.powerKw * 1000 : (redfish?.chassis[0]?.powerConsumedWatts ?? snmp?.ups?.outputLines[0]?.powerW ?? null),
    loadPercent: snmp?.ups?.outputLines[0]?.loadPercent ?? null,
    inOctets: snmp ? sumCounters(snmp.interfaces.map((entry) => entry.inOctets)) : null,
    outOctets: snmp ? sumCounters(snmp.interfaces.map((entry) => entry.outOctets)) : null,
  };
}

/** What exclusive work on a device is given: a signal that aborts when its time is up, and that time. */
export interface DeviceSlot {
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * Serializes work on one device with every other reader of it and counts
 * it against the polling caps: the monitor's poll scheduler (its
 * `exclusive`). A BMC read by a poll, a refresh and an integrity check at
 * once sees three clients where one is allowed, and a site's cap means
 * nothing if only polls obey it.
 */
export interface DeviceGate {
  exclusive<T>(target: { deviceId: string; siteId: string }, work: (slot: DeviceSlot) => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
}

/** Until the monitor's scheduler is attached (a service used on its own, as in unit tests): one work per device at a time, no caps. */
class DeviceChains implements DeviceGate {
  private readonly chains = new Map<string, Promise<unknown>>();

  exclusive<T>(target: { deviceId: string }, work: (slot: DeviceSlot) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? REFRESH_TIMEOUT_MS;
    const previous = this.chains.get(target.deviceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => work({ signal: AbortSignal.timeout(timeoutMs), timeoutMs }));
    const tracked = next.finally(() => {
      if (this.chains.get(target.deviceId) === tracked) this.chains.delete(target.deviceId);
    });
    this.chains.set(target.deviceId, tracked);
    return next;
  }
}

/**
 * Which stored credential logs in to a device now, and where a BMC's
 * refusal is counted. The credential rotation answers once it exists: while
 * a password change is unsettled it settles it first and answers only a
 * credential known to open the device (null: none is).
 */
export interface DeviceCredentials {
  opening(device: { id: string; endpoint: string; fingerprint: string | null; credentialId: string }): Promise<string | null>;
  /** False while this credential was refused last and another refusal could lock the account. */
  mayLogin(device: { id: string; endpoint: string }, credentialId: string): boolean;
  refused(device: { id: string; endpoint: string }, credentialId: string): void;
  worked(device: { id: string }): void;
}

const STORED_CREDENTIALS: DeviceCredentials = { opening: async (device) => device.credentialId, mayLogin: () => true, refused: () => undefined, worked: () => undefined };

/** Connecting devices, reading them now, acting on them, and keeping their recent readings. */
export class DeviceService {
  private gate: DeviceGate = new DeviceChains();
  private readonly readingListeners: ((deviceId: string, reading: DeviceReading) => void)[] = [];
  private credentials: DeviceCredentials = STORED_CREDENTIALS;
  private readonly slots: SlotStore;

  constructor(
    private readonly db: Database,
    private readonly cabinets: CabinetService,
    private readonly vault: CredentialVault,
    private readonly bus: EventBus,
    private readonly now: () => Date,
  ) {
    this.slots = new SlotStore(db);
  }

  /** Every read of or action on a device from now on waits for its polls and counts against the caps (the monitor's scheduler). */
  useGate(gate: DeviceGate): void {
    this.gate = gate;
  }

  /** Logins to devices from now on use what the credential rotation knows (a change may be unsettled), and refusals count toward the BMC's lockout. */
  useCredentials(credentials: DeviceCredentials): void {
    this.credentials = credentials;
  }

  /**
   * The credential that opens the device now; refused with a clear reason
   * while a password change is unsettled, since a login with a password
   * that may be wrong counts toward locking the account.
   */
  async openingCredential(device: ReturnType<CabinetService['device']>): Promise<string> {
    if (!device.endpoint || !device.credentialId) throw new InvalidInputError([{ field: 'endpoint', code: 'not_connected', message: `${device.name} has no address and credentials yet` }]);
    const credentialId = await this.credentials.opening({ id: device.id, endpoint: device.endpoint, fingerprint: device.fingerprint, credentialId: device.credentialId });
    if (!credentialId) throw new ConflictError(`${device.name}: a password change is not settled yet, so no password is known to open it; EdgeCab settles it at the next poll (nothing was sent)`);
    if (device.protocol === 'redfish' && !this.credentials.mayLogin({ id: device.id, endpoint: device.endpoint }, credentialId)) {
      throw new ConflictError(`${device.name}: the BMC refused the stored password, and another refused login could lock the account, so none is sent for now (nothing was sent). Correct the password (Change connection) if it was changed on the device`);
    }
    return credentialId;
  }

  /** Counts a refused login toward the BMC's lockout (a login that worked clears it); the error goes on. */
  countRefusal(device: { id: string; endpoint: string }, credentialId: string, error: unknown): void {
    if (isLoginRefused(error)) this.credentials.refused(device, credentialId);
  }

  /** A login with the device's credential worked. */
  countSuccess(device: { id: string }): void {
    this.credentials.worked(device);
  }

  /**
   * Runs work on a device under the same rule as polls: never beside a poll
   * or other work on it, within the global and per-site caps. For features
   * that open their own client (integrity checks, the wizard). Not
   * reentrant: inside it, do not call `refresh` or `power` of the same device.
   */
  exclusive<T>(target: { deviceId: string; siteId: string }, work: (slot: DeviceSlot) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    return this.gate.exclusive(target, work, options);
  }

  /**
   * Sets how EdgeCab reaches the device, with the credential a user typed.
   * The typed credential replaces the stored one (its revision goes up, so
   * monitoring uses it at the next poll). A password change still being
   * settled for the device is dropped: the user has said what the password is.
   */
  connect(input: DeviceConnection, origin: SecretOrigin = 'user'): ReturnType<CabinetService['device']> {
    const device = this.cabinets.device(input.id);
    if (device.protocol !== input.protocol) {
      throw new InvalidInputError([{ field: 'protocol', code: 'mismatch', message: `${device.name} is reached over ${device.protocol}, not ${input.protocol}` }]);
    }
    this.slots.dropRotation(device.id);
    if (input.protocol === 'redfish') {
      const credentialId = this.vault.store('redfish', { username: input.username, password: input.password } satisfies RedfishSecret, { replaceId: device.credentialId, origin });
      this.cabinets.setConnection(device.id, new URL(input.url).origin, credentialId, input.fingerprint ?? null);
      // The user has said what opens the device at this address: nothing parked there is kept.
      this.slots.unpark(device.siteId, new URL(input.url).origin);
    } else {
      if (input.version === '2c' ? !input.community : !input.v3) {
        throw new InvalidInputError([{ field: 'community', code: 'required', message: 'SNMP v2c needs a community; SNMP v3 needs a user' }]);
      }
      const secret: SnmpSecret = { version: input.version, community: input.community, v3: input.v3 };
      const credentialId = this.vault.store('snmp', secret, { replaceId: device.credentialId, origin });
      this.cabinets.setConnection(device.id, `${input.host}:${input.port}`, credentialId, null);
      this.slots.unpark(device.siteId, `${input.host}:${input.port}`);
    }
    return this.cabinets.device(device.id);
  }

  /** Sets where a workload engine answers and the certificate pinned for it (over TCP); no credential: EdgeCab presents its engine client certificate. */
  connectEngine(input: EngineConnection): ReturnType<CabinetService['device']> {
    const device = this.cabinets.device(input.id);
    if (device.protocol !== 'engine') throw new InvalidInputError([{ field: 'protocol', code: 'mismatch', message: `${device.name} is not a workload engine; it is reached over ${device.protocol}` }]);
    try {
      engineAddress(input.url);
    } catch (error) {
      throw new InvalidInputError([{ field: 'url', code: 'invalid', message: (error as Error).message }]);
    }
    const unix = input.url.startsWith('unix:');
    this.cabinets.setConnection(device.id, unix ? input.url : new URL(input.url).origin, null, unix ? null : (input.fingerprint ?? null));
    return this.cabinets.device(device.id);
  }

  /**
   * Connects the devices found by the wizard to their slots, all at once.
   * What EdgeCab holds stays with the hardware, not the slot: a device
   * connected at the same address keeps its credential (perhaps a password
   * EdgeCab generated); one placed in another slot takes its credential and
   * any change of it still being settled along, also when two devices swap
   * slots. A device whose slot went to another and that was given no slot
   * leaves what EdgeCab set on it parked at its address, for the slot it is
   * placed in next. Only a device EdgeCab never reached gets the discovered
   * credential, in a row of its own.
   */
  attachAll(siteId: string, attachments: readonly Attachment[]): ('kept' | 'moved' | 'connected')[] {
    return this.db.transaction(() => {
      const at = this.now().toISOString();
      const endpoints = attachments.map((each) => (each.where.protocol === 'redfish' ? new URL(each.where.url).origin : `${each.where.host}:${each.where.port}`));
      // Read what every address holds before anything moves, so a swap finds each credential where it was.
      const held = endpoints.map((endpoint) => {
        const holder = this.cabinets.deviceAt(siteId, endpoint);
        if (holder?.credentialId) return { holderId: holder.id, credentialId: holder.credentialId, fingerprint: holder.fingerprint };
        const parked = this.slots.parked(siteId, endpoint);
        if (holder && parked) this.slots.unpark(siteId, endpoint);
        // A factory default parked there is no better than what discovery just found working; EdgeCab's own or the user's is.
        if (parked && !this.keepsParked(parked)) this.slots.unpark(siteId, endpoint);
        return parked && !holder && this.keepsParked(parked) ? { holderId: null, ...parked } : null;
      });
      const results: ('kept' | 'moved' | 'connected' | null)[] = attachments.map((each, index) => (held[index]?.holderId === each.deviceId ? 'kept' : null));
      const leaving: (ParkedCredential & { deviceId: string })[] = [];
      const rotations = new Map<string, RotationRow | null>();
      attachments.forEach((each, index) => {
        if (results[index]) return;
        const current = this.cabinets.device(each.deviceId);
        if (current.endpoint && current.credentialId) leaving.push({ deviceId: each.deviceId, endpoint: current.endpoint, credentialId: current.credentialId, fingerprint: current.fingerprint, kind: current.kind, rotation: null });
        for (const deviceId of [each.deviceId, held[index]?.holderId]) {
          if (deviceId && !rotations.has(deviceId)) rotations.set(deviceId, this.slots.takeRotation(deviceId));
          if (deviceId) this.cabinets.setConnection(deviceId, null, null, null);
        }
      });
      attachments.forEach((each, index) => {
        const endpoint = endpoints[index]!;
        const fingerprint = each.where.protocol === 'redfish' ? each.where.fingerprint : null;
        const source = held[index];
        if (results[index] === 'kept') {
          if (fingerprint && source!.fingerprint !== fingerprint) this.cabinets.setConnection(each.deviceId, endpoint, source!.credentialId, fingerprint);
          return;
        }
        if (source) {
          this.cabinets.setConnection(each.deviceId, endpoint, source.credentialId, fingerprint ?? source.fingerprint);
          const rotation = source.holderId ? rotations.get(source.holderId) : 'rotation' in source ? source.rotation : null;
          if (rotation) this.slots.putRotation(each.deviceId, rotation);
          this.slots.unpark(siteId, endpoint);
          results[index] = 'moved';
          return;
        }
        const { kind, secret } = each.discovered();
        this.cabinets.setConnection(each.deviceId, endpoint, this.vault.store(kind, secret, { origin: 'discovered' }), fingerprint);
        results[index] = 'connected';
      });
      for (const left of leaving) {
        if (endpoints.includes(left.endpoint)) continue;
        // Whatever it was, the hardware still has it: parked, never dropped (a factory default parked is simply not trusted over a new discovery).
        this.slots.park(siteId, { ...left, rotation: rotations.get(left.deviceId) ?? null }, at);
      }
      return results.map((result) => result!);
    })();
  }

  /** What EdgeCab set on devices of the site, or the user gave, that left their slots, by the address each answers at. */
  parkedCredentials(siteId: string): ParkedCredential[] {
    return this.slots.parkedOfSite(siteId).filter((parked) => this.keepsParked(parked));
  }

  /** A parked credential worth more than a new discovery: EdgeCab's own (generated, or a change not settled) or one the user typed. */
  private keepsParked(parked: ParkedCredential): boolean {
    const origin = this.vault.meta(parked.credentialId)?.origin;
    return parked.rotation !== null || origin === 'rotated' || origin === 'user';
  }

  /** A client with the credential that opens the BMC now, and work on it: a refused login is counted, one that worked clears the count. */
  private async withRedfish<T>(device: ReturnType<CabinetService['device']>, work: (client: RedfishClient) => Promise<T>): Promise<T> {
    const credentialId = await this.openingCredential(device);
    const secret = this.vault.open<RedfishSecret>(credentialId);
    const client = new RedfishClient({ url: device.endpoint!, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: 15_000 });
    const target = { id: device.id, endpoint: device.endpoint! };
    try {
      const result = await work(client);
      this.countSuccess(target);
      return result;
    } catch (error) {
      this.countRefusal(target, credentialId, error);
      throw error;
    } finally {
      await client.close();
    }
  }

  /**
   * Reads the device now, stores the reading (kept to the last HISTORY), and
   * returns it. The read waits for any poll of the device and takes a slot
   * of the caps like a poll, so a user pressing "refresh" never doubles a poll.
   */
  async refresh(id: string): Promise<DeviceReading> {
    const device = this.cabinets.device(id);
    if (device.protocol === 'none') throw new InvalidInputError([{ field: 'protocol', code: 'not_readable', message: `${device.name} has no management interface` }]);
    if (!device.endpoint || !device.credentialId) throw new InvalidInputError([{ field: 'endpoint', code: 'not_connected', message: `${device.name} has no address and credentials yet` }]);
    const reading = await this.gate.exclusive({ deviceId: id, siteId: device.siteId }, (slot) => this.read(this.cabinets.device(id), slot));
    this.keepReading(id, reading);
    this.bus.publish({ type: 'site.changed', change: 'updated', siteId: device.siteId, count: 1, at: reading.observedAt });
    return reading;
  }

  /** One full read, within the slot's time; a device that does not answer is a reading that says so. */
  private async read(device: ReturnType<CabinetService['device']>, { signal, timeoutMs }: DeviceSlot): Promise<DeviceReading> {
    const observedAt = () => this.now().toISOString();
    try {
      if (!device.endpoint || !device.credentialId) throw new InvalidInputError([{ field: 'endpoint', code: 'not_connected', message: `${device.name} has no address and credentials yet` }]);
      if (device.protocol === 'redfish') {
        return await this.withRedfish(device, async (client) => {
          const inventory = await readInventory(client, { now: this.now, pollTimeoutMs: timeoutMs, signal });
          return { observedAt: inventory.observedAt, status: redfishStatus(inventory), error: null, snmp: null, redfish: inventory };
        });
      }
      const { host, port } = splitEndpoint(device.endpoint);
      const secret = this.vault.open<SnmpSecret>(await this.openingCredential(device));
      const snmp = await collectDevice({ host, port, timeoutMs: 2000, retries: 1, ...secret } as SnmpTarget, { now: this.now, session: { signal } });
      return { observedAt: snmp.observedAt, status: snmpStatus(snmp), error: null, snmp, redfish: null };
    } catch (error) {
      if (error instanceof RedfishError && (error.code === 'tls_untrusted' || error.code === 'tls_changed')) {
        throw new DeviceUnreachableError(error.message, error.code, error.fingerprint ?? null);
      }
      if (error instanceof InvalidInputError || error instanceof ConflictError) throw error;
      const message = signal.aborted ? `no complete answer within ${Math.round(timeoutMs / 1000)} s` : (error as Error).message;
      return { observedAt: observedAt(), status: 'unreachable', error: message, snmp: null, redfish: null };
    }
  }

  /** Trusts the certificate the BMC presents now (after the user compared the fingerprint) and reads it. */
  trustCertificate(id: string, fingerprint: string): void {
    const device = this.cabinets.device(id);
    if (!device.endpoint || !device.credentialId) throw new InvalidInputError([{ field: 'endpoint', code: 'not_connected', message: `${device.name} has no address yet` }]);
    this.cabinets.setConnection(id, device.endpoint, device.credentialId, fingerprint);
  }

  /**
   * Records a device's current state after a read. A failed read keeps the
   * time of the last good one (the data shown is that old) and counts the
   * failures in a row; a good one resets the count.
   */
  recordState(id: string, status: DeviceStatus, observedAt: string, error: string | null, polledAt: string): void {
    // Prepared once: the monitor records every poll through here.
    this.recordStateStatement ??= this.db.prepare(
        `INSERT INTO device_state (device_id, status, observed_at, error, last_poll_at, consecutive_failures) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET status = excluded.status, error = excluded.error, last_poll_at = excluded.last_poll_at,
           observed_at = CASE WHEN excluded.status = 'unreachable' THEN device_state.observed_at ELSE excluded.observed_at END,
           consecutive_failures = CASE WHEN excluded.status = 'unreachable' THEN device_state.consecutive_failures + 1 ELSE 0 END`,
    );
    this.recordStateStatement.run(id, status, observedAt, error, polledAt, status === 'unreachable' ? 1 : 0);
  }

  private recordStateStatement: Statement | null = null;

  /** Keeps a full reading (the last HISTORY per device) and makes it the device's current state. */
  keepReading(id: string, reading: DeviceReading): void {
    this.db.transaction(() => {
      this.recordState(id, reading.status, reading.observedAt, reading.error, reading.observedAt);
      this.db
        .prepare('INSERT INTO device_readings (device_id, observed_at, status, error, reading, point) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, reading.observedAt, reading.status, reading.error, JSON.stringify({ snmp: reading.snmp, redfish: reading.redfish }), JSON.stringify(pointOf(reading)));
      this.db
        .prepare('DELETE FROM device_readings WHERE device_id = ? AND id <= (SELECT id FROM device_readings WHERE device_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)')
        .run(id, id, HISTORY);
      for (const listener of this.readingListeners) listener(id, reading);
    })();
  }

  /** Told of every reading kept, the monitor's and Read now's alike, in the transaction that keeps it (the firmware history). */
  onReadingKept(listener: (deviceId: string, reading: DeviceReading) => void): void {
    this.readingListeners.push(listener);
  }

  /**
   * Power action on a server through its BMC; only the reset types the BMC
   * allows. Like a refresh it waits for the device's poll and takes a slot;
   * the reset is not cancelled at the slot's time (a half-sent reset helps
   * nobody), each request is bounded by the client's own timeout instead.
   * The read that follows is a refresh of its own, after the device is released.
   */
  async power(id: string, type: ResetType): Promise<DeviceReading> {
    await this.onBmc(id, async (client, device) => {
      const first = await firstMember(client, '/redfish/v1/Systems');
      if (!first) throw new InvalidInputError([{ field: 'id', code: 'not_supported', message: `${device.name} reports no computer system` }]);
      await resetSystem(client, first, type);
    });
    return this.refresh(id);
  }

  /**
   * Work on a server's BMC, held as a poll is (never beside one, within the
   * caps), logged in with the credential that opens it now; a Redfish
   * failure is the device's (DeviceUnreachableError, with its reason).
   */
  onBmc<T>(id: string, work: (client: RedfishClient, device: ReturnType<CabinetService['device']>) => Promise<T>): Promise<T> {
    const device = this.cabinets.device(id);
    if (device.protocol !== 'redfish') throw new InvalidInputError([{ field: 'id', code: 'not_supported', message: `${device.name} has no BMC` }]);
    return this.gate.exclusive({ deviceId: id, siteId: device.siteId }, async () => {
      try {
        const current = this.cabinets.device(id);
        return await this.withRedfish(current, (client) => work(client, current));
      } catch (error) {
        if (error instanceof RedfishError) throw new DeviceUnreachableError(error.message, error.code, error.fingerprint ?? null);
        throw error;
      }
    });
  }

  detail(id: string): DeviceDetail {
    const device = this.cabinets.device(id);
    const site = this.db.prepare('SELECT id, name, code FROM sites WHERE id = ?').get(device.siteId) as { id: string; name: string; code: string };
    const latestRow = this.db.prepare('SELECT observed_at, status, error, reading FROM device_readings WHERE device_id = ? ORDER BY id DESC LIMIT 1').get(id) as
      | { observed_at: string; status: DeviceStatus; error: string | null; reading: string | null }
      | undefined;
    const parsed = latestRow?.reading ? (JSON.parse(latestRow.reading) as { snmp: SnmpDevice | null; redfish: RedfishInventory | null }) : null;
    const history = (this.db.prepare('SELECT point FROM device_readings WHERE device_id = ? ORDER BY id DESC LIMIT ?').all(id, HISTORY) as { point: string }[])
      .map((row) => JSON.parse(row.point) as ReadingPoint)
      .reverse();
    const { credentialId: _credentialId, siteId: _siteId, ...publicDevice } = device;
    return {
      device: publicDevice,
      site,
      latest: latestRow ? { observedAt: latestRow.observed_at, status: latestRow.status, error: latestRow.error, snmp: parsed?.snmp ?? null, redfish: parsed?.redfish ?? null } : null,
      history,
    };
  }
}
