import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import {
  AlarmQuery,
  convergenceRatio,
  MaintenanceWindowInput,
  SEVERITY_RANK,
  type Alarm,
  type AlarmDetail,
  type AlarmHistoryEntry,
  type AlarmOrigin,
  type AlarmPage,
  type Condition,
  type MaintenanceWindow,
} from '../../../../shared/domain/monitoring.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { EventBus } from '../events/bus.js';
import { correlate, type ActiveAlarm, type Wire } from './correlation.js';
import type { RegionScope } from '../../../../shared/domain/access.js';

/** Reopened this often within FLAP_WINDOW_MS, an alarm counts as flapping. */
const FLAP_REOPENS = 3;
const FLAP_WINDOW_MS = 15 * 60 * 1000;
/** A flapping alarm clears only after its condition stayed away this long. */
const FLAP_HOLD_MS = 5 * 60 * 1000;
/** Alarms from traps and events that no poll can confirm clear this long after they were last seen. */
const EVENT_ALARM_TTL_MS = 30 * 60 * 1000;

export interface AlarmScope {
  siteId: string;
  deviceId: string | null;
}

interface AlarmRow {
  id: number;
  site_id: string;
  site_name: string;
  device_id: string | null;
  device_name: string | null;
  source: string;
  condition: string;
  category: Alarm['category'];
  severity: Alarm['severity'];
  origin: AlarmOrigin;
  message: string;
  message_key: string;
  message_params: string;
  port: number | null;
  state: 'active' | 'cleared';
  count: number;
  first_seen: string;
  last_seen: string;
  cleared_at: string | null;
  clear_pending_since: string | null;
  transitions: string;
  flapping: number;
  muted: number;
  acked_at: string | null;
  acked_by: string | null;
  assignee: string | null;
  root_id: number | null;
  symptom_count: number;
}

const ALARM_SELECT = `
  SELECT a.*, s.name AS site_name, d.name AS device_name,
    (SELECT count(*) FROM alarms x WHERE x.root_id = a.id AND x.state = 'active') AS symptom_count
  FROM alarms a JOIN sites s ON s.id = a.site_id LEFT JOIN devices d ON d.id = a.device_id`;

function toAlarm(row: AlarmRow): Alarm {
  return {
    id: row.id,
    siteId: row.site_id,
    siteName: row.site_name,
    deviceId: row.device_id,
    deviceName: row.device_name,
    condition: row.condition,
    category: row.category,
    severity: row.severity,
    state: row.state,
    origin: row.origin,
    message: row.message,
    messageKey: row.message_key,
    params: JSON.parse(row.message_params) as Alarm['params'],
    count: row.count,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    clearedAt: row.cleared_at,
    acknowledgedAt: row.acked_at,
    acknowledgedBy: row.acked_by,
    assignee: row.assignee,
    muted: row.muted === 1,
    flapping: row.flapping === 1,
    rootId: row.root_id,
    symptomCount: row.symptom_count,
  };
}

const SOURCE_OF = (scope: AlarmScope) => scope.deviceId ?? `site:${scope.siteId}`;

/** What changed in one pass, so the caller can publish events and forward new roots. */
export interface AlarmChanges {
  raised: number[];
  cleared: number[];
  sites: Set<string>;
}

export const emptyChanges = (): AlarmChanges => ({ raised: [], cleared: [], sites: new Set() });

/**
 * Alarms: one per (source, condition) while active, with how often and when
 * it was seen; reopened rather than duplicated when it comes back soon;
 * held while flapping; muted in maintenance windows; correlated into roots
 * and symptoms along the cabinet's wiring. Every change is kept in history.
 */
