import type { Database } from 'better-sqlite3';
import type { Condition } from '../../../../shared/domain/monitoring.js';
import { emptyChanges, type AlarmChanges, type AlarmService } from '../alarms/alarm-service.js';
import type { AlarmForwarder } from '../alarms/forwarding.js';
import type { EventBus } from '../events/bus.js';

/**
 * Raising and clearing the alarms of checks that are not a poll's own
 * (cabinet identity, integrity drift), announced as the monitor's writer
 * announces its own: the UI told, new roots forwarded.
 *
 * They are raised on the site's scope with the device in the condition key
 * ("integrity:<deviceId>:firmware"): a device-scoped alarm would be cleared
 * by the device's next health poll, which reconciles every poll-observable
 * condition of the device against what that poll saw, and a health poll
 * sees neither identities nor integrity.
 */
export class SiteAlarms {
  constructor(
    private readonly db: Database,
    private readonly alarms: AlarmService,
    private readonly forwarder: AlarmForwarder,
    private readonly bus: EventBus,
    private readonly now: () => Date,
  ) {}

  /** Raises the conditions given, clears the keys given, in one transaction; then correlates and announces. */
  apply(siteId: string, raise: readonly Condition[], clear: readonly string[]): AlarmChanges {
    const changes = emptyChanges();
    if (!this.db.open || (raise.length === 0 && clear.length === 0)) return changes;
    const at = this.now().toISOString();
    const scope = { siteId, deviceId: null };
    this.db.transaction(() => {
      for (const condition of raise) this.alarms.raise(scope, 'poll', condition, at, changes);
      for (const key of clear) this.alarms.clear(scope, key, at, changes);
      this.alarms.correlateSite(siteId, at);
    })();
    this.announce(changes);
    return changes;
  }

  private announce(changes: AlarmChanges): void {
    if (changes.raised.length === 0 && changes.cleared.length === 0) return;
    const at = this.now().toISOString();
    const raised = changes.raised.map((id) => this.alarms.get(id)).filter((alarm) => alarm.rootId === null && !alarm.muted && alarm.state === 'active');
    const cleared = changes.cleared.map((id) => this.alarms.get(id));
    for (const siteId of changes.sites) {
      this.bus.publish({ type: 'site.changed', change: 'updated', siteId, count: 1, at });
      this.bus.publish({
        type: 'alarm.changed',
        siteId,
        raised: raised.filter((alarm) => alarm.siteId === siteId).map((alarm) => ({ id: alarm.id, severity: alarm.severity, message: alarm.message, messageKey: alarm.messageKey, params: alarm.params, siteName: alarm.siteName })),
        cleared: cleared.filter((alarm) => alarm.siteId === siteId).map((alarm) => alarm.id),
        at,
      });
    }
    this.forwarder.forward(raised, cleared);
  }
}
