import type { Database } from 'better-sqlite3';
import { runtimeWithCap, type EmergencyPolicy, type EmergencyPolicyView, type PowerLimitView } from '../../../../shared/domain/energy.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { FailureReporter } from '../../lib/disposable.js';
import { readPowerLimit, setPowerLimit, type PowerLimitState } from '../../protocols/redfish/power-limit.js';
import type { AlarmService } from '../alarms/alarm-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DeviceService } from '../devices/device-service.js';
import type { PollFollower } from '../monitor/monitor-service.js';
import type { PollResult } from '../monitor/poll-result.js';

const ON_BATTERY = 'power-source:battery';
const ACTOR = 'EdgeCab (emergency power policy)';

/**
 * Power limits of servers through their BMCs (set, read back, lifted), and
 * each site's emergency policy: when a UPS of the site is seen on battery,
 * every server whose BMC limits power is held to the policy's watts, and
 * when mains returns each is set back to the limit it had. Every step is
 * audited and written into the on-battery alarm's history. Steps of one
 * site run one after another, never two at once.
 */
export class PowerLimits implements PollFollower {
  private readonly chains = new Map<string, Promise<void>>();
  /** Sites with a reconcile queued and not begun: one is enough. */
  private readonly pending = new Set<string>();
  /** The last failure said per server, so a BMC that stays unreachable is said once, not at every poll. */
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly devices: DeviceService,
    private readonly alarms: AlarmService,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
    /** Writes what polls saw so far (the on-battery alarm a step is recorded on). */
    private readonly flushPolls: () => void = () => undefined,
  ) {}

  async read(deviceId: string): Promise<PowerLimitView> {
    const state = await this.devices.onBmc(deviceId, (client) => readPowerLimit(client));
    return this.view(deviceId, state);
  }

  /** Sets (or with null lifts) a server's limit; the answer is what the BMC shows afterwards. */
  async set(deviceId: string, watts: number | null): Promise<PowerLimitView> {
    // In the site's queue: never beside the emergency policy's or the standing caps' steps on the same servers.
    const siteId = this.db.prepare('SELECT c.site_id FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE d.id = ?').pluck().get(deviceId) as string | undefined;
    return siteId === undefined ? this.setNow(deviceId, watts) : this.forSite(siteId, () => this.setNow(deviceId, watts));
  }

  private async setNow(deviceId: string, watts: number | null): Promise<PowerLimitView> {
    const state = await this.devices.onBmc(deviceId, async (client) => {
      const before = await readPowerLimit(client);
      if (!before.supported) throw new ConflictError(`This server's BMC does not limit power: ${before.reason}`);
      if (watts !== null && ((before.minWatts !== null && watts < before.minWatts) || (before.maxWatts !== null && watts > before.maxWatts))) {
        throw new InvalidInputError([{ field: 'watts', code: 'out_of_range', message: `${watts} W is outside what the BMC allows (${before.minWatts ?? 0}–${before.maxWatts ?? '?'} W)` }]);
      }
      return setPowerLimit(client, watts);
    });
    this.releaseToOperator(deviceId, state);
    return this.view(deviceId, state);
  }

  /**
   * A server the emergency policy holds, set or lifted by hand during the
   * outage: the operator's limit stands, so mains returning does not set the
   * one from before the outage over it (the row stays, not held, so the
   * policy does not cap it again either until the next outage).
   */
  private releaseToOperator(deviceId: string, state: PowerLimitState): void {
    const held = this.db.prepare('SELECT site_id FROM energy_caps WHERE device_id = ? AND held = 1').pluck().get(deviceId) as string | undefined;
    if (held === undefined) return;
    this.db.prepare('UPDATE energy_caps SET held = 0 WHERE device_id = ?').run(deviceId);
    const server = this.db.prepare('SELECT id, name FROM devices WHERE id = ?').get(deviceId) as { id: string; name: string };
    const upsId = this.db.prepare("SELECT device_id FROM alarms WHERE site_id = ? AND condition = ? AND state = 'active' ORDER BY id DESC LIMIT 1").pluck().get(held, ON_BATTERY) as string | undefined;
    const limit = state.supported && state.limitWatts !== null ? `${state.limitWatts} W` : 'no limit';
    this.step(upsId ?? null, server, 'energy.emergencyRelease', 'ok', `set to ${limit} by hand while the UPS is on battery: left as it is when mains returns`);
  }

  private view(deviceId: string, state: PowerLimitState): PowerLimitView {
    const readAt = this.now().toISOString();
    if (!state.supported) return { deviceId, supported: false, via: null, limitWatts: null, consumedWatts: null, capacityWatts: null, minWatts: null, maxWatts: null, reason: state.reason, readAt };
    return { deviceId, supported: true, via: state.via, limitWatts: state.limitWatts, consumedWatts: state.consumedWatts, capacityWatts: state.capacityWatts, minWatts: state.minWatts, maxWatts: state.maxWatts, reason: null, readAt };
  }

  policy(siteId: string): EmergencyPolicyView {
    if (!this.db.prepare('SELECT 1 FROM sites WHERE id = ?').get(siteId)) throw new NotFoundError('site', siteId);
    const row = this.db.prepare('SELECT enabled, cap_watts FROM energy_policies WHERE site_id = ?').get(siteId) as { enabled: number; cap_watts: number } | undefined;
    const capped = this.db
      .prepare('SELECT c.device_id AS deviceId, d.name, c.previous_watts AS previousWatts, c.applied_at AS at FROM energy_caps c JOIN devices d ON d.id = c.device_id WHERE c.site_id = ? AND c.held = 1 ORDER BY d.name')
      .all(siteId) as EmergencyPolicyView['capped'];
    const capWatts = row?.cap_watts ?? 300;
    return { siteId, enabled: row?.enabled === 1, capWatts, capped, runtime: this.runtime(siteId, capWatts) };
  }

  /** The site's UPS runtime now and with the cap, from the last readings (its runtime and output power, the servers' power). */
  private runtime(siteId: string, capWatts: number): EmergencyPolicyView['runtime'] {
    const sensors = this.db
      .prepare(
        `SELECT s.device_id AS deviceId, d.kind, s.key, s.value, s.observed_at AS observedAt FROM device_sensors s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND s.value IS NOT NULL AND s.state != 'invalid' AND (s.key IN ('battery-runtime', 'ups-power') OR (d.kind IN ('server', 'storage') AND s.kind = 'power'))`,
      )
      .all(siteId) as { deviceId: string; kind: string; key: string; value: number; observedAt: string }[];
    const ups = sensors.find((sensor) => sensor.key === 'battery-runtime');
    const load = sensors.find((sensor) => sensor.key === 'ups-power' && sensor.deviceId === ups?.deviceId);
    if (!ups || !load || load.value <= 0) return null;
    const servers = new Map<string, number>();
    for (const sensor of sensors) if (sensor.kind === 'server' || sensor.kind === 'storage') servers.set(sensor.deviceId, (servers.get(sensor.deviceId) ?? 0) + sensor.value);
    const estimate = runtimeWithCap({ minutes: ups.value, loadWatts: load.value }, [...servers.values()], capWatts);
    return { upsId: ups.deviceId, minutes: ups.value, loadWatts: load.value, ...estimate, observedAt: ups.observedAt };
  }

  setPolicy(policy: EmergencyPolicy): EmergencyPolicyView {
    this.policy(policy.siteId);
    this.db.prepare('INSERT OR REPLACE INTO energy_policies (site_id, enabled, cap_watts, updated_at) VALUES (?, ?, ?, ?)').run(policy.siteId, policy.enabled ? 1 : 0, policy.capWatts, this.now().toISOString());
    return this.policy(policy.siteId);
  }

  /** Follows every poll: after a UPS's poll, its site is reconciled with what the alarms say of its UPSs. */
  polled(result: PollResult): void {
    // A UPS's observation always holds its battery charge, read or not.
    if (result.kind !== 'observed' || !result.observation.sensors.some((sensor) => sensor.key === 'battery-charge')) return;
    const siteId = result.device.site_id;
    // Nothing to reconcile when this UPS is on mains and nothing is held: most polls, at no cost (no flush of the batched writes).
    const onBattery = result.observation.conditions.some((condition) => condition.key === ON_BATTERY);
    const holding = this.db.prepare('SELECT 1 FROM energy_caps WHERE site_id = ? LIMIT 1').get(siteId) !== undefined;
    if (!holding && (!onBattery || !this.enabled(siteId))) return;
    if (this.pending.has(siteId)) return;
    this.pending.add(siteId);
    this.queue(siteId, async () => {
      this.pending.delete(siteId);
      await this.reconcile(siteId);
    });
  }

  stop(): void {
    // Steps under way finish (each is short and ends in the database); nothing new is queued by polls once they stop.
  }

  /** Resolves when the site's queued steps are done (for tests and shutdown). */
  settled(siteId: string): Promise<void> {
    return this.chains.get(siteId) ?? Promise.resolve();
  }

  private queue(siteId: string, step: () => Promise<void>): void {
    void this.forSite(siteId, step).catch((error: unknown) => this.report('energy.emergency', new Error(`site ${siteId}: ${(error as Error).message}`)));
  }

  /** Runs a step on a site's servers after the ones queued before it, never beside them (the emergency policy's and the standing caps' alike). */
  forSite<T>(siteId: string, step: () => Promise<T>): Promise<T> {
    const result = (this.chains.get(siteId) ?? Promise.resolve()).then(step);
    this.chains.set(
      siteId,
      result.then(
        () => undefined,
        () => undefined,
      ),
    );
    return result;
  }

  /**
   * On battery is what the alarm engine says of the site's UPSs (an active
   * on-battery alarm of any of them; its clearing is held against flapping),
   * not one poll: two UPSs, or a reading missed once, do not cap and lift by
   * turns. On battery, every server not looked at yet in this outage is
   * capped; on mains, every held one is set back.
   */
  private async reconcile(siteId: string): Promise<void> {
    this.flushPolls();
    const upsOnBattery = this.db
      .prepare("SELECT a.device_id FROM alarms a JOIN devices d ON d.id = a.device_id WHERE a.site_id = ? AND a.condition = ? AND a.state = 'active' AND d.kind = 'ups' LIMIT 1")
      .pluck()
      .get(siteId, ON_BATTERY) as string | undefined;
    if (upsOnBattery && this.enabled(siteId)) await this.capSite(siteId, upsOnBattery);
    else if (!upsOnBattery) await this.liftSite(siteId);
  }

  private enabled(siteId: string): boolean {
    return (this.db.prepare('SELECT enabled FROM energy_policies WHERE site_id = ?').pluck().get(siteId) as number | undefined) === 1;
  }

  private servers(siteId: string): { id: string; name: string }[] {
    return this.db
      .prepare(
        `SELECT d.id, d.name FROM devices d JOIN cabinets c ON c.id = d.cabinet_id
         WHERE c.site_id = ? AND d.protocol = 'redfish' AND d.kind IN ('server', 'storage') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL
           AND d.id NOT IN (SELECT device_id FROM energy_caps) ORDER BY d.name`,
      )
      .all(siteId) as { id: string; name: string }[];
  }

  private async capSite(siteId: string, upsId: string): Promise<void> {
    const cap = this.policy(siteId).capWatts;
    for (const server of this.servers(siteId)) {
      try {
        const shown = await this.devices.onBmc(server.id, async (client) => {
          const before = await readPowerLimit(client);
          if (!before.supported) return { before, after: null };
          const watts = Math.max(before.minWatts ?? 0, Math.min(cap, before.limitWatts ?? cap, before.maxWatts ?? cap));
          // Remembered before anything is sent, so a restart mid-way still knows what to set back.
          this.db.prepare('INSERT OR REPLACE INTO energy_caps (device_id, site_id, previous_watts, applied_at, held) VALUES (?, ?, ?, ?, 1)').run(server.id, siteId, before.limitWatts, this.now().toISOString());
          return { before, after: await setPowerLimit(client, watts) };
        });
        this.failures.delete(server.id);
        if (!shown.after) {
          this.db.prepare('INSERT OR REPLACE INTO energy_caps (device_id, site_id, previous_watts, applied_at, held) VALUES (?, ?, NULL, ?, 0)').run(server.id, siteId, this.now().toISOString());
          this.step(upsId, server, 'energy.emergencyCap', 'ok', `not capped: ${shown.before.supported ? 'no limit to set' : shown.before.reason}`);
        } else this.step(upsId, server, 'energy.emergencyCap', 'ok', `held to ${shown.after.limitWatts} W while the UPS is on battery (was ${shown.before.supported && shown.before.limitWatts !== null ? `${shown.before.limitWatts} W` : 'no limit'}; read back from the BMC)`);
      } catch (error) {
        // Tried again at the next poll of the UPS; said once per kind of failure, not at every poll.
        const message = (error as Error).message;
        if (this.failures.get(server.id) !== message) this.step(upsId, server, 'energy.emergencyCap', 'error', `could not be capped: ${message}`);
        this.failures.set(server.id, message);
      }
    }
  }

  /** Called once a site's servers were set back after an outage (the standing caps take over again). */
  afterLift: (siteId: string) => void = () => undefined;

  private async liftSite(siteId: string): Promise<void> {
    const rows = this.db.prepare('SELECT c.device_id AS id, d.name, c.previous_watts AS previous, c.held FROM energy_caps c JOIN devices d ON d.id = c.device_id WHERE c.site_id = ?').all(siteId) as { id: string; name: string; previous: number | null; held: number }[];
    if (rows.length === 0) return;
    const upsId = this.db.prepare("SELECT device_id FROM alarms WHERE site_id = ? AND condition = ? ORDER BY id DESC LIMIT 1").pluck().get(siteId, ON_BATTERY) as string | undefined;
    for (const server of rows) {
      if (server.held === 0) {
        this.db.prepare('DELETE FROM energy_caps WHERE device_id = ?').run(server.id);
        continue;
      }
      try {
        const after = await this.devices.onBmc(server.id, (client) => setPowerLimit(client, server.previous));
        this.db.prepare('DELETE FROM energy_caps WHERE device_id = ?').run(server.id);
        this.failures.delete(server.id);
        this.step(upsId ?? null, server, 'energy.emergencyLift', 'ok', `set back to ${after.limitWatts === null ? 'no limit' : `${after.limitWatts} W`}: mains is back (read back from the BMC)`);
      } catch (error) {
        // Kept: the next poll on mains tries again.
        const message = (error as Error).message;
        if (this.failures.get(server.id) !== message) this.step(upsId ?? null, server, 'energy.emergencyLift', 'error', `could not be set back yet: ${message}`);
        this.failures.set(server.id, message);
      }
    }
    if (this.db.prepare('SELECT 1 FROM energy_caps WHERE site_id = ? LIMIT 1').get(siteId) === undefined) this.afterLift(siteId);
  }

  /** One step, in the audit log and in the history of the site's on-battery alarm. */
  private step(upsId: string | null, server: { id: string; name: string }, operation: string, outcome: 'ok' | 'error', detail: string): void {
    this.flushPolls();
    this.audit.record({ actor: ACTOR, via: null, operation, target: server.id, outcome, errorCode: outcome === 'error' ? 'DEVICE_UNREACHABLE' : null, detail: `${server.name}: ${detail}` });
    const alarm = upsId === null ? undefined : (this.db.prepare('SELECT id FROM alarms WHERE device_id = ? AND condition = ? ORDER BY id DESC LIMIT 1').pluck().get(upsId, ON_BATTERY) as number | undefined);
    if (alarm !== undefined) this.alarms.comment(alarm, `${server.name}: ${detail}`, ACTOR);
  }
}
