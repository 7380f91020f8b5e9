import { SEVERITY_RANK, type AlarmSeverity, type ConditionCategory } from '../../../../shared/domain/monitoring.js';

export interface WiredDevice {
  id: string;
}

export interface Wire {
  kind: 'power' | 'network';
  fromDeviceId: string | null;
  fromPort: string;
  toDeviceId: string | null;
  toPort: string;
}

export interface ActiveAlarm {
  id: number;
  /** null for a condition of the whole site. */
  deviceId: string | null;
  condition: string;
  category: ConditionCategory;
  severity: AlarmSeverity;
  port: number | null;
  firstSeen: string;
}

export const SITE_LINK_DOWN = 'site:link-down';

/** Whether a condition reads as a loss or disturbance of power, which upstream power trouble explains. */
const isPowerSymptom = (alarm: ActiveAlarm) => alarm.category === 'power';

function better(a: ActiveAlarm, b: ActiveAlarm): ActiveAlarm {
  if (SEVERITY_RANK[a.severity] !== SEVERITY_RANK[b.severity]) return SEVERITY_RANK[a.severity] > SEVERITY_RANK[b.severity] ? a : b;
  return a.firstSeen <= b.firstSeen ? a : b;
}

/**
 * Which alarm each active alarm of one site is a symptom of, following the
 * cabinet's wiring: the site's link down explains every device alarm there;
 * power trouble upstream (UPS on battery) explains power alarms downstream
 * (PDU input, server power supplies); a switch port down explains the NIC
 * alarm at the other end of its cable. Returns alarm id → root id (absent =
 * the alarm stands on its own). Pure, so it is tested without a database.
 */
export function correlate(alarms: readonly ActiveAlarm[], wires: readonly Wire[]): Map<number, number> {
  const roots = new Map<number, number>();
  const siteRoot = alarms.find((alarm) => alarm.deviceId === null && alarm.condition === SITE_LINK_DOWN);
  if (siteRoot) {
    for (const alarm of alarms) if (alarm !== siteRoot) roots.set(alarm.id, siteRoot.id);
    return roots;
  }
  const byDevice = new Map<string, ActiveAlarm[]>();
  for (const alarm of alarms) if (alarm.deviceId) byDevice.set(alarm.deviceId, [...(byDevice.get(alarm.deviceId) ?? []), alarm]);
  const feeders = new Map<string, string[]>();
  for (const wire of wires) {
    if (wire.kind !== 'power' || !wire.fromDeviceId || !wire.toDeviceId) continue;
    feeders.set(wire.toDeviceId, [...(feeders.get(wire.toDeviceId) ?? []), wire.fromDeviceId]);
  }

  /** The most upstream power alarm feeding `deviceId`, if any. */
  const upstreamPowerRoot = (deviceId: string): ActiveAlarm | null => {
    let found: ActiveAlarm | null = null;
    const seen = new Set<string>([deviceId]);
    let frontier = feeders.get(deviceId) ?? [];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const upstream of frontier) {
        if (seen.has(upstream)) continue;
        seen.add(upstream);
        const power = (byDevice.get(upstream) ?? []).filter(isPowerSymptom);
        // Further upstream wins: it is closer to the cause.
        if (power.length > 0) found = power.reduce(better);
        next.push(...(feeders.get(upstream) ?? []));
      }
      frontier = next;
    }
    return found;
  };

  for (const alarm of alarms) {
    if (!alarm.deviceId) continue;
    if (isPowerSymptom(alarm)) {
      const root = upstreamPowerRoot(alarm.deviceId);
      if (root) roots.set(alarm.id, root.id);
    }
    if (alarm.category === 'network' && alarm.condition.startsWith('nic:') && alarm.port !== null) {
      const wire = wires.find(
        (each) =>
          each.kind === 'network' &&
          ((each.toDeviceId === alarm.deviceId && each.toPort === `nic-${alarm.port}`) || (each.fromDeviceId === alarm.deviceId && each.fromPort === `nic-${alarm.port}`)),
      );
      if (wire) {
        const [switchId, switchPort] = wire.toDeviceId === alarm.deviceId ? [wire.fromDeviceId, wire.fromPort] : [wire.toDeviceId, wire.toPort];
        const portNumber = Number(/^port-(\d+)$/.exec(switchPort)?.[1]);
        const portAlarm = (byDevice.get(switchId ?? '') ?? []).find((each) => each.condition === `port:${portNumber}`);
        if (portAlarm) roots.set(alarm.id, portAlarm.id);
      }
    }
  }
  // An event that a poll confirmed is the same problem: it goes under the device's polled alarm.
  for (const alarm of alarms) {
    if (!alarm.deviceId || !alarm.condition.startsWith('event:') || roots.has(alarm.id)) continue;
    const confirmed = (byDevice.get(alarm.deviceId) ?? []).filter((each) => !each.condition.startsWith('event:') && !each.condition.startsWith('trap:'));
    if (confirmed.length > 0) roots.set(alarm.id, confirmed.reduce(better).id);
  }
  // A root is never itself a symptom: follow chains to their top.
  for (const [id, root] of roots) {
    let top = root;
    const seen = new Set([id]);
    while (roots.has(top) && !seen.has(top)) {
      seen.add(top);
      top = roots.get(top)!;
    }
    roots.set(id, top);
  }
  return roots;
}