export class AlarmService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly now: () => Date,
  ) {}

  private history(alarmId: number, at: string, kind: AlarmHistoryEntry['kind'], actor: string | null = null, text: string | null = null): void {
    this.db.prepare('INSERT INTO alarm_history (alarm_id, at, kind, actor, text) VALUES (?, ?, ?, ?, ?)').run(alarmId, at, kind, actor, text);
  }

  private inMaintenance(scope: AlarmScope, at: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM maintenance_windows WHERE site_id = ? AND (device_id IS NULL OR device_id = ?) AND starts_at <= ? AND ends_at > ? LIMIT 1')
        .get(scope.siteId, scope.deviceId, at, at) !== undefined
    );
  }

  /** Raises (or repeats) one condition. Call inside a transaction when batching. */
  raise(scope: AlarmScope, origin: AlarmOrigin, condition: Condition, at: string, changes: AlarmChanges = emptyChanges()): number {
    const source = SOURCE_OF(scope);
    const muted = this.inMaintenance(scope, at) ? 1 : 0;
    const active = this.db.prepare("SELECT id, severity, clear_pending_since, muted FROM alarms WHERE source = ? AND condition = ? AND state = 'active'").get(source, condition.key) as
      | { id: number; severity: string; clear_pending_since: string | null; muted: number }
      | undefined;
    if (active) {
      this.db
        .prepare('UPDATE alarms SET count = count + 1, last_seen = ?, severity = ?, message = ?, message_key = ?, message_params = ?, clear_pending_since = NULL, muted = ? WHERE id = ?')
        .run(at, condition.severity, condition.message, condition.messageKey, JSON.stringify(condition.params), muted, active.id);
      if (active.muted !== muted && muted === 0) changes.raised.push(active.id);
      return active.id;
    }
    const recent = this.db
      .prepare("SELECT id, transitions FROM alarms WHERE source = ? AND condition = ? AND state = 'cleared' AND cleared_at >= ? ORDER BY id DESC LIMIT 1")
      .get(source, condition.key, new Date(Date.parse(at) - FLAP_WINDOW_MS).toISOString()) as { id: number; transitions: string } | undefined;
    changes.sites.add(scope.siteId);
    if (recent) {
      const transitions = [...(JSON.parse(recent.transitions) as string[]).filter((each) => Date.parse(each) >= Date.parse(at) - FLAP_WINDOW_MS), at];
      const flapping = transitions.length >= FLAP_REOPENS ? 1 : 0;
      this.db
        .prepare(
          "UPDATE alarms SET state = 'active', count = count + 1, last_seen = ?, cleared_at = NULL, severity = ?, message = ?, message_key = ?, message_params = ?, transitions = ?, flapping = ?, muted = ?, origin = ? WHERE id = ?",
        )
        .run(at, condition.severity, condition.message, condition.messageKey, JSON.stringify(condition.params), JSON.stringify(transitions), flapping, muted, origin, recent.id);
      this.history(recent.id, at, 'reopened', null, flapping ? 'flapping: held active until it stays quiet' : null);
      if (muted) this.history(recent.id, at, 'muted', null, 'came back during a maintenance window');
      // A flapping alarm is announced once, not at every bounce.
      else if (!flapping) changes.raised.push(recent.id);
      return recent.id;
    }
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO alarms (site_id, device_id, source, condition, category, severity, origin, message, message_key, message_params, port, state, count, first_seen, last_seen, muted)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1, ?, ?, ?)`,
        )
        .run(scope.siteId, scope.deviceId, source, condition.key, condition.category, condition.severity, origin, condition.message, condition.messageKey, JSON.stringify(condition.params), condition.port ?? null, at, at, muted)
        .lastInsertRowid,
    );
    this.history(id, at, 'raised', null, condition.message);
    if (muted) this.history(id, at, 'muted', null, 'raised during a maintenance window');
    else changes.raised.push(id);
    return id;
  }

  /** Ends one condition; a flapping alarm only ends once the condition stayed away for FLAP_HOLD_MS. */
  clear(scope: AlarmScope, conditionKey: string, at: string, changes: AlarmChanges = emptyChanges()): void {
    const row = this.db.prepare("SELECT id, flapping, clear_pending_since FROM alarms WHERE source = ? AND condition = ? AND state = 'active'").get(SOURCE_OF(scope), conditionKey) as
      | { id: number; flapping: number; clear_pending_since: string | null }
      | undefined;
    if (!row) return;
    if (row.flapping) {
      if (!row.clear_pending_since) {
        this.db.prepare('UPDATE alarms SET clear_pending_since = ? WHERE id = ?').run(at, row.id);
        return;
      }
      if (Date.parse(at) - Date.parse(row.clear_pending_since) < FLAP_HOLD_MS) return;
    }
    this.db.prepare("UPDATE alarms SET state = 'cleared', cleared_at = ?, clear_pending_since = NULL, flapping = 0, root_id = NULL WHERE id = ?").run(at, row.id);
    this.history(row.id, at, 'cleared');
    // Events the poll had confirmed end with it; other symptoms stand on their own until correlated again.
    const events = this.db.prepare("SELECT condition FROM alarms WHERE root_id = ? AND state = 'active' AND condition LIKE 'event:%'").pluck().all(row.id) as string[];
    this.db.prepare("UPDATE alarms SET root_id = NULL WHERE root_id = ? AND state = 'active'").run(row.id);
    for (const condition of events) this.clear(scope, condition, at, changes);
    changes.cleared.push(row.id);
    changes.sites.add(scope.siteId);
  }

  /**
   * Makes a source's poll-observable alarms match what a poll saw: present
   * conditions are raised or repeated, absent ones cleared. Alarms only traps
   * or events can know of ("trap:*", "event:*") are left alone.
   */
  reconcile(scope: AlarmScope, conditions: readonly Condition[], at: string, changes: AlarmChanges = emptyChanges()): void {
    const present = new Set(conditions.map((condition) => condition.key));
    for (const condition of conditions) this.raise(scope, 'poll', condition, at, changes);
    const active = this.db.prepare("SELECT condition FROM alarms WHERE source = ? AND state = 'active'").pluck().all(SOURCE_OF(scope)) as string[];
    for (const key of active) {
      if (!present.has(key) && !key.startsWith('trap:') && !key.startsWith('event:')) this.clear(scope, key, at, changes);
    }
  }

  /** Clears event-only alarms not seen for a while; they have no condition a poll could see end. */
  expireEventAlarms(at: string, changes: AlarmChanges = emptyChanges()): void {
    const cutoff = new Date(Date.parse(at) - EVENT_ALARM_TTL_MS).toISOString();
    const rows = this.db
      .prepare("SELECT site_id, device_id, condition FROM alarms WHERE state = 'active' AND (condition LIKE 'trap:%' OR condition LIKE 'event:%') AND last_seen < ?")
      .all(cutoff) as { site_id: string; device_id: string | null; condition: string }[];
    for (const row of rows) this.clear({ siteId: row.site_id, deviceId: row.device_id }, row.condition, at, changes);
  }

  /** Recomputes roots and symptoms of one site's active alarms from its wiring; records changes in history. */
  correlateSite(siteId: string, at: string): void {
    const active = (
      this.db.prepare("SELECT id, device_id, condition, category, severity, port, first_seen, root_id FROM alarms WHERE site_id = ? AND state = 'active'").all(siteId) as {
        id: number;
        device_id: string | null;
        condition: string;
        category: ActiveAlarm['category'];
        severity: ActiveAlarm['severity'];
        port: number | null;
        first_seen: string;
        root_id: number | null;
      }[]
    );
    if (active.length === 0) return;
    const wires = this.db
      .prepare(
        `SELECT l.kind, l.from_device_id AS fromDeviceId, l.from_port AS fromPort, l.to_device_id AS toDeviceId, l.to_port AS toPort
         FROM links l JOIN cabinets c ON c.id = l.cabinet_id WHERE c.site_id = ?`,
      )
      .all(siteId) as Wire[];
    const roots = correlate(
      active.map((row) => ({ id: row.id, deviceId: row.device_id, condition: row.condition, category: row.category, severity: row.severity, port: row.port, firstSeen: row.first_seen })),
      wires,
    );
    const update = this.db.prepare('UPDATE alarms SET root_id = ? WHERE id = ?');
    for (const row of active) {
      const root = roots.get(row.id) ?? null;
      if (root === row.root_id) continue;
      update.run(root, row.id);
      if (root !== null) this.history(row.id, at, 'symptom', null, `symptom of alarm #${root}`);
      else this.history(row.id, at, 'root', null, 'stands on its own again');
    }
  }

  get(id: number): Alarm {
    const row = this.db.prepare(`${ALARM_SELECT} WHERE a.id = ?`).get(id) as AlarmRow | undefined;
    if (!row) throw new NotFoundError('alarm', String(id));
    return toAlarm(row);
  }

  /** Alarms of the sites the scope lets the caller see. */
  list(input: AlarmQuery, visible: RegionScope = 'all'): AlarmPage {
    const query = AlarmQuery.parse(input);
    const where: string[] = [];
    const params: unknown[] = [];
    if (visible !== 'all') {
      where.push('a.site_id IN (SELECT id FROM sites WHERE region_id IN (SELECT value FROM json_each(?)))');
      params.push(JSON.stringify(visible));
    }
    if (query.state !== 'all') {
      where.push('a.state = ?');
      params.push(query.state);
    }
    if (query.siteId) {
      where.push('a.site_id = ?');
      params.push(query.siteId);
    }
    if (query.deviceId) {
      where.push('a.device_id = ?');
      params.push(query.deviceId);
    }
    if (query.severity?.length) {
      where.push(`a.severity IN (${query.severity.map(() => '?').join(',')})`);
      params.push(...query.severity);
    }
    if (query.acknowledged !== 'any') where.push(query.acknowledged === 'yes' ? 'a.acked_at IS NOT NULL' : 'a.acked_at IS NULL');
    if (!query.includeMuted) where.push('a.muted = 0');
    const scope = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rootFilter = query.rootsOnly ? `${scope ? ' AND' : 'WHERE'} a.root_id IS NULL` : '';
    const order = {
      severity: "CASE a.severity WHEN 'critical' THEN 4 WHEN 'major' THEN 3 WHEN 'minor' THEN 2 ELSE 1 END DESC, a.last_seen DESC",
      lastSeen: 'a.last_seen DESC',
      firstSeen: 'a.first_seen DESC',
      count: 'a.count DESC',
      site: 's.name, a.last_seen DESC',
    }[query.sort];
    const rows = this.db.prepare(`${ALARM_SELECT} ${scope}${rootFilter} ORDER BY ${order}, a.id DESC LIMIT ?`).all(...params, query.limit) as AlarmRow[];
    const totals = this.db
      .prepare(`SELECT count(*) AS total, coalesce(sum(a.count), 0) AS raw, coalesce(sum(a.root_id IS NULL), 0) AS shown FROM alarms a ${scope}`)
      .get(...params) as { total: number; raw: number; shown: number };
    return { alarms: rows.map(toAlarm), total: query.rootsOnly ? totals.shown : totals.total, rawEvents: totals.raw, shown: totals.shown, convergenceRatio: convergenceRatio(totals.raw, totals.shown) };
  }

  detail(id: number): AlarmDetail {
    const alarm = this.get(id);
    const symptoms = (this.db.prepare(`${ALARM_SELECT} WHERE a.root_id = ? ORDER BY a.first_seen`).all(id) as AlarmRow[]).map(toAlarm);
    const history = this.db.prepare('SELECT at, kind, actor, text FROM alarm_history WHERE alarm_id = ? ORDER BY id').all(id) as AlarmHistoryEntry[];
    return { alarm, root: alarm.rootId !== null ? this.get(alarm.rootId) : null, symptoms, history };
  }

  acknowledge(ids: readonly number[], actor: string): Alarm[] {
    const at = this.now().toISOString();
    const missing = ids.filter((id) => !this.db.prepare('SELECT 1 FROM alarms WHERE id = ?').get(id));
    if (missing.length) throw new NotFoundError('alarm', missing.join(', '));
    this.db.transaction(() => {
      for (const id of ids) {
        // A root's acknowledgement covers its symptoms: they are one problem.
        const group = [id, ...(this.db.prepare("SELECT id FROM alarms WHERE root_id = ? AND state = 'active'").pluck().all(id) as number[])];
        for (const each of group) {
          if (this.db.prepare('UPDATE alarms SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL').run(at, actor, each).changes > 0) this.history(each, at, 'acknowledged', actor);
        }
      }
    })();
    this.publish(ids);
    return ids.map((id) => this.get(id));
  }

  comment(id: number, text: string, actor: string): AlarmDetail {
    this.get(id);
    this.history(id, this.now().toISOString(), 'commented', actor, text);
    this.publish([id]);
    return this.detail(id);
  }

  assign(id: number, assignee: string | null, actor: string): Alarm {
    this.get(id);
    const at = this.now().toISOString();
    this.db.prepare('UPDATE alarms SET assignee = ? WHERE id = ?').run(assignee, id);
    this.history(id, at, 'assigned', actor, assignee ?? 'unassigned');
    this.publish([id]);
    return this.get(id);
  }

  private publish(ids: readonly number[]): void {
    const sites = new Set(ids.map((id) => this.db.prepare('SELECT site_id FROM alarms WHERE id = ?').pluck().get(id) as string));
    const at = this.now().toISOString();
    for (const siteId of sites) this.bus.publish({ type: 'alarm.changed', siteId, raised: [], cleared: [], at });
  }

  addMaintenance(input: z.input<typeof MaintenanceWindowInput>, actor: string): MaintenanceWindow {
    const window = MaintenanceWindowInput.parse(input);
    if (!this.db.prepare('SELECT 1 FROM sites WHERE id = ?').get(window.siteId)) throw new NotFoundError('site', window.siteId);
    if (window.deviceId) {
      const device = this.db.prepare('SELECT c.site_id FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE d.id = ?').pluck().get(window.deviceId) as string | undefined;
      if (device !== window.siteId) throw new InvalidInputError([{ field: 'deviceId', code: 'not_in_site', message: 'That device is not in this site' }]);
    }
    const startsAt = new Date(window.startsAt).toISOString();
    const endsAt = new Date(window.endsAt).toISOString();
    const id = Number(
      this.db
        .prepare('INSERT INTO maintenance_windows (site_id, device_id, starts_at, ends_at, reason, created_by) VALUES (?, ?, ?, ?, ?, ?)')
        .run(window.siteId, window.deviceId, startsAt, endsAt, window.reason, actor).lastInsertRowid,
    );
    return { id, siteId: window.siteId, deviceId: window.deviceId, startsAt, endsAt, reason: window.reason, createdBy: actor };
  }

  maintenance(siteId?: string): MaintenanceWindow[] {
    const rows = this.db
      .prepare(`SELECT id, site_id, device_id, starts_at, ends_at, reason, created_by FROM maintenance_windows WHERE ends_at > ?${siteId ? ' AND site_id = ?' : ''} ORDER BY starts_at`)
      .all(this.now().toISOString(), ...(siteId ? [siteId] : [])) as { id: number; site_id: string; device_id: string | null; starts_at: string; ends_at: string; reason: string; created_by: string | null }[];
    return rows.map((row) => ({ id: row.id, siteId: row.site_id, deviceId: row.device_id, startsAt: row.starts_at, endsAt: row.ends_at, reason: row.reason, createdBy: row.created_by }));
  }

  removeMaintenance(id: number): void {
    if (this.db.prepare('DELETE FROM maintenance_windows WHERE id = ?').run(id).changes === 0) throw new NotFoundError('maintenance window', String(id));
  }

  /** The worst active, unmuted severity per site, for site state roll-ups. */
  worstBySite(): Map<string, Alarm['severity']> {
    const rows = this.db.prepare("SELECT site_id, severity FROM alarms WHERE state = 'active' AND muted = 0").all() as { site_id: string; severity: Alarm['severity'] }[];
    const result = new Map<string, Alarm['severity']>();
    for (const row of rows) {
      const current = result.get(row.site_id);
      if (!current || SEVERITY_RANK[row.severity] > SEVERITY_RANK[current]) result.set(row.site_id, row.severity);
    }
    return result;
  }
}
