import type { Database } from 'better-sqlite3';
import type { CabinetTemplate } from '../../../../shared/domain/cabinet.js';
import type { CapOutcome, SiteCapsView } from '../../../../shared/domain/energy.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { repeat, type Disposable, type FailureReporter } from '../../lib/disposable.js';
import { readPowerLimit, setPowerLimit } from '../../protocols/redfish/power-limit.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DeviceService } from '../devices/device-service.js';
import type { PowerLimits } from './power-limits.js';

const ACTOR = 'EdgeCab (power cap policy)';
/** Caps are checked against what the BMCs show this often: a server added, reset or changed by hand gets its cap back. */
const CHECK_EVERY_MS = 60 * 60_000;

interface StateRow {
  outcome: CapOutcome;
  limitWatts: number | null;
  previousWatts: number | null;
  previousKnown: number;
  setWatts: number | null;
  detail: string | null;
}

interface CapServer {
  id: string;
  name: string;
  siteId: string;
  templateId: string;
  siteCap: number | null;
  modelCap: number | null;
}

/**
 * Standing power caps: a cap per site, or per cabinet model for every site
 * without one of its own, that each server whose BMC limits power is held
 * to (within what the BMC allows), read back from the BMC. Applied when set
 * and checked every hour, so a new, replaced or reset server gets it too;
 * a cap removed gives each server back the limit it had before (unless
 * someone set another since). A server the emergency policy has in an
 * outage is left to it; it asks for a check when mains returns. Steps on a
 * site's servers run in the same queue as the emergency policy's.
 */
export class StandingCaps implements Disposable {
  private timer: Disposable | null = null;
  private disposed = false;

  constructor(
    private readonly db: Database,
    private readonly devices: DeviceService,
    private readonly limits: Pick<PowerLimits, 'forSite'>,
    private readonly audit: AuditLog,
    private readonly templates: ReadonlyMap<string, CabinetTemplate>,
    private readonly now: () => Date,
    private readonly report: FailureReporter,
  ) {}

  start(): void {
    this.disposed = false;
    this.timer ??= repeat('energy.caps', CHECK_EVERY_MS, () => this.checkAll(), this.report);
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.timer = null;
  }

  view(siteId: string): SiteCapsView {
    this.requireSite(siteId);
    const states = new Map(
      (
        this.db
          .prepare(
            `SELECT s.device_id AS deviceId, s.outcome, s.limit_watts AS limitWatts, s.detail, s.checked_at AS checkedAt FROM energy_cap_states s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id WHERE c.site_id = ?`,
          )
          .all(siteId) as { deviceId: string; outcome: CapOutcome; limitWatts: number | null; detail: string | null; checkedAt: string }[]
      ).map((row) => [row.deviceId, row]),
    );
    const models = this.db
      .prepare('SELECT DISTINCT c.template_id AS templateId, m.cap_watts AS capWatts FROM cabinets c LEFT JOIN energy_model_caps m ON m.template_id = c.template_id WHERE c.site_id = ? ORDER BY c.template_id')
      .all(siteId) as { templateId: string; capWatts: number | null }[];
    return {
      siteId,
      siteCapWatts: (this.db.prepare('SELECT cap_watts FROM energy_site_caps WHERE site_id = ?').pluck().get(siteId) as number | undefined) ?? null,
      models: models.map((model) => ({ ...model, name: this.templates.get(model.templateId)?.name ?? { en: model.templateId, 'zh-CN': model.templateId } })),
      servers: this.servers(siteId).map((server) => {
        const cap = server.siteCap ?? server.modelCap;
        const state = states.get(server.id);
        return {
          deviceId: server.id,
          name: server.name,
          capWatts: cap,
          source: server.siteCap !== null ? 'site' : server.modelCap !== null ? 'model' : null,
          outcome: state?.outcome ?? 'pending',
          limitWatts: state?.limitWatts ?? null,
          detail: state?.detail ?? null,
          checkedAt: state?.checkedAt ?? null,
        };
      }),
    };
  }

  /** Sets (or with null removes) a site's cap, and applies it to the site's servers before answering. */
  async setSite(siteId: string, capWatts: number | null): Promise<SiteCapsView> {
    this.requireSite(siteId);
    if (capWatts === null) this.db.prepare('DELETE FROM energy_site_caps WHERE site_id = ?').run(siteId);
    else this.db.prepare('INSERT OR REPLACE INTO energy_site_caps (site_id, cap_watts, updated_at) VALUES (?, ?, ?)').run(siteId, capWatts, this.now().toISOString());
    await this.applySite(siteId);
    return this.view(siteId);
  }

  /** Sets (or with null removes) a cabinet model's cap; it is applied at every site with a cabinet of that model, site by site, after the answer. */
  setModel(templateId: string, capWatts: number | null): { templateId: string; capWatts: number | null; sites: number } {
    if (!this.templates.has(templateId)) throw new InvalidInputError([{ field: 'templateId', code: 'not_found', message: `No cabinet model "${templateId}"` }]);
    if (capWatts === null) this.db.prepare('DELETE FROM energy_model_caps WHERE template_id = ?').run(templateId);
    else this.db.prepare('INSERT OR REPLACE INTO energy_model_caps (template_id, cap_watts, updated_at) VALUES (?, ?, ?)').run(templateId, capWatts, this.now().toISOString());
    const sites = this.db.prepare('SELECT DISTINCT site_id FROM cabinets WHERE template_id = ?').pluck().all(templateId) as string[];
    for (const siteId of sites) void this.applySite(siteId).catch((error: unknown) => this.report('energy.caps', new Error(`site ${siteId}: ${(error as Error).message}`)));
    return { templateId, capWatts, sites: sites.length };
  }

  /** Applies every site's caps (and lifts caps removed): the hourly check. */
  async checkAll(): Promise<void> {
    const sites = this.db
      .prepare(
        `SELECT site_id FROM energy_site_caps
         UNION SELECT c.site_id FROM cabinets c JOIN energy_model_caps m ON m.template_id = c.template_id
         UNION SELECT c.site_id FROM energy_cap_states s JOIN devices d ON d.id = s.device_id JOIN cabinets c ON c.id = d.cabinet_id`,
      )
      .pluck()
      .all() as string[];
    for (const siteId of sites) {
      if (this.disposed) return;
      await this.applySite(siteId);
    }
  }

  /** Holds each server of the site to its cap, lifts the limit where a cap was removed, and keeps what each BMC showed. Never throws for one server. */
  applySite(siteId: string): Promise<void> {
    return this.limits.forSite(siteId, async () => {
      for (const server of this.servers(siteId)) await this.applyServer(server);
    });
  }

  private async applyServer(server: CapServer): Promise<void> {
    const cap = server.siteCap ?? server.modelCap;
    const state = this.db
      .prepare('SELECT outcome, limit_watts AS limitWatts, previous_watts AS previousWatts, previous_known AS previousKnown, set_watts AS setWatts, detail FROM energy_cap_states WHERE device_id = ?')
      .get(server.id) as StateRow | undefined;
    if (cap === null && state === undefined) return;
    // What is kept across outcomes: the limit from before the first cap, once read, and what EdgeCab last had the BMC hold.
    const kept = { previousWatts: state?.previousWatts ?? null, previousKnown: state?.previousKnown === 1, setWatts: state?.setWatts ?? null };
    // In an outage the emergency policy has the server (held, or left to an operator's hand); it sets it back, and asks for this check, when mains returns.
    if (this.db.prepare('SELECT held FROM energy_caps WHERE device_id = ?').get(server.id)) {
      this.keep(server.id, cap, 'held', kept, null, 'held by the emergency power policy while the UPS is on battery');
      return;
    }
    try {
      const result = await this.devices.onBmc(server.id, async (client) => {
        const before = await readPowerLimit(client);
        if (!before.supported) return { before, target: null, after: null };
        if (cap === null) {
          // The cap was removed: the limit from before it comes back, unless someone set another since EdgeCab last set one.
          if (!kept.previousKnown || kept.setWatts === null || before.limitWatts !== kept.setWatts) return { before, target: null, after: before };
          return { before, target: kept.previousWatts, after: await setPowerLimit(client, kept.previousWatts) };
        }
        const target = Math.max(before.minWatts ?? 0, Math.min(cap, before.maxWatts ?? cap));
        if (before.limitWatts === target) return { before, target, after: before };
        return { before, target, after: await setPowerLimit(client, target) };
      });
      const { before, after, target } = result;
      if (cap === null) {
        this.db.prepare('DELETE FROM energy_cap_states WHERE device_id = ?').run(server.id);
        if (after && after !== before) this.record(server, 'energy.capLift', 'ok', `set back to ${wattsText(after.supported ? after.limitWatts : null)}: the standing cap was removed (read back from the BMC)`);
        return;
      }
      if (!before.supported || !after || !after.supported) {
        this.keep(server.id, cap, 'unsupported', kept, null, before.supported ? 'the BMC did not keep a limit' : before.reason);
        return;
      }
      // The first successful read is the limit from before the cap; later reads show EdgeCab's own.
      const next = { previousWatts: kept.previousKnown ? kept.previousWatts : before.limitWatts, previousKnown: true, setWatts: after.limitWatts };
      if (after.limitWatts !== target) {
        this.keep(server.id, cap, 'failed', next, after.limitWatts, `the BMC reads back ${wattsText(after.limitWatts)}, not ${target} W`);
        if (state?.outcome !== 'failed') this.record(server, 'energy.capApply', 'error', `not held to its standing cap: the BMC reads back ${wattsText(after.limitWatts)}, not ${target} W`);
        return;
      }
      this.keep(server.id, cap, 'applied', next, after.limitWatts, null);
      if (after !== before) {
        this.record(server, 'energy.capApply', 'ok', `held to ${wattsText(after.limitWatts)} by the ${server.siteCap !== null ? 'site' : 'cabinet model'}'s standing cap of ${cap} W (was ${wattsText(before.limitWatts)}; read back from the BMC)`);
      }
    } catch (error) {
      const message = (error as Error).message;
      this.keep(server.id, cap, 'failed', kept, null, message);
      // Said once per kind of failure, not at every hourly check.
      if (state?.detail !== message) this.record(server, 'energy.capApply', 'error', `could not be held to its standing cap: ${message}`);
    }
  }

  private keep(deviceId: string, cap: number | null, outcome: Exclude<CapOutcome, 'pending'>, kept: { previousWatts: number | null; previousKnown: boolean; setWatts: number | null }, limitWatts: number | null, detail: string | null): void {
    this.db
      .prepare('INSERT OR REPLACE INTO energy_cap_states (device_id, previous_watts, previous_known, set_watts, cap_watts, outcome, limit_watts, detail, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(deviceId, kept.previousWatts, kept.previousKnown ? 1 : 0, kept.setWatts, cap, outcome, limitWatts, detail, this.now().toISOString());
  }

  private record(server: CapServer, operation: string, outcome: 'ok' | 'error', detail: string): void {
    this.audit.record({ actor: ACTOR, via: null, operation, target: server.id, outcome, errorCode: outcome === 'error' ? 'DEVICE_UNREACHABLE' : null, detail: `${server.name}: ${detail}` });
  }

  /** The site's servers that a BMC manages, with the caps that could hold for each. */
  private servers(siteId: string): CapServer[] {
    return this.db
      .prepare(
        `SELECT d.id, d.name, c.site_id AS siteId, c.template_id AS templateId, sc.cap_watts AS siteCap, mc.cap_watts AS modelCap
         FROM devices d JOIN cabinets c ON c.id = d.cabinet_id LEFT JOIN energy_site_caps sc ON sc.site_id = c.site_id LEFT JOIN energy_model_caps mc ON mc.template_id = c.template_id
         WHERE c.site_id = ? AND d.protocol = 'redfish' AND d.kind IN ('server', 'storage') AND d.endpoint IS NOT NULL AND d.credential_id IS NOT NULL ORDER BY d.name`,
      )
      .all(siteId) as CapServer[];
  }

  private requireSite(siteId: string): void {
    if (!this.db.prepare('SELECT 1 FROM sites WHERE id = ?').get(siteId)) throw new NotFoundError('site', siteId);
  }
}

const wattsText = (watts: number | null) => (watts === null ? 'no limit' : `${watts} W`);
